import Crypto
import Foundation
import JiuzhuCore

/// The keys of an installation, all derived with HKDF from one master key
/// (`JIUZHU_MASTER_KEY`) that never enters the database.
public struct KeyRing: Sendable {
    public let keyID: String
    let master: SymmetricKey

    /// 32 random bytes, base64: what `jiuzhu keys generate` prints.
    public static func generateMasterKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A fixed, public key for `serve --demo` only: demo data is not secret.
    public static let demo = KeyRing(master: SymmetricKey(data: SHA256.hash(data: Data("jiuzhu demo only - not secret".utf8))), keyID: "demo")

    public init(master: SymmetricKey, keyID: String) {
        self.master = master
        self.keyID = keyID
    }

    /// Reads `JIUZHU_MASTER_KEY` (base64 of at least 32 bytes).
    public init(base64 text: String) throws(UserError) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 32 else {
            throw UserError("config.master_key", field: "JIUZHU_MASTER_KEY",
                            zh: "JIUZHU_MASTER_KEY 必须是至少 32 字节的 base64 编码（可用 `jiuzhu keys generate` 生成）",
                            en: "JIUZHU_MASTER_KEY must be base64 of at least 32 bytes (make one with `jiuzhu keys generate`)")
        }
        let key = SymmetricKey(data: data)
        // The key id names the key without revealing it, so rows can say which key sealed them.
        let id = HMAC<SHA256>.authenticationCode(for: Data("jiuzhu key id".utf8), using: key)
        self.init(master: key, keyID: Data(id).prefix(4).map { String(format: "%02x", $0) }.joined())
    }

    func derive(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master, salt: Data("jiuzhu".utf8),
                               info: Data(purpose.utf8), outputByteCount: 32)
    }

    /// Keys the audit chain's HMAC, so that a rewritten chain cannot be re-sealed without it.
    public var auditKey: SymmetricKey { derive("audit-chain v1") }

    public var fieldCipher: any FieldCipher { AESGCMFieldCipher(key: derive("field v1"), keyID: keyID) }
}

/// Where a sealed value belongs; bound into the ciphertext as associated data,
/// so a value copied to another row or column fails to open.
public struct FieldContext: Sendable {
    public let table: String
    public let column: String
    public let row: String

    public init(table: String, column: String, row: String) {
        self.table = table
        self.column = column
        self.row = row
    }

    var associatedData: Data { Data("\(table)\u{1F}\(column)\u{1F}\(row)".utf8) }
}

/// Encryption of personal fields at rest. AES-GCM by default; SM4 can be
/// offered behind the same protocol.
public protocol FieldCipher: Sendable {
    func seal(_ plaintext: String, context: FieldContext) throws -> String
    func open(_ sealed: String, context: FieldContext) throws -> String
}

public enum FieldCipherError: Error, Sendable {
    case malformed
    case wrongKey(String)
}

struct AESGCMFieldCipher: FieldCipher {
    let key: SymmetricKey
    let keyID: String

    /// `v1:<key id>:<base64 nonce‖ciphertext‖tag>`
    func seal(_ plaintext: String, context: FieldContext) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: context.associatedData)
        guard let combined = box.combined else { throw FieldCipherError.malformed }
        return "v1:\(keyID):\(combined.base64EncodedString())"
    }

    func open(_ sealed: String, context: FieldContext) throws -> String {
        let parts = sealed.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "v1", let data = Data(base64Encoded: parts[2]) else {
            throw FieldCipherError.malformed
        }
        guard parts[1] == keyID else { throw FieldCipherError.wrongKey(parts[1]) }
        let box = try AES.GCM.SealedBox(combined: data)
        let plain = try AES.GCM.open(box, using: key, authenticating: context.associatedData)
        return String(decoding: plain, as: UTF8.self)
    }
}

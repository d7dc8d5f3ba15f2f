import Crypto
import Foundation
import JiuzhuCore

/// One master key and its id. The id names the key without revealing it, so
/// every sealed value and audit row can say which key sealed it.
public struct MasterKey: Sendable {
    public let id: String
    let key: SymmetricKey
    /// Derived once: every sealed field and every lookup uses them.
    let fieldKey: SymmetricKey
    let residentIDBlindKey: SymmetricKey

    public init(base64 text: String, field: String = "JIUZHU_MASTER_KEY") throws(UserError) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 32 else {
            throw UserError("config.master_key", field: field,
                            zh: "\(field) 必须是至少 32 字节的 base64 编码（可用 `jiuzhu keys generate` 生成）",
                            en: "\(field) must be base64 of at least 32 bytes (make one with `jiuzhu keys generate`)")
        }
        self.init(key: SymmetricKey(data: data))
    }

    init(key: SymmetricKey, id: String? = nil) {
        self.key = key
        let mac = HMAC<SHA256>.authenticationCode(for: Data("jiuzhu key id".utf8), using: key)
        self.id = id ?? hexString(Data(mac).prefix(4))
        self.fieldKey = Self.derive(key, "field v1")
        self.residentIDBlindKey = Self.derive(key, "blind-index resident-id v1")
    }

    func derive(_ purpose: String) -> SymmetricKey { Self.derive(key, purpose) }

    private static func derive(_ key: SymmetricKey, _ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: Data("jiuzhu".utf8), info: Data(purpose.utf8), outputByteCount: 32)
    }

    var reportSigningKey: Curve25519.Signing.PrivateKey {
        let seed = derive("report-signing ed25519 v1").withUnsafeBytes { Data($0) }
        // 32 bytes from HKDF are always a valid Ed25519 seed.
        return try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)  // programmer error
    }

    func blindKey(_ purpose: String) -> SymmetricKey {
        purpose == "resident-id" ? residentIDBlindKey : derive("blind-index \(purpose) v1")
    }
}

/// The keys of an installation, all derived with HKDF from the master key
/// (`JIUZHU_MASTER_KEY`), which never enters the database. During a key
/// rotation the previous keys (`JIUZHU_PREVIOUS_MASTER_KEYS`) still open old
/// values; retired keys stay there as long as audit rows sealed by them must verify.
public struct KeyRing: Sendable {
    public let current: MasterKey
    public let previous: [MasterKey]

    public var keyID: String { current.id }

    /// 32 random bytes, base64: what `jiuzhu keys generate` prints.
    public static func generateMasterKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A fixed, public key for `serve --demo` only: demo data is not secret.
    public static let demo = KeyRing(current: MasterKey(key: SymmetricKey(data: SHA256.hash(data: Data("jiuzhu demo only - not secret".utf8))), id: "demo"))

    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        self.previous = previous.filter { $0.id != current.id }
    }

    public init(base64 text: String) throws(UserError) {
        self.init(current: try MasterKey(base64: text))
    }

    /// Reads the current key and a comma-separated list of previous keys.
    public init(current: String, previous: String?) throws(UserError) {
        let old = try (previous ?? "").split(separator: ",").map { (text: Substring) throws(UserError) -> MasterKey in
            try MasterKey(base64: String(text), field: "JIUZHU_PREVIOUS_MASTER_KEYS")
        }
        self.init(current: try MasterKey(base64: current), previous: old)
    }

    var all: [MasterKey] { [current] + previous }

    /// The current key first, without building `all` (the batch opens millions of fields).
    func key(id: String) -> MasterKey? { current.id == id ? current : previous.first { $0.id == id } }

    /// Keys the audit chain's HMAC, so that a rewritten chain cannot be re-sealed without it.
    func auditKey(id: String) -> SymmetricKey? { key(id: id)?.derive("audit-chain v1") }

    public var fieldCipher: any FieldCipher { AESGCMFieldCipher(ring: self) }

    /// The installation's Ed25519 key that signs verification reports (核对报告签名),
    /// derived from the current master key, so that it is never stored; its
    /// public half travels with every signed report. `MasterKey.id` names it.
    public var reportSigningKey: Curve25519.Signing.PrivateKey { current.reportSigningKey }

    /// Every key's public signing key by key id: a report signed before a
    /// rotation still verifies while the old master key is listed.
    public var reportVerificationKeys: [String: Curve25519.Signing.PublicKey] {
        Dictionary(all.map { ($0.id, $0.reportSigningKey.publicKey) }, uniquingKeysWith: { first, _ in first })
    }

    /// HMAC blind index of a normalised value (an ID number) under the current key,
    /// so exact lookups work without decrypting; `blindIndexes` gives every
    /// key's value for lookups during a rotation.
    public func blindIndex(_ value: String, purpose: String = "resident-id") -> String {
        Self.blind(value, key: current, purpose: purpose)
    }

    public func blindIndexes(_ value: String, purpose: String = "resident-id") -> [String] {
        all.map { Self.blind(value, key: $0, purpose: purpose) }
    }

    static func blind(_ value: String, key: MasterKey, purpose: String) -> String {
        hexString(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: key.blindKey(purpose)))
    }
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
    /// The same for bytes, sealed to bytes (no base64): a blob column.
    func seal(bytes plaintext: [UInt8], context: FieldContext) throws -> [UInt8]
    func open(bytes sealed: [UInt8], context: FieldContext) throws -> [UInt8]
    /// True when `sealed` was sealed by the current key (rotation skips it).
    func isCurrent(_ sealed: String) -> Bool
}

extension FieldCipher {
    public func seal(_ plaintext: String?, context: FieldContext) throws -> String? {
        try plaintext.map { try seal($0, context: context) }
    }

    public func open(_ sealed: String?, context: FieldContext) throws -> String? {
        try sealed.map { try open($0, context: context) }
    }
}

public enum FieldCipherError: Error, Sendable {
    case malformed
    case unknownKey(String)
}

struct AESGCMFieldCipher: FieldCipher {
    let ring: KeyRing

    private func key(_ master: MasterKey) -> SymmetricKey { master.fieldKey }

    /// `v1:<key id>:<base64 nonce‖ciphertext‖tag>`
    func seal(_ plaintext: String, context: FieldContext) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key(ring.current), authenticating: context.associatedData)
        guard let combined = box.combined else { throw FieldCipherError.malformed }
        return "v1:\(ring.current.id):\(combined.base64EncodedString())"
    }

    func open(_ sealed: String, context: FieldContext) throws -> String {
        // `v1:` key id `:` payload, found by scanning the bytes once (the
        // batch opens millions of fields; splitting into strings cost more
        // than the decryption).
        let bytes = sealed.utf8
        let colon = UInt8(ascii: ":")
        guard bytes.starts(with: "v1:".utf8) else { throw FieldCipherError.malformed }
        let idStart = bytes.index(bytes.startIndex, offsetBy: 3)
        guard let idEnd = bytes[idStart...].firstIndex(of: colon),
              let data = Data(base64Encoded: String(sealed[bytes.index(after: idEnd)...]))
        else { throw FieldCipherError.malformed }
        let keyID = String(sealed[idStart..<idEnd])
        guard let master = ring.key(id: keyID) else { throw FieldCipherError.unknownKey(keyID) }
        let box = try AES.GCM.SealedBox(combined: data)
        let plain = try AES.GCM.open(box, using: key(master), authenticating: context.associatedData)
        return String(decoding: plain, as: UTF8.self)
    }

    func isCurrent(_ sealed: String) -> Bool { sealed.hasPrefix("v1:\(ring.current.id):") }

    /// `v1:<key id>:` then nonce‖ciphertext‖tag as they are.
    func seal(bytes plaintext: [UInt8], context: FieldContext) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key(ring.current), authenticating: context.associatedData)
        guard let combined = box.combined else { throw FieldCipherError.malformed }
        return Array("v1:\(ring.current.id):".utf8) + combined
    }

    func open(bytes sealed: [UInt8], context: FieldContext) throws -> [UInt8] {
        let colon = UInt8(ascii: ":")
        guard sealed.starts(with: "v1:".utf8), let idEnd = sealed[3...].firstIndex(of: colon) else { throw FieldCipherError.malformed }
        let keyID = String(decoding: sealed[3..<idEnd], as: UTF8.self)
        guard let master = ring.key(id: keyID) else { throw FieldCipherError.unknownKey(keyID) }
        let box = try AES.GCM.SealedBox(combined: sealed[(idEnd + 1)...])
        return Array(try AES.GCM.open(box, using: key(master), authenticating: context.associatedData))
    }
}

/// Lower-case hex of bytes: hashes, MACs and blind indexes (hot in bulk loads,
/// where `String(format:)` per byte costs more than the HMAC).
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

import Crypto
import Foundation
import JiuzhuCore
import JiuzhuStore

// 核对报告签名 — Ed25519 over the report's canonical bytes (its JSON without
// whitespace, keys sorted), so that the printed or stored file can be checked
// by anyone with the public key: `jiuzhu report verify FILE`.

/// A report with its signature: the form stored, downloaded and printed.
public struct SignedReport: Sendable {
    public static let algorithm = "Ed25519"

    public let report: VerificationReport
    /// The signing installation's key id (`MasterKey.id`).
    public let keyID: String
    /// Raw 32 bytes of the Ed25519 public key.
    public let publicKey: Data
    /// 64 bytes.
    public let signature: Data

    public init(report: VerificationReport, keyID: String, publicKey: Data, signature: Data) {
        self.report = report
        self.keyID = keyID
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The file/page form: `{"report": {...}, "signature": {"algorithm": "Ed25519",
    /// "keyId", "publicKey" (base64), "value" (base64)}}`.
    public var json: JSONValue {
        .object([
            "report": report.document,
            "signature": .object([
                "algorithm": .string(Self.algorithm),
                "keyId": .string(keyID),
                "publicKey": .string(publicKey.base64EncodedString()),
                "value": .string(signature.base64EncodedString()),
            ]),
        ])
    }

    /// Pretty JSON, two-space indents, keys sorted.
    public var fileText: String { json.rendered(pretty: true) }

    /// Reads a signed file. Every problem is a `UserError` naming the field
    /// (`signature.publicKey`, `report.figures.standard`). Reading does not
    /// check the signature: `ReportSigner.verify` does.
    public init(fileBytes: some Collection<UInt8>) throws(UserError) {
        let root = CaseField(try JSONValue.parse(fileBytes))
        _ = try root.object()
        report = try VerificationReport(field: try root.field("report"))
        let signature = try root.field("signature")
        _ = try signature.object()
        let algorithmField = try signature.field("algorithm")
        guard try algorithmField.string() == Self.algorithm else {
            throw algorithmField.error("report.signature_algorithm", ReportSigningText.algorithm)
        }
        let keyIDField = try signature.field("keyId")
        keyID = try keyIDField.string()
        guard !keyID.isEmpty else { throw keyIDField.error("verification.required", ReportSigningText.keyIDEmpty) }
        publicKey = try Self.base64(try signature.field("publicKey"), bytes: 32)
        self.signature = try Self.base64(try signature.field("value"), bytes: 64)
    }

    private static func base64(_ field: CaseField, bytes count: Int) throws(UserError) -> Data {
        guard let data = Data(base64Encoded: try field.string()) else {
            throw field.error("report.signature_base64", ReportSigningText.notBase64)
        }
        guard data.count == count else {
            throw field.error("report.signature_length", ReportSigningText.length(count, found: data.count))
        }
        return data
    }
}

/// An Ed25519 public key that checks report signatures.
public typealias ReportPublicKey = Curve25519.Signing.PublicKey

/// Signs and verifies reports with the installation's key.
public enum ReportSigner {
    /// A public key as people pass it around: base64 of the raw 32 bytes.
    public static func publicKey(base64 text: String, field: String = "publicKey") throws(UserError) -> ReportPublicKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? ReportPublicKey(rawRepresentation: data)
        else {
            let text = ReportSigningText.publicKey
            throw UserError("report.public_key", field: field, zh: text.zh, en: text.en)
        }
        return key
    }

    /// Signs with `keys.reportSigningKey`; the key id is `keys.keyID`.
    public static func sign(_ report: VerificationReport, keys: KeyRing) throws -> SignedReport {
        let key = keys.reportSigningKey
        let signature = try key.signature(for: report.canonicalBytes)
        return SignedReport(report: report, keyID: keys.keyID, publicKey: key.publicKey.rawRepresentation,
                            signature: Data(signature))
    }

    public enum Verdict: Sendable, Equatable {
        /// The signature matches the report under the embedded public key;
        /// `trusted` says whether that key is a trusted one (nil: no trusted keys were given).
        case valid(keyID: String, trusted: Bool?)
        /// The report was altered, or the signature is not by the embedded key.
        case invalid
    }

    /// Checks the signature over `report.canonicalBytes` with the embedded
    /// public key. Trust is by the key itself, not its id: an id is only a
    /// label, anyone can write any id next to their own key.
    public static func verify(_ signed: SignedReport,
                              trustedKeys: [String: Curve25519.Signing.PublicKey]?) -> Verdict {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: signed.publicKey),
              key.isValidSignature(signed.signature, for: signed.report.canonicalBytes)
        else { return .invalid }
        let trusted = trustedKeys.map { keys in keys.values.contains { $0.rawRepresentation == signed.publicKey } }
        return .valid(keyID: signed.keyID, trusted: trusted)
    }

    /// SHA-256 hex of the canonical bytes: the next version's `previousVersionDigest`.
    public static func digest(_ report: VerificationReport) -> String {
        hexString(SHA256.hash(data: report.canonicalBytes))
    }
}

/// The words of report signing, Chinese first.
enum ReportSigningText {
    static let algorithm = Bilingual(zh: "签名算法应为 Ed25519", en: "The signature algorithm must be Ed25519")
    static let keyIDEmpty = Bilingual(zh: "缺少签名密钥编号", en: "The signing key id is missing")
    static let publicKey = Bilingual(zh: "不是有效的公钥：应为 32 字节 Ed25519 公钥的 base64 编码",
                                     en: "Not a valid public key: give the base64 of a 32-byte Ed25519 public key")
    static let notBase64 = Bilingual(zh: "不是有效的 base64 编码", en: "Not valid base64")

    static func length(_ expected: Int, found: Int) -> Bilingual {
        Bilingual(zh: "长度应为 \(expected) 字节，实际为 \(found) 字节", en: "Must be \(expected) bytes, found \(found)")
    }
}

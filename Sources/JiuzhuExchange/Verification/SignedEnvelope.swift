import Crypto
import Foundation
import JiuzhuCore

/// 签名数据包 — a department's push message:
///
/// ```json
/// {"messageId": "tax-20260601-0001", "source": "tax", "keyId": "tax-2026",
///  "sentAt": "2026-06-01T08:00:00+08:00",
///  "records": [{"member": "…", "type": "income", …, "recordId": "…", "timestamp": "…"}],
///  "signature": "<base64 Ed25519 signature>"}
/// ```
///
/// The signature is Ed25519 over the canonical JSON of the envelope without
/// `signature`: keys sorted by their UTF-8 bytes, no spaces
/// (`JSONValue.rendered(pretty: false)`), UTF-8. Any change to any byte of
/// the content, a record, or the message id breaks it.
public struct SignedEnvelope: Sendable, Hashable {
    public let messageID: String
    public let source: String
    public let keyID: String
    public let sentAt: String
    /// The record objects as sent (checked one by one when taken).
    public let records: [JSONValue]
    /// Base64 of the 64-byte signature.
    public var signature: String
    /// Every member but `signature`, as sent (members this version does not
    /// know are signed too): what the signature covers.
    public let body: [String: JSONValue]

    /// Longest message id: it is part of a unique key.
    public static let maxMessageIDLength = 128
    /// Most records in one message.
    public static let maxRecords = 5_000

    public init(messageID: String, source: String, keyID: String, sentAt: String, records: [JSONValue], signature: String = "") {
        self.messageID = messageID
        self.source = source
        self.keyID = keyID
        self.sentAt = sentAt
        self.records = records
        self.signature = signature
        body = ["messageId": .string(messageID), "source": .string(source), "keyId": .string(keyID),
                "sentAt": .string(sentAt), "records": .array(records)]
    }

    /// The envelope as JSON, with the signature when `signed`.
    public func json(signed: Bool = true) -> JSONValue {
        var object = body
        if signed { object["signature"] = .string(signature) }
        return .object(object)
    }

    /// The bytes the signature covers.
    public var signedBytes: Data {
        Data(json(signed: false).rendered(pretty: false).utf8)
    }

    /// Signs (for department clients, `jiuzhu department push`, tests and the demo).
    public func signed(with key: Curve25519.Signing.PrivateKey) throws -> SignedEnvelope {
        var copy = self
        copy.signature = try key.signature(for: signedBytes).base64EncodedString()
        return copy
    }

    /// Whether the signature is `key`'s over this content.
    public func verify(with key: Curve25519.Signing.PublicKey) -> Bool {
        guard let raw = Data(base64Encoded: signature), raw.count == 64 else { return false }
        return key.isValidSignature(raw, for: signedBytes)
    }

    /// Reads a message body. Every problem is a `UserError` naming the field
    /// (a 400): not JSON, a missing or mistyped member, too many records.
    /// The records are only checked to be a list here.
    public init(json bytes: some Collection<UInt8>) throws(UserError) {
        let root = CaseField(try JSONValue.parse(bytes))
        _ = try root.object()
        messageID = try root.field("messageId").string()
        source = try root.field("source").string()
        keyID = try root.field("keyId").string()
        sentAt = try root.field("sentAt").string()
        signature = try root.field("signature").string()
        guard !messageID.isEmpty, messageID.count <= Self.maxMessageIDLength,
              messageID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" })
        else {
            throw try root.field("messageId").error("department.message_id", EnvelopeText.messageID)
        }
        let items = try root.field("records").array()
        guard items.count <= Self.maxRecords else {
            throw try root.field("records").error("department.too_many_records", EnvelopeText.tooManyRecords)
        }
        // A null stays in its place, so that the indexes of the invalid records are the sender's.
        records = items.map { $0.value ?? .null }
        guard case .object(var members)? = root.value else {
            throw root.error("verification.type", EnvelopeText.notObject)
        }
        members["signature"] = nil
        body = members
    }

    /// The signing key's public half as a department registers it (base64 of the raw 32 bytes).
    public static func publicKeyText(_ key: Curve25519.Signing.PrivateKey) -> String {
        key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// Reads a private key printed by `jiuzhu department key generate` (base64 of the raw 32 bytes).
    public static func privateKey(base64 text: String) throws(UserError) -> Curve25519.Signing.PrivateKey {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw UserError("department.private_key", field: "private-key", zh: EnvelopeText.privateKey.zh, en: EnvelopeText.privateKey.en)
        }
        return key
    }
}

enum EnvelopeText {
    static let notObject = Bilingual(zh: "消息应为 JSON 对象", en: "The message must be a JSON object")
    static let messageID = Bilingual(zh: "messageId 应为 1–\(SignedEnvelope.maxMessageIDLength) 个可见字符，不含空格和 /",
                                     en: "messageId must be 1–\(SignedEnvelope.maxMessageIDLength) visible characters without spaces or /")
    static let tooManyRecords = Bilingual(zh: "一条消息最多 \(SignedEnvelope.maxRecords) 条记录，请分批发送",
                                          en: "A message holds at most \(SignedEnvelope.maxRecords) records; send several messages")
    static let privateKey = Bilingual(zh: "私钥应为 base64 编码的 32 字节 Ed25519 私钥",
                                      en: "The private key must be a base64-encoded 32-byte Ed25519 private key")
}

import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore

/// 数据推送接收 — takes a department's signed push message: reads the
/// envelope, checks the key (registered, active, of this source) and the
/// signature, checks every record, and stores the message once (a replayed
/// message id stores nothing). Every outcome is an audit event
/// `verification.push`: success for an acceptance, denied for a refusal.
public struct DepartmentPushReceiver: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// 202: stored now, already stored, and the records refused (by index).
        case accepted(stored: Int, duplicates: Int, invalid: [DepartmentRecordProblem])
        /// 400: not an envelope, or its source is not the path's.
        case malformed(UserError)
        /// 401: unknown or revoked key, a key of another source, a bad signature.
        case unauthorized(UserError)
        /// 409: the message id was taken before.
        case replayed(UserError)
    }

    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// `source` is the path's; `body` the request body as sent; `client` the
    /// caller's address for the audit.
    public func receive(source: String, body: some Collection<UInt8>, client: String, now: Date = Date()) async throws -> Outcome {
        let today = LocalDate.today(now: now)
        let objectID = { (messageID: String) in "\(source)/\(messageID)" }
        func refuse(_ outcome: Outcome, _ reason: String, actor: String, messageID: String) async throws -> Outcome {
            try await audit(actor: actor, objectID: objectID(messageID), outcome: .denied, client: client,
                            detail: reason, now: now)
            return outcome
        }
        func describe(_ error: UserError) -> String { error.code + (error.field.map { " field=\($0)" } ?? "") }

        let envelope: SignedEnvelope
        switch Result(catching: { () throws(UserError) in try SignedEnvelope(json: body) }) {
        case .success(let read): envelope = read
        case .failure(let error): return try await refuse(.malformed(error), describe(error), actor: "-", messageID: "-")
        }
        let actor = String(envelope.keyID.prefix(64))
        if case .failure(let error) = Result(catching: { () throws(UserError) in try DepartmentSourceCatalog.require(source, field: "source") }) {
            return try await refuse(.malformed(error), describe(error), actor: actor, messageID: envelope.messageID)
        }
        guard envelope.source == source else {
            let text = PushText.sourceMismatch(envelope.source, path: source)
            let error = UserError("department.source_mismatch", field: "source", zh: text.zh, en: text.en)
            return try await refuse(.malformed(error), describe(error), actor: actor, messageID: envelope.messageID)
        }

        // One answer for every key problem, so that a caller learns nothing about which keys exist.
        let unauthorized = UserError("department.signature", field: nil, zh: PushText.unauthorized.zh, en: PushText.unauthorized.en)
        guard let key = try await DepartmentRecordStore(db: db).key(id: envelope.keyID) else {
            return try await refuse(.unauthorized(unauthorized), "unknown key", actor: actor, messageID: envelope.messageID)
        }
        guard key.active else {
            return try await refuse(.unauthorized(unauthorized), "revoked key", actor: actor, messageID: envelope.messageID)
        }
        guard key.source == source else {
            return try await refuse(.unauthorized(unauthorized), "key of source \(key.source)", actor: actor, messageID: envelope.messageID)
        }
        guard let raw = Data(base64Encoded: key.publicKey),
              let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              envelope.verify(with: publicKey)
        else {
            return try await refuse(.unauthorized(unauthorized), "bad signature", actor: actor, messageID: envelope.messageID)
        }

        var prepared: [PreparedDepartmentRecord] = []
        var problems: [DepartmentRecordProblem] = []
        for (index, value) in envelope.records.enumerated() {
            let field = CaseField(value, path: JSONPath.index(index, in: "records"))
            switch Result(catching: { () throws(UserError) in try DepartmentFile.item(object: field, source: source, today: today) }) {
            case .success(let item):
                prepared.append(try PreparedDepartmentRecord(item.record, recordID: item.recordID, timestamp: item.timestamp, keys: keys))
            case .failure(let error):
                problems.append(DepartmentRecordProblem(index: index, error: error))
            }
        }
        let entry = AuditEntry(actor: actor, role: "department", region: "", action: "verification.push",
                               objectType: "push_message", objectID: objectID(envelope.messageID), outcome: .success,
                               client: client, detail: "sentAt=\(envelope.sentAt.prefix(40))")
        switch try await DepartmentRecordStore(db: db).acceptPush(
            source: source, messageID: envelope.messageID, keyID: envelope.keyID, records: prepared, problems: problems,
            audit: (chain: AuditChain(keys: keys), entry: entry), now: now) {
        case .accepted(let stored, let duplicates):
            return .accepted(stored: stored, duplicates: duplicates, invalid: problems)
        case .replayed:
            let error = UserError("department.replay", field: "messageId", zh: PushText.replay.zh, en: PushText.replay.en)
            return try await refuse(.replayed(error), "replayed message id", actor: actor, messageID: envelope.messageID)
        }
    }

    private func audit(actor: String, objectID: String, outcome: AuditEntry.Outcome, client: String, detail: String,
                       now: Date) async throws {
        try await AuditChain(keys: keys).append(
            AuditEntry(actor: actor, role: "department", region: "", action: "verification.push",
                       objectType: "push_message", objectID: objectID, outcome: outcome, client: client, detail: detail),
            on: db, now: now)
    }
}

enum PushText {
    static func sourceMismatch(_ envelope: String, path: String) -> Bilingual {
        Bilingual(zh: "消息的数据源“\(envelope)”与地址中的数据源“\(path)”不一致",
                  en: "The message's source \"\(envelope)\" differs from the source in the address, \"\(path)\"")
    }

    static let unauthorized = Bilingual(zh: "签名无效，或密钥未登记、已吊销、不属于该数据源",
                                        en: "The signature is invalid, or the key is unknown, revoked or of another source")
    static let replay = Bilingual(zh: "该消息编号已接收过，本次未做任何改动（重放）",
                                  en: "This message id was received before; nothing was changed (replay)")
}

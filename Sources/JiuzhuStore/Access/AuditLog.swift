import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// One row of the append-only audit log (审计日志). Rows form a hash chain:
/// each row's `hash` is an HMAC over its own fields and the previous row's
/// hash, keyed by a key derived from the master key.
public final class AuditEventRecord: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    @ID(custom: "seq", generatedBy: .user) public var id: Int64?
    @Field(key: "at_ms") public var atMillis: Int64
    @Field(key: "actor") public var actor: String
    @Field(key: "role") public var role: String
    @Field(key: "region") public var region: String
    @Field(key: "action") public var action: String
    @Field(key: "object_type") public var objectType: String
    @Field(key: "object_id") public var objectID: String
    @Field(key: "outcome") public var outcome: String
    @Field(key: "client") public var client: String
    @Field(key: "detail") public var detail: String
    @Field(key: "prev_hash") public var prevHash: String
    /// Which master key's audit key sealed this row.
    @Field(key: "key_id") public var keyID: String
    @Field(key: "hash") public var hash: String

    public init() {}

    public var at: Date { Date(millis: atMillis) }
}

/// The chain's head: the last sequence number and hash. Updating it first in
/// every append takes the write lock on both databases, so appends from any
/// number of instances serialise; it also reveals rows cut from the end.
final class AuditHead: Model, @unchecked Sendable {
    static let schema = "audit_head"

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "seq") var seq: Int64
    @Field(key: "hash") var hash: String

    init() {}
}

struct M004CreateAudit: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEventRecord.schema)
            .field("seq", .int64, .identifier(auto: false))
            .field("at_ms", .int64, .required)
            .field("actor", .string, .required)
            .field("role", .string, .required)
            .field("region", .string, .required)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string, .required)
            .field("outcome", .string, .required)
            .field("client", .string, .required)
            .field("detail", .string, .required)
            .field("prev_hash", .string, .required)
            .field("key_id", .string, .required)
            .field("hash", .string, .required)
            .create()
        for column in ["at_ms", "actor", "action", "region"] {
            try await database.sql.create(index: "audit_events_\(column)_idx").on(AuditEventRecord.schema).column(column).run()
        }
        try await database.schema(AuditHead.schema)
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int64, .required)
            .field("hash", .string, .required)
            .create()
        let head = AuditHead()
        head.id = 1
        head.seq = 0
        head.hash = AuditChain.genesis
        try await head.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditHead.schema).delete()
        try await database.schema(AuditEventRecord.schema).delete()
    }
}

/// What happened, before it is sealed into the chain.
public struct AuditEntry: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case success, failure, denied
    }

    public var actor: String
    public var role: String
    public var region: String
    public var action: String
    public var objectType: String
    public var objectID: String
    public var outcome: Outcome
    public var client: String
    public var detail: String

    public init(actor: String, role: String, region: String, action: String, objectType: String = "",
                objectID: String = "", outcome: Outcome = .success, client: String = "", detail: String = "") {
        self.actor = actor
        self.role = role
        self.region = region
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.outcome = outcome
        self.client = client
        self.detail = detail
    }
}

/// Appending to and verifying the chain.
public struct AuditChain: Sendable {
    public static let genesis = String(repeating: "0", count: 64)
    let keys: KeyRing

    public init(keys: KeyRing) { self.keys = keys }

    /// Appends one event. Inside a caller's transaction the event commits or
    /// rolls back with the change it records.
    @discardableResult
    public func append(_ entry: AuditEntry, on db: any Database, now: Date = Date()) async throws -> AuditEventRecord {
        try await db.transaction { tx in
            // Take the lock first (row lock on PostgreSQL, write lock on SQLite).
            try await tx.sql.update(AuditHead.schema)
                .set(SQLIdentifier("seq"), to: SQLBinaryExpression(SQLIdentifier("seq"), .add, SQLLiteral.numeric("1")))
                .where("id", .equal, 1)
                .run()
            guard let head = try await AuditHead.find(1, on: tx) else { throw AuditError.missingHead }
            let event = AuditEventRecord()
            event.id = head.seq
            event.atMillis = now.millis
            event.actor = String(entry.actor.prefix(64))
            event.role = entry.role
            event.region = entry.region
            event.action = entry.action
            event.objectType = entry.objectType
            event.objectID = String(entry.objectID.prefix(128))
            event.outcome = entry.outcome.rawValue
            event.client = String(entry.client.prefix(64))
            event.detail = String(entry.detail.prefix(1000))
            event.prevHash = head.hash
            event.keyID = keys.current.id
            event.hash = seal(event) ?? ""
            try await event.create(on: tx)
            head.hash = event.hash
            try await head.update(on: tx)
            return event
        }
    }

    /// HMAC-SHA256 over the previous hash and every field, each length-prefixed
    /// so that no two different rows serialise alike.
    func seal(_ e: AuditEventRecord) -> String? {
        guard let key = keys.auditKey(id: e.keyID) else { return nil }
        let fields: [String] = [
            String(e.id ?? 0), String(e.atMillis), e.actor, e.role, e.region, e.action,
            e.objectType, e.objectID, e.outcome, e.client, e.detail, e.prevHash, e.keyID,
        ]
        var message = Data("jiuzhu-audit-v1".utf8)
        for field in fields {
            let bytes = Data(field.utf8)
            message.append(contentsOf: "\(bytes.count):".utf8)
            message.append(bytes)
        }
        return hexString(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// Walks the whole chain in order, a page at a time, and reports the first break.
    public func verify(on db: any Database, pageSize: Int = 5000) async throws -> AuditVerification {
        var expectedSeq: Int64 = 1
        var previousHash = Self.genesis
        var checked = 0
        while true {
            let page = try await AuditEventRecord.query(on: db)
                .filter(\.$id >= expectedSeq)
                .sort(\.$id)
                .limit(pageSize)
                .all()
            for row in page {
                let seq = row.id ?? 0
                if seq != expectedSeq {
                    return .broken(seq: expectedSeq, checked: checked, problem: .missing(through: seq - 1))
                }
                if row.prevHash != previousHash {
                    return .broken(seq: seq, checked: checked, problem: .linkBroken)
                }
                if row.hash != seal(row) {
                    return .broken(seq: seq, checked: checked, problem: .altered)
                }
                previousHash = row.hash
                expectedSeq += 1
                checked += 1
            }
            if page.count < pageSize { break }
        }
        guard let head = try await AuditHead.find(1, on: db) else { throw AuditError.missingHead }
        if head.seq != expectedSeq - 1 || head.hash != previousHash {
            return .broken(seq: expectedSeq, checked: checked, problem: .truncated(headSeq: head.seq))
        }
        return .intact(count: checked)
    }
}

public enum AuditError: Error {
    case missingHead
}

public enum AuditVerification: Sendable, Equatable {
    public enum Problem: Sendable, Equatable {
        /// Rows from `seq` through `through` are gone.
        case missing(through: Int64)
        /// The row's previous-hash does not match the row before it: a row was inserted, replaced or removed before it.
        case linkBroken
        /// The row's contents do not match its hash.
        case altered
        /// The chain ends before the head says it should: rows were cut from the end.
        case truncated(headSeq: Int64)
    }

    case intact(count: Int)
    case broken(seq: Int64, checked: Int, problem: Problem)

    public var message: Bilingual {
        switch self {
        case .intact(let count):
            return Bilingual(zh: "审计链完整：已校验 \(count) 条记录", en: "Audit chain intact: \(count) events verified")
        case .broken(let seq, _, let problem):
            switch problem {
            case .missing(let through):
                return Bilingual(zh: "审计链断裂：第 \(seq)–\(through) 条记录被删除",
                                 en: "Audit chain broken: events \(seq)–\(through) were deleted")
            case .linkBroken:
                return Bilingual(zh: "审计链断裂：第 \(seq) 条记录与前一条不相连（有记录被插入、替换或删除）",
                                 en: "Audit chain broken at event \(seq): it does not link to the event before it (an event was inserted, replaced or deleted)")
            case .altered:
                return Bilingual(zh: "审计链断裂：第 \(seq) 条记录内容被篡改",
                                 en: "Audit chain broken at event \(seq): its contents were altered")
            case .truncated(let headSeq):
                return Bilingual(zh: "审计链断裂：链尾应为第 \(headSeq) 条，但只到第 \(seq - 1) 条（末尾记录被删除或链头被改）",
                                 en: "Audit chain broken: it should end at event \(headSeq) but ends at \(seq - 1) (events cut from the end, or the head altered)")
            }
        }
    }
}

/// Reading the log (audit administrators only; the route checks the permission).
public struct AuditQuery: Sendable {
    public var actor: String?
    public var action: String?
    public var outcome: AuditEntry.Outcome?
    public var region: RegionCode?
    public var from: Date?
    public var until: Date?
    public var page = 1
    public var perPage = 50

    public init() {}

    public func run(on db: any Database, scope: RegionScope) async throws -> (rows: [AuditEventRecord], total: Int) {
        if let region, !scope.allows(region) { throw RegionAccess.outOfScope(region) }
        // Events of logins by unknown names have no region; the audit admin's scope
        // still applies to all others.
        var query = AuditEventRecord.query(on: db).group(.or) { group in
            let within = region.map { RegionScope(root: $0) } ?? scope
            group.group(.and) { $0.filter(\.$region >= within.root.value).filter(\.$region < within.upperBound) }
            if region == nil { group.filter(\.$region == "") }
        }
        if let actor, !actor.isEmpty { query = query.filter(\.$actor == actor) }
        if let action, !action.isEmpty { query = query.filter(\.$action == action) }
        if let outcome { query = query.filter(\.$outcome == outcome.rawValue) }
        if let from { query = query.filter(\.$atMillis >= from.millis) }
        if let until { query = query.filter(\.$atMillis < until.millis) }
        let total = try await query.count()
        let rows = try await query.sort(\.$id, .descending)
            .range(((page - 1) * perPage)..<(page * perPage)).all()
        return (rows, total)
    }
}

extension AuditVerification {
    public var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }
}

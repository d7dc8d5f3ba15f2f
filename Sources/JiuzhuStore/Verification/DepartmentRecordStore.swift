import FluentKit
import Foundation
import JiuzhuCore
import SQLKit
import Crypto

/// 部门数据存储 — department records, their batches, the departments' push
/// keys and the push messages taken. Every way in (file import, signed push,
/// pull) stores records here; `(source, record_key)` is unique, so the same
/// record sent twice is stored once and every import and push is idempotent.
public struct DepartmentRecordStore: Sendable {
    let db: any Database

    public init(db: any Database) {
        self.db = db
    }

    /// Rows per INSERT statement: 14 parameters each stays far below both
    /// databases' limit on bound parameters.
    static let rowsPerStatement = 500

    // MARK: - Records

    /// Stores `records` under `batchID`; a record whose `(source, record_key)`
    /// is already stored is skipped (`ON CONFLICT DO NOTHING`). Returns how
    /// many were new. Within a caller's transaction, commits with it.
    @discardableResult
    public func insert(_ records: [PreparedDepartmentRecord], batchID: String, receivedAt: Date = Date()) async throws -> Int {
        try await Self.insert(records, batchID: batchID, receivedMillis: receivedAt.millis, on: db)
    }

    static func insert(_ records: [PreparedDepartmentRecord], batchID: String, receivedMillis: Int64,
                       on db: any Database) async throws -> Int {
        var inserted = 0
        var start = 0
        while start < records.count {
            let slice = records[start..<min(start + rowsPerStatement, records.count)]
            start += slice.count
            let builder = db.sql.insert(into: DepartmentRecordRow.schema)
                .columns("source", "record_key", "batch_id", "member_index", "type", "kind", "period", "amount",
                         "active", "area", "account_index", "detail_sealed", "department_timestamp", "received_ms")
            for record in slice {
                builder.values([
                    SQLBind(record.source), SQLBind(record.recordKey), SQLBind(batchID), SQLBind(record.memberIndex),
                    SQLBind(record.type), SQLBind(record.kind), SQLBind(record.period), SQLBind(record.amount),
                    SQLBind(record.active), SQLBind(record.area), SQLBind(record.accountIndex), SQLBind(record.detailSealed),
                    SQLBind(record.departmentTimestamp), SQLBind(receivedMillis),
                ] as [any SQLExpression])
            }
            let rows = try await builder.ignoringConflicts(with: ["source", "record_key"]).returning("id").all()
            inserted += rows.count
        }
        return inserted
    }

    /// Every stored record of the members whose blind indexes are given
    /// (`KeyRing.blindIndexes` gives one per key during a rotation), of
    /// `sources` only when given, in the order stored. The job runner turns
    /// them back into calculator records with `DepartmentRecordRow.record(...)`.
    public func records(forMemberIndexes indexes: [String], sources: [String]? = nil) async throws -> [DepartmentRecordRow] {
        var rows: [DepartmentRecordRow] = []
        let unique = Array(Set(indexes)).sorted()
        var start = 0
        while start < unique.count {
            let chunk = Array(unique[start..<min(start + Self.rowsPerStatement, unique.count)])
            start += chunk.count
            var query = DepartmentRecordRow.query(on: db).filter(\.$memberIndex ~~ chunk)
            if let sources { query = query.filter(\.$source ~~ sources) }
            rows += try await query.all()
        }
        return rows.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
    }

    /// How many records of `source` are stored (all sources when nil).
    public func count(source: String? = nil) async throws -> Int {
        var query = DepartmentRecordRow.query(on: db)
        if let source { query = query.filter(\.$source == source) }
        return try await query.count()
    }

    // MARK: - Batches

    /// Where an import stands when it starts.
    public enum BatchStart: Sendable {
        /// A new batch, nothing stored yet.
        case started(DepartmentBatchRecord)
        /// A batch an earlier run did not finish: go on at `nextLine`.
        case resuming(DepartmentBatchRecord)
        /// The batch was imported in full before: nothing to do.
        case alreadyCompleted(DepartmentBatchRecord)
    }

    /// Creates the batch `id`, or finds it. An existing batch of another
    /// source, or (for a file) of another content, is an error: the same id
    /// must always mean the same delivery.
    public func startBatch(id: String, source: String, channel: String, fileName: String, contentSHA256: String,
                           actor: String, now: Date = Date()) async throws -> BatchStart {
        if let existing = try await DepartmentBatchRecord.find(id, on: db) {
            try Self.check(existing, source: source, contentSHA256: contentSHA256)
            return existing.status == Self.completed ? .alreadyCompleted(existing) : .resuming(existing)
        }
        let batch = DepartmentBatchRecord()
        batch.id = id
        batch.source = source
        batch.channel = channel
        batch.fileName = String(fileName.suffix(200))
        batch.contentSHA256 = contentSHA256
        batch.status = Self.running
        batch.nextLine = 1
        batch.stored = 0
        batch.duplicates = 0
        batch.invalid = 0
        batch.report = "[]"
        batch.actor = actor
        batch.startedMillis = now.millis
        batch.finishedMillis = nil
        do {
            try await batch.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another run created it in the meantime: take that one.
            guard let existing = try await DepartmentBatchRecord.find(id, on: db) else { throw DepartmentStoreError.noSuchBatch(id) }
            try Self.check(existing, source: source, contentSHA256: contentSHA256)
            return existing.status == Self.completed ? .alreadyCompleted(existing) : .resuming(existing)
        }
        return .started(batch)
    }

    static let running = "running"
    static let completed = "completed"

    private static func check(_ batch: DepartmentBatchRecord, source: String, contentSHA256: String) throws {
        guard batch.source == source else {
            let text = DepartmentStoreText.batchOfOtherSource(batch.id ?? "", source: batch.source)
            throw UserError("department.batch_source", field: "batch", zh: text.zh, en: text.en)
        }
        guard batch.contentSHA256 == contentSHA256 else {
            let text = DepartmentStoreText.batchOfOtherContent(batch.id ?? "")
            throw UserError("department.batch_content", field: "batch", zh: text.zh, en: text.en)
        }
    }

    public func batch(id: String) async throws -> DepartmentBatchRecord? {
        try await DepartmentBatchRecord.find(id, on: db)
    }

    /// The counts of one committed chunk.
    public struct ChunkResult: Sendable, Equatable {
        public let stored: Int
        public let duplicates: Int
    }

    /// Commits one chunk of a file in ONE transaction: its valid records,
    /// its invalid lines (appended to the batch's report, at most
    /// `maxReportedProblems` kept; all are counted) and the line to resume
    /// at. A run killed between chunks loses nothing and repeats nothing.
    public func commitChunk(batchID: String, records: [PreparedDepartmentRecord], problems: [DepartmentRecordProblem],
                            nextLine: Int, now: Date = Date()) async throws -> ChunkResult {
        try await db.transaction { tx in
            guard let batch = try await DepartmentBatchRecord.find(batchID, on: tx) else {
                throw DepartmentStoreError.noSuchBatch(batchID)
            }
            let stored = try await Self.insert(records, batchID: batchID, receivedMillis: now.millis, on: tx)
            batch.stored += stored
            batch.duplicates += records.count - stored
            batch.invalid += problems.count
            if !problems.isEmpty {
                var report = try Self.decodeReport(batch.report)
                report += problems.prefix(max(0, Self.maxReportedProblems - report.count))
                batch.report = try Self.encodeReport(report)
            }
            batch.nextLine = nextLine
            try await batch.update(on: tx)
            return ChunkResult(stored: stored, duplicates: records.count - stored)
        }
    }

    /// The report keeps this many invalid lines; the `invalid` count has them all.
    public static let maxReportedProblems = 10_000

    /// Marks a batch as imported in full.
    @discardableResult
    public func completeBatch(id: String, now: Date = Date()) async throws -> DepartmentBatchRecord {
        guard let batch = try await DepartmentBatchRecord.find(id, on: db) else { throw DepartmentStoreError.noSuchBatch(id) }
        batch.status = Self.completed
        batch.finishedMillis = now.millis
        try await batch.update(on: db)
        return batch
    }

    /// The invalid lines kept in a batch's report.
    public static func problems(of batch: DepartmentBatchRecord) throws -> [DepartmentRecordProblem] {
        try decodeReport(batch.report)
    }

    static func decodeReport(_ text: String) throws -> [DepartmentRecordProblem] {
        try JSONDecoder().decode([DepartmentRecordProblem].self, from: Data(text.utf8))
    }

    static func encodeReport(_ problems: [DepartmentRecordProblem]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(problems), as: UTF8.self)
    }

    // MARK: - Push keys

    /// Registers a department's Ed25519 public key (raw 32 bytes, base64) for
    /// `source`. The key id is given or made from the key's hash; a key id
    /// already taken is an error, so a key is never silently replaced.
    public func addKey(id: String?, source: String, publicKey: String, now: Date = Date()) async throws -> DepartmentKeyRecord {
        try DepartmentSourceCatalog.require(source)
        guard let raw = Data(base64Encoded: publicKey.trimmingCharacters(in: .whitespaces)), raw.count == 32 else {
            let text = DepartmentStoreText.badPublicKey
            throw UserError("department.public_key", field: "public-key", zh: text.zh, en: text.en)
        }
        let keyID = id ?? "\(source)-" + String(SHA256Hex.of(raw).prefix(12))
        guard !keyID.isEmpty, keyID.count <= 64,
              keyID.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else {
            let text = DepartmentStoreText.badKeyID
            throw UserError("department.key_id", field: "key-id", zh: text.zh, en: text.en)
        }
        let record = DepartmentKeyRecord()
        record.id = keyID
        record.source = source
        record.publicKey = raw.base64EncodedString()
        record.active = true
        record.createdMillis = now.millis
        let taken = UserError("department.key_taken", field: "key-id",
                              zh: DepartmentStoreText.keyTaken(keyID).zh, en: DepartmentStoreText.keyTaken(keyID).en)
        guard try await DepartmentKeyRecord.find(keyID, on: db) == nil else { throw taken }
        do {
            try await record.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw taken
        }
        return record
    }

    /// Switches a key off for good (its messages are refused from now on).
    /// Nil when no such key exists.
    public func revokeKey(id: String) async throws -> DepartmentKeyRecord? {
        guard let record = try await DepartmentKeyRecord.find(id, on: db) else { return nil }
        record.active = false
        try await record.update(on: db)
        return record
    }

    public func key(id: String) async throws -> DepartmentKeyRecord? {
        try await DepartmentKeyRecord.find(id, on: db)
    }

    public func keys(source: String? = nil) async throws -> [DepartmentKeyRecord] {
        var query = DepartmentKeyRecord.query(on: db).sort(\.$createdMillis)
        if let source { query = query.filter(\.$source == source) }
        return try await query.all()
    }

    // MARK: - Push messages

    public enum PushAcceptance: Sendable, Equatable {
        case accepted(stored: Int, duplicates: Int)
        /// The message id was taken before (or by a concurrent request that
        /// committed first): nothing was stored.
        case replayed
    }

    /// Takes one verified push message in ONE transaction: the message id
    /// (unique per source: a replay stores nothing), its batch
    /// (`push:<source>/<message id>`, completed), its valid records, and the
    /// audit event `audit` (its detail gets the counts).
    public func acceptPush(source: String, messageID: String, keyID: String, records: [PreparedDepartmentRecord],
                           problems: [DepartmentRecordProblem], audit: (chain: AuditChain, entry: AuditEntry)? = nil,
                           now: Date = Date()) async throws -> PushAcceptance {
        let id = "\(source)/\(messageID)"
        return try await db.transaction { tx in
            let taken = try await tx.sql.insert(into: PushMessageRecord.schema)
                .columns("id", "source", "message_id", "key_id", "received_ms", "records")
                .values(SQLBind(id), SQLBind(source), SQLBind(messageID), SQLBind(keyID), SQLBind(now.millis),
                        SQLBind(records.count + problems.count))
                .ignoringConflicts(with: ["id"])
                .returning("id")
                .all()
            guard !taken.isEmpty else { return .replayed }
            let batchID = "push:\(id)"
            let stored = try await Self.insert(records, batchID: batchID, receivedMillis: now.millis, on: tx)
            let batch = DepartmentBatchRecord()
            batch.id = batchID
            batch.source = source
            batch.channel = "push"
            batch.fileName = ""
            batch.contentSHA256 = ""
            batch.status = Self.completed
            batch.nextLine = records.count + problems.count
            batch.stored = stored
            batch.duplicates = records.count - stored
            batch.invalid = problems.count
            batch.report = try Self.encodeReport(Array(problems.prefix(Self.maxReportedProblems)))
            batch.actor = keyID
            batch.startedMillis = now.millis
            batch.finishedMillis = now.millis
            try await batch.create(on: tx)
            if let audit {
                var entry = audit.entry
                entry.detail = "stored=\(stored) duplicates=\(records.count - stored) invalid=\(problems.count)"
                    + (entry.detail.isEmpty ? "" : " " + entry.detail)
                try await audit.chain.append(entry, on: tx, now: now)
            }
            return .accepted(stored: stored, duplicates: records.count - stored)
        }
    }
}

/// One record that could not be taken: its line in a file (1-based) or its
/// index in a push message's `records` (0-based), the field, the message.
public struct DepartmentRecordProblem: Sendable, Hashable, Codable {
    public var line: Int?
    public var index: Int?
    public var field: String?
    public var messageZh: String
    public var messageEn: String

    public init(line: Int? = nil, index: Int? = nil, error: UserError) {
        self.line = line
        self.index = index
        self.field = error.field
        self.messageZh = error.message.zh
        self.messageEn = error.message.en
    }
}

public enum DepartmentStoreError: Error, Sendable {
    case noSuchBatch(String)
}

enum SHA256Hex {
    static func of(_ data: Data) -> String {
        hexString(SHA256.hash(data: data))
    }
}

enum DepartmentStoreText {
    static func batchOfOtherSource(_ id: String, source: String) -> Bilingual {
        Bilingual(zh: "批次 \(id) 已属于数据源 \(source)，不能用于其他数据源",
                  en: "Batch \(id) belongs to the source \(source) and cannot be used for another")
    }

    static func batchOfOtherContent(_ id: String) -> Bilingual {
        Bilingual(zh: "批次 \(id) 此前导入的是内容不同的文件；同一批次号只能对应同一文件",
                  en: "Batch \(id) was started with a file of different content; one batch id means one file")
    }

    static let badPublicKey = Bilingual(zh: "公钥应为 base64 编码的 32 字节 Ed25519 公钥",
                                        en: "The public key must be a base64-encoded 32-byte Ed25519 public key")
    static let badKeyID = Bilingual(zh: "密钥编号应为 1–64 个字母、数字、-、_ 或 .",
                                    en: "The key id must be 1–64 letters, digits, -, _ or .")

    static func keyTaken(_ id: String) -> Bilingual {
        Bilingual(zh: "密钥编号 \(id) 已被使用", en: "The key id \(id) is already taken")
    }
}

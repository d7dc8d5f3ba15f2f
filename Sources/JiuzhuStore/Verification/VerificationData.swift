import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

// The tables of the verification centre's inputs: what the departments sent
// (records, their batches, the departments' signing keys and the push
// messages already taken) and the policy parameters per region.

/// 部门核对记录 — one object a department sent about one person, as in
/// cases/FORMAT.md. The person is known only by the blind index of the ID
/// number (`member_index`, the same HMAC as `persons.id_blind`); the columns
/// the calculator reads are plain so that a batch over millions of rows needs
/// no decryption; the record as sent (with account numbers and plates) is
/// sealed in `detail_sealed`.
public final class DepartmentRecordRow: Model, @unchecked Sendable {
    public static let schema = "department_records"

    @ID(custom: "id", generatedBy: .database) public var id: Int64?
    /// The department source (`tax`, `bank`, …).
    @Field(key: "source") public var source: String
    /// The department's own record id, or the SHA-256 of the record's
    /// canonical JSON when it has none: with `source`, unique, which makes
    /// every import and push idempotent.
    @Field(key: "record_key") public var recordKey: String
    @Field(key: "batch_id") public var batchID: String
    @Field(key: "member_index") public var memberIndex: String
    /// `income`, `expense`, `financialAsset`, `vehicle`, `property`, `company`, `death`.
    @Field(key: "type") public var type: String
    /// Income or expense kind, asset kind, vehicle type, property use, company role.
    @Field(key: "kind") public var kind: String
    /// `YYYY-MM` of an income or expense; `YYYY-MM-DD` of a balance or a death.
    @Field(key: "period") public var period: String
    /// Amount, balance or value in fen; 0 where the type has none.
    @Field(key: "amount") public var amount: Int64
    /// A company role's `active`; true for other types.
    @Field(key: "active") public var active: Bool
    /// A property's floor area as written; empty for other types.
    @Field(key: "area") public var area: String
    /// The blind index of a financial account (purpose `account`): the rules
    /// group balances by account without reading the number.
    @Field(key: "account_index") public var accountIndex: String
    /// The record's canonical JSON, sealed (row = `source/record_key`).
    @Field(key: "detail_sealed") public var detailSealed: String
    /// The department's timestamp as it sent it (ISO 8601), if any.
    @OptionalField(key: "department_timestamp") public var departmentTimestamp: String?
    @Field(key: "received_ms") public var receivedMillis: Int64

    public init() {}

    public static func context(source: String, recordKey: String) -> FieldContext {
        FieldContext(table: schema, column: "detail_sealed", row: "\(source)/\(recordKey)")
    }
}

/// 数据批次 — one delivery from a department: a file import, a push message,
/// or a pull answer. A file import commits its lines in chunks and records
/// the next line to read, so that a killed import resumes where it stopped.
public final class DepartmentBatchRecord: Model, @unchecked Sendable {
    public static let schema = "department_batches"

    /// Given (`--batch`), or the SHA-256 of the file, or `push:<message id>`.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "source") public var source: String
    /// `file`, `push`, `pull`.
    @Field(key: "channel") public var channel: String
    @Field(key: "file_name") public var fileName: String
    @Field(key: "content_sha256") public var contentSHA256: String
    /// `running` or `completed`.
    @Field(key: "status") public var status: String
    /// The first line not yet committed (1-based; the CSV header is line 1).
    @Field(key: "next_line") public var nextLine: Int
    @Field(key: "stored") public var stored: Int
    @Field(key: "duplicates") public var duplicates: Int
    @Field(key: "invalid") public var invalid: Int
    /// The invalid lines as JSON: `[{"line": 7, "field": "amount", "messageZh": …, "messageEn": …}]`.
    @Field(key: "report") public var report: String
    @Field(key: "actor") public var actor: String
    @Field(key: "started_ms") public var startedMillis: Int64
    @OptionalField(key: "finished_ms") public var finishedMillis: Int64?

    public init() {}

    /// A delivery already complete, with no lines of its own to account for
    /// (generated benchmark data, test fixtures).
    public static func completed(id: String, source: String, fileName: String, actor: String, now: Date) -> DepartmentBatchRecord {
        let batch = DepartmentBatchRecord()
        batch.id = id
        batch.source = source
        batch.channel = "file"
        batch.fileName = fileName
        batch.contentSHA256 = ""
        batch.status = "completed"
        batch.nextLine = 1
        batch.stored = 0
        batch.duplicates = 0
        batch.invalid = 0
        batch.report = "[]"
        batch.actor = actor
        batch.startedMillis = now.millis
        batch.finishedMillis = now.millis
        return batch
    }
}

/// A department's Ed25519 public key for signed push messages (数据推送凭证).
public final class DepartmentKeyRecord: Model, @unchecked Sendable {
    public static let schema = "department_keys"

    @ID(custom: "key_id", generatedBy: .user) public var id: String?
    @Field(key: "source") public var source: String
    /// Raw 32-byte Ed25519 public key, base64.
    @Field(key: "public_key") public var publicKey: String
    @Field(key: "active") public var active: Bool
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}
}

/// A push message taken: its id is unique per source, so a replay is refused.
public final class PushMessageRecord: Model, @unchecked Sendable {
    public static let schema = "push_messages"

    /// `source/message id`.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "source") public var source: String
    @Field(key: "message_id") public var messageID: String
    @Field(key: "key_id") public var keyID: String
    @Field(key: "received_ms") public var receivedMillis: Int64
    @Field(key: "records") public var records: Int

    public init() {}
}

/// 政策参数 — a region's verification policy from a day on. A household gets
/// its county's version in force at the date, else the nearest ancestor's
/// (`PolicySchedule` in JiuzhuCore decides).
public final class PolicyVersionRecord: Model, @unchecked Sendable {
    public static let schema = "policy_versions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "region_code") public var regionCode: String
    /// `YYYY-MM-DD`.
    @Field(key: "effective_from") public var effectiveFrom: String
    /// The `policy` object of cases/FORMAT.md.
    @Field(key: "policy_json") public var policyJSON: String
    @Field(key: "actor") public var actor: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}
}

struct M010CreateDepartmentData: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DepartmentRecordRow.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("source", .string, .required)
            .field("record_key", .string, .required)
            .field("batch_id", .string, .required)
            .field("member_index", .string, .required)
            .field("type", .string, .required)
            .field("kind", .string, .required)
            .field("period", .string, .required)
            .field("amount", .int64, .required)
            .field("active", .bool, .required)
            .field("area", .string, .required)
            .field("account_index", .string, .required)
            .field("detail_sealed", .string, .required)
            .field("department_timestamp", .string)
            .field("received_ms", .int64, .required)
            .unique(on: "source", "record_key")
            .create()
        try await database.sql.create(index: "department_records_member_idx").on(DepartmentRecordRow.schema)
            .column("member_index").run()
        try await database.sql.create(index: "department_records_batch_idx").on(DepartmentRecordRow.schema)
            .column("batch_id").run()

        try await database.schema(DepartmentBatchRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("source", .string, .required)
            .field("channel", .string, .required)
            .field("file_name", .string, .required)
            .field("content_sha256", .string, .required)
            .field("status", .string, .required)
            .field("next_line", .int, .required)
            .field("stored", .int, .required)
            .field("duplicates", .int, .required)
            .field("invalid", .int, .required)
            .field("report", .string, .required)
            .field("actor", .string, .required)
            .field("started_ms", .int64, .required)
            .field("finished_ms", .int64)
            .create()
        try await database.sql.create(index: "department_batches_source_idx").on(DepartmentBatchRecord.schema)
            .column("source").column("started_ms").run()

        try await database.schema(DepartmentKeyRecord.schema)
            .field("key_id", .string, .identifier(auto: false))
            .field("source", .string, .required)
            .field("public_key", .string, .required)
            .field("active", .bool, .required)
            .field("created_ms", .int64, .required)
            .create()

        try await database.schema(PushMessageRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("source", .string, .required)
            .field("message_id", .string, .required)
            .field("key_id", .string, .required)
            .field("received_ms", .int64, .required)
            .field("records", .int, .required)
            .create()

        try await database.schema(PolicyVersionRecord.schema)
            .id()
            .field("region_code", .string, .required)
            .field("effective_from", .string, .required)
            .field("policy_json", .string, .required)
            .field("actor", .string, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "region_code", "effective_from")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [PolicyVersionRecord.schema, PushMessageRecord.schema, DepartmentKeyRecord.schema,
                       DepartmentBatchRecord.schema, DepartmentRecordRow.schema] {
            try await database.schema(schema).delete()
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

// The verification centre's work: authorisations, requests, one job per
// department source, and report versions (never overwritten).

/// 核对授权书 as recorded from the signed paper.
public final class AuthorisationRecord: Model, @unchecked Sendable {
    public static let schema = "verification_authorisations"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "number") public var number: String
    @Field(key: "signed_on") public var signedOn: String
    /// The scan, in `documents` (purpose `authorisation`), sealed like every scan.
    @Field(key: "document_id") public var documentID: UUID
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}
}

/// One covered member's signature.
public final class AuthorisationMemberRecord: Model, @unchecked Sendable {
    public static let schema = "verification_authorisation_members"

    @ID(key: .id) public var id: UUID?
    @Field(key: "authorisation_id") public var authorisationID: UUID
    @Field(key: "person_id") public var personID: UUID
    /// `self` or `guardian`.
    @Field(key: "signer") public var signer: String
    @OptionalField(key: "guardian_name") public var guardianName: String?

    public init() {}
}

/// 核对请求 — one per application (and one more per re-check).
public final class VerificationRequestRecord: Model, @unchecked Sendable {
    public static let schema = "verification_requests"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "authorisation_id") public var authorisationID: UUID
    /// `initial` or `recheck`.
    @Field(key: "kind") public var kind: String
    /// The request a re-check re-examines.
    @OptionalField(key: "parent_id") public var parentID: UUID?
    /// Why the family objected (a re-check).
    @OptionalField(key: "reason") public var reason: String?
    /// The day the verification speaks for.
    @Field(key: "as_of") public var asOf: String
    @Field(key: "deadline") public var deadline: String
    @Field(key: "deadline_rule_zh") public var deadlineRuleZh: String
    @Field(key: "deadline_rule_en") public var deadlineRuleEn: String
    /// The policy in force for the household on `as_of`: set where, from when.
    @Field(key: "policy_region") public var policyRegion: String
    @Field(key: "policy_from") public var policyFrom: String
    /// `collecting` or `reported`.
    @Field(key: "status") public var status: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "updated_ms") public var updatedMillis: Int64

    public init() {}

    public var requestKind: VerificationRequestKind { VerificationRequestKind(rawValue: kind) ?? .initial }
    public var requestStatus: VerificationRequestStatus { VerificationRequestStatus(rawValue: status) ?? .collecting }
}

/// One department source's part of a request.
public final class VerificationJobRecord: Model, @unchecked Sendable {
    public static let schema = "verification_jobs"

    @ID(key: .id) public var id: UUID?
    @Field(key: "request_id") public var requestID: UUID
    @Field(key: "source") public var source: String
    /// `pending`, `returned`, `failed`, `unavailable`.
    @Field(key: "status") public var status: String
    @Field(key: "attempts") public var attempts: Int
    /// When the job may next be tried (also the lease of a running attempt); nil = not again.
    @OptionalField(key: "next_attempt_ms") public var nextAttemptMillis: Int64?
    @OptionalField(key: "last_error") public var lastError: String?
    /// When the source answered (our clock, ISO 8601).
    @OptionalField(key: "answered_at") public var answeredAt: String?
    /// The department's own timestamp of its answer, when it gave one.
    @OptionalField(key: "department_timestamp") public var departmentTimestamp: String?
    @Field(key: "records") public var records: Int
    @Field(key: "updated_ms") public var updatedMillis: Int64

    public init() {}

    public var sourceStatus: SourceStatus { SourceStatus(rawValue: status) ?? .pending }
}

/// 核对报告 — one version. The signed file and the exact input it was computed
/// from are sealed; a new exemption set makes a new version, never an edit.
public final class VerificationReportRecord: Model, @unchecked Sendable {
    public static let schema = "verification_reports"

    @ID(key: .id) public var id: UUID?
    @Field(key: "request_id") public var requestID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "version") public var version: Int
    /// The signed report file (JSON), sealed.
    @Field(key: "signed_sealed") public var signedSealed: String
    /// The case (cases/FORMAT.md JSON) the version was computed from, sealed.
    @Field(key: "input_sealed") public var inputSealed: String
    /// Record index → stored record key, JSON array.
    @Field(key: "record_keys") public var recordKeys: String
    /// Record key → the caseworker's reason, JSON object.
    @Field(key: "exemptions") public var exemptions: String
    @Field(key: "conclusion") public var conclusion: String
    @Field(key: "monthly_benefit") public var monthlyBenefit: Int64
    @Field(key: "digest") public var digest: String
    @Field(key: "key_id") public var keyID: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}

    static func context(_ id: UUID?, _ column: String) -> FieldContext {
        FieldContext(table: schema, column: column, row: id?.uuidString ?? "")
    }
}

struct M011CreateVerificationRequests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuthorisationRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("household_id", .uuid, .required, .references(HouseholdRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("number", .string, .required)
            .field("signed_on", .string, .required)
            .field("document_id", .uuid, .required, .references(DocumentRecord.schema, .id))
            .field("created_by", .string, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "household_id", "number")
            .create()

        try await database.schema(AuthorisationMemberRecord.schema)
            .id()
            .field("authorisation_id", .uuid, .required, .references(AuthorisationRecord.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, .id))
            .field("signer", .string, .required)
            .field("guardian_name", .string)
            .unique(on: "authorisation_id", "person_id")
            .create()

        try await database.schema(VerificationRequestRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("household_id", .uuid, .required, .references(HouseholdRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("authorisation_id", .uuid, .required, .references(AuthorisationRecord.schema, .id))
            .field("kind", .string, .required)
            .field("parent_id", .uuid)
            .field("reason", .string)
            .field("as_of", .string, .required)
            .field("deadline", .string, .required)
            .field("deadline_rule_zh", .string, .required)
            .field("deadline_rule_en", .string, .required)
            .field("policy_region", .string, .required)
            .field("policy_from", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .string, .required)
            .field("created_ms", .int64, .required)
            .field("updated_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "verification_requests_queue_idx").on(VerificationRequestRecord.schema)
            .column("region_code").column("status").column("deadline").run()
        try await database.sql.create(index: "verification_requests_application_idx").on(VerificationRequestRecord.schema)
            .column("application_id").run()

        try await database.schema(VerificationJobRecord.schema)
            .id()
            .field("request_id", .uuid, .required, .references(VerificationRequestRecord.schema, .id))
            .field("source", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_ms", .int64)
            .field("last_error", .string)
            .field("answered_at", .string)
            .field("department_timestamp", .string)
            .field("records", .int, .required)
            .field("updated_ms", .int64, .required)
            .unique(on: "request_id", "source")
            .create()
        try await database.sql.create(index: "verification_jobs_due_idx").on(VerificationJobRecord.schema)
            .column("status").column("next_attempt_ms").run()

        try await database.schema(VerificationReportRecord.schema)
            .id()
            .field("request_id", .uuid, .required, .references(VerificationRequestRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("version", .int, .required)
            .field("signed_sealed", .string, .required)
            .field("input_sealed", .string, .required)
            .field("record_keys", .string, .required)
            .field("exemptions", .string, .required)
            .field("conclusion", .string, .required)
            .field("monthly_benefit", .int64, .required)
            .field("digest", .string, .required)
            .field("key_id", .string, .required)
            .field("created_by", .string, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "request_id", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [VerificationReportRecord.schema, VerificationJobRecord.schema, VerificationRequestRecord.schema,
                       AuthorisationMemberRecord.schema, AuthorisationRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}

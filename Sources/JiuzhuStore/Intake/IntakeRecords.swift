import FluentKit
import Foundation
import JiuzhuCore

/// 一门受理: one application for a household, for one or more programmes.
public final class ApplicationRecord: Model, @unchecked Sendable {
    public static let schema = "applications"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tracking_code") public var trackingCode: String
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "channel") public var channel: String
    /// Programme codes, comma-separated, in `Programme.allCases` order.
    @Field(key: "programmes") public var programmes: String
    @Field(key: "referral_needs") public var referralNeeds: String
    @Field(key: "status") public var status: String
    /// Codes of the materials handed in, comma-separated.
    @Field(key: "materials") public var materials: String
    @Field(key: "conflict") public var conflict: String
    /// 单独登记备案: the applicant is a close relative of staff or a village cadre.
    @Field(key: "separate_register") public var separateRegister: Bool
    @OptionalField(key: "entrustment_sealed") public var entrustmentSealed: String?
    @OptionalField(key: "created_by") public var createdBy: String?
    @Field(key: "accepted_on") public var acceptedOn: String
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "version") public var version: Int

    public init() {}

    public var programmeSet: Set<Programme> { Set(programmes.split(separator: ",").compactMap { Programme(rawValue: String($0)) }) }
    public var needs: [ReferralNeed] { referralNeeds.split(separator: ",").compactMap { ReferralNeed(rawValue: String($0)) } }
    public var materialSet: Set<String> { Set(materials.split(separator: ",").map(String.init)) }
    public var applicationStatus: ApplicationStatus? { ApplicationStatus(rawValue: status) }
}

/// One step of an application's public timeline (and the household's chain).
public final class ApplicationEventRecord: Model, @unchecked Sendable {
    public static let schema = "application_events"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "at_ms") public var atMillis: Int64
    @Field(key: "kind") public var kind: String
    @Field(key: "text_zh") public var textZh: String
    @Field(key: "text_en") public var textEn: String

    public init() {}
}

/// A need the window cannot decide itself, sent to another department's queue.
public final class ReferralRecord: Model, @unchecked Sendable {
    public static let schema = "referrals"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "need") public var need: String
    @Field(key: "department") public var department: String
    @Field(key: "deadline") public var deadline: String
    @Field(key: "status") public var status: String
    @OptionalField(key: "owner") public var owner: String?
    @OptionalField(key: "outcome") public var outcome: String?
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "updated_ms") public var updatedMillis: Int64
    /// NULL: registered at intake; `visit`: a need seen at the visit
    /// `checkInID`, referred under the family's latest application (M015).
    @OptionalField(key: "origin") public var origin: String?
    @OptionalField(key: "checkin_id") public var checkInID: UUID?

    public init() {}

    public var referralStatus: ReferralStatus { ReferralStatus(rawValue: status) ?? .open }

    /// A new open referral of `need` to its department, answered by `deadline`.
    convenience init(need: ReferralNeed, application: UUID, household: UUID, region: String, deadline: LocalDate, now: Date) {
        self.init()
        applicationID = application
        householdID = household
        regionCode = region
        self.need = need.rawValue
        department = need.department.rawValue
        self.deadline = deadline.description
        status = ReferralStatus.open.rawValue
        createdMillis = now.millis
        updatedMillis = now.millis
    }
}

/// A person's place in a dibao household, province-wide: the primary key on
/// the person's blind index makes "only one active dibao household" a
/// database guarantee, race-free across instances.
public final class DibaoClaimRecord: Model, @unchecked Sendable {
    public static let schema = "dibao_claims"

    @ID(custom: "person_blind", generatedBy: .user) public var id: String?
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "region_code") public var regionCode: String
    /// `applied` while the application is open, `active` once granted.
    @Field(key: "state") public var state: String
    @Field(key: "since_ms") public var sinceMillis: Int64

    public init() {}
}

/// A region's own material checklist, overriding its ancestors' and the national one.
public final class ChecklistRecord: Model, @unchecked Sendable {
    public static let schema = "material_checklists"

    @ID(custom: "region_code", generatedBy: .user) public var id: String?
    @Field(key: "json") public var json: String

    public init() {}
}

struct M007CreateIntake: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationRecord.schema)
            .id()
            .field("tracking_code", .string, .required)
            .field("household_id", .uuid, .required, .references(HouseholdRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("channel", .string, .required)
            .field("programmes", .string, .required)
            .field("referral_needs", .string, .required)
            .field("status", .string, .required)
            .field("materials", .string, .required)
            .field("conflict", .string, .required)
            .field("separate_register", .bool, .required)
            .field("entrustment_sealed", .string)
            .field("created_by", .string)
            .field("accepted_on", .string, .required)
            .field("created_ms", .int64, .required)
            .field("version", .int, .required)
            .unique(on: "tracking_code")
            .create()
        try await database.sql.create(index: "applications_region_idx").on(ApplicationRecord.schema).column("region_code").column("created_ms").run()
        try await database.sql.create(index: "applications_household_idx").on(ApplicationRecord.schema).column("household_id").run()

        try await database.schema(ApplicationEventRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("household_id", .uuid, .required)
            .field("at_ms", .int64, .required)
            .field("kind", .string, .required)
            .field("text_zh", .string, .required)
            .field("text_en", .string, .required)
            .create()
        try await database.sql.create(index: "application_events_app_idx").on(ApplicationEventRecord.schema).column("application_id").run()
        try await database.sql.create(index: "application_events_household_idx").on(ApplicationEventRecord.schema).column("household_id").run()

        try await database.schema(ReferralRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("household_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("need", .string, .required)
            .field("department", .string, .required)
            .field("deadline", .string, .required)
            .field("status", .string, .required)
            .field("owner", .string)
            .field("outcome", .string)
            .field("created_ms", .int64, .required)
            .field("updated_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "referrals_queue_idx").on(ReferralRecord.schema).column("department").column("region_code").column("status").run()
        try await database.sql.create(index: "referrals_household_idx").on(ReferralRecord.schema).column("household_id").run()

        try await database.schema(DibaoClaimRecord.schema)
            .field("person_blind", .string, .identifier(auto: false))
            .field("household_id", .uuid, .required)
            .field("application_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("state", .string, .required)
            .field("since_ms", .int64, .required)
            .create()

        try await database.schema(ChecklistRecord.schema)
            .field("region_code", .string, .identifier(auto: false))
            .field("json", .string, .required)
            .create()

        try await database.schema(RateLimitRecord.schema)
            .field("bucket", .string, .identifier(auto: false))
            .field("window_ms", .int64, .required)
            .field("count", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [RateLimitRecord.schema, ChecklistRecord.schema, DibaoClaimRecord.schema, ReferralRecord.schema,
                       ApplicationEventRecord.schema, ApplicationRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// A fixed-window counter in the database, so limits hold across instances.
public final class RateLimitRecord: Model, @unchecked Sendable {
    public static let schema = "rate_limits"

    @ID(custom: "bucket", generatedBy: .user) public var id: String?
    @Field(key: "window_ms") public var windowMillis: Int64
    @Field(key: "count") public var count: Int

    public init() {}
}

public struct RateLimiter: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// Counts one hit on `bucket`; false once `limit` hits fell in the current window.
    public func allow(_ bucket: String, limit: Int, window: TimeInterval, now: Date) async throws -> Bool {
        let windowStart = Int64(now.timeIntervalSince1970 / window) * Int64(window * 1000)
        return try await db.transaction { tx in
            if let record = try await RateLimitRecord.find(bucket, on: tx) {
                if record.windowMillis != windowStart {
                    record.windowMillis = windowStart
                    record.count = 1
                } else {
                    record.count += 1
                }
                try await record.update(on: tx)
                return record.count <= limit
            }
            let record = RateLimitRecord()
            record.id = bucket
            record.windowMillis = windowStart
            record.count = 1
            try await record.create(on: tx)
            return true
        }
    }
}

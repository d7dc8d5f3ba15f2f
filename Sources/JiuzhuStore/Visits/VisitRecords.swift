import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

// 走访打卡 — who visits whom (plans) and what each visit recorded (check-ins).

/// 走访计划: a person to be visited, their responsible person (包保责任人, a
/// staff or village account) and their self-care class, which sets the
/// interval through the region's `VisitPolicy`. One plan a person.
public final class VisitPlanRecord: Model, @unchecked Sendable {
    public static let schema = "visit_plans"

    @ID(key: .id) public var id: UUID?
    @Field(key: "person_id") public var personID: UUID
    /// The person's region: who may supervise the plan.
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "responsible_id") public var responsibleID: UUID
    /// `SelfCareClass` raw value.
    @Field(key: "self_care") public var selfCare: String
    /// `YYYY-MM-DD`: the first visit is due one interval after it.
    @Field(key: "enrolled_on") public var enrolledOn: String
    /// `YYYY-MM-DD` of the latest visit (China time), nil before the first.
    @OptionalField(key: "last_visit_on") public var lastVisitOn: String?
    /// The registered location the distance rule measures from (M015).
    @OptionalField(key: "home_latitude") public var homeLatitude: Double?
    @OptionalField(key: "home_longitude") public var homeLongitude: Double?
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}

    /// The anchor of the schedule: the latest visit, else the enrolment.
    public var anchor: LocalDate? {
        (try? LocalDate(parsing: lastVisitOn ?? enrolledOn))
    }

    public var selfCareClass: SelfCareClass? { SelfCareClass(rawValue: selfCare) }

    public var home: GeoPoint? {
        guard let homeLatitude, let homeLongitude else { return nil }
        return GeoPoint(latitude: homeLatitude, longitude: homeLongitude)
    }
}

/// One check-in as stored. `client_id` is the phone's id of the check-in
/// (its idempotency key): unique, so a check-in sent again from the offline
/// queue is stored once. `content_sha256` is the digest of what was sent, so
/// the same key with other content is refused rather than silently dropped.
/// The photo, notes and needs are sealed; the coordinates stay plain for the
/// anomaly rules and the supervisors' maps.
public final class VisitCheckInRecord: Model, @unchecked Sendable {
    public static let schema = "visit_checkins"

    @ID(key: .id) public var id: UUID?
    @Field(key: "client_id") public var clientID: String
    @Field(key: "content_sha256") public var contentSHA256: String
    @Field(key: "plan_id") public var planID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "worker_id") public var workerID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "visit_id") public var visitID: String
    @Field(key: "at_unix") public var atUnix: Int64
    /// `YYYY-MM-DD`, China time: the visit's date for schedules and compliance.
    @Field(key: "visit_date") public var visitDate: String
    @Field(key: "latitude") public var latitude: Double
    @Field(key: "longitude") public var longitude: Double
    @Field(key: "accuracy_m") public var accuracyMetres: Double
    @Field(key: "photo_sha256") public var photoSHA256: String
    @Field(key: "photo_sealed") public var photoSealed: String
    @OptionalField(key: "notes_sealed") public var notesSealed: String?
    /// Sorted `DailyActivity` raw values, comma-separated; nil when not observed.
    @OptionalField(key: "failed_activities") public var failedActivities: String?
    /// JSON array of the needs noted, sealed; nil when none.
    @OptionalField(key: "needs_sealed") public var needsSealed: String?
    @Field(key: "received_ms") public var receivedMillis: Int64

    public init() {}
}

struct M014CreateVisits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(VisitPlanRecord.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, "id"))
            .field("region_code", .string, .required)
            .field("responsible_id", .uuid, .required, .references(StaffUser.schema, "id"))
            .field("self_care", .string, .required)
            .field("enrolled_on", .string, .required)
            .field("last_visit_on", .string)
            .field("created_ms", .int64, .required)
            .unique(on: "person_id")
            .create()
        try await database.sql.create(index: "visit_plans_responsible_idx").on(VisitPlanRecord.schema)
            .column("responsible_id").run()
        try await database.sql.create(index: "visit_plans_region_idx").on(VisitPlanRecord.schema)
            .column("region_code").run()

        try await database.schema(VisitCheckInRecord.schema)
            .id()
            .field("client_id", .string, .required)
            .field("content_sha256", .string, .required)
            .field("plan_id", .uuid, .required, .references(VisitPlanRecord.schema, "id"))
            .field("person_id", .uuid, .required)
            .field("worker_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("visit_id", .string, .required)
            .field("at_unix", .int64, .required)
            .field("visit_date", .string, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("accuracy_m", .double, .required)
            .field("photo_sha256", .string, .required)
            .field("photo_sealed", .string, .required)
            .field("notes_sealed", .string)
            .field("failed_activities", .string)
            .field("needs_sealed", .string)
            .field("received_ms", .int64, .required)
            .unique(on: "client_id")
            .create()
        // A plan's visits in time order; a worker's check-ins in time order
        // (travel speed, bursts); reuse of one photo.
        try await database.sql.create(index: "visit_checkins_plan_idx").on(VisitCheckInRecord.schema)
            .column("plan_id").column("at_unix").run()
        try await database.sql.create(index: "visit_checkins_worker_idx").on(VisitCheckInRecord.schema)
            .column("worker_id").column("at_unix").run()
        try await database.sql.create(index: "visit_checkins_photo_idx").on(VisitCheckInRecord.schema)
            .column("photo_sha256").run()

        try await database.schema(VisitPolicyRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("policy", .string, .required)
            .field("updated_ms", .int64, .required)
            .field("actor", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VisitPolicyRecord.schema).delete()
        try await database.schema(VisitCheckInRecord.schema).delete()
        try await database.schema(VisitPlanRecord.schema).delete()
    }
}

import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore

/// 待办 — one work item for a role in a region. Open until `closedMillis` is
/// set by the action that settles it. `dedupeKey` makes opening idempotent:
/// the sweep that finds a missed visit every hour opens its task once.
///
/// `detail` holds ids and dates only (no personal data): the inbox shows the
/// person's name by looking them up, under the viewer's scope.
public final class TaskRecord: Model, @unchecked Sendable {
    public static let schema = "tasks"

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "assignee_role") public var assigneeRole: String
    /// What the task is about: `visit_plan`, `visit_checkin`, ...
    @Field(key: "subject_type") public var subjectType: String
    @Field(key: "subject_id") public var subjectID: String
    @Field(key: "dedupe_key") public var dedupeKey: String
    @Field(key: "due_on") public var dueOn: String
    /// The rule that set the due date, in both languages.
    @Field(key: "rule_zh") public var ruleZh: String
    @Field(key: "rule_en") public var ruleEn: String
    @Field(key: "detail") public var detail: String
    @Field(key: "created_ms") public var createdMillis: Int64
    @OptionalField(key: "closed_ms") public var closedMillis: Int64?
    @OptionalField(key: "closed_by") public var closedBy: String?
    @OptionalField(key: "resolution") public var resolution: String?

    public init() {}

    public var taskKind: TaskKind? { TaskKind(rawValue: kind) }
    public var due: LocalDate? { try? LocalDate(parsing: dueOn) }
    public var rule: Bilingual { Bilingual(zh: ruleZh, en: ruleEn) }
    public var isOpen: Bool { closedMillis == nil }

    /// The detail's values (`{"key": "value"}`), empty when there are none.
    public var details: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:]
    }
}

/// 走访异常 — an anomaly flag found by the Core rules over stored check-ins,
/// with its evidence, waiting for a supervisor's review.
public final class VisitAnomalyRecord: Model, @unchecked Sendable {
    public static let schema = "visit_anomalies"

    @ID(key: .id) public var id: UUID?
    /// The rule and the check-ins it involves: one flag per finding, however
    /// often the detection runs.
    @Field(key: "dedupe_key") public var dedupeKey: String
    @Field(key: "kind") public var kind: String
    @Field(key: "region_code") public var regionCode: String
    /// The stored check-ins' ids, comma-separated, in the rule's order.
    @Field(key: "checkin_ids") public var checkInIDs: String
    @Field(key: "evidence_zh") public var evidenceZh: String
    @Field(key: "evidence_en") public var evidenceEn: String
    @Field(key: "first_at_unix") public var firstAtUnix: Int64
    @Field(key: "detected_ms") public var detectedMillis: Int64
    @OptionalField(key: "reviewed_ms") public var reviewedMillis: Int64?
    @OptionalField(key: "reviewer") public var reviewer: String?
    /// `confirmed` or `dismissed`.
    @OptionalField(key: "verdict") public var verdict: String?
    @OptionalField(key: "review_note") public var reviewNote: String?

    public init() {}

    public var anomalyKind: AnomalyKind? { AnomalyKind(rawValue: kind) }
    public var evidence: Bilingual { Bilingual(zh: evidenceZh, en: evidenceEn) }
    public var checkInIDList: [UUID] { checkInIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
}

/// 异常核查结论 — what the supervisor decided about a flag.
public enum AnomalyVerdict: String, Sendable, CaseIterable {
    /// The visit is doubtful: the worker is followed up.
    case confirmed
    /// Explained (a hospital visit, a shared phone, a poor GPS fix).
    case dismissed

    public var name: Bilingual {
        switch self {
        case .confirmed: Bilingual(zh: "确认异常", en: "Confirmed")
        case .dismissed: Bilingual(zh: "已核实无异常", en: "Explained")
        }
    }
}

struct M015CreateTasksAndAnomalies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TaskRecord.schema)
            .id()
            .field("kind", .string, .required)
            .field("region_code", .string, .required)
            .field("assignee_role", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .string, .required)
            .field("dedupe_key", .string, .required)
            .field("due_on", .string, .required)
            .field("rule_zh", .string, .required)
            .field("rule_en", .string, .required)
            .field("detail", .string, .required)
            .field("created_ms", .int64, .required)
            .field("closed_ms", .int64)
            .field("closed_by", .string)
            .field("resolution", .string)
            .unique(on: "dedupe_key")
            .create()
        // An inbox: open tasks of a role within a region subtree.
        try await database.sql.create(index: "tasks_inbox_idx").on(TaskRecord.schema)
            .column("assignee_role").column("region_code").column("closed_ms").run()
        try await database.sql.create(index: "tasks_subject_idx").on(TaskRecord.schema)
            .column("subject_id").column("kind").run()

        try await database.schema(VisitAnomalyRecord.schema)
            .id()
            .field("dedupe_key", .string, .required)
            .field("kind", .string, .required)
            .field("region_code", .string, .required)
            .field("checkin_ids", .string, .required)
            .field("evidence_zh", .string, .required)
            .field("evidence_en", .string, .required)
            .field("first_at_unix", .int64, .required)
            .field("detected_ms", .int64, .required)
            .field("reviewed_ms", .int64)
            .field("reviewer", .string)
            .field("verdict", .string)
            .field("review_note", .string)
            .unique(on: "dedupe_key")
            .create()
        try await database.sql.create(index: "visit_anomalies_region_idx").on(VisitAnomalyRecord.schema)
            .column("region_code").column("reviewed_ms").run()

        // The person's registered location, for the distance rule (optional:
        // a plan without one is not checked for distance). SQLite adds one
        // column per statement.
        try await database.schema(VisitPlanRecord.schema).field("home_latitude", .double).update()
        try await database.schema(VisitPlanRecord.schema).field("home_longitude", .double).update()
        // Where a referral came from: NULL at intake, `visit` for a need seen
        // at a visit (then `checkin_id` names the check-in; the referral still
        // belongs to the family's latest application).
        try await database.schema(ReferralRecord.schema).field("origin", .string).update()
        try await database.schema(ReferralRecord.schema).field("checkin_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReferralRecord.schema).deleteField("checkin_id").update()
        try await database.schema(ReferralRecord.schema).deleteField("origin").update()
        try await database.schema(VisitPlanRecord.schema).deleteField("home_longitude").update()
        try await database.schema(VisitPlanRecord.schema).deleteField("home_latitude").update()
        try await database.schema(VisitAnomalyRecord.schema).delete()
        try await database.schema(TaskRecord.schema).delete()
    }
}

import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore

/// 案件 — one programme's procedure for one application, on the statutory
/// clock. `version` grows by one with every action: an action names the
/// version it was decided on, and only one of two concurrent actions wins.
public final class CaseRecord: Model, @unchecked Sendable {
    public static let schema = "cases"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "programme") public var programme: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "state") public var state: String
    @Field(key: "version") public var version: Int
    @Field(key: "accepted_on") public var acceptedOn: String
    @OptionalField(key: "publicity_started_on") public var publicityStartedOn: String?
    /// The extension's reason (may name the family's circumstances): sealed.
    @OptionalField(key: "extension_sealed") public var extensionSealed: String?
    /// The case's deadlines as JSON (`[CaseDeadline]`, dates and rules only).
    @Field(key: "deadlines") public var deadlines: String
    /// The latest value of every input given so far (`CaseInputs` as JSON): sealed.
    @Field(key: "inputs_sealed") public var inputsSealed: String
    @OptionalField(key: "monthly_fen") public var monthlyFen: Int64?
    /// The first month paid, `YYYY-MM` (the month after approval).
    @OptionalField(key: "start_month") public var startMonth: String?
    @OptionalField(key: "decided_on") public var decidedOn: String?
    /// Who is paid and where (`{"name","account"}`): sealed.
    @OptionalField(key: "payee_sealed") public var payeeSealed: String?
    /// The last month paid, `YYYY-MM`, once a taper or a stop set one (M018).
    @OptionalField(key: "last_month") public var lastMonth: String?
    /// The earliest review, change review or taper end of an approved case,
    /// `YYYY-MM-DD` (M018).
    @OptionalField(key: "next_review_on") public var nextReviewOn: String?
    /// The day the next review (or taper end) enters the inbox, `YYYY-MM-DD`,
    /// while it has not yet: the sweep opens the task and clears it (M018).
    @OptionalField(key: "reminder_on") public var reminderOn: String?
    /// While a transfer waits: the village the household moves to. The
    /// receiving county sees the case from then on (M018).
    @OptionalField(key: "transfer_to") public var transferTo: String?
    /// Tekun: the day the termination notice was posted, `YYYY-MM-DD` (M018).
    @OptionalField(key: "termination_posted_on") public var terminationPostedOn: String?
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "updated_ms") public var updatedMillis: Int64

    public init() {}

    public var programmeValue: Programme? { Programme(rawValue: programme) }
    public var lastPaidMonth: YearMonth? { lastMonth.flatMap { try? YearMonth(parsing: $0) } }
    public var firstPaidMonth: YearMonth? { startMonth.flatMap { try? YearMonth(parsing: $0) } }
    public var caseState: CaseState? { CaseState(rawValue: state) }
    public var deadlineList: [CaseDeadline] {
        (try? JSONDecoder().decode([CaseDeadline].self, from: Data(deadlines.utf8))) ?? []
    }
}

/// 办理记录 — one action on a case: who, when, from which state to which,
/// and what they entered (sealed). `(case_id, version)` is unique: the
/// database itself refuses a second action decided on the same version.
public final class CaseEventRecord: Model, @unchecked Sendable {
    public static let schema = "case_events"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "version") public var version: Int
    @Field(key: "action") public var action: String
    @Field(key: "from_state") public var fromState: String
    @Field(key: "to_state") public var toState: String
    @Field(key: "on_date") public var onDate: String
    @Field(key: "actor") public var actor: String
    @Field(key: "role") public var role: String
    @Field(key: "inputs_sealed") public var inputsSealed: String
    @Field(key: "at_ms") public var atMillis: Int64

    public init() {}

    public var caseAction: CaseAction? { CaseAction(rawValue: action) }
}

/// 公示异议 — an objection received during publicity, online or at the
/// window, before the caseworker records it on the case (`raiseObjection`).
/// The text may name people: sealed.
public final class CaseObjectionRecord: Model, @unchecked Sendable {
    public static let schema = "case_objections"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    /// `online` or `window`.
    @Field(key: "channel") public var channel: String
    @Field(key: "text_sealed") public var textSealed: String
    @Field(key: "received_ms") public var receivedMillis: Int64

    public init() {}
}

struct M016CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, "id"))
            .field("household_id", .uuid, .required)
            .field("programme", .string, .required)
            .field("region_code", .string, .required)
            .field("state", .string, .required)
            .field("version", .int, .required)
            .field("accepted_on", .string, .required)
            .field("publicity_started_on", .string)
            .field("extension_sealed", .string)
            .field("deadlines", .string, .required)
            .field("inputs_sealed", .string, .required)
            .field("monthly_fen", .int64)
            .field("start_month", .string)
            .field("decided_on", .string)
            .field("payee_sealed", .string)
            .field("created_ms", .int64, .required)
            .field("updated_ms", .int64, .required)
            .unique(on: "application_id", "programme")
            .create()
        try await database.sql.create(index: "cases_region_idx").on(CaseRecord.schema)
            .column("region_code").column("state").run()

        try await database.schema(CaseEventRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("version", .int, .required)
            .field("action", .string, .required)
            .field("from_state", .string, .required)
            .field("to_state", .string, .required)
            .field("on_date", .string, .required)
            .field("actor", .string, .required)
            .field("role", .string, .required)
            .field("inputs_sealed", .string, .required)
            .field("at_ms", .int64, .required)
            .unique(on: "case_id", "version")
            .create()

        try await database.schema(CaseObjectionRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("channel", .string, .required)
            .field("text_sealed", .string, .required)
            .field("received_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "case_objections_case_idx").on(CaseObjectionRecord.schema).column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseObjectionRecord.schema).delete()
        try await database.schema(CaseEventRecord.schema).delete()
        try await database.schema(CaseRecord.schema).delete()
    }
}

/// 动态管理 (M018): the last paid month, the next review date for the sweep,
/// the transfer destination, and the regions' workflow options.
struct M018DynamicManagement: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema(CaseRecord.schema).field("last_month", .string).update()
        try await database.schema(CaseRecord.schema).field("next_review_on", .string).update()
        try await database.schema(CaseRecord.schema).field("reminder_on", .string).update()
        try await database.schema(CaseRecord.schema).field("transfer_to", .string).update()
        try await database.schema(CaseRecord.schema).field("termination_posted_on", .string).update()
        try await database.sql.create(index: "cases_review_idx").on(CaseRecord.schema)
            .column("state").column("reminder_on").run()
        try await database.sql.create(index: "cases_transfer_idx").on(CaseRecord.schema).column("transfer_to").run()
        try await database.schema(WorkflowPolicyRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("options", .string, .required)
            .field("updated_ms", .int64, .required)
            .field("actor", .string, .required)
            .create()
        try await Self.scheduleFirstReviews(on: database)
    }

    /// Cases approved before this migration enter the review cycle: a
    /// dibao or tekun case without a review gets one on the standard
    /// schedule from its approval (class B for dibao until its first review
    /// sets the class), and its reminder day.
    static func scheduleFirstReviews(on database: any Database) async throws {
        let schedule = ReviewSchedule.standard
        let approved = try await CaseRecord.query(on: database).filter(\.$state == CaseState.approved.rawValue)
            .filter(\.$programme ~~ [Programme.dibao.rawValue, Programme.tekun.rawValue]).all()
        for record in approved where !record.deadlineList.contains(where: { $0.kind == .review }) {
            guard let programme = record.programmeValue,
                  let decided = (record.decidedOn ?? Optional(record.acceptedOn)).flatMap({ try? LocalDate(parsing: $0) }),
                  let review = schedule.nextReview(programme: programme, reviewClass: nil, from: decided) else { continue }
            let deadlines = CaseAgenda.merge(record.deadlineList, with: [review])
            record.deadlines = String(decoding: try CaseRepository.encoder.encode(deadlines), as: UTF8.self)
            record.nextReviewOn = review.date.description
            record.reminderOn = schedule.reminderDay(due: review.date).description
            try await record.update(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WorkflowPolicyRecord.schema).delete()
        try await database.sql.drop(index: "cases_transfer_idx").run()
        try await database.sql.drop(index: "cases_review_idx").run()
        try await database.schema(CaseRecord.schema).deleteField("termination_posted_on").update()
        try await database.schema(CaseRecord.schema).deleteField("transfer_to").update()
        try await database.schema(CaseRecord.schema).deleteField("reminder_on").update()
        try await database.schema(CaseRecord.schema).deleteField("next_review_on").update()
        try await database.schema(CaseRecord.schema).deleteField("last_month").update()
    }
}

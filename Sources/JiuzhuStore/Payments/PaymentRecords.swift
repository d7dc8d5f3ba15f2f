import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore

/// 发放名册 — a county's payment roll for one month, frozen when made: its
/// lines never change with later edits of the cases, and a county has one
/// roll a month, so running a month again never pays twice.
public final class PaymentRollRecord: Model, @unchecked Sendable {
    public static let schema = "payment_rolls"

    @ID(key: .id) public var id: UUID?
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "month") public var month: String
    @Field(key: "line_count") public var lineCount: Int
    @Field(key: "total_fen") public var totalFen: Int64
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}
}

/// One household's payment in a roll. `(case_id, month)` is unique: a case
/// is paid once a month whichever roll it is in.
public final class PaymentLineRecord: Model, @unchecked Sendable {
    public static let schema = "payment_lines"

    @ID(key: .id) public var id: UUID?
    @Field(key: "roll_id") public var rollID: UUID
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "programme") public var programme: String
    @Field(key: "month") public var month: String
    @Field(key: "amount_fen") public var amountFen: Int64
    /// The payee as frozen (`{"name","account"}`): sealed.
    @Field(key: "payee_sealed") public var payeeSealed: String
    /// 流水号, echoed by the bank's result file.
    @Field(key: "reference") public var reference: String
    /// `pending`, `paid` or `failed`.
    @Field(key: "status") public var status: String
    @OptionalField(key: "reason") public var reason: String?
    @OptionalField(key: "result_ms") public var resultMillis: Int64?

    public init() {}
}

struct M017CreatePayments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaymentRollRecord.schema)
            .id()
            .field("county_code", .string, .required)
            .field("month", .string, .required)
            .field("line_count", .int, .required)
            .field("total_fen", .int64, .required)
            .field("created_by", .string, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "county_code", "month")
            .create()
        try await database.schema(PaymentLineRecord.schema)
            .id()
            .field("roll_id", .uuid, .required, .references(PaymentRollRecord.schema, "id"))
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("household_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("programme", .string, .required)
            .field("month", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("payee_sealed", .string, .required)
            .field("reference", .string, .required)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("result_ms", .int64)
            .unique(on: "case_id", "month")
            .unique(on: "reference")
            .create()
        try await database.sql.create(index: "payment_lines_roll_idx").on(PaymentLineRecord.schema).column("roll_id").run()
        try await database.sql.create(index: "payment_lines_household_idx").on(PaymentLineRecord.schema).column("household_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaymentLineRecord.schema).delete()
        try await database.schema(PaymentRollRecord.schema).delete()
    }
}

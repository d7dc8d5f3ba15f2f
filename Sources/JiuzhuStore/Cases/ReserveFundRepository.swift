import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// 备用金 — a township's reserve fund for emergency help paid first: its
/// running balance (the guard against two draws overdrawing it at once).
public final class ReserveFundRecord: Model, @unchecked Sendable {
    public static let schema = "reserve_funds"

    /// The township code.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "balance_fen") public var balanceFen: Int64
    @Field(key: "updated_ms") public var updatedMillis: Int64

    public init() {}
}

/// One entry of a reserve fund: a top-up or a draw for a case.
public final class ReserveFundEntryRecord: Model, @unchecked Sendable {
    public static let schema = "reserve_fund_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "township_code") public var townshipCode: String
    /// `top_up` or `draw` (`ReserveFundLedger.EntryKind`).
    @Field(key: "kind") public var kind: String
    @Field(key: "amount_fen") public var amountFen: Int64
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "on_date") public var onDate: String
    @Field(key: "actor") public var actor: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}

    public var entryKind: ReserveFundLedger.EntryKind? { ReserveFundLedger.EntryKind(rawValue: kind) }
}

struct M020CreateReserveFunds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ReserveFundRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("balance_fen", .int64, .required)
            .field("updated_ms", .int64, .required)
            .create()
        try await database.schema(ReserveFundEntryRecord.schema)
            .id()
            .field("township_code", .string, .required)
            .field("kind", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("case_id", .uuid, .references(CaseRecord.schema, "id"))
            .field("on_date", .string, .required)
            .field("actor", .string, .required)
            .field("created_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "reserve_fund_entries_township_idx").on(ReserveFundEntryRecord.schema)
            .column("township_code").column("created_ms").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReserveFundEntryRecord.schema).delete()
        try await database.schema(ReserveFundRecord.schema).delete()
    }
}

/// 备用金台账 — top-ups from the county and draws for emergency cases, each
/// checked by the Core ledger; a draw happens in the transaction of the
/// case's "pay first" step, so the case moves only when the money is drawn.
public struct ReserveFundRepository: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// The township's ledger under the region's workflow options.
    public func ledger(township: RegionCode) async throws -> ReserveFundLedger {
        try await Self.ledger(township: township, on: db)
    }

    static func ledger(township: RegionCode, on db: any Database) async throws -> ReserveFundLedger {
        let options = try await WorkflowPolicyStore(db: db).options(for: township).options
        let rows = try await ReserveFundEntryRecord.query(on: db).filter(\.$townshipCode == township.value)
            .sort(\.$createdMillis).sort(\.$id).all()
        let entries = try rows.map { row in
            guard let kind = row.entryKind, let date = try? LocalDate(parsing: row.onDate) else { throw FieldCipherError.malformed }
            return ReserveFundLedger.Entry(kind: kind, amount: Money(fen: row.amountFen), caseID: row.caseID?.uuidString, date: date)
        }
        return ReserveFundLedger(townshipLimit: options.emergencyTownshipLimit, entries: entries)
    }

    /// The township's entries, newest first.
    public func entries(township: RegionCode, limit: Int = 200) async throws -> [ReserveFundEntryRecord] {
        try await ReserveFundEntryRecord.query(on: db).filter(\.$townshipCode == township.value)
            .sort(\.$createdMillis, .descending).limit(limit).all()
    }

    /// 拨付 — adds money to a township's fund; audited in the same transaction.
    public func topUp(township: RegionCode, amount: Money, on date: LocalDate, actor: String,
                      audit: (chain: AuditChain, entry: AuditEntry), now: Date = Date()) async throws {
        guard township.level == .township else {
            throw UserError("reserve_fund.township", field: "township", zh: "备用金按乡镇（街道）设立", en: "Reserve funds are kept per township")
        }
        var ledger = try await ledger(township: township)
        try ledger.topUp(amount, on: date)
        try await db.transaction { tx in
            let raised = try await tx.sql.update(ReserveFundRecord.schema)
                .set("balance_fen", to: SQLRaw("balance_fen + \(amount.fen)"))
                .set("updated_ms", to: SQLBind(now.millis))
                .where("id", .equal, SQLBind(township.value)).returning("id").all()
            if raised.isEmpty {
                let fund = ReserveFundRecord()
                fund.id = township.value
                fund.balanceFen = amount.fen
                fund.updatedMillis = now.millis
                try await fund.create(on: tx)
            }
            try await Self.append(.topUp, township: township, amount: amount, caseID: nil, on: date, actor: actor, tx: tx, now: now)
            var entry = audit.entry
            entry.objectType = "reserve_fund"
            entry.objectID = township.value
            entry.detail = "top_up \(amount.fen)"
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    /// 支取 — pays `amount` for a case from its township's fund, inside the
    /// caller's transaction: the Core ledger's checks (the township's limit
    /// per case, the balance), then a decrement that only succeeds while the
    /// balance covers it (two draws at once cannot overdraw).
    static func draw(township: RegionCode, amount: Money, caseID: UUID, on date: LocalDate, actor: String,
                     tx: any Database, now: Date) async throws {
        var ledger = try await ledger(township: township, on: tx)
        try ledger.draw(amount, caseID: caseID.uuidString, on: date)
        let lowered = try await tx.sql.update(ReserveFundRecord.schema)
            .set("balance_fen", to: SQLRaw("balance_fen - \(amount.fen)"))
            .set("updated_ms", to: SQLBind(now.millis))
            .where("id", .equal, SQLBind(township.value)).where("balance_fen", .greaterThanOrEqual, SQLBind(amount.fen))
            .returning("id").all()
        guard !lowered.isEmpty else {
            throw UserError("reserve_fund.insufficient", field: "amount", zh: "备用金余额不足", en: "The reserve fund's balance is too low")
        }
        try await append(.draw, township: township, amount: amount, caseID: caseID, on: date, actor: actor, tx: tx, now: now)
    }

    /// The demo's 城关镇 (怀远县) starts with ¥20,000 so that emergency help can be paid first.
    public static func seedDemo(on db: any Database, keys: KeyRing, today: LocalDate, now: Date) async throws {
        let township = try RegionCode("340321100")
        guard try await ReserveFundRecord.find(township.value, on: db) == nil else { return }
        try await ReserveFundRepository(db: db).topUp(
            township: township, amount: Money(yuan: 20_000), on: today, actor: "demo",
            audit: (AuditChain(keys: keys), AuditEntry(actor: "demo", role: "", region: township.value, action: "reserve_fund.top_up")),
            now: now)
    }

    private static func append(_ kind: ReserveFundLedger.EntryKind, township: RegionCode, amount: Money, caseID: UUID?,
                               on date: LocalDate, actor: String, tx: any Database, now: Date) async throws {
        let row = ReserveFundEntryRecord()
        row.townshipCode = township.value
        row.kind = kind.rawValue
        row.amountFen = amount.fen
        row.caseID = caseID
        row.onDate = date.description
        row.actor = actor
        row.createdMillis = now.millis
        try await row.create(on: tx)
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

// 批量复核 — batch re-verification: every active dibao household of a region
// read from the database in household order, page by page, turned into a
// Core case and evaluated by the one calculator. The rules are never
// restated in SQL: the queries only fetch rows.

/// One run of `jiuzhu verify --batch`.
public final class VerificationBatchRunRecord: Model, @unchecked Sendable {
    public static let schema = "verification_batch_runs"

    /// Runs are numbered in the order they start: "the previous result" of a
    /// household is its row with the highest earlier run id.
    @ID(custom: "id", generatedBy: .database) public var id: Int64?
    @Field(key: "region_code") public var regionCode: String
    /// `YYYY-MM-DD`.
    @Field(key: "as_of") public var asOf: String
    @Field(key: "actor") public var actor: String
    /// `running`, then `completed`.
    @Field(key: "status") public var status: String
    @Field(key: "started_ms") public var startedMillis: Int64
    @OptionalField(key: "finished_ms") public var finishedMillis: Int64?
    /// `BatchSummary.json`, canonical; `{}` while running.
    @Field(key: "summary") public var summary: String

    public init() {}
}

/// One household's outcome in one run (households the run could not
/// evaluate have no row: they are in the run's summary with the reason).
public final class HouseholdVerificationResultRecord: Model, @unchecked Sendable {
    public static let schema = "household_verification_results"

    @ID(custom: "id", generatedBy: .database) public var id: Int64?
    @Field(key: "run_id") public var runID: Int64
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    /// `VerificationConclusion` raw value.
    @Field(key: "conclusion") public var conclusion: String
    /// `BatchChange` raw value, against the previous result.
    @Field(key: "change") public var change: String
    @Field(key: "counted_members") public var countedMembers: Int
    @Field(key: "monthly_benefit") public var monthlyBenefit: Int64
    @Field(key: "per_capita_income") public var perCapitaIncome: Int64
    @Field(key: "per_capita_assets") public var perCapitaAssets: Int64
    /// Sorted flag codes, comma-separated; empty when none.
    @Field(key: "flags") public var flags: String
    /// Sorted source codes, comma-separated; empty when none.
    @Field(key: "missing_sources") public var missingSources: String

    public init() {}
}

struct M012CreateBatchVerification: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(VerificationBatchRunRecord.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("region_code", .string, .required)
            .field("as_of", .string, .required)
            .field("actor", .string, .required)
            .field("status", .string, .required)
            .field("started_ms", .int64, .required)
            .field("finished_ms", .int64)
            .field("summary", .string, .required)
            .create()

        try await database.schema(HouseholdVerificationResultRecord.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("run_id", .int64, .required, .references(VerificationBatchRunRecord.schema, "id"))
            .field("household_id", .uuid, .required)
            .field("region_code", .string, .required)
            .field("conclusion", .string, .required)
            .field("change", .string, .required)
            .field("counted_members", .int, .required)
            .field("monthly_benefit", .int64, .required)
            .field("per_capita_income", .int64, .required)
            .field("per_capita_assets", .int64, .required)
            .field("flags", .string, .required)
            .field("missing_sources", .string, .required)
            .unique(on: "run_id", "household_id")
            .create()
        // The previous result of a page of households: by household, latest run last.
        try await database.sql.create(index: "household_results_household_idx").on(HouseholdVerificationResultRecord.schema)
            .column("household_id").column("run_id").run()
        // "Does this household hold an active claim?" for every household of a page.
        try await database.sql.create(index: "dibao_claims_household_idx").on(DibaoClaimRecord.schema)
            .column("household_id").column("state").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "dibao_claims_household_idx").run()
        try await database.schema(HouseholdVerificationResultRecord.schema).delete()
        try await database.schema(VerificationBatchRunRecord.schema).delete()
    }
}

// MARK: Reading

/// A household as the batch reads it: plain columns and sealed fields, not
/// yet opened. `BatchHouseholdRows.verificationCase` turns it into a Core case.
public struct BatchHouseholdRows: Sendable {
    public struct Member: Sendable {
        /// `persons.id` as text: the row of the sealed fields' context.
        let personID: String
        let idBlind: String
        let idSealed: String
        let relation: String
        let coResident: Bool
        let status: String
        let disabilitySealed: String?
        let healthSealed: String?
    }

    public struct Record: Sendable {
        let rowID: Int64
        let memberIndex: String
        let source: String
        let type: String
        let kind: String
        let period: String
        let amount: Int64
        let active: Bool
        let area: String
        let accountIndex: String
    }

    public let id: UUID
    public let regionCode: String
    /// The head's `residence` (`urban` | `rural`).
    let residence: String
    var members: [Member] = []
    var records: [Record] = []
    public internal(set) var previous: PreviousVerification?

    public var recordCount: Int { records.count }
    public var memberCount: Int { members.count }
}

/// 在保家庭 — reads the active dibao households of a region (a household
/// holding an `active` claim whose region lies in the scope) in household id
/// order, a page at a time, with their current members and the department
/// records found for them. Memory holds one page (and the next, while it is
/// fetched), whatever the region's size.
public struct ActiveHouseholdReader: Sendable {
    let db: any Database
    let keys: KeyRing
    public let scope: RegionScope
    public let asOf: LocalDate
    public let schedule: PolicySchedule
    /// Every source's status for this run (see `BatchVerification.sourceStatuses`).
    public let sources: [String: SourceStatus]
    public let pageSize: Int

    public init(db: any Database, keys: KeyRing, region: RegionCode, asOf: LocalDate, schedule: PolicySchedule,
                sources: [String: SourceStatus], pageSize: Int = 2000) {
        self.db = db
        self.keys = keys
        self.scope = RegionScope(root: region)
        self.asOf = asOf
        self.schedule = schedule
        self.sources = sources
        self.pageSize = max(1, pageSize)
    }

    /// The region as the range of RegionScope, and an active claim. The page
    /// query (see `page`) writes the range on `region_code || ''`, which no
    /// index serves, inside a window of the primary key.
    private func activeCondition(indexedRegion: Bool) -> SQLQueryString {
        let column: SQLQueryString = indexedRegion ? "h.region_code" : "(h.region_code || '')"
        return """
        \(column) >= \(bind: scope.root.value) AND \(column) < \(bind: scope.upperBound) \
        AND EXISTS (SELECT 1 FROM dibao_claims c WHERE c.household_id = h.id AND c.state = 'active')
        """
    }

    /// How many households a run will read.
    public func count() async throws -> Int {
        let row = try await db.sql.raw("SELECT COUNT(*) AS n FROM households h WHERE \(activeCondition(indexedRegion: true))").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The households after `after` (all from the first when nil), at most
    /// `pageSize`, in id order; empty at the end. `previousBefore` is the
    /// current run's id: each household carries its latest result of an
    /// earlier run.
    public func page(after: UUID?, previousBefore run: Int64?) async throws -> [BatchHouseholdRows] {
        // One connection for the page's queries: on SQLite the session's rows
        // come straight from the statement, not one event-loop hop per row.
        try await db.sql.withSession { sql in
            if sql.dialect.name == "sqlite" {
                // The page's lookups land all over the records and persons
                // tables: a page cache of 2 MB (SQLite's default) sends
                // nearly every B-tree step to the file. 512 MiB, this connection only.
                try await sql.raw("PRAGMA cache_size = -524288").run()
            }
            return try await self.page(after: after, previousBefore: run, on: sql)
        }
    }

    /// Ids are read as text (SQLite stores them so, PostgreSQL renders its
    /// uuid the same way): no UUID is parsed per member or record row.
    private func page(after: UUID?, previousBefore run: Int64?, on sql: any SQLDatabase) async throws -> [BatchHouseholdRows] {
        // Two steps, so that neither database can pick a plan that sorts the
        // whole region for every page (SQLite by the region index, PostgreSQL
        // by a sequential scan): the next ids in primary-key order, then the
        // active households of the region among them. A county in a
        // province-wide table costs one walk over the other ids per run.
        var heads: [any SQLRow] = []
        var cursor = after
        while heads.count < pageSize {
            let keyset: SQLQueryString = cursor.map { "WHERE id > \(bind: $0)" } ?? ""
            let window = try await sql.raw("""
                SELECT id FROM households \(keyset) ORDER BY id LIMIT \(literal: pageSize - heads.count)
                """).all()
            guard let lastRow = window.last else { break }
            let lastText = try lastRow.decode(column: "id", as: String.self)
            guard let last = UUID(uuidString: lastText) else { throw BatchReadError.malformedID(lastText) }
            let lower: SQLQueryString = cursor.map { "h.id > \(bind: $0) AND " } ?? ""
            heads += try await sql.raw("""
                SELECT h.id, h.region_code, hp.residence FROM households h JOIN persons hp ON hp.id = h.head_person_id \
                WHERE \(lower)h.id <= \(bind: last) AND \(activeCondition(indexedRegion: false)) ORDER BY h.id
                """).all()
            cursor = last
        }
        guard !heads.isEmpty else { return [] }
        var households: [BatchHouseholdRows] = []
        households.reserveCapacity(heads.count)
        var position: [String: Int] = [:]
        for row in heads {
            let key = try row.decode(column: "id", as: String.self)
            guard let id = UUID(uuidString: key) else { throw BatchReadError.malformedID(key) }
            position[key] = households.count
            households.append(BatchHouseholdRows(id: id, regionCode: try row.decode(column: "region_code", as: String.self),
                                                 residence: try row.decode(column: "residence", as: String.self)))
        }
        let ids: [any Encodable & Sendable] = households.map(\.id)

        // Current members in form order, with the person's sealed fields.
        let members = try await sql.raw("""
            SELECT m.household_id, m.person_id, m.relation, m.co_resident, m.status, p.id_blind, p.id_sealed, \
            p.disability_sealed, p.health_sealed FROM household_members m JOIN persons p ON p.id = m.person_id \
            WHERE m.household_id IN (\(binds: ids)) AND m.left_ms IS NULL ORDER BY m.household_id, m.position
            """).all()
        var byBlind: [String: [Int]] = [:]
        byBlind.reserveCapacity(members.count)
        for row in members {
            guard let index = position[try row.decode(column: "household_id", as: String.self)] else { continue }
            let member = BatchHouseholdRows.Member(
                personID: try row.decode(column: "person_id", as: String.self),
                idBlind: try row.decode(column: "id_blind", as: String.self),
                idSealed: try row.decode(column: "id_sealed", as: String.self),
                relation: try row.decode(column: "relation", as: String.self),
                coResident: try row.decode(column: "co_resident", as: Bool.self),
                status: try row.decode(column: "status", as: String.self),
                disabilitySealed: try row.decode(column: "disability_sealed", as: String?.self),
                healthSealed: try row.decode(column: "health_sealed", as: String?.self))
            households[index].members.append(member)
            byBlind[member.idBlind, default: []].append(index)
        }

        // The members' department records: the blind index of the ID number
        // is the only link (member_index = persons.id_blind).
        let blinds: [any Encodable & Sendable] = Array(byBlind.keys)
        let records = blinds.isEmpty ? [] : try await sql.raw("""
            SELECT d.id, d.member_index, d.source, d.type, d.kind, d.period, d.amount, d.active, d.area, d.account_index \
            FROM department_records d WHERE d.member_index IN (\(binds: blinds))
            """).all()
        for row in records {
            let rowID = try row.decode(column: "id", as: Int64.self)
            let memberIndex = try row.decode(column: "member_index", as: String.self)
            let record = BatchHouseholdRows.Record(
                rowID: rowID, memberIndex: memberIndex,
                source: try row.decode(column: "source", as: String.self),
                type: try row.decode(column: "type", as: String.self),
                kind: try row.decode(column: "kind", as: String.self),
                period: try row.decode(column: "period", as: String.self),
                amount: try row.decode(column: "amount", as: Int64.self),
                active: try row.decode(column: "active", as: Bool.self),
                area: try row.decode(column: "area", as: String.self),
                accountIndex: try row.decode(column: "account_index", as: String.self))
            // A person in two households of the page: the record is in both.
            for index in byBlind[memberIndex] ?? [] { households[index].records.append(record) }
        }

        if let run {
            let previous = try await sql.raw("""
                SELECT household_id, run_id, conclusion, monthly_benefit FROM household_verification_results \
                WHERE household_id IN (\(binds: ids)) AND run_id < \(bind: run) ORDER BY run_id
                """).all()
            for row in previous {
                guard let index = position[try row.decode(column: "household_id", as: String.self)],
                      let conclusion = VerificationConclusion(rawValue: try row.decode(column: "conclusion", as: String.self))
                else { continue }
                households[index].previous = PreviousVerification(
                    conclusion: conclusion, monthlyBenefit: Money(fen: try row.decode(column: "monthly_benefit", as: Int64.self)))
            }
        }
        return households
    }

    /// The household as a Core case: opens the members' sealed ID numbers
    /// (and disability and health details where present), rebuilds the
    /// records from their plain columns, and takes the policy in force for
    /// the household's region on `asOf`. Pure apart from decryption, so
    /// households can be built on several cores.
    public func verificationCase(_ household: BatchHouseholdRows) -> Result<VerificationCase, UserError> {
        Result { () throws(UserError) -> VerificationCase in
            let region = try RegionCode(household.regionCode)
            let policy = try schedule.require(for: region, on: asOf).policy
            guard let residence = ResidenceKind(rawValue: household.residence) else {
                throw UserError("batch.residence", field: "persons.residence",
                                zh: BatchText.residenceUnknown.zh, en: BatchText.residenceUnknown.en)
            }
            guard !household.members.isEmpty else {
                throw UserError("batch.no_members", field: "household_members",
                                zh: BatchText.noMembers.zh, en: BatchText.noMembers.en)
            }
            let cipher = keys.fieldCipher
            var members: [CaseMember] = []
            members.reserveCapacity(household.members.count)
            var idByBlind: [String: ResidentID] = [:]
            for (index, row) in household.members.enumerated() {
                let field = "members[\(index)]"
                let opened = Result { () throws -> (String, String?, String?) in
                    (try cipher.open(row.idSealed, context: Self.personContext("id_sealed", row.personID)),
                     try cipher.open(row.disabilitySealed, context: Self.personContext("disability_sealed", row.personID)),
                     try cipher.open(row.healthSealed, context: Self.personContext("health_sealed", row.personID)))
                }
                guard case .success(let (idText, disabilityText, healthText)) = opened else {
                    let text = BatchText.memberUnreadable("sealed field")
                    throw UserError("batch.sealed_field", field: field, zh: text.zh, en: text.en)
                }
                let id = try ResidentID(idText, today: Self.latestDay, field: field)
                members.append(try CaseMember(id: id, name: "", relationshipCode: row.relation, coResident: row.coResident,
                                              statusCode: row.status, disability: try PersonRecord.disability(stored: disabilityText, field: field),
                                              seriousIllness: healthText == "serious-illness", field: field))
                idByBlind[row.idBlind] = id
            }
            var records: [DepartmentRecord] = []
            records.reserveCapacity(household.records.count)
            // Arrival order: of two balances of one account on one day, the later row wins (rule 4).
            for row in household.records.sorted(by: { $0.rowID < $1.rowID }) {
                guard let member = idByBlind[row.memberIndex] else { continue }
                records.append(try DepartmentRecordRow.record(
                    source: row.source, member: member, type: row.type, kind: row.kind, period: row.period,
                    amount: row.amount, active: row.active, area: row.area, accountIndex: row.accountIndex))
            }
            return VerificationCase(name: household.id.uuidString, asOf: asOf, residence: residence, policy: policy,
                                    members: members, sources: sources, records: records)
        }
    }

    static let latestDay = LocalDate(year: 9999, month: 12, day: 31) ?? LocalDate(dayNumber: 0)

    /// As `PeopleRepository.context`, for an id read as text.
    static func personContext(_ column: String, _ personID: String) -> FieldContext {
        FieldContext(table: PersonRecord.schema, column: column, row: personID.uppercased())
    }

}

/// A row that cannot be a household's: the table was changed behind the application's back.
public enum BatchReadError: Error, Sendable, CustomStringConvertible {
    case malformedID(String)

    public var description: String {
        switch self {
        case .malformedID(let text): "households.id is not a UUID: \(text)"
        }
    }
}

// MARK: Running

/// What a finished run reports.
public struct BatchRunReport: Sendable {
    public let runID: Int64
    public let region: RegionCode
    public let asOf: LocalDate
    public let summary: BatchSummary
    public let members: Int
    public let records: Int
    public let seconds: Double
}

/// 批量复核 — one run: reads the region's active households page by page
/// (the next page is fetched while the current one is evaluated), evaluates
/// each with `VerificationCalculator` on all cores, compares with the
/// household's previous result, and writes the results of each page in one
/// transaction of multi-row inserts. A household that cannot be evaluated
/// is an error in the summary; the run goes on.
public struct BatchVerification: Sendable {
    let db: any Database
    let keys: KeyRing
    public var pageSize: Int
    /// How many tasks evaluate a page side by side.
    public var workers: Int

    public init(db: any Database, keys: KeyRing, pageSize: Int = 2000,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.db = db
        self.keys = keys
        self.pageSize = pageSize
        self.workers = max(1, workers)
    }

    /// A source is `returned` when it has delivered at least one completed
    /// batch, otherwise `unavailable`; every source the policies require is
    /// listed, so a region whose tax feed never arrived ends undetermined,
    /// naming it.
    public func sourceStatuses(required: Set<String>) async throws -> [String: SourceStatus] {
        let rows = try await db.sql.raw("""
            SELECT DISTINCT source FROM department_batches WHERE status = 'completed'
            """).all()
        var statuses: [String: SourceStatus] = [:]
        for source in required { statuses[source] = .unavailable }
        for row in rows { statuses[try row.decode(column: "source", as: String.self)] = .returned }
        return statuses
    }

    public func run(region: RegionCode, asOf: LocalDate, actor: String, now: Date = Date(),
                    progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> BatchRunReport {
        let started = DispatchTime.now().uptimeNanoseconds
        let schedule = try await PolicyRepository(db: db, audit: AuditChain(keys: keys)).schedule()
        let required = Set(try await PolicyVersionRecord.query(on: db).all().compactMap(\.policy).flatMap(\.requiredSources))
        let reader = ActiveHouseholdReader(db: db, keys: keys, region: region, asOf: asOf, schedule: schedule,
                                           sources: try await sourceStatuses(required: required), pageSize: pageSize)
        let total = try await reader.count()

        let run = VerificationBatchRunRecord()
        run.regionCode = region.value
        run.asOf = asOf.description
        run.actor = actor
        run.status = "running"
        run.startedMillis = now.millis
        run.summary = "{}"
        try await run.create(on: db)
        let runID = try run.requireID()

        var summary = BatchSummary()
        var done = 0, members = 0, records = 0
        progress(0, total)
        var page = try await reader.page(after: nil, previousBefore: runID)
        while let last = page.last {
            // The next page is read while this one is evaluated; results are
            // written once the read is over, so reads and writes never overlap.
            let next = Task { try await reader.page(after: last.id, previousBefore: runID) }
            let evaluated = await evaluate(page, reader: reader)
            let following = try await next.value
            var rows: [[any SQLExpression]] = []
            rows.reserveCapacity(page.count)
            for (household, result) in zip(page, evaluated) {
                members += household.memberCount
                records += household.recordCount
                switch result {
                case .success(let outcome):
                    let change = summary.add(previous: household.previous, outcome: outcome)
                    rows.append(Self.resultRow(run: runID, household: household, outcome: outcome, change: change))
                case .failure(let error):
                    summary.addError(BatchError(household: household.id.uuidString, error: error))
                }
            }
            try await write(rows)
            done += page.count
            progress(done, total)
            page = following
        }

        run.status = "completed"
        run.finishedMillis = now.millis + Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        run.summary = summary.json.rendered(pretty: false)
        try await run.update(on: db)
        return BatchRunReport(runID: runID, region: region, asOf: asOf, summary: summary, members: members, records: records,
                              seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// Builds and evaluates every household of the page, split over `workers` tasks; results in page order.
    func evaluate(_ page: [BatchHouseholdRows], reader: ActiveHouseholdReader) async -> [Result<VerificationOutcome, UserError>] {
        let slices = max(1, min(workers, page.count))
        let size = (page.count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [Result<VerificationOutcome, UserError>]).self) { group in
            for start in stride(from: 0, to: page.count, by: size) {
                let part = page[start..<min(start + size, page.count)]
                group.addTask {
                    (start, part.map { household in
                        reader.verificationCase(household).flatMap { input in
                            Result { () throws(UserError) in try VerificationCalculator.evaluate(input).outcome }
                        }
                    })
                }
            }
            var parts: [(Int, [Result<VerificationOutcome, UserError>])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    static let resultColumns = ["run_id", "household_id", "region_code", "conclusion", "change", "counted_members",
                                "monthly_benefit", "per_capita_income", "per_capita_assets", "flags", "missing_sources"]

    static func resultRow(run: Int64, household: BatchHouseholdRows, outcome: VerificationOutcome,
                          change: BatchChange) -> [any SQLExpression] {
        [SQLBind(run), SQLBind(household.id), SQLBind(household.regionCode), SQLBind(outcome.conclusion.rawValue),
         SQLBind(change.rawValue), SQLBind(outcome.countedMembers), SQLBind(outcome.monthlyBenefit.fen),
         SQLBind(outcome.perCapitaIncome.fen), SQLBind(outcome.perCapitaFinancialAssets.fen),
         SQLBind(outcome.flags.map(\.rawValue).joined(separator: ",")), SQLBind(outcome.missingSources.joined(separator: ","))]
    }

    /// One transaction, 1,000 rows a statement (11 values a row stays under
    /// SQLite's and PostgreSQL's limits on bound values).
    func write(_ rows: [[any SQLExpression]]) async throws {
        guard !rows.isEmpty else { return }
        try await db.transaction { tx in
            for slice in rows.chunked(1000) {
                try await tx.sql.insert(into: HouseholdVerificationResultRecord.schema)
                    .columns(Self.resultColumns).rows(slice).run()
            }
        }
    }
}

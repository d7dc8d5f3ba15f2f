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

/// The department records of a member, found by one seek of an index that
/// holds every column the calculator reads: the batch reads a page's
/// records without touching the table (whose rows carry the sealed record
/// and sit in arrival order, all over the file). It replaces M010's index on
/// `member_index` alone, which it also serves.
///
/// Likewise a household's latest result is read from the index alone (its
/// household, run, conclusion and benefit), replacing M012's index on
/// (household, run).
struct M013IndexRecordsByMember: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.drop(index: "department_records_member_idx").ifExists().run()
        try await DepartmentRecordRow.createMemberIndex(on: database)
        try await database.sql.drop(index: "household_results_household_idx").ifExists().run()
        try await database.sql.create(index: "household_results_latest_idx").on(HouseholdVerificationResultRecord.schema)
            .column("household_id").column("run_id").column("conclusion").column("monthly_benefit").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "household_results_latest_idx").run()
        try await database.sql.create(index: "household_results_household_idx").on(HouseholdVerificationResultRecord.schema)
            .column("household_id").column("run_id").run()
        try await database.sql.drop(index: DepartmentRecordRow.memberIndexName).run()
        try await database.sql.create(index: "department_records_member_idx").on(DepartmentRecordRow.schema)
            .column("member_index").run()
    }
}

/// The rest of a page read from indexes alone, each in the order its
/// lookups come: the households by id (region and head beside the key,
/// where M006's table rows sit in arrival order), their members by
/// household (every column the batch reads; it replaces M006's index on
/// `household_id` alone, which it also serves), and a person by id with
/// the columns the batch reads (one seek instead of the key's index and
/// then the table row, twice per member).
struct M021BatchCoveringIndexes: AsyncMigration {
    static let personsIndex = "persons_batch_columns_idx"
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("households_batch_columns_idx", HouseholdRecord.schema, ["id", "region_code", "head_person_id"]),
        ("members_household_columns_idx", MemberRecord.schema,
         ["household_id", "left_ms", "position", "person_id", "relation", "co_resident", "status"]),
        (personsIndex, PersonRecord.schema,
         ["id", "id_blind", "id_sealed", "residence", "disability_sealed", "health_sealed"]),
    ]

    func prepare(on database: any Database) async throws {
        for index in Self.indexes {
            var builder = database.sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
        try await database.sql.drop(index: "members_household_idx").ifExists().run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.create(index: "members_household_idx").on(MemberRecord.schema).column("household_id").run()
        for index in Self.indexes.reversed() { try await database.sql.drop(index: index.name).run() }
    }
}

/// The previous result of a household is found through the results' key of
/// (run, household) instead (see `ActiveHouseholdReader.readPrevious`): each
/// run appended its million results to that key in order, but had to insert
/// them all over M013's index by household — every leaf page of an index of
/// 2 GB after 30 runs rewritten by each run.
struct M023ResultsWithoutHouseholdIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.drop(index: "household_results_latest_idx").ifExists().run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.create(index: "household_results_latest_idx").on(HouseholdVerificationResultRecord.schema)
            .column("household_id").column("run_id").column("conclusion").column("monthly_benefit").run()
    }
}

extension DepartmentRecordRow {
    static let memberIndexName = "department_records_member_columns_idx"

    /// Also rebuilt by the benchmark loader after its bulk load.
    static func createMemberIndex(on database: any Database) async throws {
        let columns = ["member_index", "id", "source", "type", "kind", "period", "amount", "active", "area", "account_index"]
        var builder = database.sql.create(index: memberIndexName).on(schema)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}

// MARK: Reading

/// A household as the batch reads it: from its rows (plain columns and the
/// members' sealed fields), or from its digest (the same, with the fields
/// opened). `ActiveHouseholdReader.verificationCase` turns it into a Core case.
public struct BatchHouseholdRows: Sendable {
    public struct Member: Sendable, Equatable {
        /// `persons.id` as text: the row of the sealed fields' context.
        let personID: String
        let idBlind: String
        /// As stored; empty (and nil) when the household came from its digest.
        var idSealed: String
        let relation: String
        let coResident: Bool
        let status: String
        var disabilitySealed: String?
        var healthSealed: String?
        /// The three fields opened: set when the household came from its
        /// digest (which holds them, sealed as one), or once opened.
        var opened: Opened?

        public struct Opened: Sendable, Equatable {
            let idNumber: String
            let disability: String?
            let health: String?
        }

        /// The ID number, disability and health, opened here unless they already are.
        func fields(_ cipher: any FieldCipher) throws -> Opened {
            if let opened { return opened }
            let person = personID.uppercased()
            return Opened(idNumber: try cipher.open(idSealed, context: ActiveHouseholdReader.personContext("id_sealed", uppercased: person)),
                          disability: try cipher.open(disabilitySealed, context: ActiveHouseholdReader.personContext("disability_sealed", uppercased: person)),
                          health: try cipher.open(healthSealed, context: ActiveHouseholdReader.personContext("health_sealed", uppercased: person)))
        }
    }

    public struct Record: Sendable, Equatable {
        let rowID: Int64
        /// The position of the record's person in the household's `members`.
        let member: Int
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
    /// `households.head_person_id` as text.
    let headPersonID: String
    /// The head's `residence` (`urban` | `rural`); nil until the members are read.
    var residence: String?
    var members: [Member] = []
    var records: [Record] = []
    public internal(set) var previous: PreviousVerification?
    /// `households.data_version` when the page was read (before its rows).
    var dataVersion: Int64 = 0
    /// Read from a digest made at `dataVersion` (BatchDigests.swift).
    public internal(set) var fromDigest = false
    /// The digest to store for a household read from its rows (nil when
    /// from its digest, or when a member's fields would not open).
    var digest: Data?

    public var recordCount: Int { records.count }
    public var memberCount: Int { members.count }
}

/// A part of the households table by id: from `lower` (inclusive) up to
/// `upper` (exclusive); nil is open. Lanes split one run so that each reads
/// and evaluates its own households on its own connection and core.
public struct HouseholdLane: Sendable, Equatable {
    public let lower: UUID?
    public let upper: UUID?

    public static let all = HouseholdLane(lower: nil, upper: nil)

    public init(lower: UUID?, upper: UUID?) {
        self.lower = lower
        self.upper = upper
    }

    /// `count` lanes of equal width over the id space (ids are random, so
    /// the households divide about evenly); one lane is `all`.
    public static func split(_ count: Int) -> [HouseholdLane] {
        guard count > 1 else { return [.all] }
        let bounds: [UUID] = (1..<count).map { part in
            // The first 8 bytes as a fraction of the space, the rest zero.
            let top = UInt64((Double(part) / Double(count)) * 18_446_744_073_709_551_615.0)
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in 0..<8 { bytes[index] = UInt8((top >> (56 - 8 * UInt64(index))) & 0xFF) }
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        }
        let lowers: [UUID?] = [nil] + bounds.map { $0 }
        let uppers: [UUID?] = bounds.map { $0 } + [nil]
        return zip(lowers, uppers).map { HouseholdLane(lower: $0, upper: $1) }
    }
}

/// 在保家庭 — reads the active dibao households of a region (a household
/// holding an `active` claim whose region lies in the scope) in household id
/// order, a page at a time, with their current members and the department
/// records found for them. Memory holds a few pages, whatever the region's size.
public struct ActiveHouseholdReader: Sendable {
    private(set) var db: any Database
    let keys: KeyRing
    public let scope: RegionScope
    public let asOf: LocalDate
    public let schedule: PolicySchedule
    /// Every source's status for this run (see `BatchVerification.sourceStatuses`).
    public let sources: [String: SourceStatus]
    public let pageSize: Int
    /// SQLite's page cache for the connection a page is read on, in KiB.
    public var pageCacheKiB = 512 * 1024
    /// Whether households are read from their digests where these are
    /// current (BatchDigests.swift); false reads every household's rows.
    public var useDigests = true

    public init(db: any Database, keys: KeyRing, region: RegionCode, asOf: LocalDate, schedule: PolicySchedule,
                sources: [String: SourceStatus], pageSize: Int = 2000) {
        self.db = db
        self.keys = keys
        self.scope = RegionScope(root: region)
        self.asOf = asOf
        self.schedule = schedule
        self.sources = sources
        // Each household and member of a page is one bound value of a query:
        // 4,000 households stay far below both databases' limits.
        self.pageSize = min(max(1, pageSize), 4000)
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

    /// The same reader, reading through `database` (another connection to the same data).
    public func reading(from database: any Database) -> Self {
        var copy = self
        copy.db = database
        return copy
    }

    /// How many households a run will read.
    public func count() async throws -> Int {
        let row = try await db.sql.raw("SELECT COUNT(*) AS n FROM households h WHERE \(activeCondition(indexedRegion: true))").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The households of `lane` after `after` (from the lane's start when
    /// nil), at most `pageSize`, in id order; empty at the lane's end.
    /// `previousBefore` is the current run's id: each household carries its
    /// latest result of an earlier run (one row, however many runs there were).
    public func page(after: UUID?, previousBefore run: Int64?, lane: HouseholdLane = .all) async throws -> [BatchHouseholdRows] {
        try await BulkReader.withConnection(on: db) { reader in
            if reader.sql.dialect.name == "sqlite" {
                // The page's lookups land all over the records and persons
                // tables: a page cache of 2 MB (SQLite's default) sends
                // nearly every B-tree step to the file. This connection only.
                try await reader.sql.raw("PRAGMA cache_size = \(literal: -pageCacheKiB)").run()
            }
            return try await self.page(after: after, previousBefore: run, lane: lane, on: reader)
        }
    }

    /// `WITH name(k, v) AS (…)`: the page's keys with their positions, so
    /// that each row comes back with a small integer instead of a long id to
    /// look up. The keys travel as one bound value (a JSON array on SQLite,
    /// an array on PostgreSQL): a statement of thousands of `VALUES` rows
    /// cost more to parse than to run.
    private static func positions(_ name: String, _ values: [String], uuid: Bool, on sql: any SQLDatabase) throws -> SQLQueryString {
        if sql.dialect.name == "sqlite" {
            let json = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
            return "WITH \(unsafeRaw: name)(k, v) AS (SELECT key, value FROM json_each(\(bind: json))) "
        }
        // Every value must stay at its position: a malformed id stops the page.
        let array: SQLQueryString = uuid ? "CAST(\(bind: try values.map(Self.uuid)) AS uuid[])"
                                         : "CAST(\(bind: values) AS text[])"
        return "WITH \(unsafeRaw: name)(k, v) AS (SELECT t.o - 1, t.x FROM unnest(\(array)) WITH ORDINALITY AS t(x, o)) "
    }

    /// SQLite's planner prefers the primary key's unique index (and then
    /// the table row) to M021's covering index of persons; told otherwise here.
    private static func personColumns(_ sql: any SQLDatabase) -> SQLQueryString {
        sql.dialect.name == "sqlite" ? " INDEXED BY \(unsafeRaw: M021BatchCoveringIndexes.personsIndex)" : ""
    }

    /// Ids are read as text (SQLite stores them so, PostgreSQL renders its
    /// uuid the same way): no UUID is parsed per member or record row.
    private func page(after: UUID?, previousBefore run: Int64?, lane: HouseholdLane,
                      on reader: BulkReader) async throws -> [BatchHouseholdRows] {
        // Two steps, so that neither database can pick a plan that sorts the
        // whole region for every page (SQLite by the region index, PostgreSQL
        // by a sequential scan): the next ids in primary-key order, then the
        // active households of the region among them. A county in a
        // province-wide table costs one walk over the other ids per run.
        let sql = reader.sql
        var households: [BatchHouseholdRows] = []
        var cursor = after
        let upper: SQLQueryString = lane.upper.map { " AND h.id < \(bind: $0)" } ?? ""
        let digests = useDigests
        let cipher = keys.fieldCipher
        while households.count < pageSize {
            let start: SQLQueryString = cursor.map { "h.id > \(bind: $0)" } ?? lane.lower.map { "h.id >= \(bind: $0)" } ?? "1 = 1"
            let window = try await sql.raw("""
                SELECT h.id FROM households h WHERE \(start)\(upper) ORDER BY h.id LIMIT \(literal: pageSize - households.count)
                """).all()
            guard let lastRow = window.last else { break }
            let last = try Self.uuid(try lastRow.decode(column: "id", as: String.self))
            // The version is read here, before the rows it stamps (see BatchDigests.swift).
            households += try await reader.rows("""
                SELECT h.id, h.region_code, h.head_person_id, h.data_version, g.data_version AS digest_version, g.body \
                FROM households h LEFT JOIN \(unsafeRaw: M022BatchDigests.table) g ON g.household_id = h.id \
                WHERE \(start) AND h.id <= \(bind: last) AND \(activeCondition(indexedRegion: false)) ORDER BY h.id
                """) { row in
                var household = BatchHouseholdRows(id: try Self.uuid(try row.text("id")), regionCode: try row.text("region_code"),
                                                   headPersonID: try row.text("head_person_id"))
                household.dataVersion = try row.int64("data_version")
                if digests, try row.optionalInt64("digest_version") == household.dataVersion, let body = try row.optionalBytes("body") {
                    household.fromDigest = BatchDigest.decode(body, into: &household, cipher: cipher)
                }
                return household
            }
            cursor = last
        }
        guard !households.isEmpty else { return [] }
        // The households without a usable digest, read from their rows; their
        // members' fields are opened here (evaluating needs them opened, and
        // a digest holds them so), and a new digest made of them.
        let stale = households.indices.filter { !households[$0].fromDigest }
        try await readRows(of: stale, into: &households, on: reader)
        for index in stale {
            // A field that does not open leaves the household without a
            // digest; evaluating it reports the error.
            guard let opened = try? households[index].members.map({ try $0.fields(cipher) }) else { continue }
            for (member, fields) in opened.enumerated() { households[index].members[member].opened = fields }
            households[index].digest = try? BatchDigest.seal(households[index], cipher: cipher)
        }

        if let run { try await readPrevious(before: run, into: &households, on: reader) }
        return households
    }

    /// Each household's latest result of a run before `run`: the earlier
    /// runs from the latest back, each asked (through its key of run and
    /// household, one seek a household in household order) only for the
    /// households of its region that have none yet — usually the run before
    /// answers for all. (An index by household, then run, answered it in
    /// one seek, but every run inserted a million entries all over it.)
    private func readPrevious(before run: Int64, into households: inout [BatchHouseholdRows], on reader: BulkReader) async throws {
        let runs = try await reader.rows("""
            SELECT id, region_code FROM verification_batch_runs WHERE id < \(bind: run) ORDER BY id DESC
            """) { row in (id: try row.int64("id"), region: try row.text("region_code")) }
        let regions = households.map { try? RegionCode($0.regionCode) }
        var pending = Array(households.indices)
        for earlier in runs where !pending.isEmpty {
            guard let scope = try? RegionCode(earlier.region) else { continue }
            let asked = pending.filter { regions[$0].map(scope.contains) ?? false }
            guard !asked.isEmpty else { continue }
            let found = try await reader.rows("""
                \(try Self.positions("h", asked.map { households[$0].id.uuidString }, uuid: true, on: reader.sql))\
                SELECT h.k, r.conclusion, r.monthly_benefit FROM h CROSS JOIN household_verification_results r \
                WHERE r.run_id = \(bind: earlier.id) AND r.household_id = h.v
                """) { row in
                (slot: try row.int("k"), conclusion: try row.text("conclusion"), benefit: try row.int64("monthly_benefit"))
            }
            var answered = Set<Int>()
            for (slot, conclusionText, benefit) in found where asked.indices.contains(slot) {
                let index = asked[slot]
                answered.insert(index)
                // A conclusion this version does not know: no previous result to compare with.
                guard let conclusion = VerificationConclusion(rawValue: conclusionText) else { continue }
                households[index].previous = PreviousVerification(conclusion: conclusion, monthlyBenefit: Money(fen: benefit))
            }
            pending.removeAll { answered.contains($0) }
        }
    }

    /// The current members (in form order, with their persons' sealed
    /// fields), the head's residence and the department records of the
    /// households at `indices`, from their rows.
    private func readRows(of indices: [Int], into households: inout [BatchHouseholdRows], on reader: BulkReader) async throws {
        guard !indices.isEmpty else { return }
        let sql = reader.sql
        // k is the household's position in `indices`.
        let members = try await reader.rows("""
            \(try Self.positions("h", indices.map { households[$0].id.uuidString }, uuid: true, on: sql))\
            SELECT h.k, m.person_id, m.relation, m.co_resident, m.status, \
            p.id_blind, p.id_sealed, p.residence, p.disability_sealed, p.health_sealed FROM h CROSS JOIN household_members m \
            JOIN persons p\(Self.personColumns(sql)) ON p.id = m.person_id WHERE m.household_id = h.v AND m.left_ms IS NULL \
            ORDER BY h.k, m.position
            """) { row in
            (household: try row.int("k"), residence: try row.text("residence"), member: BatchHouseholdRows.Member(
                personID: try row.text("person_id"), idBlind: try row.text("id_blind"), idSealed: try row.text("id_sealed"),
                relation: try row.text("relation"), coResident: try row.bool("co_resident"), status: try row.text("status"),
                disabilitySealed: try row.optionalText("disability_sealed"), healthSealed: try row.optionalText("health_sealed")))
        }
        // Every (household, member) read, in the order of the records query's k.
        var slots: [(household: Int, member: Int)] = []
        slots.reserveCapacity(members.count)
        for (position, residence, member) in members {
            guard indices.indices.contains(position) else { continue }
            let index = indices[position]
            slots.append((index, households[index].members.count))
            households[index].members.append(member)
            // The household's kind of residence is its head's.
            if member.personID == households[index].headPersonID { households[index].residence = residence }
        }
        // A head who is no longer a current member (the table edited by
        // hand): read from the person row.
        let headless = indices.filter { households[$0].residence == nil }
        if !headless.isEmpty {
            let heads = try await reader.rows("""
                \(try Self.positions("h", headless.map { households[$0].headPersonID }, uuid: true, on: sql))\
                SELECT h.k, p.residence FROM h CROSS JOIN persons p WHERE p.id = h.v
                """) { row in (slot: try row.int("k"), residence: try row.text("residence")) }
            for (slot, residence) in heads where headless.indices.contains(slot) {
                households[headless[slot]].residence = residence
            }
        }

        // The members' department records: the blind index of the ID number
        // is the only link (member_index = persons.id_blind). A person in two
        // households of the page has two slots, so the record is in both.
        guard !slots.isEmpty else { return }
        let blinds = slots.map { households[$0.household].members[$0.member].idBlind }
        let records = try await reader.rows("""
            \(try Self.positions("m", blinds, uuid: false, on: sql))SELECT m.k, d.id, d.source, d.type, d.kind, d.period, d.amount, d.active, d.area, \
            d.account_index FROM m CROSS JOIN department_records d WHERE d.member_index = m.v
            """) { row in
            (slot: try row.int("k"), record: BatchHouseholdRows.Record(
                rowID: try row.int64("id"), member: 0, source: try row.text("source"), type: try row.text("type"),
                kind: try row.text("kind"), period: try row.text("period"), amount: try row.int64("amount"),
                active: try row.bool("active"), area: try row.text("area"), accountIndex: try row.text("account_index")))
        }
        for (slot, record) in records where slots.indices.contains(slot) {
            let (household, member) = slots[slot]
            households[household].records.append(record.of(member: member))
        }
    }

    private static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw BatchReadError.malformedID(text) }
        return id
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
            guard let residence = household.residence.flatMap(ResidenceKind.init(rawValue:)) else {
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
            for (index, row) in household.members.enumerated() {
                let field = Self.memberField(index)
                guard let opened = try? row.fields(cipher) else {
                    let text = BatchText.memberUnreadable("sealed field")
                    throw UserError("batch.sealed_field", field: field, zh: text.zh, en: text.en)
                }
                let (idText, disabilityText, healthText) = (opened.idNumber, opened.disability, opened.health)
                let id = try ResidentID(idText, today: Self.latestDay, field: field)
                members.append(try CaseMember(id: id, name: "", relationshipCode: row.relation, coResident: row.coResident,
                                              statusCode: row.status, disability: try PersonRecord.disability(stored: disabilityText, field: field),
                                              seriousIllness: healthText == "serious-illness", field: field))
            }
            var records: [DepartmentRecord] = []
            records.reserveCapacity(household.records.count)
            // Arrival order: of two balances of one account on one day, the later row wins (rule 4).
            for row in household.records.sorted(by: { $0.rowID < $1.rowID }) {
                records.append(try DepartmentRecordRow.record(
                    source: row.source, member: members[row.member].id, type: row.type, kind: row.kind, period: row.period,
                    amount: row.amount, active: row.active, area: row.area, accountIndex: row.accountIndex))
            }
            return VerificationCase(name: household.id.uuidString, asOf: asOf, residence: residence, policy: policy,
                                    members: members, sources: sources, records: records)
        }
    }

    static let latestDay = LocalDate(year: 9999, month: 12, day: 31) ?? LocalDate(dayNumber: 0)

    /// `members[3]`, as the errors name a member; written once for the usual sizes.
    static func memberField(_ index: Int) -> String {
        index < memberFields.count ? memberFields[index] : "members[\(index)]"
    }

    private static let memberFields = (0..<16).map { "members[\($0)]" }

    /// As `PeopleRepository.context`, for an id read as text.
    static func personContext(_ column: String, _ personID: String) -> FieldContext {
        personContext(column, uppercased: personID.uppercased())
    }

    static func personContext(_ column: String, uppercased personID: String) -> FieldContext {
        FieldContext(table: PersonRecord.schema, column: column, row: personID)
    }
}

extension BatchHouseholdRows.Record {
    /// The same record, of the household's member at `member`.
    func of(member: Int) -> Self {
        Self(rowID: rowID, member: member, source: source, type: type, kind: kind, period: period, amount: amount,
             active: active, area: area, accountIndex: accountIndex)
    }
}

/// A row that cannot be a household's: the table was changed behind the application's back.
public enum BatchReadError: Error, Sendable, CustomStringConvertible {
    case malformedID(String)

    public var description: String {
        switch self {
        case .malformedID(let text): "a stored id (households.id, head_person_id) is not a UUID: \(text)"
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
    /// Households read from their current digests.
    public let fromDigests: Int
    /// Households read from their rows (no digest, or one made before their
    /// last change): each got a new digest.
    public let readAnew: Int
    public let seconds: Double
}

/// 批量复核 — one run: reads the region's active households page by page in
/// `workers` lanes (each on its own connection and core, the next page read
/// while the current one is evaluated), evaluates each with
/// `VerificationCalculator`, compares with the household's previous result,
/// and writes the results of each page in one transaction of multi-row inserts. A household that cannot be evaluated
/// is an error in the summary; the run goes on.
public struct BatchVerification: Sendable {
    let db: any Database
    let keys: KeyRing
    public var pageSize: Int
    /// How many lanes read and evaluate side by side.
    public var workers: Int
    static let pageCacheBudgetKiB = 1600 * 1024
    /// The databases lanes read through, lane i the (i mod count)th: give
    /// one per event loop (`Databases.database(on:)`), since a Fluent
    /// SQLite database has one connection per event loop and lanes sharing
    /// one connection read one after another. Default: `db` alone.
    public var laneDatabases: [any Database]
    /// Where the results and digests are written; default `db`. On SQLite,
    /// give a connection no lane reads on (`DatabaseID.batchWrites`).
    public var writeDatabase: any Database

    public init(db: any Database, keys: KeyRing, pageSize: Int = 2000,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, laneDatabases: [any Database] = [],
                writeDatabase: (any Database)? = nil) {
        self.db = db
        self.keys = keys
        self.pageSize = pageSize
        self.workers = max(1, workers)
        self.laneDatabases = laneDatabases.isEmpty ? [db] : laneDatabases
        self.writeDatabase = writeDatabase ?? db
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
        var reader = ActiveHouseholdReader(db: db, keys: keys, region: region, asOf: asOf, schedule: schedule,
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

        // Each lane reads and evaluates its part of the households, one page
        // ahead; this task takes the lanes' pages as they are ready, tallies
        // and writes them, and sets the lane on its next page. At most one page per lane
        // waits, so memory stays a few pages whatever the region's size. The
        // tallies are merged in lane order at the end, so the summary (and
        // its list of errors) does not depend on timing.
        let lanes = HouseholdLane.split(workers)
        var summaries = [BatchSummary](repeating: BatchSummary(), count: lanes.count)
        var done = 0, members = 0, records = 0, fromDigests = 0
        progress(0, total)
        // 1.6 GiB of SQLite page cache shared by the lanes' connections
        // (800 MiB each on two cores), inside the batch's 2 GiB.
        reader.pageCacheKiB = Self.pageCacheBudgetKiB / min(lanes.count, laneDatabases.count)
        let readers = lanes.indices.map { reader.reading(from: laneDatabases[$0 % laneDatabases.count]) }
        // Whichever lane has a page evaluated is served first: a lane is not
        // held back by another's slower page.
        try await withThrowingTaskGroup(of: (lane: Int, page: EvaluatedPage).self) { group in
            for number in lanes.indices {
                let first = Self.read(after: nil, lane: lanes[number], reader: readers[number], run: runID)
                group.addTask { (number, try await Self.evaluate(first, lane: lanes[number], reader: readers[number], run: runID)) }
            }
            while let (number, (page, evaluated, next)) = try await group.next() {
                if let next {
                    group.addTask { (number, try await Self.evaluate(next, lane: lanes[number], reader: readers[number], run: runID)) }
                }
                var rows: [[BulkValue]] = []
                var digests: [[BulkValue]] = []
                rows.reserveCapacity(page.count)
                for (household, result) in zip(page, evaluated) {
                    members += household.memberCount
                    records += household.recordCount
                    if household.fromDigest {
                        fromDigests += 1
                    } else if let digest = household.digest {
                        digests.append([.uuid(household.id), .integer(household.dataVersion), .blob(digest)])
                    }
                    switch result {
                    case .success(let outcome):
                        let change = summaries[number].add(previous: household.previous, outcome: outcome)
                        rows.append(Self.resultRow(run: runID, household: household, outcome: outcome, change: change))
                    case .failure(let error):
                        summaries[number].addError(BatchError(household: household.id.uuidString, error: error))
                    }
                }
                try await write(rows, digests: digests)
                done += page.count
                progress(done, total)
            }
        }
        var summary = BatchSummary()
        for part in summaries { summary.merge(part) }

        run.status = "completed"
        run.finishedMillis = now.millis + Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        run.summary = summary.json.rendered(pretty: false)
        try await run.update(on: db)
        return BatchRunReport(runID: runID, region: region, asOf: asOf, summary: summary, members: members, records: records,
                              fromDigests: fromDigests, readAnew: done - fromDigests,
                              seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// 摘要更新 — makes the digests of the region's active households current
    /// without evaluating them or writing results: run after imports (a
    /// department's monthly feed touches most households), so that the next
    /// batch reads from digests. Each lane reads its pages as a run does;
    /// households with a current digest cost one sequential read. Returns
    /// (households, digests rewritten, seconds).
    public func refreshDigests(region: RegionCode, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in })
        async throws -> (households: Int, refreshed: Int, seconds: Double) {
        let started = DispatchTime.now().uptimeNanoseconds
        var reader = ActiveHouseholdReader(db: db, keys: keys, region: region, asOf: ActiveHouseholdReader.latestDay,
                                           schedule: PolicySchedule([]), sources: [:], pageSize: pageSize)
        let total = try await reader.count()
        let lanes = HouseholdLane.split(workers)
        reader.pageCacheKiB = Self.pageCacheBudgetKiB / min(lanes.count, laneDatabases.count)
        let readers = lanes.indices.map { reader.reading(from: laneDatabases[$0 % laneDatabases.count]) }
        var done = 0, refreshed = 0
        progress(0, total)
        try await withThrowingTaskGroup(of: (lane: Int, page: [BatchHouseholdRows]).self) { group in
            for number in lanes.indices {
                group.addTask { (number, try await readers[number].page(after: nil, previousBefore: nil, lane: lanes[number])) }
            }
            while let (number, page) = try await group.next() {
                guard let last = page.last else { continue }
                group.addTask { (number, try await readers[number].page(after: last.id, previousBefore: nil, lane: lanes[number])) }
                let digests: [[BulkValue]] = page.compactMap { household in
                    guard !household.fromDigest, let digest = household.digest else { return nil }
                    return [.uuid(household.id), .integer(household.dataVersion), .blob(digest)]
                }
                try await write([], digests: digests)
                done += page.count
                refreshed += digests.count
                progress(done, total)
            }
        }
        return (done, refreshed, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// A page, its outcomes, and the read of the lane's next page (nil at the lane's end).
    typealias EvaluatedPage = (page: [BatchHouseholdRows], evaluated: [Result<VerificationOutcome, UserError>],
                               next: Task<[BatchHouseholdRows], any Error>?)

    static func read(after: UUID?, lane: HouseholdLane, reader: ActiveHouseholdReader,
                     run: Int64) -> Task<[BatchHouseholdRows], any Error> {
        Task { try await reader.page(after: after, previousBefore: run, lane: lane) }
    }

    /// Waits for a lane's page, starts reading the one after it, and
    /// evaluates this one meanwhile.
    static func evaluate(_ reading: Task<[BatchHouseholdRows], any Error>, lane: HouseholdLane, reader: ActiveHouseholdReader,
                         run: Int64) async throws -> EvaluatedPage {
        let page = try await withTaskCancellationHandler { try await reading.value } onCancel: { reading.cancel() }
        guard let last = page.last else { return (page, [], nil) }
        let next = read(after: last.id, lane: lane, reader: reader, run: run)
        guard !Task.isCancelled else {
            next.cancel()
            throw CancellationError()
        }
        return (page, page.map { evaluate($0, reader: reader) }, next)
    }

    /// One household: its Core case, then the outcome by the calculator's rules.
    static func evaluate(_ household: BatchHouseholdRows, reader: ActiveHouseholdReader) -> Result<VerificationOutcome, UserError> {
        reader.verificationCase(household).flatMap { input in
            Result { () throws(UserError) in try VerificationCalculator.outcome(input) }
        }
    }

    static let resultColumns = ["run_id", "household_id", "region_code", "conclusion", "change", "counted_members",
                                "monthly_benefit", "per_capita_income", "per_capita_assets", "flags", "missing_sources"]

    static func resultRow(run: Int64, household: BatchHouseholdRows, outcome: VerificationOutcome,
                          change: BatchChange) -> [BulkValue] {
        [.integer(run), .uuid(household.id), .text(household.regionCode), .text(outcome.conclusion.rawValue),
         .text(change.rawValue), .integer(Int64(outcome.countedMembers)), .integer(outcome.monthlyBenefit.fen),
         .integer(outcome.perCapitaIncome.fen), .integer(outcome.perCapitaFinancialAssets.fen),
         .text(outcome.flags.map(\.rawValue).joined(separator: ",")), .text(outcome.missingSources.joined(separator: ","))]
    }

    /// One transaction: the page's results and the digests of the
    /// households read from their rows (a digest replaces the household's older one).
    func write(_ rows: [[BulkValue]], digests: [[BulkValue]]) async throws {
        try await BulkWriter.insert([
            BulkInsert(table: HouseholdVerificationResultRecord.schema, columns: Self.resultColumns, rows: rows),
            BulkInsert(table: M022BatchDigests.table, columns: ["household_id", "data_version", "body"], rows: digests,
                       conflictKey: "household_id"),
        ], on: writeDatabase)
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

func benchPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Generated data for `jiuzhu bench verify`: a county's worth of active
/// dibao households (synthetic population, valid unique IDs), a policy, a
/// completed batch for each standard source and the department records that
/// `SyntheticDepartmentData` gives each member — sealed, blind-indexed and
/// keyed exactly as the intake and the imports write them (`PreparedDepartmentRecord`),
/// but in multi-row inserts, one transaction per chunk, the next chunk
/// prepared on the other cores while this one is written.
public struct BatchBenchmarkLoader: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// The county's policy: the parameters of the shared case files.
    public static let policyJSON = """
        {"standardUrban": 74000, "standardRural": 62000, "edgeMultiplier": "1.5", "referenceMonths": 3, \
        "financialAssetMonths": 24, "vehicleValueCap": 3000000, "exemptVehicleTypes": ["disability", "farm", "motorcycle", "ebike"], \
        "maxHomes": 1, "nonResidentialDisqualifies": true, "companyRoleDisqualifies": true, \
        "excludedIncomeKinds": ["assistance", "preferentialPension", "scholarship", "bravery", "familyPlanning", "basicPension"], \
        "deductibleKinds": ["medicalOutOfPocket"], "requiredSources": ["householdRegistration", "tax", "socialInsurance", \
        "realEstate", "vehicle", "marketRegistration", "providentFund", "bank"], "topUps": [{"group": "elderly", "percentOfStandard": 20}, \
        {"group": "minor", "percentOfStandard": 20}, {"group": "severeDisability", "percentOfStandard": 30}, \
        {"group": "seriousIllness", "percentOfStandard": 30}]}
        """

    /// Dibao households are small (many elderly living alone): households
    /// larger than two are kept only while the mean stays at this size.
    public static let meanHouseholdSize = 2.2
    /// Records per household aimed at: members with fewer get older wage
    /// months (outside every window, so no outcome changes) until the mean is met.
    public static let recordsPerHousehold = 10.0

    public struct Loaded: Sendable {
        public let households: Int
        public let persons: Int
        public let records: Int
        public let toppedUp: Int
        public let seconds: Double
    }

    /// Loads `households` households into the villages of `county` (which
    /// must hold them all), with the county's policy in force on `asOf`.
    public func load(households target: Int, county: RegionCode, villages: [RegionCode], seed: UInt64, asOf: LocalDate,
                     now: Date, chunk: Int = 4000, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                     progress: (Int) -> Void = { _ in }) async throws -> Loaded {
        let started = DispatchTime.now().uptimeNanoseconds
        guard !villages.isEmpty else { return Loaded(households: 0, persons: 0, records: 0, toppedUp: 0, seconds: 0) }
        let policyFrom = LocalDate(year: asOf.year, month: 1, day: 1) ?? asOf
        let policies = PolicyRepository(db: db, audit: AuditChain(keys: keys))
        if try await policies.inForce(region: county, on: asOf) == nil {
            try await policies.add(PolicyVersion(region: county, effectiveFrom: policyFrom, policy: try VerificationPolicy(json: Self.policyJSON)),
                                   actor: "bench", role: "", now: now)
        }
        for source in DepartmentSourceCatalog.standard where try await DepartmentBatchRecord.find("bench-\(source)", on: db) == nil {
            let batch = DepartmentBatchRecord.completed(id: "bench-\(source)", source: source, fileName: "bench-\(source).jsonl",
                                                        actor: "bench", now: now)
            try await batch.create(on: db)
        }

        // The member index of department_records takes its keys in random
        // order (blind indexes): built once after the load, as bulk loads do,
        // instead of updated row by row. The same index as M013's.
        try await db.sql.drop(index: DepartmentRecordRow.memberIndexName).ifExists().run()

        var population = SyntheticPopulation(seed: seed, villages: villages, asOf: asOf)
        var written = 0, persons = 0, records = 0, toppedUp = 0
        var pending: Task<Chunk, any Error>?
        func nextChunk() -> Task<Chunk, any Error>? {
            let count = min(chunk, target - written)
            guard count > 0 else { return nil }
            var drafts: [[MemberDraft]] = []
            drafts.reserveCapacity(count)
            var generatedPersons = persons
            var generatedHouseholds = written
            while drafts.count < count {
                let members = population.nextHousehold()
                let size = members.count
                // Keep the mean at meanHouseholdSize: small households always, larger ones while there is room.
                if size > 2, Double(generatedPersons + size) > Self.meanHouseholdSize * Double(generatedHouseholds + 1) { continue }
                drafts.append(members)
                generatedPersons += size
                generatedHouseholds += 1
            }
            let keys = self.keys
            let first = written
            return Task {
                try await Self.prepare(drafts, keys: keys, asOf: asOf, seed: seed, now: now, workers: workers, firstSerial: first)
            }
        }
        // Households are generated on this task in order (the IDs depend on
        // it); sealing and record preparation run on the other cores.
        pending = nextChunk()
        while let task = pending {
            let prepared = try await task.value
            written += prepared.households.count
            persons += prepared.persons.count
            records += prepared.records.count
            toppedUp += prepared.toppedUp
            pending = nextChunk()
            try await insert(prepared)
            progress(written)
        }
        try await DepartmentRecordRow.createMemberIndex(on: db)
        return Loaded(households: written, persons: persons, records: records, toppedUp: toppedUp,
                      seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    struct Chunk: Sendable {
        var persons: [[any SQLExpression]] = []
        var households: [[any SQLExpression]] = []
        var members: [[any SQLExpression]] = []
        var claims: [[any SQLExpression]] = []
        var records: [[any SQLExpression]] = []
        var toppedUp = 0
    }

    static func prepare(_ drafts: [[MemberDraft]], keys: KeyRing, asOf: LocalDate, seed: UInt64, now: Date,
                        workers: Int, firstSerial: Int) async throws -> Chunk {
        let parts = max(1, min(workers, drafts.count))
        let size = (drafts.count + parts - 1) / parts
        let pieces = try await withThrowingTaskGroup(of: (Int, Chunk).self) { group in
            for start in stride(from: 0, to: drafts.count, by: size) {
                let slice = Array(drafts[start..<min(start + size, drafts.count)])
                group.addTask {
                    (start, try prepareSlice(slice, keys: keys, asOf: asOf, seed: seed, now: now, firstSerial: firstSerial + start))
                }
            }
            var pieces: [(Int, Chunk)] = []
            for try await piece in group { pieces.append(piece) }
            return pieces.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var chunk = Chunk()
        for piece in pieces {
            chunk.persons += piece.persons
            chunk.households += piece.households
            chunk.members += piece.members
            chunk.claims += piece.claims
            chunk.records += piece.records
            chunk.toppedUp += piece.toppedUp
        }
        return chunk
    }

    static func prepareSlice(_ drafts: [[MemberDraft]], keys: KeyRing, asOf: LocalDate, seed: UInt64, now: Date,
                             firstSerial: Int) throws -> Chunk {
        let cipher = keys.fieldCipher
        let millis = now.millis
        var chunk = Chunk()
        // The slice's own running mean decides the top-ups, so that slices prepared side by side agree.
        var recordCount = 0
        var householdCount = 0
        for members in drafts {
            guard let head = members.first else { continue }
            let region = head.person.hukouRegion?.value ?? ""
            let householdID = UUID()
            var personIDs: [UUID] = []
            var householdRecords: [DepartmentRecord] = []
            for member in members {
                let id = UUID()
                personIDs.append(id)
                let p = member.person
                func seal(_ column: String, _ value: String?) throws -> any SQLExpression {
                    guard let value else { return SQLLiteral.null }
                    return SQLBind(try cipher.seal(value, context: PeopleRepository.context(column, id)))
                }
                let blind = keys.blindIndex(p.id.value)
                chunk.persons.append([
                    SQLBind(id), SQLBind(blind), try seal("id_sealed", p.id.value), SQLBind(p.id.masked),
                    SQLBind(p.name), SQLBind(p.id.sex.rawValue), SQLBind(p.id.birthDate.description),
                    try seal("phone_sealed", p.phone?.value), SQLLiteral.null,
                    try seal("disability_sealed", p.disability.map { "\($0.type.rawValue):\($0.grade)" }),
                    try seal("health_sealed", p.seriousIllness ? "serious-illness" : "none"),
                    SQLBind(p.employment.rawValue), SQLBind(p.student.rawValue), SQLBind(p.hukouRegion?.value ?? region),
                    SQLBind(region), SQLBind(p.residence.rawValue), SQLBind(millis),
                ])
                chunk.claims.append([SQLBind(blind), SQLBind(householdID), SQLBind(householdID), SQLBind(region),
                                     SQLBind("active"), SQLBind(millis)])
                for source in DepartmentSourceCatalog.standard {
                    householdRecords += SyntheticDepartmentData.records(source: source, member: p.id, asOf: asOf, seed: seed)
                }
            }
            // Top up with wage months 13–24 before asOf (outside any window of
            // this policy) while the running mean is below the aim.
            householdCount += 1
            let wanted = Int((Self.recordsPerHousehold * Double(householdCount)).rounded())
            var month = YearMonth(asOf).adding(months: -13)
            var memberIndex = 0
            while recordCount + householdRecords.count < wanted, let current = month {
                let member = members[memberIndex % members.count].person.id
                householdRecords.append(DepartmentRecord(source: "tax", member: member,
                                                         detail: .income(kind: "wage", month: current, amount: Money(fen: 150_000))))
                chunk.toppedUp += 1
                memberIndex += 1
                if memberIndex % members.count == 0 { month = current.adding(months: -1) }
            }
            recordCount += householdRecords.count
            // The departments' own record ids, in delivery order: "bench-<household>-<n>"
            // (zero-padded, so the unique key grows at its end as a real feed's does).
            let serial = benchPadded(firstSerial + householdCount - 1, width: 9)
            for (number, record) in householdRecords.enumerated() {
                let row = try PreparedDepartmentRecord(record, recordID: "bench-\(serial)-\(benchPadded(number, width: 3))",
                                                       timestamp: nil, keys: keys)
                chunk.records.append([
                    SQLBind(row.source), SQLBind(row.recordKey), SQLBind("bench-\(row.source)"), SQLBind(row.memberIndex),
                    SQLBind(row.type), SQLBind(row.kind), SQLBind(row.period), SQLBind(row.amount), SQLBind(row.active),
                    SQLBind(row.area), SQLBind(row.accountIndex), SQLBind(row.detailSealed), SQLLiteral.null, SQLBind(millis),
                ])
            }
            chunk.households.append([SQLBind(householdID), SQLBind(region), SQLBind(personIDs[0]), SQLLiteral.null,
                                     SQLBind(millis), SQLBind(1)])
            for (position, member) in members.enumerated() {
                chunk.members.append([SQLBind(UUID()), SQLBind(householdID), SQLBind(personIDs[position]), SQLBind(region),
                                      SQLBind(member.relation.rawValue), SQLBind(member.coResident), SQLBind(member.status.rawValue),
                                      SQLBind(position), SQLBind(millis), SQLLiteral.null])
            }
        }
        return chunk
    }

    func insert(_ chunk: Chunk) async throws {
        try await db.transaction { tx in
            let sql = tx.sql
            if sql.dialect.name == "sqlite" {
                // Random keys (UUIDs, blind indexes, record hashes) touch index pages
                // all over the file: a 1 GiB page cache instead of 2 MB, this connection only.
                try await sql.raw("PRAGMA cache_size = -1048576").run()
            }
            // SQLite allows 32,766 bound values a statement, PostgreSQL 65,535.
            for slice in chunk.persons.chunked(1500) {
                try await sql.insert(into: PersonRecord.schema)
                    .columns("id", "id_blind", "id_sealed", "id_masked", "name", "sex", "birth_date", "phone_sealed", "address_sealed",
                             "disability_sealed", "health_sealed", "employment", "student", "hukou_region", "region_code", "residence", "updated_ms")
                    .rows(slice).run()
            }
            for slice in chunk.households.chunked(3000) {
                try await sql.insert(into: HouseholdRecord.schema)
                    .columns("id", "region_code", "head_person_id", "address_sealed", "created_ms", "version").rows(slice).run()
            }
            for slice in chunk.members.chunked(2500) {
                try await sql.insert(into: MemberRecord.schema)
                    .columns("id", "household_id", "person_id", "region_code", "relation", "co_resident", "status", "position",
                             "joined_ms", "left_ms").rows(slice).run()
            }
            for slice in chunk.claims.chunked(4000) {
                try await sql.insert(into: DibaoClaimRecord.schema)
                    .columns("person_blind", "household_id", "application_id", "region_code", "state", "since_ms").rows(slice).run()
            }
            // A record identical to one already stored has the same key: stored once, as an import would.
            for slice in chunk.records.chunked(2000) {
                try await sql.insert(into: DepartmentRecordRow.schema)
                    .columns("source", "record_key", "batch_id", "member_index", "type", "kind", "period", "amount", "active",
                             "area", "account_index", "detail_sealed", "department_timestamp", "received_ms")
                    .rows(slice).ignoringConflicts().run()
            }
        }
    }

    /// Rows in the tables the batch reads.
    public func counts() async throws -> (households: Int, persons: Int, records: Int) {
        func count(_ table: String) async throws -> Int {
            try await db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        return (try await count(HouseholdRecord.schema), try await count(PersonRecord.schema), try await count(DepartmentRecordRow.schema))
    }
}

/// The data of a batch, as CSV for an outside engine (the DuckDB comparison
/// in Benchmarks/duckdb_verify.py): exactly what the batch reads, through the
/// same reader, with the members' sealed fields opened.
public struct BatchCSVExport: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// Writes households.csv, members.csv, records.csv, policy.csv and sources.csv into `directory`.
    public func export(region: RegionCode, asOf: LocalDate, to directory: URL) async throws -> (households: Int, members: Int, records: Int) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let schedule = try await PolicyRepository(db: db, audit: AuditChain(keys: keys)).schedule()
        let policies = try await PolicyVersionRecord.query(on: db).all().compactMap(\.policy)
        let batch = BatchVerification(db: db, keys: keys)
        let sources = try await batch.sourceStatuses(required: Set(policies.flatMap(\.requiredSources)))
        let reader = ActiveHouseholdReader(db: db, keys: keys, region: region, asOf: asOf, schedule: schedule, sources: sources)

        let households = try CSVFile(directory.appendingPathComponent("households.csv"),
                                     header: ["household_id", "region_code", "residence"])
        let members = try CSVFile(directory.appendingPathComponent("members.csv"),
                                  header: ["household_id", "position", "member_index", "birth_date", "relation", "co_resident", "status",
                                           "disability_type", "disability_grade", "serious_illness"])
        let records = try CSVFile(directory.appendingPathComponent("records.csv"),
                                  header: ["row_id", "member_index", "source", "type", "kind", "period", "amount", "active", "area", "account_index"])
        var counts = (households: 0, members: 0, records: 0)
        var after: UUID?
        let cipher = keys.fieldCipher
        while true {
            let page = try await reader.page(after: after, previousBefore: nil)
            guard let last = page.last else { break }
            after = last.id
            for household in page {
                let id = household.id.uuidString
                try households.row([id, household.regionCode, household.residence ?? ""])
                for (position, member) in household.members.enumerated() {
                    let fields = try member.fields(cipher)
                    let resident = try ResidentID(fields.idNumber, today: ActiveHouseholdReader.latestDay)
                    let disability = try PersonRecord.disability(stored: fields.disability, field: "disability")
                    let health = fields.health
                    try members.row([id, String(position), member.idBlind, resident.birthDate.description, member.relation,
                                 member.coResident ? "true" : "false", member.status, disability?.type.rawValue ?? "",
                                 disability.map { String($0.grade) } ?? "", health == "serious-illness" ? "true" : "false"])
                }
                for record in household.records {
                    try records.row([String(record.rowID), household.members[record.member].idBlind, record.source, record.type, record.kind, record.period,
                                 String(record.amount), record.active ? "true" : "false", record.area, record.accountIndex])
                }
                counts.households += 1
                counts.members += household.memberCount
                counts.records += household.recordCount
            }
            try households.flush()
            try members.flush()
            try records.flush()
        }
        try households.close()
        try members.close()
        try records.close()

        let policy = try schedule.require(for: region, on: asOf).policy
        let list = { (items: [String]) in items.sorted().joined(separator: "|") }
        let topUp = { (group: TopUpGroup) in String(policy.topUps.filter { $0.group == group }.map(\.percentOfStandard).max() ?? 0) }
        let policyFile = try CSVFile(directory.appendingPathComponent("policy.csv"), header: [
            "as_of", "standard_urban", "standard_rural", "edge_numerator", "edge_denominator", "reference_months",
            "financial_asset_months", "vehicle_value_cap", "exempt_vehicle_types", "max_homes", "non_residential_disqualifies",
            "company_role_disqualifies", "excluded_income_kinds", "deductible_kinds", "required_sources",
            "topup_elderly", "topup_minor", "topup_severe_disability", "topup_serious_illness"])
        try policyFile.row([asOf.description, String(policy.standardUrban.fen), String(policy.standardRural.fen),
                        String(policy.edgeMultiplier.numerator), String(policy.edgeMultiplier.denominator), String(policy.referenceMonths),
                        String(policy.financialAssetMonths), String(policy.vehicleValueCap.fen),
                        list(policy.exemptVehicleTypes.map(\.rawValue)), String(policy.maxHomes),
                        String(policy.nonResidentialDisqualifies), String(policy.companyRoleDisqualifies),
                        list(Array(policy.excludedIncomeKinds)), list(Array(policy.deductibleKinds)), list(policy.requiredSources),
                        topUp(.elderly), topUp(.minor), topUp(.severeDisability), topUp(.seriousIllness)])
        try policyFile.close()
        let sourceFile = try CSVFile(directory.appendingPathComponent("sources.csv"), header: ["source", "status"])
        for (source, status) in sources.sorted(by: { $0.key < $1.key }) { try sourceFile.row([source, status.rawValue]) }
        try sourceFile.close()
        return counts
    }

    /// The results of one run, for comparison: household_id, conclusion, monthly_benefit, per_capita_income.
    public func exportResults(run: Int64, to file: URL) async throws -> Int {
        let out = try CSVFile(file, header: ["household_id", "conclusion", "monthly_benefit", "per_capita_income"])
        var written = 0
        var after: Int64 = 0
        while true {
            let rows = try await db.sql.raw("""
                SELECT id, household_id, conclusion, monthly_benefit, per_capita_income FROM household_verification_results \
                WHERE run_id = \(bind: run) AND id > \(bind: after) ORDER BY id LIMIT 10000
                """).all()
            guard !rows.isEmpty else { break }
            for row in rows {
                after = try row.decode(column: "id", as: Int64.self)
                try out.row([try row.decode(column: "household_id", as: UUID.self).uuidString, try row.decode(column: "conclusion", as: String.self),
                         String(try row.decode(column: "monthly_benefit", as: Int64.self)),
                         String(try row.decode(column: "per_capita_income", as: Int64.self))])
                written += 1
            }
            try out.flush()
        }
        try out.close()
        return written
    }
}

/// A CSV file written in buffered pieces. The values written here are codes,
/// digits, hex and dates: a value with a comma, quote or line break is quoted.
final class CSVFile: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = ""

    init(_ url: URL, header: [String]) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 0)
        try row(header)
    }

    func row(_ values: [String]) throws {
        var first = true
        for value in values {
            if !first { buffer.append(",") }
            first = false
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                buffer.append("\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            } else {
                buffer.append(value)
            }
        }
        buffer.append("\n")
        if buffer.utf8.count > 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}

import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// Hand-built households for the batch: persons sealed as the intake seals
/// them, active (or not) claims, department records prepared as every import
/// prepares them, completed source batches and a policy version.
struct BatchFixture {
    let app: Application
    let keys = TestKeys.ring
    static let asOf = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date
    static let now = Date(timeIntervalSince1970: 1_781_500_000)
    static let policyJSON = """
        {"standardUrban": 74000, "standardRural": 62000, "edgeMultiplier": "1.5", "referenceMonths": 3,
         "financialAssetMonths": 24, "vehicleValueCap": 3000000, "exemptVehicleTypes": ["disability", "farm", "motorcycle", "ebike"],
         "maxHomes": 1, "nonResidentialDisqualifies": true, "companyRoleDisqualifies": true,
         "excludedIncomeKinds": ["assistance", "preferentialPension", "scholarship", "bravery", "familyPlanning", "basicPension"],
         "deductibleKinds": ["medicalOutOfPocket"],
         "requiredSources": ["householdRegistration", "tax", "socialInsurance", "realEstate", "vehicle", "marketRegistration", "providentFund", "bank"],
         "topUps": [{"group": "elderly", "percentOfStandard": 20}, {"group": "minor", "percentOfStandard": 20},
                    {"group": "severeDisability", "percentOfStandard": 30}, {"group": "seriousIllness", "percentOfStandard": 30}]}
        """

    struct Member {
        var id: String
        var relation: Relationship
        var status: MemberStatus = .normal
        var coResident = true
        var disability: String? = nil
    }

    static func resident(_ id: String) throws -> ResidentID { try ResidentID(id, today: asOf) }

    func addPolicy(region: String, from: String = "2026-01-01") async throws {
        let version = PolicyVersion(region: try RegionCode(region), effectiveFrom: try LocalDate(parsing: from),
                                    policy: try VerificationPolicy(json: Self.policyJSON))
        try await PolicyRepository(db: app.db, audit: AuditChain(keys: keys)).add(version, actor: "tester", role: "county_admin")
    }

    func completeBatches(_ sources: [String] = DepartmentSourceCatalog.standard) async throws {
        for source in sources {
            let batch = DepartmentBatchRecord.completed(id: "test-\(source)", source: source, fileName: "\(source).jsonl",
                                                        actor: "tester", now: Self.now)
            try await batch.create(on: app.db)
        }
    }

    /// A household with its head first; `claim` nil means no dibao claim at all.
    @discardableResult
    func addHousehold(region: String, residence: String = "rural", claim: String? = "active", id householdID: UUID = UUID(),
                      _ members: [Member]) async throws -> UUID {
        let cipher = keys.fieldCipher
        var personIDs: [UUID] = []
        for member in members {
            let id = UUID()
            let resident = try Self.resident(member.id)
            let person = PersonRecord()
            person.id = id
            person.idBlind = keys.blindIndex(resident.value)
            person.idSealed = try cipher.seal(resident.value, context: PeopleRepository.context("id_sealed", id))
            person.idMasked = resident.masked
            person.name = "测试"
            person.sex = resident.sex.rawValue
            person.birthDate = resident.birthDate.description
            person.disabilitySealed = try cipher.seal(member.disability, context: PeopleRepository.context("disability_sealed", id))
            person.healthSealed = try cipher.seal("none", context: PeopleRepository.context("health_sealed", id))
            person.employment = "farming"
            person.student = "none"
            person.regionCode = region
            person.residence = residence
            person.updatedMillis = Self.now.millis
            try await person.create(on: app.db)
            personIDs.append(id)
        }
        let household = HouseholdRecord()
        household.id = householdID
        household.regionCode = region
        household.headPersonID = personIDs[0]
        household.createdMillis = Self.now.millis
        household.version = 1
        try await household.create(on: app.db)
        for (position, member) in members.enumerated() {
            let row = MemberRecord()
            row.id = UUID()
            row.householdID = householdID
            row.personID = personIDs[position]
            row.regionCode = region
            row.relation = member.relation.rawValue
            row.coResident = member.coResident
            row.status = member.status.rawValue
            row.position = position
            row.joinedMillis = Self.now.millis
            try await row.create(on: app.db)
            if let claim {
                let record = DibaoClaimRecord()
                record.id = keys.blindIndex(try Self.resident(member.id).value)
                record.householdID = householdID
                record.applicationID = UUID()
                record.regionCode = region
                record.state = claim
                record.sinceMillis = Self.now.millis
                try await record.create(on: app.db)
            }
        }
        return householdID
    }

    func addRecord(_ source: String, _ member: String, _ detail: RecordDetail) async throws {
        let prepared = try PreparedDepartmentRecord(DepartmentRecord(source: source, member: try Self.resident(member), detail: detail),
                                                    recordID: nil, timestamp: nil, keys: keys)
        let row = DepartmentRecordRow()
        row.source = prepared.source
        row.recordKey = prepared.recordKey
        row.batchID = "test-\(source)"
        row.memberIndex = prepared.memberIndex
        row.type = prepared.type
        row.kind = prepared.kind
        row.period = prepared.period
        row.amount = prepared.amount
        row.active = prepared.active
        row.area = prepared.area
        row.accountIndex = prepared.accountIndex
        row.detailSealed = prepared.detailSealed
        row.receivedMillis = Self.now.millis
        try await row.create(on: app.db)
    }

    func wages(_ member: String, _ amount: Int64, months: [String] = ["2026-03", "2026-04", "2026-05"]) async throws {
        for month in months {
            try await addRecord("tax", member, .income(kind: "wage", month: try YearMonth(parsing: month), amount: Money(fen: amount)))
        }
    }

    static let single = TestPeople.id("34032119900101011")
    static let elder = TestPeople.id("34032119500101001")

    /// The county policy, every source delivered, and three households of
    /// 340321: a family of three (dibao, rural), a single earner (ineligible,
    /// urban) and an elder living alone (dibao with a top-up).
    func county() async throws -> (family: UUID, single: UUID, elder: UUID) {
        try await addPolicy(region: "3403")
        try await completeBatches()
        let family = try await addHousehold(region: "340321100201", [
            .init(id: TestPeople.father, relation: .head), .init(id: TestPeople.mother, relation: .spouse),
            .init(id: TestPeople.child, relation: .son)])
        let single = try await addHousehold(region: "340321100202", residence: "urban", [.init(id: Self.single, relation: .head)])
        try await wages(Self.single, 300_000)
        let elder = try await addHousehold(region: "340321101201", [.init(id: Self.elder, relation: .head)])
        return (family, single, elder)
    }

    func run(_ region: String, pageSize: Int = 2000, workers: Int = 2, laneDatabases: [any Database] = [],
             writeDatabase: (any Database)? = nil) async throws -> BatchRunReport {
        try await BatchVerification(db: app.db, keys: keys, pageSize: pageSize, workers: workers, laneDatabases: laneDatabases,
                                    writeDatabase: writeDatabase)
            .run(region: try RegionCode(region), asOf: Self.asOf, actor: "tester", now: Self.now)
    }

    func results(run: Int64) async throws -> [UUID: HouseholdVerificationResultRecord] {
        let rows = try await HouseholdVerificationResultRecord.query(on: app.db).filter(\.$runID == run).all()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.householdID, $0) })
    }
}

@Suite struct BatchVerificationTests {
    static let elder = BatchFixture.elder
    static let single = BatchFixture.single
    static let otherCounty = TestPeople.stranger  // 340322…
    static let applicant = TestPeople.id("34032119700707007")

    /// Family of three (dibao, rural), a single earner (ineligible), an elder
    /// living alone (dibao with a top-up); beside them a household of another
    /// county and one whose claim is only applied for.
    private func family(_ f: BatchFixture) async throws -> (family: UUID, single: UUID, elder: UUID, other: UUID, applied: UUID) {
        let (family, single, elder) = try await f.county()
        let other = try await f.addHousehold(region: "340322100201", [.init(id: Self.otherCounty, relation: .head)])
        let applied = try await f.addHousehold(region: "340321100201", claim: "applied", [.init(id: Self.applicant, relation: .head)])
        return (family, single, elder, other, applied)
    }

    @Test(arguments: TestDatabase.all)
    func everyActiveHouseholdOfTheRegionGetsTheCalculatorsOutcome(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await family(f)
            // Pages of two: the keyset must carry on across pages.
            let report = try await f.run("340321", pageSize: 2)
            #expect(report.summary.households == 3 && report.summary.errorCount == 0)
            #expect(report.summary.count(.dibao) == 2 && report.summary.count(.ineligible) == 1)
            #expect(report.summary.count(BatchChange.new) == 3)
            #expect(report.members == 5 && report.records == 3)
            let results = try await f.results(run: report.runID)
            #expect(Set(results.keys) == [ids.family, ids.single, ids.elder])
            // (62000 − 0) × 3 + a minor's 20 % of 62000.
            #expect(results[ids.family]?.conclusion == "dibao" && results[ids.family]?.monthlyBenefit == 198_400)
            #expect(results[ids.family]?.countedMembers == 3 && results[ids.family]?.change == "new")
            #expect(results[ids.single]?.conclusion == "ineligible" && results[ids.single]?.perCapitaIncome == 300_000)
            // 62000 + an elder's 20 %.
            #expect(results[ids.elder]?.monthlyBenefit == 74_400)
            #expect(report.summary.benefitAfter == Money(fen: 198_400 + 74_400) && report.summary.benefitBefore == .zero)
            let run = try #require(try await VerificationBatchRunRecord.find(report.runID, on: app.db))
            #expect(run.status == "completed" && run.regionCode == "340321" && run.asOf == "2026-06-15")
            #expect(run.summary.contains("\"dibao\":2"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aSecondRunSeesStoppedAndChangedAmounts(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await family(f)
            let first = try await f.run("340321")
            // The father now earns: 600000 / (3 months × 3) = 66666 ≥ 62000 → edge, the dibao stops.
            try await f.wages(TestPeople.father, 200_000)
            // The elder gets 30000 a month: (62000 − 30000) + 12400.
            try await f.wages(Self.elder, 30_000)
            let second = try await f.run("340321")
            #expect(second.runID > first.runID)
            #expect(second.summary.count(.stopped) == 1 && second.summary.count(.amountChanged) == 1
                    && second.summary.count(.unchanged) == 1 && second.summary.count(BatchChange.new) == 0)
            #expect(second.summary.benefitBefore == Money(fen: 198_400 + 74_400) && second.summary.benefitAfter == Money(fen: 44_400))
            let results = try await f.results(run: second.runID)
            #expect(results[ids.family]?.conclusion == "edge" && results[ids.family]?.change == "stopped")
            #expect(results[ids.elder]?.change == "amountChanged" && results[ids.elder]?.monthlyBenefit == 44_400)
            #expect(results[ids.single]?.change == "unchanged")
            // The first run's rows are kept as they were.
            #expect(try await f.results(run: first.runID)[ids.family]?.monthlyBenefit == 198_400)
            // A third run compares with the second (the latest), not the first.
            let third = try await f.run("340321")
            #expect(third.summary.count(.unchanged) == 3 && third.summary.benefitBefore == Money(fen: 44_400))
        }
    }

    /// The previous result is the household's row in the latest earlier run
    /// that has one: a run of another township, or one the household sat
    /// out (its claim suspended), is passed over.
    @Test(arguments: TestDatabase.all)
    func thePreviousResultIsTheLatestEarlierRunThatHadTheHousehold(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await family(f)
            let first = try await f.run("340321")
            let township = try await f.run("340321101")
            #expect(township.summary.households == 1 && township.summary.count(.unchanged) == 1)
            // The elder now gets 30000 a month; the single earner's claim is suspended.
            try await f.wages(Self.elder, 30_000)
            try await app.sql.raw("UPDATE dibao_claims SET state = 'suspended' WHERE household_id = \(bind: ids.single)").run()
            let third = try await f.run("340321")
            var results = try await f.results(run: third.runID)
            #expect(Set(results.keys) == [ids.family, ids.elder])
            #expect(results[ids.family]?.change == "unchanged")
            #expect(results[ids.elder]?.change == "amountChanged")
            #expect(third.summary.benefitBefore == Money(fen: 198_400 + 74_400))
            try await app.sql.raw("UPDATE dibao_claims SET state = 'active' WHERE household_id = \(bind: ids.single)").run()
            let fourth = try await f.run("340321")
            results = try await f.results(run: fourth.runID)
            // The single earner's latest result is the first run's.
            #expect(results[ids.single]?.change == "unchanged" && fourth.summary.count(.unchanged) == 3)
            #expect(fourth.summary.count(BatchChange.new) == 0)
            #expect(first.runID < township.runID && township.runID < third.runID)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anotherRegionsHouseholdsAreLeftAlone(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await family(f)
            let county = try await f.run("340322")
            #expect(county.summary.households == 1)
            #expect(Set(try await f.results(run: county.runID).keys) == [ids.other])
            // A township is a range too: the family's and the single earner's (the elder lives in another).
            let township = try await f.run("340321100")
            #expect(Set(try await f.results(run: township.runID).keys) == [ids.family, ids.single])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aHouseholdWithoutPolicyIsAnErrorAndTheRunGoesOn(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await family(f)
            // 铜陵 (3407) has no policy; 蚌埠's does not reach it.
            let stranded = try await f.addHousehold(region: "340705001001", residence: "urban",
                                                    [.init(id: TestPeople.id("34070519660606006"), relation: .head)])
            let report = try await f.run("34")
            #expect(report.summary.households == 5 && report.summary.evaluated == 4 && report.summary.errorCount == 1)
            #expect(report.summary.errors.first?.household == stranded.uuidString)
            #expect(report.summary.errors.first?.code == "verification.no_policy")
            #expect(report.summary.lines.contains { $0.en.contains(stranded.uuidString) })
            let results = try await f.results(run: report.runID)
            #expect(results[stranded] == nil && results[ids.other] != nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aSourceThatNeverDeliveredLeavesTheHouseholdsUndetermined(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            try await f.addPolicy(region: "3403")
            try await f.completeBatches(DepartmentSourceCatalog.standard.filter { $0 != "tax" })
            let household = try await f.addHousehold(region: "340321100201", [.init(id: Self.elder, relation: .head)])
            let report = try await f.run("340321")
            #expect(report.summary.count(VerificationConclusion.undetermined) == 1 && report.summary.missingSources == ["tax": 1])
            let row = try await f.results(run: report.runID)[household]
            #expect(row?.conclusion == "undetermined" && row?.missingSources == "tax" && row?.change == "undetermined")
        }
    }

    @Test(arguments: TestDatabase.all)
    func membersWhoLeftOrLiveApartAreHandledByTheRules(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            try await f.addPolicy(region: "3403")
            try await f.completeBatches()
            // The prisoner's wages are ignored (rule 1); a severe disability adds 30 %.
            let household = try await f.addHousehold(region: "340321100201", [
                .init(id: TestPeople.father, relation: .head, disability: "physical:1"),
                .init(id: TestPeople.mother, relation: .spouse, status: .prisoner)])
            try await f.wages(TestPeople.mother, 500_000)
            // A member who has left (left_ms set) is not read at all.
            let left = try await f.addHousehold(region: "340321100201", claim: nil, [.init(id: Self.single, relation: .head)])
            try await app.sql.raw("UPDATE household_members SET left_ms = 1, household_id = \(bind: household) WHERE household_id = \(bind: left)").run()
            let report = try await f.run("340321")
            let row = try await f.results(run: report.runID)[household]
            #expect(report.members == 2)
            #expect(row?.conclusion == "dibao" && row?.countedMembers == 1 && row?.monthlyBenefit == 62_000 + 18_600)
        }
    }

    /// A household's kind of residence is its head's, read with the members;
    /// a head no longer among the current members is read from the person row.
    @Test(arguments: TestDatabase.all)
    func theResidenceIsTheHeadsEvenWhenTheHeadHasLeft(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            try await f.addPolicy(region: "3403")
            try await f.completeBatches()
            let urban = try await f.addHousehold(region: "340321100201", residence: "urban", [
                .init(id: TestPeople.father, relation: .head), .init(id: TestPeople.mother, relation: .spouse)])
            let headLeft = try await f.addHousehold(region: "340321100202", residence: "urban", [
                .init(id: Self.single, relation: .head), .init(id: Self.applicant, relation: .spouse)])
            // The head's person row says urban; the spouse who stays is made rural.
            try await app.sql.raw("""
                UPDATE persons SET residence = 'rural' WHERE id IN (SELECT person_id FROM household_members \
                WHERE household_id = \(bind: headLeft) AND position = 1)
                """).run()
            try await app.sql.raw("UPDATE household_members SET left_ms = 1 WHERE household_id = \(bind: headLeft) AND position = 0").run()
            let results = try await f.results(run: try await f.run("340321", pageSize: 1).runID)
            // 74000 (urban) × 2 counted members; the spouse alone counts in the other.
            #expect(results[urban]?.monthlyBenefit == 148_000)
            #expect(results[headLeft]?.countedMembers == 1 && results[headLeft]?.monthlyBenefit == 74_000)
        }
    }

    @Test func lanesCoverTheIdSpaceInOrderWithoutGaps() {
        #expect(HouseholdLane.split(1) == [.all])
        #expect(HouseholdLane.split(0) == [.all])
        for count in 2...7 {
            let lanes = HouseholdLane.split(count)
            #expect(lanes.count == count)
            #expect(lanes.first?.lower == nil && lanes.last?.upper == nil)
            for (left, right) in zip(lanes, lanes.dropFirst()) {
                #expect(left.upper != nil && left.upper == right.lower, "lanes of \(count) meet")
            }
            let bounds = lanes.dropFirst().compactMap(\.lower).map(\.uuidString)
            #expect(bounds == bounds.sorted() && Set(bounds).count == bounds.count, "lanes of \(count) ascend")
        }
    }

    /// Households on and beside the lanes' boundaries, read by three lanes
    /// over connections of different event loops, a household a page: every
    /// household exactly once, with the outcome a single lane gives.
    @Test(arguments: TestDatabase.all)
    func lanesReadEveryHouseholdOnceWhateverTheBoundaries(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            try await f.addPolicy(region: "3403")
            try await f.completeBatches()
            var ids: [UUID] = []
            for bound in HouseholdLane.split(3).compactMap(\.lower) {
                var bytes = bound.uuid
                bytes.15 = 0
                ids.append(bound)
                // Just below the boundary: the last id of the lane before.
                bytes.0 &-= 1
                bytes.15 = 0xFF
                ids.append(UUID(uuid: bytes))
            }
            ids += [UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!]
            for (number, id) in ids.enumerated() {
                let person = TestPeople.id("34032119700101\(String(format: "%02d", number))1")
                try await f.addHousehold(region: "340321100201", id: id, [.init(id: person, relation: .head)])
                if number % 2 == 0 { try await f.wages(person, 300_000) }
            }
            let loops = app.eventLoopGroup.makeIterator().compactMap { app.databases.database(logger: app.logger, on: $0) }
            // On SQLite the writes go through connections of their own, as the command's do.
            let writes = app.databases.configuration(for: .batchWrites) == nil ? nil
                : app.databases.database(.batchWrites, logger: app.logger, on: app.eventLoopGroup.any())
            #expect((writes == nil) == (database != .sqlite))
            let lanes = try await f.run("340321", pageSize: 1, workers: 3, laneDatabases: loops, writeDatabase: writes)
            let single = try await f.run("340321", workers: 1)
            #expect(lanes.summary.households == ids.count && lanes.summary.errorCount == 0)
            #expect(single.summary.count(.unchanged) == ids.count, "the second run finds every outcome unchanged")
            let first = try await f.results(run: lanes.runID)
            let second = try await f.results(run: single.runID)
            #expect(Set(first.keys) == Set(ids))
            for id in ids {
                #expect(first[id]?.conclusion == second[id]?.conclusion && first[id]?.monthlyBenefit == second[id]?.monthlyBenefit)
            }
            #expect(first.values.filter { $0.conclusion == "ineligible" }.count == (ids.count + 1) / 2)
        }
    }
}

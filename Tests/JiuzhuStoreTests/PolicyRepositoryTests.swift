import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing
import Vapor

@Suite struct PolicyRepositoryTests {
    /// A complete policy whose urban standard marks which version it is.
    static func policy(urban: Int64, rural: Int64 = 50_000) -> VerificationPolicy {
        VerificationPolicy(standardUrban: Money(fen: urban), standardRural: Money(fen: rural),
                           edgeMultiplier: try! ExactDecimal(parsing: "1.5", field: "edgeMultiplier"),  // programmer error: constant input
                           referenceMonths: 3, financialAssetMonths: 24, vehicleValueCap: Money(fen: 3_000_000),
                           exemptVehicleTypes: [.disability, .ebike], maxHomes: 1, nonResidentialDisqualifies: true,
                           companyRoleDisqualifies: false, excludedIncomeKinds: ["assistance", "scholarship"],
                           deductibleKinds: ["medicalOutOfPocket"], requiredSources: ["tax", "bank", "householdRegistration"],
                           topUps: [TopUp(group: .elderly, percentOfStandard: 20), TopUp(group: .minor, percentOfStandard: 15)])
    }

    static func version(_ region: String, _ date: String, urban: Int64) throws -> PolicyVersion {
        PolicyVersion(region: try RegionCode(region), effectiveFrom: try LocalDate(parsing: date), policy: policy(urban: urban))
    }

    static func day(_ text: String) throws -> LocalDate { try LocalDate(parsing: text) }

    func repository(_ app: Application) -> PolicyRepository {
        PolicyRepository(db: app.db, audit: AuditChain(keys: TestKeys.ring))
    }

    @Test(arguments: TestDatabase.all)
    func countyOverrideBeatsCityAndProvince(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let policies = repository(app)
            try await policies.add(try Self.version("34", "2025-01-01", urban: 60_000), actor: "admin", role: "sysadmin")
            try await policies.add(try Self.version("3403", "2025-01-01", urban: 70_000), actor: "admin", role: "sysadmin")
            try await policies.add(try Self.version("340321", "2025-01-01", urban: 72_000), actor: "admin", role: "sysadmin")
            let county = try RegionCode("340321")
            let date = try Self.day("2026-03-01")
            let found = try await policies.inForce(region: try RegionCode("340321100201"), on: date)
            #expect(found?.region == county)
            #expect(found?.policy.standardUrban == Money(fen: 72_000))
            // A sibling county without its own version gets the city's; another city the province's.
            #expect(try await policies.inForce(region: try RegionCode("340322"), on: date)?.region == (try RegionCode("3403")))
            #expect(try await policies.inForce(region: try RegionCode("340421"), on: date)?.region == (try RegionCode("34")))
            // The whole-table schedule agrees.
            let schedule = try await policies.schedule()
            #expect(schedule.version(for: try RegionCode("340321100"), on: date)?.policy.standardUrban == Money(fen: 72_000))
            #expect(schedule.version(for: try RegionCode("35"), on: date) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func beforeTheCountysFirstDateTheAncestorApplies(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let policies = repository(app)
            try await policies.add(try Self.version("3403", "2025-01-01", urban: 70_000), actor: "admin", role: "sysadmin")
            try await policies.add(try Self.version("340321", "2026-01-01", urban: 72_000), actor: "admin", role: "sysadmin")
            let county = try RegionCode("340321")
            #expect(try await policies.inForce(region: county, on: try Self.day("2025-12-31"))?.policy.standardUrban == Money(fen: 70_000))
            #expect(try await policies.inForce(region: county, on: try Self.day("2026-01-01"))?.policy.standardUrban == Money(fen: 72_000))
            #expect(try await policies.inForce(region: county, on: try Self.day("2024-12-31")) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theLatestVersionOnOrBeforeTheDateWins(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let policies = repository(app)
            // Added out of order on purpose.
            try await policies.add(try Self.version("3403", "2026-01-01", urban: 74_000), actor: "b", role: "sysadmin")
            try await policies.add(try Self.version("3403", "2025-01-01", urban: 71_000), actor: "a", role: "sysadmin")
            try await policies.add(try Self.version("3403", "2026-07-01", urban: 76_000), actor: "c", role: "sysadmin")
            let city = try RegionCode("3403")
            #expect(try await policies.inForce(region: city, on: try Self.day("2025-06-30"))?.policy.standardUrban == Money(fen: 71_000))
            #expect(try await policies.inForce(region: city, on: try Self.day("2026-06-30"))?.policy.standardUrban == Money(fen: 74_000))
            #expect(try await policies.inForce(region: city, on: try Self.day("2026-07-01"))?.effectiveFrom == (try Self.day("2026-07-01")))
            let listed = try await policies.versions(of: city)
            #expect(listed.map(\.effectiveFrom) == ["2026-07-01", "2026-01-01", "2025-01-01"])
            #expect(listed.map(\.actor) == ["c", "b", "a"])
            #expect(try await policies.versions(of: try RegionCode("34")).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDuplicateDateIsRefusedAndNothingChanges(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let policies = repository(app)
            try await policies.add(try Self.version("3403", "2026-01-01", urban: 74_000), actor: "admin", role: "sysadmin")
            let auditBefore = try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set").count()
            do {
                try await policies.add(try Self.version("3403", "2026-01-01", urban: 99_000), actor: "admin", role: "sysadmin")
                Issue.record("a second version on the same date was accepted")
            } catch {
                let userError = error as? UserError
                #expect(userError?.code == "policy.duplicate_date")
                #expect(userError?.field == "effectiveFrom")
                #expect(userError?.message.zh.contains("2026-01-01") == true)
            }
            let rows = try await policies.versions(of: try RegionCode("3403"))
            #expect(rows.count == 1)
            #expect(rows.first?.policy?.standardUrban == Money(fen: 74_000))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set").count() == auditBefore)
        }
    }

    @Test(arguments: TestDatabase.all)
    func addingIsAudited(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await repository(app).add(try Self.version("3403", "2026-01-01", urban: 74_000), actor: "admin1", role: "sysadmin")
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set").all()
            #expect(events.count == 1)
            #expect(events.first?.actor == "admin1")
            #expect(events.first?.role == "sysadmin")
            #expect(events.first?.region == "3403")
            #expect(events.first?.objectID == "3403/2026-01-01")
            #expect(try await AuditChain(keys: TestKeys.ring).verify(on: app.db).isIntact)
        }
    }

    /// The policy object of shared case 01 as written there (sets unsorted, sources in their order).
    static let caseOnePolicy = """
    {"standardUrban": 74000, "standardRural": 62000, "edgeMultiplier": "1.50", "referenceMonths": 3,
     "financialAssetMonths": 24, "vehicleValueCap": 3000000,
     "exemptVehicleTypes": ["disability", "farm", "motorcycle", "ebike"], "maxHomes": 1,
     "nonResidentialDisqualifies": true, "companyRoleDisqualifies": true,
     "excludedIncomeKinds": ["assistance", "preferentialPension", "scholarship", "bravery", "familyPlanning", "basicPension"],
     "deductibleKinds": ["medicalOutOfPocket"],
     "requiredSources": ["householdRegistration", "tax", "socialInsurance", "realEstate", "vehicle", "marketRegistration", "providentFund", "bank"],
     "topUps": [{"group": "elderly", "percentOfStandard": 20}, {"group": "minor", "percentOfStandard": 20},
                {"group": "severeDisability", "percentOfStandard": 30}, {"group": "seriousIllness", "percentOfStandard": 30}]}
    """

    @Test(arguments: TestDatabase.all)
    func theStoredJSONRoundTripsExactly(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let policies = repository(app)
            let policy = try VerificationPolicy(json: Self.caseOnePolicy)
            let version = PolicyVersion(region: try RegionCode("3403"), effectiveFrom: try Self.day("2026-01-01"), policy: policy)
            try await policies.add(version, actor: "admin", role: "sysadmin")
            let row = try #require(try await policies.versions(of: try RegionCode("3403")).first)
            // Stored canonical (sorted keys, sets sorted, no spaces), and reading it back gives the same text and value.
            #expect(row.policyJSON == policy.json.rendered(pretty: false))
            #expect(!row.policyJSON.contains(" "))
            #expect(try VerificationPolicy(json: row.policyJSON).json.rendered(pretty: false) == row.policyJSON)
            #expect(try row.version() == version)
            // The edge multiplier keeps its text; requiredSources keeps its order (a list, not a set).
            #expect(try row.version().policy.edgeMultiplier.text == "1.50")
            #expect(try row.version().policy.requiredSources == ["householdRegistration", "tax", "socialInsurance", "realEstate",
                                                                 "vehicle", "marketRegistration", "providentFund", "bank"])
            let found = try await policies.inForce(region: try RegionCode("340321"), on: try Self.day("2026-06-15"))
            #expect(found == version)
        }
    }
    @Test(arguments: TestDatabase.all)
    func theDemoSeedIsIdempotentAndShowsTheEffectiveDates(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let policies = repository(app)
            #expect(try await PolicyVersionRecord.query(on: app.db).count() == 3)
            #expect(try await DemoPolicies.seed(on: app.db, keys: TestKeys.ring) == 0)
            #expect(try await PolicyVersionRecord.query(on: app.db).count() == 3)
            let county = try RegionCode("340321")
            let old = try #require(try await policies.inForce(region: county, on: try Self.day("2025-06-01")))
            #expect(old.region == (try RegionCode("3403")) && old.policy.standardUrban == Money(fen: 71_000)
                    && old.policy.standardRural == Money(fen: 59_000))
            let current = try #require(try await policies.inForce(region: county, on: try Self.day("2026-06-15")))
            #expect(current.policy.standardUrban == Money(fen: 74_000) && current.policy.standardRural == Money(fen: 62_000))
            // The case files' parameters: the demo's current policy is case 01's.
            #expect(current.policy == (try VerificationPolicy(json: Self.caseOnePolicy.replacingOccurrences(of: "\"1.50\"", with: "\"1.5\""))))
            #expect(try await policies.inForce(region: try RegionCode("340421"), on: try Self.day("2026-06-15"))?.region == (try RegionCode("34")))
            #expect(try await policies.inForce(region: county, on: try Self.day("2024-12-31")) == nil)
        }
    }

}

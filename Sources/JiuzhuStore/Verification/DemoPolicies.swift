import FluentKit
import Foundation
import JiuzhuCore

/// The demo's policy parameters, so that verification works out of the box:
/// a province-wide version for 安徽 (34) and two versions for 蚌埠 (3403) —
/// the current one (2026, the parameters of the shared case files: urban
/// ¥740, rural ¥620 per person per month) and an older one (2025, lower
/// standards) — so that the effective dates show. The figures are
/// illustrative, not an official notice.
public enum DemoPolicies {
    /// Who the seeded versions are attributed to.
    public static let actor = "demo"

    /// The parameters shared by every demo version; only the standards differ.
    static func policy(urban: Int64, rural: Int64) -> VerificationPolicy {
        VerificationPolicy(
            standardUrban: Money(fen: urban), standardRural: Money(fen: rural),
            edgeMultiplier: edgeMultiplier,
            referenceMonths: 3, financialAssetMonths: 24, vehicleValueCap: Money(fen: 3_000_000),
            exemptVehicleTypes: [.disability, .farm, .motorcycle, .ebike], maxHomes: 1,
            nonResidentialDisqualifies: true, companyRoleDisqualifies: true,
            excludedIncomeKinds: IncomeTreatment.nationalExcludedKinds,
            deductibleKinds: ["medicalOutOfPocket"],
            requiredSources: ["householdRegistration", "tax", "socialInsurance", "realEstate", "vehicle",
                              "marketRegistration", "providentFund", "bank"],
            topUps: [TopUp(group: .elderly, percentOfStandard: 20), TopUp(group: .minor, percentOfStandard: 20),
                     TopUp(group: .severeDisability, percentOfStandard: 30),
                     TopUp(group: .seriousIllness, percentOfStandard: 30)])
    }

    private static var edgeMultiplier: ExactDecimal {
        // programmer error: a constant that parses
        guard let value = try? ExactDecimal(parsing: "1.5", field: "edgeMultiplier") else { fatalError("edge multiplier constant") }  // programmer error: a constant
        return value
    }

    private static func version(_ region: String, _ date: String, urban: Int64, rural: Int64) -> PolicyVersion {
        // programmer error: constants that parse
        guard let code = try? RegionCode(region), let day = try? LocalDate(parsing: date) else { fatalError("demo policy constant") }  // programmer error: constants
        return PolicyVersion(region: code, effectiveFrom: day, policy: policy(urban: urban, rural: rural))
    }

    /// Every demo version, oldest first.
    public static var all: [PolicyVersion] {
        [
            version("34", "2025-01-01", urban: 68_000, rural: 56_000),
            version("3403", "2025-01-01", urban: 71_000, rural: 59_000),
            version("3403", "2026-01-01", urban: 74_000, rural: 62_000),
        ]
    }

    /// Adds the demo versions a region does not have yet on their date (seeding
    /// twice adds nothing). Returns how many were added.
    @discardableResult
    public static func seed(on db: any Database, keys: KeyRing, now: Date = Date()) async throws -> Int {
        let policies = PolicyRepository(db: db, audit: AuditChain(keys: keys))
        var added = 0
        for version in all {
            let existing = try await PolicyVersionRecord.query(on: db)
                .filter(\.$regionCode == version.region.value)
                .filter(\.$effectiveFrom == version.effectiveFrom.description).count()
            guard existing == 0 else { continue }
            try await policies.add(version, actor: actor, role: "system", now: now)
            added += 1
        }
        return added
    }
}

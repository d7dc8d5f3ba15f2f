import Foundation
@testable import JiuzhuCore

/// Households, policies and records for the verification tests, built in
/// code with the parameters of the shared case files (urban standard ¥740,
/// rural ¥620, edge 1.5×, 3 months, assets 24 × standard, vehicles ¥30,000).
enum VerificationFixture {
    static let asOf = date(2026, 6, 15)
    static let urbanStandard: Int64 = 74_000
    static let ruralStandard: Int64 = 62_000
    static let requiredSources = ["householdRegistration", "tax", "socialInsurance", "realEstate", "vehicle",
                                  "marketRegistration", "providentFund", "bank"]

    static func decimal(_ text: String) -> ExactDecimal {
        do {
            return try ExactDecimal(parsing: text, field: "test")
        } catch {
            preconditionFailure("test decimal \(text): \(error)")
        }
    }

    static func month(_ text: String) -> YearMonth {
        do {
            return try YearMonth(parsing: text)
        } catch {
            preconditionFailure("test month \(text): \(error)")
        }
    }

    static func policy(_ change: (inout VerificationPolicy) -> Void = { _ in }) -> VerificationPolicy {
        var policy = VerificationPolicy(
            standardUrban: Money(fen: urbanStandard), standardRural: Money(fen: ruralStandard),
            edgeMultiplier: decimal("1.5"), referenceMonths: 3, financialAssetMonths: 24,
            vehicleValueCap: Money(fen: 3_000_000), exemptVehicleTypes: [.disability, .farm, .motorcycle, .ebike],
            maxHomes: 1, nonResidentialDisqualifies: true, companyRoleDisqualifies: true,
            excludedIncomeKinds: ["assistance", "preferentialPension", "scholarship", "bravery", "familyPlanning",
                                  "basicPension"],
            deductibleKinds: ["medicalOutOfPocket"], requiredSources: requiredSources,
            topUps: [TopUp(group: .elderly, percentOfStandard: 20), TopUp(group: .minor, percentOfStandard: 20),
                     TopUp(group: .severeDisability, percentOfStandard: 30),
                     TopUp(group: .seriousIllness, percentOfStandard: 30)])
        change(&policy)
        return policy
    }

    /// A member born on `born` (`YYYYMMDD`); `sequence` keeps IDs of people
    /// born on the same day apart.
    static func person(born: String, sequence: String = "011", relation: CaseRelation = .head,
                       coResident: Bool = true, status: MemberStatus = .normal, disability: Disability? = nil,
                       seriousIllness: Bool = false) -> CaseMember {
        CaseMember(id: residentID("340302" + born + sequence), name: "测试", relation: relation,
                   coResident: coResident, status: status, disability: disability, seriousIllness: seriousIllness)
    }

    static let adult = person(born: "19820314", sequence: "031")
    static let spouse = person(born: "19840722", sequence: "042", relation: .spouse)
    static let child = person(born: "20120905", sequence: "017", relation: .child)

    static func disability(_ type: DisabilityType, _ grade: Int) -> Disability {
        do {
            return try Disability(type: type, grade: grade)
        } catch {
            preconditionFailure("test disability: \(error)")
        }
    }

    static func household(_ members: [CaseMember], _ records: [DepartmentRecord] = [],
                          residence: ResidenceKind = .urban, asOf: LocalDate = asOf,
                          policy: VerificationPolicy = policy(),
                          sources: [String: SourceStatus]? = nil) -> VerificationCase {
        VerificationCase(name: "test", asOf: asOf, residence: residence, policy: policy, members: members,
                         sources: sources ?? Dictionary(uniqueKeysWithValues: requiredSources.map { ($0, .returned) }),
                         records: records)
    }

    static func income(_ member: CaseMember, _ month: String, _ fen: Int64, kind: String = "wage",
                       source: String = "tax") -> DepartmentRecord {
        DepartmentRecord(source: source, member: member.id,
                         detail: .income(kind: kind, month: self.month(month), amount: Money(fen: fen)))
    }

    /// The same income in each of the three months of the default window.
    static func monthlyIncome(_ member: CaseMember, _ fen: Int64, kind: String = "wage") -> [DepartmentRecord] {
        ["2026-03", "2026-04", "2026-05"].map { income(member, $0, fen, kind: kind) }
    }

    static func expense(_ member: CaseMember, _ month: String, _ fen: Int64,
                        kind: String = "medicalOutOfPocket") -> DepartmentRecord {
        DepartmentRecord(source: "medicalInsurance", member: member.id,
                         detail: .expense(kind: kind, month: self.month(month), amount: Money(fen: fen)))
    }

    static func asset(_ member: CaseMember, account: String, on day: LocalDate, _ fen: Int64,
                      kind: FinancialAssetKind = .deposit) -> DepartmentRecord {
        DepartmentRecord(source: "bank", member: member.id,
                         detail: .financialAsset(kind: kind, account: account, asOfDate: day, balance: Money(fen: fen)))
    }

    static func vehicle(_ member: CaseMember, _ type: VehicleType, _ fen: Int64) -> DepartmentRecord {
        DepartmentRecord(source: "vehicle", member: member.id,
                         detail: .vehicle(plate: "皖C12345", type: type, value: Money(fen: fen)))
    }

    static func property(_ member: CaseMember, _ use: PropertyUse) -> DepartmentRecord {
        DepartmentRecord(source: "realEstate", member: member.id, detail: .property(use: use, area: decimal("85.5")))
    }

    static func company(_ member: CaseMember, _ role: CompanyRole, active: Bool = true) -> DepartmentRecord {
        DepartmentRecord(source: "marketRegistration", member: member.id, detail: .company(role: role, active: active))
    }

    static func death(_ member: CaseMember, _ day: LocalDate) -> DepartmentRecord {
        DepartmentRecord(source: "civilAffairs", member: member.id, detail: .death(date: day))
    }

    static func evaluate(_ input: VerificationCase) throws -> VerificationResult {
        try VerificationCalculator.evaluate(input)
    }

    static func outcome(_ input: VerificationCase) throws -> VerificationOutcome {
        try VerificationCalculator.evaluate(input).outcome
    }
}

/// The shared case files: `<package root>/../shared/cases`, or `JIUZHU_CASES_DIR`.
enum CaseFiles {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["JIUZHU_CASES_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // Resolved, so that a package that links these tests in (a scratch
        // package for Core alone) still finds the repository's neighbour.
        let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/cases", isDirectory: true)
    }

    /// The `*.json` names in the directory, sorted; empty when it is missing.
    static var names: [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter { $0.hasSuffix(".json") }.sorted()
    }
}

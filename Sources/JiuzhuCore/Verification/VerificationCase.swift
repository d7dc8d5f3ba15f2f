// The input of the household economic verification (家庭经济状况核对): the
// household, the records the departments returned, and the policy in force,
// as in cases/FORMAT.md. Decoding lives in CaseDecoding.swift.

/// 核对案例 — one household, the department records found for it, the policy
/// in force, and (in test cases) the outcome the rules should give.
public struct VerificationCase: Sendable, Hashable {
    /// Free text.
    public var name: String
    /// 核对基准日 — the day the verification speaks for.
    public var asOf: LocalDate
    /// 城乡类别 — picks the standard.
    public var residence: ResidenceKind
    public var policy: VerificationPolicy
    /// 家庭成员, in the order of the file (the order of `singlePersonEligible`).
    public var members: [CaseMember]
    /// Each department source's answer, by source name (`tax`, `bank`, …).
    public var sources: [String: SourceStatus]
    public var records: [DepartmentRecord]
    /// The outcome a test case expects; absent in a real household's file.
    public var expect: VerificationOutcome?
    /// 豁免 — records a caseworker has exempted, by index into `records`, with
    /// the recorded reason (a truck used for work, say). An exempted record
    /// counts for nothing and is listed once, as exempted. Never read from a
    /// case file: exemptions are decisions made on a report, not department data.
    public var exemptions: [Int: String] = [:]

    public init(name: String, asOf: LocalDate, residence: ResidenceKind, policy: VerificationPolicy,
                members: [CaseMember], sources: [String: SourceStatus], records: [DepartmentRecord],
                expect: VerificationOutcome? = nil, exemptions: [Int: String] = [:]) {
        self.name = name
        self.asOf = asOf
        self.residence = residence
        self.policy = policy
        self.members = members
        self.sources = sources
        self.records = records
        self.expect = expect
        self.exemptions = exemptions
    }

    /// The exemptions with their reasons trimmed, after checking that each
    /// names a record and gives a reason (an exemption without one is not
    /// allowed: 豁免须记录理由).
    public func checkedExemptions() throws(UserError) -> [Int: String] {
        var checked: [Int: String] = [:]
        for index in exemptions.keys.sorted() {
            let field = "exemptions[\(index)]"
            guard records.indices.contains(index) else {
                let text = VerificationText.exemptionIndex(index, count: records.count)
                throw UserError("verification.exemption_index", field: field, zh: text.zh, en: text.en)
            }
            let reason = String((exemptions[index] ?? "").trimmingWhitespace)
            guard !reason.isEmpty else {
                let text = VerificationText.exemptionReasonRequired
                throw UserError("verification.exemption_reason", field: field, zh: text.zh, en: text.en)
            }
            checked[index] = reason
        }
        return checked
    }
}

/// 核对政策参数 — the region's parameters that the rules read.
public struct VerificationPolicy: Sendable, Hashable {
    /// 城市低保标准, per person per month.
    public var standardUrban: Money
    /// 农村低保标准, per person per month.
    public var standardRural: Money
    /// 低保边缘倍数 — the edge band's upper end as a multiple of the standard.
    public var edgeMultiplier: ExactDecimal
    /// 收入核算期 — whole calendar months before the month of `asOf`.
    public var referenceMonths: Int
    /// 人均金融资产上限 in months of the standard.
    public var financialAssetMonths: Int
    /// 车辆价值上限: a vehicle worth more disqualifies, unless exempt.
    public var vehicleValueCap: Money
    public var exemptVehicleTypes: Set<VehicleType>
    /// 住房套数上限 for the household.
    public var maxHomes: Int
    public var nonResidentialDisqualifies: Bool
    /// Whether an active company role (法定代表人, 董事, 股东) disqualifies.
    public var companyRoleDisqualifies: Bool
    /// 不计入收入的项目 — income kinds never counted.
    public var excludedIncomeKinds: Set<String>
    /// 可扣减支出 — expense kinds subtracted from income.
    public var deductibleKinds: Set<String>
    /// Sources whose absence makes the outcome `undetermined`, as listed.
    public var requiredSources: [String]
    /// 分类施保 — the top-ups of the benefit.
    public var topUps: [TopUp]

    public init(standardUrban: Money, standardRural: Money, edgeMultiplier: ExactDecimal, referenceMonths: Int,
                financialAssetMonths: Int, vehicleValueCap: Money, exemptVehicleTypes: Set<VehicleType>,
                maxHomes: Int, nonResidentialDisqualifies: Bool, companyRoleDisqualifies: Bool,
                excludedIncomeKinds: Set<String>, deductibleKinds: Set<String>, requiredSources: [String],
                topUps: [TopUp]) {
        self.standardUrban = standardUrban
        self.standardRural = standardRural
        self.edgeMultiplier = edgeMultiplier
        self.referenceMonths = referenceMonths
        self.financialAssetMonths = financialAssetMonths
        self.vehicleValueCap = vehicleValueCap
        self.exemptVehicleTypes = exemptVehicleTypes
        self.maxHomes = maxHomes
        self.nonResidentialDisqualifies = nonResidentialDisqualifies
        self.companyRoleDisqualifies = companyRoleDisqualifies
        self.excludedIncomeKinds = excludedIncomeKinds
        self.deductibleKinds = deductibleKinds
        self.requiredSources = requiredSources
        self.topUps = topUps
    }

    /// The monthly standard per person where the household lives.
    public func standard(for residence: ResidenceKind) -> Money {
        residence == .urban ? standardUrban : standardRural
    }

    /// How an income record of `kind` enters the income, or nil when the kind
    /// is unknown (an input error). The policy's exclusions win over the
    /// built-in kinds, so that a region may exclude even `transferOut`.
    public func treatment(ofIncome kind: String) -> IncomeTreatment? {
        if excludedIncomeKinds.contains(kind) { return .excluded }
        if IncomeTreatment.countedKinds.contains(kind) { return .counted }
        if kind == IncomeTreatment.transferOutKind { return .subtracted }
        return nil
    }

    /// Whether an expense `kind` is known: one of the national kinds, or one
    /// the policy makes deductible.
    public func knowsExpense(_ kind: String) -> Bool {
        ExpenseKinds.known.contains(kind) || deductibleKinds.contains(kind)
    }

    /// The largest top-up percentage for `groups`, or nil when the policy
    /// gives none of them a top-up.
    public func largestTopUp(among groups: [TopUpGroup]) -> TopUp? {
        topUps.filter { groups.contains($0.group) }.max { $0.percentOfStandard < $1.percentOfStandard }
    }
}

/// How an income kind enters the household income.
public enum IncomeTreatment: Sendable, Hashable {
    /// Added: wages, business, property, transfers received, pensions, …
    case counted
    /// 赡养（抚养、扶养）费支出 — support paid outside the household.
    case subtracted
    /// Listed in the policy's `excludedIncomeKinds`: adds nothing.
    case excluded

    /// The five kinds of the national rules and the insurance payments that
    /// are income: 工资性、经营净、财产净、转移性收入, 养老金, 失业保险金, 其他.
    public static let countedKinds: Set<String> = ["wage", "business", "property", "transferIn", "pension",
                                                  "unemployment", "other"]
    public static let transferOutKind = "transferOut"
    /// 不计入收入的项目 of the national rules (优抚金、计划生育奖励、奖学金、见义勇为奖励、
    /// 社会救助金、城乡居民基础养老金): a department may send them; a region's
    /// policy decides whether they count.
    public static let nationalExcludedKinds: Set<String> = ["assistance", "preferentialPension", "scholarship",
                                                            "bravery", "familyPlanning", "basicPension"]
    /// Every income kind a department may send.
    public static let nationalKinds: Set<String> = countedKinds.union(nationalExcludedKinds).union([transferOutKind])
    /// Net incomes, which a loss can make negative.
    public static let netKinds: Set<String> = ["business", "property"]
}

/// 支出类别 of the national rules.
public enum ExpenseKinds {
    /// 自付医疗费用, 必要就业成本.
    public static let known: Set<String> = ["medicalOutOfPocket", "employmentCost"]
}

/// 分类施保 — a benefit top-up for a group of members.
public struct TopUp: Sendable, Hashable {
    public var group: TopUpGroup
    /// The top-up is floor(standard × percentOfStandard / 100) per member.
    public var percentOfStandard: Int

    public init(group: TopUpGroup, percentOfStandard: Int) {
        self.group = group
        self.percentOfStandard = percentOfStandard
    }
}

/// The groups a top-up can be for.
public enum TopUpGroup: String, Sendable, Hashable, CaseIterable {
    /// 老年人, 60 and over.
    case elderly
    /// 未成年人, under 18.
    case minor
    /// 重度残疾人.
    case severeDisability
    /// 重病患者.
    case seriousIllness
}

/// 家庭成员 as the case file describes them.
public struct CaseMember: Sendable, Hashable {
    public var id: ResidentID
    public var name: String
    public var relation: CaseRelation
    /// 共同生活.
    public var coResident: Bool
    public var status: MemberStatus
    public var disability: Disability?
    /// 重特大疾病.
    public var seriousIllness: Bool

    public init(id: ResidentID, name: String, relation: CaseRelation, coResident: Bool = true,
                status: MemberStatus = .normal, disability: Disability? = nil, seriousIllness: Bool = false) {
        self.id = id
        self.name = name
        self.relation = relation
        self.coResident = coResident
        self.status = status
        self.disability = disability
        self.seriousIllness = seriousIllness
    }

    /// 重度残疾 or 重病: the two conditions of the single-person rule, and two
    /// of the top-up groups.
    public var isSeverelyDisabled: Bool { disability?.isSevere ?? false }

    /// The top-up groups the member is in on `date`.
    public func topUpGroups(at date: LocalDate) -> [TopUpGroup] {
        let age = id.age(at: date)
        var groups: [TopUpGroup] = []
        if age >= 60 { groups.append(.elderly) }
        if age < 18 { groups.append(.minor) }
        if isSeverelyDisabled { groups.append(.severeDisability) }
        if seriousIllness { groups.append(.seriousIllness) }
        return groups
    }
}

/// 与申请人关系 in the words of the case files.
public enum CaseRelation: String, Sendable, Hashable, CaseIterable {
    /// 本人.
    case head = "self"
    case spouse, child, parent, sibling, grandchild, other
}

/// 数据源反馈状态 — how a department source answered.
public enum SourceStatus: String, Sendable, Hashable, CaseIterable {
    case pending, returned, failed, unavailable
}

/// 部门核对记录 — one object a department returned about one member.
public struct DepartmentRecord: Sendable, Hashable {
    /// The department source (`tax`, `socialInsurance`, …).
    public var source: String
    public var member: ResidentID
    public var detail: RecordDetail

    public init(source: String, member: ResidentID, detail: RecordDetail) {
        self.source = source
        self.member = member
        self.detail = detail
    }
}

/// What a record says, by its `type`.
public enum RecordDetail: Sendable, Hashable {
    /// 收入: `kind` is one of `IncomeTreatment.countedKinds`, `transferOut`,
    /// or a kind the policy excludes.
    case income(kind: String, month: YearMonth, amount: Money)
    /// 支出.
    case expense(kind: String, month: YearMonth, amount: Money)
    /// 金融资产: a balance of one account on a day.
    case financialAsset(kind: FinancialAssetKind, account: String, asOfDate: LocalDate, balance: Money)
    /// 车辆.
    case vehicle(plate: String, type: VehicleType, value: Money)
    /// 不动产; the area is kept as written, the rules count properties.
    case property(use: PropertyUse, area: ExactDecimal)
    /// 市场主体登记.
    case company(role: CompanyRole, active: Bool)
    /// 死亡（火化）登记.
    case death(date: LocalDate)

    public var type: RecordType {
        switch self {
        case .income: .income
        case .expense: .expense
        case .financialAsset: .financialAsset
        case .vehicle: .vehicle
        case .property: .property
        case .company: .company
        case .death: .death
        }
    }
}

/// The `type` of a record.
public enum RecordType: String, Sendable, Hashable, CaseIterable {
    case income, expense, financialAsset, vehicle, property, company, death
}

/// 金融资产类别.
public enum FinancialAssetKind: String, Sendable, Hashable, CaseIterable {
    /// 存款, 证券, 基金, 商业保险, 互联网金融.
    case deposit, security, fund, insurance, internetFinance
}

/// 车辆类别.
public enum VehicleType: String, Sendable, Hashable, CaseIterable {
    /// 残疾人机动轮椅车, 农用车（农机）, 摩托车, 电动自行车 are the usual exemptions.
    case car, truck, disability, farm, motorcycle, ebike
}

/// 房屋用途.
public enum PropertyUse: String, Sendable, Hashable, CaseIterable {
    /// 住宅, 非住宅（商铺、办公等）.
    case residential, nonResidential
}

/// 市场主体中的身份.
public enum CompanyRole: String, Sendable, Hashable, CaseIterable {
    /// 法定代表人, 董事, 股东, 个体工商户.
    case legalRepresentative, director, shareholder, soleTrader

    /// The roles of rule 7 that disqualify (when the policy says so).
    public var isCompanyRole: Bool { self != .soleTrader }
}

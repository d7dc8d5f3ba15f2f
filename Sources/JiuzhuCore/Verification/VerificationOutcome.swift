/// 核对结论 — what the verification concludes, in the order the rules try them.
public enum VerificationConclusion: String, Sendable, Hashable, Codable, CaseIterable {
    /// 符合低保: per-capita income below the standard and nothing disqualifies.
    case dibao
    /// 低保边缘（低收入）: below edgeMultiplier × the standard.
    case edge
    /// 不符合.
    case ineligible
    /// 无法确认: a required source has not answered.
    case undetermined
}

/// 核对异常项 — a finding that the report lists; all but `soleTrader` disqualify.
public enum VerificationFlag: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// 人均金融资产超过上限.
    case financialAssets
    /// 车辆价值超过上限且不属豁免类别.
    case vehicle
    /// 住房套数超过上限.
    case homes
    /// 拥有非住宅类房产.
    case nonResidentialProperty
    /// 担任企业法定代表人、董事或股东.
    case company
    /// 个体工商户 — reported, decided case by case, never disqualifying by itself.
    case soleTrader

    public var disqualifies: Bool { self != .soleTrader }

    /// By code, the order of the JSON output.
    public static func < (lhs: VerificationFlag, rhs: VerificationFlag) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
}

/// 核对结果 — the figures and the conclusion, exactly the `expect` object of a
/// case file. Encodes (with `Codable` or `json`) to that shape, every field
/// present, flags and missing sources sorted.
public struct VerificationOutcome: Sendable, Hashable, Codable {
    public var conclusion: VerificationConclusion
    /// 计入家庭人口数 (N).
    public var countedMembers: Int
    /// 家庭月人均收入 (P), fen.
    public var perCapitaIncome: Money
    /// 人均金融资产 (Pa), fen.
    public var perCapitaFinancialAssets: Money
    /// Sorted by code.
    public var flags: [VerificationFlag]
    /// Required sources that have not returned, sorted.
    public var missingSources: [String]
    /// 月保障金, fen; 0 unless `dibao`.
    public var monthlyBenefit: Money
    /// 单人户施保 — members who may be covered alone (only when `edge`), in member order.
    public var singlePersonEligible: [ResidentID]

    public init(conclusion: VerificationConclusion, countedMembers: Int, perCapitaIncome: Money,
                perCapitaFinancialAssets: Money, flags: [VerificationFlag], missingSources: [String],
                monthlyBenefit: Money, singlePersonEligible: [ResidentID]) {
        self.conclusion = conclusion
        self.countedMembers = countedMembers
        self.perCapitaIncome = perCapitaIncome
        self.perCapitaFinancialAssets = perCapitaFinancialAssets
        self.flags = Array(Set(flags)).sorted()
        self.missingSources = Array(Set(missingSources)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        self.monthlyBenefit = monthlyBenefit
        self.singlePersonEligible = singlePersonEligible
    }

    /// The `expect` object.
    public var json: JSONValue {
        .object([
            "conclusion": .string(conclusion.rawValue),
            "countedMembers": .integer(Int64(countedMembers)),
            "perCapitaIncome": .integer(perCapitaIncome.fen),
            "perCapitaFinancialAssets": .integer(perCapitaFinancialAssets.fen),
            "flags": .array(flags.map { .string($0.rawValue) }),
            "missingSources": .array(missingSources.map { .string($0) }),
            "monthlyBenefit": .integer(monthlyBenefit.fen),
            "singlePersonEligible": .array(singlePersonEligible.map { .string($0.value) }),
        ])
    }

    /// The names of the fields, in the order of FORMAT.md, for comparisons that
    /// report field by field.
    public static let fieldNames = ["conclusion", "countedMembers", "perCapitaIncome", "perCapitaFinancialAssets",
                                    "flags", "missingSources", "monthlyBenefit", "singlePersonEligible"]

    /// Reads an `expect` object; every field is required.
    public init(field: CaseField, asOf: LocalDate) throws(UserError) {
        conclusion = try field.field("conclusion").choice(VerificationConclusion.self)
        countedMembers = try field.field("countedMembers").int(in: 0...Int(Int32.max))
        perCapitaIncome = try field.field("perCapitaIncome").money()
        perCapitaFinancialAssets = try field.field("perCapitaFinancialAssets").money()
        var flags: [VerificationFlag] = []
        for item in try field.field("flags").array() { flags.append(try item.choice(VerificationFlag.self)) }
        self.flags = flags
        var missing: [String] = []
        for item in try field.field("missingSources").array() { missing.append(try item.string()) }
        missingSources = missing
        monthlyBenefit = try field.field("monthlyBenefit").money()
        var single: [ResidentID] = []
        for item in try field.field("singlePersonEligible").array() { single.append(try item.residentID(asOf: asOf)) }
        singlePersonEligible = single
    }
}

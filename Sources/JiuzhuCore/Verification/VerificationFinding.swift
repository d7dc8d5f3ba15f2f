/// The rules of the calculation (cases/FORMAT.md), numbered as there, so that
/// each line of the explanation says which rule produced it.
public enum VerificationRule: Int, Sendable, Hashable, CaseIterable, Comparable {
    case members = 1, window, income, financialAssets, vehicles, property, companies, missingSources,
         conclusion, benefit, singlePerson

    /// 规则名称.
    public var name: Bilingual { VerificationText.ruleName(self) }

    public static func < (lhs: VerificationRule, rhs: VerificationRule) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// 核对发现 — one line of the explanation: which rule, about which source,
/// record and member, and what it did to the outcome. The report (核对报告)
/// lists these, and a caseworker accepts or exempts them one by one.
public struct VerificationFinding: Sendable, Hashable {
    public let rule: VerificationRule
    /// The department source, for a line about a record or a source.
    public let source: String?
    /// The index into the case's `records`.
    public let recordIndex: Int?
    public let member: ResidentID?
    /// The flag this line raised, if any.
    public let flag: VerificationFlag?
    /// What the rule did, Chinese and English; IDs masked.
    public let effect: Bilingual
    /// 豁免理由 — the caseworker's reason when the record was exempted (it then
    /// counted for nothing); nil otherwise.
    public let exemption: String?

    public init(rule: VerificationRule, source: String? = nil, recordIndex: Int? = nil, member: ResidentID? = nil,
                flag: VerificationFlag? = nil, effect: Bilingual, exemption: String? = nil) {
        self.rule = rule
        self.source = source
        self.recordIndex = recordIndex
        self.member = member
        self.flag = flag
        self.effect = effect
        self.exemption = exemption
    }

    /// `records[3]`, as in the input errors.
    public var recordPath: String? { recordIndex.map { "records[\($0)]" } }

    /// One line: rule, then source, record and (masked) member where known, then the effect.
    /// `规则3 收入 · tax · records[0] · 340302********0315：计入 …`
    public func text(_ language: Language) -> String {
        let rulePart = VerificationText.ruleLabel(rule).text(language)
        let context = [source, recordPath, member?.masked].compactMap { $0 }
        let head = ([rulePart] + context).joined(separator: " · ")
        return head + (language == .zh ? "：" : ": ") + effect.text(language)
    }
}

extension RecordType {
    /// The rule a record of this type belongs to, under which an exempted
    /// record is listed: income and expenses 3, financial assets 4, vehicles 5,
    /// property 6, companies 7, deaths 1.
    public var rule: VerificationRule {
        switch self {
        case .income, .expense: .income
        case .financialAsset: .financialAssets
        case .vehicle: .vehicles
        case .property: .property
        case .company: .companies
        case .death: .members
        }
    }
}

/// 核对结果及说明 — the outcome with one explained line per finding, and the
/// intermediate figures the report shows against their thresholds.
public struct VerificationResult: Sendable, Hashable {
    public let outcome: VerificationOutcome
    /// In rule order; within a rule, in record (or member) order.
    public let findings: [VerificationFinding]
    /// 适用低保标准.
    public let standard: Money
    /// 收入核算期, first and last month.
    public let window: ClosedRange<YearMonth>
    /// I: counted income minus support paid minus deductible expenses (may be negative).
    public let householdIncome: Money
    /// A: the latest balance of every account.
    public let financialAssets: Money
    /// The counted members (rule 1), in member order.
    public let countedMemberIDs: [ResidentID]

    /// The explanation, one line per finding.
    public func explanation(_ language: Language) -> [String] {
        findings.map { $0.text(language) }
    }
}

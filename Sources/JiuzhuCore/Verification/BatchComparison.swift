// Batch re-verification (批量复核): how a household's new outcome compares
// with its previous result, and the tally of a whole run.

/// 上次核对结果 — what the latest earlier run concluded for a household.
public struct PreviousVerification: Sendable, Hashable {
    public var conclusion: VerificationConclusion
    /// 月保障金 then, fen; 0 unless `dibao`.
    public var monthlyBenefit: Money

    public init(conclusion: VerificationConclusion, monthlyBenefit: Money) {
        self.conclusion = conclusion
        self.monthlyBenefit = monthlyBenefit
    }
}

/// 复核变化 — what a re-verification means for a household, decided in this
/// order:
/// 1. `undetermined` — the new outcome is undetermined (a required source has
///    not answered): nothing is concluded, whatever the household had before.
/// 2. `new` — no earlier result.
/// 3. `stopped` (停保) — was dibao, now edge or ineligible: the payment stops.
/// 4. `amountChanged` — dibao before and now, with a different monthly benefit.
/// 5. `unchanged` — the same conclusion (and, for dibao, the same benefit).
/// 6. `classChanged` — any other change of conclusion: into dibao, edge ↔
///    ineligible, or out of an earlier undetermined. Leaving dibao is never a
///    class change but always `stopped`, so that the two counts do not overlap.
public enum BatchChange: String, Sendable, Hashable, CaseIterable {
    case new, unchanged, classChanged, stopped, amountChanged, undetermined

    public static func between(previous: PreviousVerification?, now: VerificationOutcome) -> BatchChange {
        if now.conclusion == .undetermined { return .undetermined }
        guard let previous else { return .new }
        if previous.conclusion == .dibao, now.conclusion != .dibao { return .stopped }
        if previous.conclusion == now.conclusion {
            return now.conclusion == .dibao && previous.monthlyBenefit != now.monthlyBenefit ? .amountChanged : .unchanged
        }
        return .classChanged
    }

    public var name: Bilingual {
        switch self {
        case .new: Bilingual(zh: "首次核对", en: "new")
        case .unchanged: Bilingual(zh: "无变化", en: "unchanged")
        case .classChanged: Bilingual(zh: "类别变化", en: "class changed")
        case .stopped: Bilingual(zh: "停保", en: "stopped")
        case .amountChanged: Bilingual(zh: "金额变化", en: "amount changed")
        case .undetermined: Bilingual(zh: "无法确认", en: "undetermined")
        }
    }
}

/// A household the run could not evaluate (no policy in force, a row that
/// does not read, a case the calculator refuses), with the reason.
public struct BatchError: Sendable, Hashable {
    /// The household's id as stored.
    public var household: String
    public var code: String
    public var message: Bilingual

    public init(household: String, error: UserError) {
        self.household = household
        self.code = error.code
        self.message = error.message
    }
}

/// 复核汇总 — the tally of one batch run. Households with an outcome are
/// counted per conclusion and per change; households without one are errors
/// (counted, the first `errorsListed` kept with their reason). The monthly
/// totals are over households with an outcome: before = their previous
/// benefits (0 where they had none), after = the new ones (0 unless dibao,
/// so an undetermined household contributes nothing after).
public struct BatchSummary: Sendable, Hashable {
    public static let errorsListed = 20

    /// Households read: with an outcome, or in error.
    public var households: Int { evaluated + errorCount }
    public private(set) var evaluated = 0
    public private(set) var byConclusion: [VerificationConclusion: Int] = [:]
    public private(set) var byChange: [BatchChange: Int] = [:]
    /// How many undetermined households miss each source.
    public private(set) var missingSources: [String: Int] = [:]
    public private(set) var benefitBefore = Money.zero
    public private(set) var benefitAfter = Money.zero
    public private(set) var errorCount = 0
    /// The first `errorsListed` errors, in the order met.
    public private(set) var errors: [BatchError] = []

    public init() {}

    public func count(_ conclusion: VerificationConclusion) -> Int { byConclusion[conclusion] ?? 0 }
    public func count(_ change: BatchChange) -> Int { byChange[change] ?? 0 }

    /// Tallies one household's outcome; returns its change.
    @discardableResult
    public mutating func add(previous: PreviousVerification?, outcome: VerificationOutcome) -> BatchChange {
        let change = BatchChange.between(previous: previous, now: outcome)
        evaluated += 1
        byConclusion[outcome.conclusion, default: 0] += 1
        byChange[change, default: 0] += 1
        for source in outcome.missingSources { missingSources[source, default: 0] += 1 }
        benefitBefore += previous?.monthlyBenefit ?? .zero
        benefitAfter += outcome.monthlyBenefit
        return change
    }

    public mutating func addError(_ error: BatchError) {
        errorCount += 1
        if errors.count < Self.errorsListed { errors.append(error) }
    }

    /// Adds another tally (of later households) to this one.
    public mutating func merge(_ other: BatchSummary) {
        evaluated += other.evaluated
        byConclusion.merge(other.byConclusion, uniquingKeysWith: +)
        byChange.merge(other.byChange, uniquingKeysWith: +)
        missingSources.merge(other.missingSources, uniquingKeysWith: +)
        benefitBefore += other.benefitBefore
        benefitAfter += other.benefitAfter
        errorCount += other.errorCount
        errors += other.errors.prefix(Self.errorsListed - errors.count)
    }

    /// Stored with the run: every count present, keys sorted when rendered.
    public var json: JSONValue {
        let counts = { (pairs: [(String, Int)]) -> JSONValue in
            .object(Dictionary(uniqueKeysWithValues: pairs.map { ($0.0, JSONValue.integer(Int64($0.1))) }))
        }
        return .object([
            "households": .integer(Int64(households)),
            "evaluated": .integer(Int64(evaluated)),
            "conclusions": counts(VerificationConclusion.allCases.map { ($0.rawValue, count($0)) }),
            "changes": counts(BatchChange.allCases.map { ($0.rawValue, count($0)) }),
            "missingSources": counts(missingSources.map { ($0.key, $0.value) }),
            "benefitBefore": .integer(benefitBefore.fen),
            "benefitAfter": .integer(benefitAfter.fen),
            "errors": .integer(Int64(errorCount)),
            "firstErrors": .array(errors.map {
                .object(["household": .string($0.household), "code": .string($0.code),
                         "messageZh": .string($0.message.zh), "messageEn": .string($0.message.en)])
            }),
        ])
    }

    /// The report, one bilingual line each, as the command prints it.
    public var lines: [Bilingual] {
        var lines: [Bilingual] = [
            Bilingual(zh: "复核户数：\(households)（已得出结论 \(evaluated)，错误 \(errorCount)）",
                      en: "Households: \(households) (evaluated \(evaluated), errors \(errorCount))"),
            Bilingual(
                zh: "结论：" + VerificationConclusion.allCases.map { "\(BatchText.conclusion($0).zh) \(count($0))" }.joined(separator: "，"),
                en: "Conclusions: " + VerificationConclusion.allCases.map { "\(BatchText.conclusion($0).en) \(count($0))" }.joined(separator: ", ")),
            Bilingual(
                zh: "变化：" + BatchChange.allCases.map { "\($0.name.zh) \(count($0))" }.joined(separator: "，"),
                en: "Changes: " + BatchChange.allCases.map { "\($0.name.en) \(count($0))" }.joined(separator: ", ")),
        ]
        if !missingSources.isEmpty {
            let listed = missingSources.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\($0.key) \($0.value)" }
            lines.append(Bilingual(zh: "无法确认的原因（缺少数据源，户数）：" + listed.joined(separator: "，"),
                                   en: "Undetermined for want of (source, households): " + listed.joined(separator: ", ")))
        }
        lines.append(Bilingual(zh: "月保障金合计：\(benefitBefore.formatted) → \(benefitAfter.formatted)",
                               en: "Monthly benefit total: \(benefitBefore.formatted) → \(benefitAfter.formatted)"))
        if errorCount > 0 {
            lines.append(Bilingual(zh: "错误 \(errorCount) 户，前 \(errors.count) 户：", en: "Errors: \(errorCount); the first \(errors.count):"))
            for error in errors {
                lines.append(Bilingual(zh: "  \(error.household) [\(error.code)] \(error.message.zh)",
                                       en: "  \(error.household) [\(error.code)] \(error.message.en)"))
            }
        }
        return lines
    }
}

/// Words of the batch report.
public enum BatchText {
    public static func conclusion(_ conclusion: VerificationConclusion) -> Bilingual {
        switch conclusion {
        case .dibao: Bilingual(zh: "低保", en: "dibao")
        case .edge: Bilingual(zh: "低保边缘", en: "edge")
        case .ineligible: Bilingual(zh: "不符合", en: "ineligible")
        case .undetermined: Bilingual(zh: "无法确认", en: "undetermined")
        }
    }

    /// A household whose residence is neither `urban` nor `rural`.
    public static let residenceUnknown = Bilingual(zh: "户主的城乡类别无法识别", en: "The head's residence (urban/rural) is not recognised")
    /// A member row that does not read.
    public static func memberUnreadable(_ what: String) -> Bilingual {
        Bilingual(zh: "家庭成员数据无法读取：\(what)", en: "A member's data cannot be read: \(what)")
    }
    public static let noMembers = Bilingual(zh: "家庭没有现有成员", en: "The household has no current members")
}

/// 动态管理 — what happens to an approved case while it is paid: regular
/// reviews by household class, changes the family reports, the taper after a
/// job, and transfer to another county (domain.md §3 "Dynamic management").

/// 分类管理 — the local A/B/C classes that set how often a dibao family is
/// reviewed. Tekun cases are reviewed on their own schedule.
public enum ReviewClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// A 类：基本生活长期稳定（无劳动能力、无收入来源的老年人、重病重残等）.
    case a
    /// B 类：收入有一定来源、短期内变化不大.
    case b
    /// C 类：有劳动能力、收入不稳定的家庭.
    case c

    public var name: Bilingual {
        switch self {
        case .a: Bilingual(zh: "A 类（长期稳定）", en: "Class A (stable over the long term)")
        case .b: Bilingual(zh: "B 类（基本稳定）", en: "Class B (fairly stable)")
        case .c: Bilingual(zh: "C 类（收入不稳定、有劳动能力）", en: "Class C (unstable income, able to work)")
        }
    }
}

/// 复核周期 — months between reviews per class (A yearly, B yearly, C every
/// 6 months; tekun yearly), how soon a reported change is reviewed, and how
/// far ahead a review is put in the caseworker's inbox. A region parameter.
public struct ReviewSchedule: Sendable, Hashable, Codable {
    public var classAMonths: Int
    public var classBMonths: Int
    public var classCMonths: Int
    public var tekunMonths: Int
    /// 变更复核 — calendar days after a change is reported (other than a
    /// death, which has its own 3-month rule) within which the family is reviewed.
    public var changeReviewDays: Int
    /// 提前提醒 — a review enters the inbox this many days before it is due.
    public var reminderDays: Int

    public static let monthsRange = 1...24
    public static let changeReviewDaysRange = 1...90
    public static let reminderDaysRange = 0...90

    public init(classAMonths: Int = 12, classBMonths: Int = 12, classCMonths: Int = 6, tekunMonths: Int = 12,
                changeReviewDays: Int = 30, reminderDays: Int = 30) {
        self.classAMonths = classAMonths
        self.classBMonths = classBMonths
        self.classCMonths = classCMonths
        self.tekunMonths = tekunMonths
        self.changeReviewDays = changeReviewDays
        self.reminderDays = reminderDays
    }

    public static let standard = ReviewSchedule()

    /// Missing keys take their standard values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let s = ReviewSchedule.standard
        self.init(classAMonths: try c.decodeIfPresent(Int.self, forKey: .classAMonths) ?? s.classAMonths,
                  classBMonths: try c.decodeIfPresent(Int.self, forKey: .classBMonths) ?? s.classBMonths,
                  classCMonths: try c.decodeIfPresent(Int.self, forKey: .classCMonths) ?? s.classCMonths,
                  tekunMonths: try c.decodeIfPresent(Int.self, forKey: .tekunMonths) ?? s.tekunMonths,
                  changeReviewDays: try c.decodeIfPresent(Int.self, forKey: .changeReviewDays) ?? s.changeReviewDays,
                  reminderDays: try c.decodeIfPresent(Int.self, forKey: .reminderDays) ?? s.reminderDays)
    }

    /// Every value within its range, named by its field when not.
    public func validate() throws(UserError) {
        for (field, value) in [("classAMonths", classAMonths), ("classBMonths", classBMonths),
                               ("classCMonths", classCMonths), ("tekunMonths", tekunMonths)]
        where !Self.monthsRange.contains(value) {
            throw UserError("review_schedule.months", field: field,
                            zh: "复核周期应为 \(Self.monthsRange.lowerBound) 至 \(Self.monthsRange.upperBound) 个月（\(field)）",
                            en: "A review interval is \(Self.monthsRange.lowerBound) to \(Self.monthsRange.upperBound) months (\(field))")
        }
        guard Self.changeReviewDaysRange.contains(changeReviewDays) else {
            throw UserError("review_schedule.change_days", field: "changeReviewDays",
                            zh: "变更复核时限应为 1 至 90 天", en: "The review after a change is due within 1 to 90 days")
        }
        guard Self.reminderDaysRange.contains(reminderDays) else {
            throw UserError("review_schedule.reminder_days", field: "reminderDays",
                            zh: "提前提醒天数应为 0 至 90 天", en: "The reminder comes 0 to 90 days ahead")
        }
    }

    /// Months between reviews of a case of `programme` in `reviewClass`; nil
    /// where the programme has no periodic review (its validity or its one
    /// payment ends it).
    public func months(programme: Programme, reviewClass: ReviewClass?) -> Int? {
        switch programme {
        case .tekun: return tekunMonths
        case .dibao:
            switch reviewClass ?? .b {
            case .a: return classAMonths
            case .b: return classBMonths
            case .c: return classCMonths
            }
        case .edge, .rigid, .temporaryEmergency, .temporaryExpenditure: return nil
        }
    }

    /// 定期复核 — the review due `months` after `from` (an approval or the last review).
    public func nextReview(programme: Programme, reviewClass: ReviewClass?, from date: LocalDate) -> CaseDeadline? {
        guard let months = months(programme: programme, reviewClass: reviewClass) else { return nil }
        let label = programme == .tekun ? Bilingual(zh: "特困人员", en: "tekun")
            : (reviewClass ?? .b).name
        return CaseDeadline(kind: .review, date: date.adding(months: months),
                            rule: Bilingual(zh: "\(label.zh)每 \(months) 个月复核一次", en: "\(label.en): reviewed every \(months) months"))
    }

    /// Whether a case step due on `due` belongs in the inbox on `today`: a
    /// review far ahead waits until it comes within the reminder window.
    public func isInInbox(due: LocalDate, today: LocalDate) -> Bool {
        due <= today.adding(days: reminderDays)
    }

    /// The first day a step due on `due` is in the inbox.
    public func reminderDay(due: LocalDate) -> LocalDate {
        due.adding(days: -reminderDays)
    }
}

/// 家庭变化的类别.
public enum ChangeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 家庭成员死亡.
    case death
    /// 就业（成员找到工作）.
    case employment
    /// 收入变化.
    case income
    /// 家庭人口变化（出生、婚嫁、分户等）.
    case members
    /// 财产变化（房产、车辆、存款等）.
    case assets
    /// 居住地变化.
    case residence
    case other

    public var name: Bilingual {
        switch self {
        case .death: Bilingual(zh: "家庭成员死亡", en: "A member died")
        case .employment: Bilingual(zh: "成员就业", en: "A member found work")
        case .income: Bilingual(zh: "收入变化", en: "Income changed")
        case .members: Bilingual(zh: "家庭人口变化", en: "Household members changed")
        case .assets: Bilingual(zh: "财产变化", en: "Assets changed")
        case .residence: Bilingual(zh: "居住地变化", en: "Moved home")
        case .other: Bilingual(zh: "其他变化", en: "Another change")
        }
    }
}

/// 家庭情况变化报告 — what changed, when, as the family (or the village)
/// reported it.
public struct ChangeReport: Sendable, Hashable, Codable {
    public var kind: ChangeKind
    public var occurredOn: LocalDate
    public var detail: String

    /// 家庭成员死亡后 3 个月内复核.
    public static let deathReviewMonths = 3
    /// 超过 3 个月未报告重大变化 → 预警.
    public static let reportWithinMonths = 3
    public static let detailLength = 2...500

    public init(kind: ChangeKind, occurredOn: LocalDate, detail: String) {
        self.kind = kind
        self.occurredOn = occurredOn
        self.detail = detail
    }

    /// Refuses a change dated after the report or a detail out of bounds.
    public func validate(reportedOn: LocalDate) throws(UserError) {
        guard occurredOn <= reportedOn else {
            throw UserError("change.date_in_future", field: "changeOccurredOn",
                            zh: "变化发生日期不能晚于报告日期", en: "The change cannot be dated after the report")
        }
        let count = detail.trimmingWhitespace.count
        guard Self.detailLength.contains(count) else {
            throw UserError("change.detail_length", field: "changeDetail",
                            zh: "变化情况应为 \(Self.detailLength.lowerBound) 至 \(Self.detailLength.upperBound) 字",
                            en: "Describe the change in \(Self.detailLength.lowerBound) to \(Self.detailLength.upperBound) characters")
        }
    }

    /// 逾期未报告 — reported more than 3 months after it happened.
    public func isLate(reportedOn: LocalDate) -> Bool {
        reportedOn > occurredOn.adding(months: Self.reportWithinMonths)
    }

    /// The review the change calls for: a death within 3 months of the
    /// death; any other change within the region's days of the report.
    public func review(reportedOn: LocalDate, schedule: ReviewSchedule) -> CaseDeadline {
        if kind == .death {
            let months = Self.deathReviewMonths
            return CaseDeadline(kind: .changeReview, date: occurredOn.adding(months: months),
                                rule: Bilingual(zh: "家庭成员死亡后 \(months) 个月内复核", en: "Review within \(months) months of a member's death"))
        }
        let days = schedule.changeReviewDays
        return CaseDeadline(kind: .changeReview, date: reportedOn.adding(days: days),
                            rule: Bilingual(zh: "报告家庭情况变化后 \(days) 天内复核",
                                            en: "Review within \(days) days of a reported change"))
    }
}

/// 渐退期 — after a member finds work and the income rises above the
/// standard, the support goes on for up to 6 months before it stops.
public struct TaperPlan: Sendable, Hashable, Codable {
    public var months: Int

    public static let maxMonths = 6

    public init(months: Int) throws(UserError) {
        guard (1...Self.maxMonths).contains(months) else {
            throw UserError("taper.months", field: "taperMonths",
                            zh: "渐退期应为 1 至 \(Self.maxMonths) 个月", en: "A taper lasts 1 to \(Self.maxMonths) months")
        }
        self.months = months
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let months = try container.decode(Int.self, forKey: .months)
        do { try self.init(months: months) } catch {
            throw DecodingError.dataCorruptedError(forKey: .months, in: container, debugDescription: error.message.en)
        }
    }

    /// The last month paid: the taper's months follow the month of the decision.
    public func lastPaidMonth(decidedOn: LocalDate) -> YearMonth? {
        YearMonth(year: decidedOn.year, month: decidedOn.month)?.adding(months: months)
    }

    /// 渐退期满 — the last day of the last paid month: the case is stopped by then.
    public func end(decidedOn: LocalDate) -> CaseDeadline? {
        guard let last = lastPaidMonth(decidedOn: decidedOn),
              let first = LocalDate(year: last.year, month: last.month, day: 1) else { return nil }
        return CaseDeadline(kind: .taperEnd, date: first.adding(days: LocalDate.daysInMonth(year: last.year, month: last.month) - 1),
                            rule: Bilingual(zh: "渐退期 \(months) 个月（至 \(last) 止），期满终止救助",
                                            en: "Tapered for \(months) months (until \(last)); support stops at the end"))
    }
}

/// 跨县迁移 — the village the household moves to (in another county) and why.
public struct TransferRequest: Sendable, Hashable, Codable {
    public var destination: RegionCode
    public var reason: String

    public init(destination: RegionCode, reason: String) {
        self.destination = destination
        self.reason = reason
    }

    /// The destination is a village in another county, and a reason is given.
    public func validate(from caseRegion: RegionCode) throws(UserError) {
        guard destination.level == .village else {
            throw UserError("transfer.destination_level", field: "transferDestination",
                            zh: "迁入地须为村（社区）一级的区划代码", en: "The destination must be a village (community) code")
        }
        guard destination.ancestor(at: .county) != caseRegion.ancestor(at: .county) else {
            throw UserError("transfer.same_county", field: "transferDestination",
                            zh: "迁入地与现居住地属同一县（区），无须转移", en: "The destination is in the same county; no transfer is needed")
        }
        guard nonBlankText(reason) != nil else {
            throw UserError("transfer.reason", field: "transferReason", zh: "请填写迁移原因", en: "Give the reason for the move")
        }
    }
}

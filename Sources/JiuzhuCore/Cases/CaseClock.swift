/// The kinds of time limit a case carries.
public enum CaseDeadlineKind: String, Sendable, Codable, CaseIterable {
    /// 启动入户调查 — ≤3 WD after acceptance.
    case investigationStart = "investigation_start"
    /// 特困调查核实并提出初审意见 — ≤15 WD after acceptance.
    case investigation
    /// 公示期 — 7 calendar days.
    case publicityEnd = "publicity_end"
    /// 审核确认 — ≤10 WD (tekun ≤15 WD) after the county receives the case.
    case confirmation
    /// 书面告知不予批准 — ≤3 WD after the decision.
    case rejectionNotice = "rejection_notice"
    /// 全流程办理时限.
    case wholeProcess = "whole_process"
    /// 急难型临时救助补齐手续.
    case emergencyRecord = "emergency_record"
    /// 刚性支出困难家庭认定有效期.
    case validityEnd = "validity_end"
    /// 定期复核 — by household class (A/B/C) or tekun.
    case review
    /// 变化复核 — a reported change (a death: within 3 months of it).
    case changeReview = "change_review"
    /// 渐退期满 — the case is stopped by the end of its taper.
    case taperEnd = "taper_end"
    /// 书面告知调整或终止 — a change of amount, a taper or a stop explained in writing.
    case decisionNotice = "decision_notice"
    /// 终止公示期满 — a tekun termination's 7-day notice.
    case terminationNoticeEnd = "termination_notice_end"

    public var name: Bilingual {
        switch self {
        case .investigationStart: Bilingual(zh: "启动入户调查", en: "Start of the home investigation")
        case .investigation: Bilingual(zh: "调查核实并提出初审意见", en: "Investigation and initial opinion")
        case .publicityEnd: Bilingual(zh: "公示期满", en: "End of publicity")
        case .confirmation: Bilingual(zh: "审核确认", en: "Confirmation")
        case .rejectionNotice: Bilingual(zh: "书面告知不予批准", en: "Written notice of rejection")
        case .wholeProcess: Bilingual(zh: "全流程办结", en: "Whole process")
        case .emergencyRecord: Bilingual(zh: "补齐审批手续", en: "Completion of the emergency record")
        case .validityEnd: Bilingual(zh: "认定有效期届满", en: "End of validity")
        case .review: Bilingual(zh: "定期复核", en: "Scheduled review")
        case .changeReview: Bilingual(zh: "变化复核", en: "Review after a change")
        case .taperEnd: Bilingual(zh: "渐退期满", en: "End of the taper")
        case .decisionNotice: Bilingual(zh: "书面告知决定", en: "Written notice of the decision")
        case .terminationNoticeEnd: Bilingual(zh: "终止公示期满", en: "End of the termination notice")
        }
    }
}

/// A time limit: the last day on which the step is on time, and the rule
/// that set it, to show beside the date.
public struct CaseDeadline: Sendable, Hashable, Codable {
    public let kind: CaseDeadlineKind
    /// The last day (inclusive) on which the step is on time.
    public let date: LocalDate
    public let rule: Bilingual

    public init(kind: CaseDeadlineKind, date: LocalDate, rule: Bilingual) {
        self.kind = kind
        self.date = date
        self.rule = rule
    }

    /// 逾期 — `today` is after the last day.
    public func isOverdue(today: LocalDate) -> Bool { today > date }
}

/// 延长办理时限 — 30 → 45 working days, only with a recorded reason
/// (objection, 人户分离, cross-region, a hard case).
public struct CaseExtension: Sendable, Hashable, Codable {
    public let reason: String

    public static let maxReasonLength = 200

    public init(reason: String) throws(UserError) {
        let text = String(reason.trimmingWhitespace)
        guard !text.isEmpty else {
            throw UserError("case.extension_reason_required", field: "extensionReason",
                            zh: "延长办理时限须填写理由", en: "Give the reason for extending the time limit")
        }
        guard text.count <= Self.maxReasonLength else {
            throw UserError("case.extension_reason_too_long", field: "extensionReason",
                            zh: "延期理由不能超过 \(Self.maxReasonLength) 字",
                            en: "The reason can be at most \(Self.maxReasonLength) characters")
        }
        self.reason = text
    }
}

/// 办理时限 — the statutory clock of one case: computed from the acceptance
/// date on the working-day calendar, each limit with the rule that set it.
/// Days are counted from the day after the event (the event's own day is
/// not counted), as `WorkingCalendar.adding(workingDays:to:)` does.
public struct CaseClock: Sendable {
    public let programme: Programme
    public let options: WorkflowOptions
    public let calendar: WorkingCalendar
    public let acceptedOn: LocalDate
    public let extended: CaseExtension?

    public static let investigationStartWorkingDays = 3
    public static let tekunInvestigationWorkingDays = 15
    public static let tekunConfirmationWorkingDays = 15
    public static let confirmationWorkingDays = 10
    public static let rejectionNoticeWorkingDays = 3
    public static let publicityCalendarDays = 7
    public static let wholeProcessWorkingDays = 30
    public static let extendedWorkingDays = 45
    public static let delegatedWorkingDays = 20
    /// 刚性支出困难家庭认定有效期最长 12 个月.
    public static let maxValidityMonths = 12

    /// Refuses an extension where the programme or region has none: tekun
    /// (fixed 15 + 15 WD), emergency help, the delegated 20 WD variant, or a
    /// region that does not allow extensions.
    public init(acceptedOn: LocalDate, programme: Programme, options: WorkflowOptions,
                calendar: WorkingCalendar, extended: CaseExtension? = nil) throws(UserError) {
        if extended != nil { try Self.checkExtensionAllowed(programme: programme, options: options) }
        self.init(checkedAcceptedOn: acceptedOn, programme: programme, options: options, calendar: calendar,
                  extended: extended)
    }

    init(checkedAcceptedOn acceptedOn: LocalDate, programme: Programme, options: WorkflowOptions,
         calendar: WorkingCalendar, extended: CaseExtension?) {
        self.acceptedOn = acceptedOn
        self.programme = programme
        self.options = options
        self.calendar = calendar
        self.extended = extended
    }

    static func checkExtensionAllowed(programme: Programme, options: WorkflowOptions) throws(UserError) {
        guard options.extensionAllowed else {
            throw UserError("case.extension_not_allowed", field: "extensionReason",
                            zh: "本地区未开放延长办理时限", en: "This region does not allow extending the time limit")
        }
        guard Self.hasWholeProcessLimit(programme) else {
            throw UserError("case.extension_not_applicable", field: "extensionReason",
                            zh: "\(programme.name.zh)没有可延长的办理时限",
                            en: "\(programme.name.en) has no time limit that can be extended")
        }
        guard !options.isDelegated(programme) else {
            throw UserError("case.extension_delegated", field: "extensionReason",
                            zh: "审核确认权下放的地区须在 20 个工作日内办结，不能延长",
                            en: "Where confirmation is delegated the case must finish within 20 working days; it cannot be extended")
        }
    }

    /// Programmes with a 30 WD whole-process limit (dibao procedure, rigid).
    /// Temporary expenditure follows the full procedure; this project gives
    /// it the dibao limits, since no national figure exists.
    static func hasWholeProcessLimit(_ programme: Programme) -> Bool {
        switch programme {
        case .dibao, .edge, .rigid, .temporaryExpenditure: true
        case .tekun, .temporaryEmergency: false
        }
    }

    /// Programmes whose township must start the home visit within 3 WD.
    static func hasInvestigationStartLimit(_ programme: Programme) -> Bool {
        hasWholeProcessLimit(programme)
    }

    /// 全流程 — 30 WD from acceptance, 45 WD extended, 20 WD delegated; nil
    /// for tekun (two separate 15 WD limits) and emergency help.
    public var wholeProcess: CaseDeadline? {
        guard Self.hasWholeProcessLimit(programme) else { return nil }
        let (days, rule): (Int, Bilingual)
        if options.isDelegated(programme) {
            days = Self.delegatedWorkingDays
            rule = Bilingual(zh: "审核确认权下放，受理后 \(days) 个工作日内办结",
                             en: "Confirmation delegated: finish within \(days) working days of acceptance")
        } else if let extended {
            days = Self.extendedWorkingDays
            rule = Bilingual(zh: "受理后 \(days) 个工作日内办结（已延期：\(extended.reason)）",
                             en: "Finish within \(days) working days of acceptance (extended: \(extended.reason))")
        } else {
            days = Self.wholeProcessWorkingDays
            rule = Bilingual(zh: "受理后 \(days) 个工作日内办结",
                             en: "Finish within \(days) working days of acceptance")
        }
        return CaseDeadline(kind: .wholeProcess, date: calendar.adding(workingDays: days, to: acceptedOn), rule: rule)
    }

    /// 启动入户调查 — ≤3 WD after acceptance (dibao procedure and rigid).
    public var investigationStart: CaseDeadline? {
        guard Self.hasInvestigationStartLimit(programme) else { return nil }
        let days = Self.investigationStartWorkingDays
        return CaseDeadline(kind: .investigationStart, date: calendar.adding(workingDays: days, to: acceptedOn),
                            rule: Bilingual(zh: "受理后 \(days) 个工作日内启动入户调查",
                                            en: "Start the home investigation within \(days) working days of acceptance"))
    }

    /// 特困：受理后 15 WD 内调查核实并提出初审意见.
    public var investigation: CaseDeadline? {
        guard programme == .tekun else { return nil }
        let days = Self.tekunInvestigationWorkingDays
        return CaseDeadline(kind: .investigation, date: calendar.adding(workingDays: days, to: acceptedOn),
                            rule: Bilingual(zh: "受理后 \(days) 个工作日内完成调查核实并提出初审意见",
                                            en: "Investigate and give the initial opinion within \(days) working days of acceptance"))
    }

    /// The limits that run from acceptance.
    public var initialDeadlines: [CaseDeadline] {
        [investigationStart, investigation, wholeProcess].compactMap { $0 }
    }

    /// 公示 7 天: posted on `startedOn`, the 7 days count from the next day,
    /// so the last day of publicity is `startedOn + 7`.
    public func publicityEnd(startedOn: LocalDate) -> CaseDeadline {
        let days = Self.publicityCalendarDays
        return CaseDeadline(kind: .publicityEnd, date: Self.noticeLastDay(postedOn: startedOn),
                            rule: Bilingual(zh: "在村（社区）公示 \(days) 天（自张贴次日起算）",
                                            en: "Posted in the village for \(days) days (counted from the day after posting)"))
    }

    /// 终止公示 — posted on `startedOn` for 7 days, like an application's notice.
    public func terminationNoticeEnd(startedOn: LocalDate) -> CaseDeadline {
        let days = Self.publicityCalendarDays
        return CaseDeadline(kind: .terminationNoticeEnd, date: Self.noticeLastDay(postedOn: startedOn),
                            rule: Bilingual(zh: "终止前在村（社区）公示 \(days) 天（自张贴次日起算）",
                                            en: "Posted in the village for \(days) days before the stop (counted from the day after posting)"))
    }

    /// Whether a notice posted on `startedOn` is still up on `today`: it ends
    /// by itself after its 7th day, whether or not the case has moved on.
    public static func isPosted(startedOn: LocalDate, today: LocalDate) -> Bool {
        startedOn <= today && today <= noticeLastDay(postedOn: startedOn)
    }

    /// The last day a village notice posted on `postedOn` is up: the 7 days
    /// count from the day after posting.
    public static func noticeLastDay(postedOn: LocalDate) -> LocalDate {
        postedOn.adding(days: publicityCalendarDays)
    }

    /// The earliest posting day of a notice still up on `today`.
    public static func earliestPostingStillUp(today: LocalDate) -> LocalDate {
        today.adding(days: -publicityCalendarDays)
    }

    /// 审核确认 — ≤10 WD after the county receives the case (tekun: ≤15 WD,
    /// including its on-site sampling); nil where the township confirms.
    public func confirmation(receivedOn: LocalDate) -> CaseDeadline? {
        guard !options.isDelegated(programme), programme != .temporaryEmergency else { return nil }
        let days = programme == .tekun ? Self.tekunConfirmationWorkingDays : Self.confirmationWorkingDays
        let rule = programme == .tekun
            ? Bilingual(zh: "县级收到初审意见后 \(days) 个工作日内完成抽查并作出确认决定",
                        en: "The county checks its sample and decides within \(days) working days of receiving the case")
            : Bilingual(zh: "县级收到材料后 \(days) 个工作日内提出审核确认意见",
                        en: "The county gives its confirmation opinion within \(days) working days of receiving the case")
        return CaseDeadline(kind: .confirmation, date: calendar.adding(workingDays: days, to: receivedOn), rule: rule)
    }

    /// 不予批准 — written notice with reasons ≤3 WD after the decision.
    public func rejectionNotice(decidedOn: LocalDate) -> CaseDeadline {
        let days = Self.rejectionNoticeWorkingDays
        return CaseDeadline(kind: .rejectionNotice, date: calendar.adding(workingDays: days, to: decidedOn),
                            rule: Bilingual(zh: "作出决定后 \(days) 个工作日内书面告知申请人并说明理由",
                                            en: "Tell the applicant in writing, with reasons, within \(days) working days of the decision"))
    }

    /// 调整、渐退、终止 — explained to the family in writing ≤3 WD after the decision.
    public func decisionNotice(decidedOn: LocalDate) -> CaseDeadline {
        let days = Self.rejectionNoticeWorkingDays
        return CaseDeadline(kind: .decisionNotice, date: calendar.adding(workingDays: days, to: decidedOn),
                            rule: Bilingual(zh: "作出决定后 \(days) 个工作日内书面告知家庭并说明理由",
                                            en: "Tell the family in writing, with reasons, within \(days) working days of the decision"))
    }

    /// 先行救助后补齐手续 — within the region's number of working days.
    public func emergencyRecord(paidOn: LocalDate) -> CaseDeadline {
        Self.emergencyRecord(paidOn: paidOn, options: options, calendar: calendar)
    }

    public static func emergencyRecord(paidOn: LocalDate, options: WorkflowOptions,
                                       calendar: WorkingCalendar) -> CaseDeadline {
        let days = options.emergencyRecordWorkingDays
        return CaseDeadline(kind: .emergencyRecord, date: calendar.adding(workingDays: days, to: paidOn),
                            rule: Bilingual(zh: "先行救助后 \(days) 个工作日内补齐审批手续",
                                            en: "Complete the record within \(days) working days of paying first"))
    }

    /// 刚性支出困难家庭认定有效期 — the last valid day, `months` (≤12) after approval.
    public func validityEnd(approvedOn: LocalDate, months: Int = CaseClock.maxValidityMonths) throws(UserError) -> CaseDeadline {
        try RigidValidity.end(approvedOn: approvedOn, months: months)
    }
}

/// 刚性支出困难家庭认定有效期 — at most 12 months from approval.
public enum RigidValidity {
    /// The last valid day: the day before the same day `months` later; if
    /// that day does not exist (Jan 31 + 1 month), the anniversary is the
    /// 1st of the following month, so the last valid day is the month's end.
    public static func end(approvedOn: LocalDate, months: Int = CaseClock.maxValidityMonths) throws(UserError) -> CaseDeadline {
        guard (1...CaseClock.maxValidityMonths).contains(months) else {
            throw UserError("case.validity_months", field: "validityMonths",
                            zh: "认定有效期应为 1 至 \(CaseClock.maxValidityMonths) 个月",
                            en: "The validity must be 1 to \(CaseClock.maxValidityMonths) months")
        }
        var firstOfMonth = approvedOn.adding(days: 1 - approvedOn.day)
        for _ in 0..<months {
            firstOfMonth = firstOfMonth.adding(days: LocalDate.daysInMonth(year: firstOfMonth.year, month: firstOfMonth.month))
        }
        let length = LocalDate.daysInMonth(year: firstOfMonth.year, month: firstOfMonth.month)
        let anniversary = approvedOn.day <= length
            ? firstOfMonth.adding(days: approvedOn.day - 1)
            : firstOfMonth.adding(days: length)
        return CaseDeadline(kind: .validityEnd, date: anniversary.adding(days: -1),
                            rule: Bilingual(zh: "认定有效期 \(months) 个月（自批准之日起）",
                                            en: "Valid for \(months) months from approval"))
    }
}

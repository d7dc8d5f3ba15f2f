/// Where a person's next visit stands on a given day.
public enum VisitStatus: Sendable, Hashable {
    /// Not yet due: `daysUntilDue` calendar days to go (≥ 1).
    case upcoming(daysUntilDue: Int)
    /// Today is the due date.
    case due
    /// Past the due date, within the grace period: `daysOverdue` calendar
    /// days late (≥ 1).
    case overdue(daysOverdue: Int)
    /// Past the last day of grace: an escalation task for the township
    /// supervisor (督办).
    case escalated(daysOverdue: Int)

    public var name: Bilingual {
        switch self {
        case .upcoming(let days): Bilingual(zh: "待走访（\(days) 天后到期）", en: "Upcoming (due in \(days) days)")
        case .due: Bilingual(zh: "今日到期", en: "Due today")
        case .overdue(let days): Bilingual(zh: "已逾期 \(days) 天", en: "Overdue by \(days) days")
        case .escalated(let days): Bilingual(zh: "已逾期 \(days) 天，已提交乡镇督办",
                                             en: "Overdue by \(days) days, escalated to the township supervisor")
        }
    }

    public var isLate: Bool {
        switch self {
        case .overdue, .escalated: true
        case .upcoming, .due: false
        }
    }
}

/// 走访计划 — the next visit a person is due, computed from the last visit
/// (or enrolment, when there has been none), their self-care class and the
/// region's policy.
///
/// The next visit is counted from the day the last visit was actually made,
/// so a late visit pushes the following one back rather than leaving it
/// already overdue.
public struct VisitSchedule: Sendable, Hashable {
    /// The last visit, or the enrolment date if there has been no visit.
    public let anchor: LocalDate
    public let selfCare: SelfCareClass
    public let intervalDays: Int
    /// `anchor + intervalDays`, before moving off a rest day.
    public let nominalDueDate: LocalDate
    /// The day the visit is due: the nominal date, or the next working day
    /// when the policy moves due dates off rest days.
    public let dueDate: LocalDate
    /// The last day of grace: `escalationGraceWorkingDays` working days after
    /// the due date. From the next day on, the visit is escalated.
    public let lastDayOfGrace: LocalDate
    /// How the due date was set, to show beside it.
    public let rule: Bilingual

    public init(policy: VisitPolicy, selfCare: SelfCareClass, lastVisitOrEnrolment anchor: LocalDate,
                calendar: WorkingCalendar) {
        let interval = policy.intervalDays(for: selfCare)
        let nominal = anchor.adding(days: interval)
        var due = nominal
        if policy.dueDateMovesToWorkingDay, !calendar.isWorkingDay(nominal) {
            due = calendar.adding(workingDays: 1, to: nominal)
        }
        self.anchor = anchor
        self.selfCare = selfCare
        self.intervalDays = interval
        self.nominalDueDate = nominal
        self.dueDate = due
        self.lastDayOfGrace = calendar.adding(workingDays: policy.escalationGraceWorkingDays, to: due)
        self.rule = VisitText.scheduleRule(selfCare: selfCare, intervalDays: interval, anchor: anchor,
                                           nominal: nominal, due: due,
                                           graceWorkingDays: policy.escalationGraceWorkingDays)
    }

    /// The status on `day`. Days overdue are calendar days after the due date.
    public func status(on day: LocalDate) -> VisitStatus {
        if day < dueDate { return .upcoming(daysUntilDue: day.days(until: dueDate)) }
        if day == dueDate { return .due }
        let late = dueDate.days(until: day)
        return day > lastDayOfGrace ? .escalated(daysOverdue: late) : .overdue(daysOverdue: late)
    }
}

/// 复评任务 — a self-care re-assessment the township owes after a visit saw
/// a change, with its deadline and the rule that set it.
public struct ReassessmentTask: Sendable, Hashable {
    public let personID: String
    public let assessed: SelfCareClass
    /// The class the observed activities would give.
    public let observed: SelfCareClass
    public let observedFailed: [DailyActivity]
    public let observedOn: LocalDate
    public let dueDate: LocalDate
    public let rule: Bilingual
}

/// Compares what a visit saw with the person's assessed class.
public enum SelfCareChange {
    /// A task when the activities observed at the visit give a different class
    /// from the assessed one (better or worse: either changes the care tier);
    /// nil when they agree or nothing was observed. Due `reassessmentWorkingDays`
    /// working days after the visit day.
    public static func reassessment(personID: String, assessed: SelfCareClass, observedFailed: Set<DailyActivity>?,
                                    observedOn: LocalDate, policy: VisitPolicy,
                                    calendar: WorkingCalendar) -> ReassessmentTask? {
        guard let observedFailed else { return nil }
        let observed = SelfCareAssessment(failed: observedFailed)
        guard observed.selfCareClass != assessed else { return nil }
        let days = policy.reassessmentWorkingDays
        return ReassessmentTask(
            personID: personID, assessed: assessed, observed: observed.selfCareClass,
            observedFailed: observed.failedInFormOrder, observedOn: observedOn,
            dueDate: calendar.adding(workingDays: days, to: observedOn),
            rule: VisitText.reassessmentRule(workingDays: days, observedOn: observedOn))
    }

    /// The same, from a check-in: the visit day is its China calendar day.
    public static func reassessment(for checkIn: CheckIn, assessed: SelfCareClass, policy: VisitPolicy,
                                    calendar: WorkingCalendar, secondsFromGMT: Int = 8 * 3600) -> ReassessmentTask? {
        reassessment(personID: checkIn.personID, assessed: assessed,
                     observedFailed: checkIn.observedFailedActivities,
                     observedOn: checkIn.localDate(secondsFromGMT: secondsFromGMT), policy: policy, calendar: calendar)
    }
}

/// 需求转介 — needs seen at a visit (illness, a leaking roof, no heating)
/// go to the township caseworker, who refers each to its department or notes
/// why not.
public enum VisitNeedsFollowUp {
    /// Working days the caseworker has: a need seen on a visit is as urgent as
    /// the charity matching of a referral (`ReferralPolicy.standard`).
    public static let workingDays = 5

    public static func due(observedOn day: LocalDate, calendar: WorkingCalendar) -> (due: LocalDate, rule: Bilingual) {
        let due = calendar.adding(workingDays: workingDays, to: day)
        return (due, Bilingual(zh: "走访（\(day)）发现的需求，应在 \(workingDays) 个工作日内（\(due) 前）转介或说明",
                               en: "Needs seen at the visit on \(day) are to be referred or answered within \(workingDays) working days (by \(due))"))
    }
}

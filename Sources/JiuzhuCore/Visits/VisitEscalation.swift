/// 督办 — the escalation task a visit left unmade past its grace period
/// gives the township supervisor.
public struct VisitEscalationTask: Sendable, Hashable {
    /// The visit's due date (one task per missed due date).
    public let visitDueDate: LocalDate
    /// The first day after the grace period.
    public let escalatedOn: LocalDate
    /// The supervisor's own deadline to see the visit made.
    public let dueDate: LocalDate
    public let rule: Bilingual
}

public enum VisitEscalation {
    /// Working days the township supervisor has, from escalation, to see the
    /// visit made — the same span as a dibao rejection letter (3 WD).
    public static let supervisorWorkingDays = 3

    /// The task on `today`, when the schedule's visit is past its grace
    /// period; nil while it is not yet (or not at all) late enough.
    public static func task(for schedule: VisitSchedule, on today: LocalDate,
                            calendar: WorkingCalendar) -> VisitEscalationTask? {
        guard case .escalated = schedule.status(on: today) else { return nil }
        let escalatedOn = schedule.lastDayOfGrace.adding(days: 1)
        let due = calendar.adding(workingDays: supervisorWorkingDays, to: escalatedOn)
        return VisitEscalationTask(
            visitDueDate: schedule.dueDate, escalatedOn: escalatedOn, dueDate: due,
            rule: Bilingual(
                zh: "应于 \(schedule.dueDate) 走访，宽限期至 \(schedule.lastDayOfGrace) 仍未走访，\(escalatedOn) 起由乡镇督办，\(supervisorWorkingDays) 个工作日内（\(due) 前）完成",
                en: "Visit due \(schedule.dueDate), still not made after the grace period ending \(schedule.lastDayOfGrace); escalated to the township on \(escalatedOn), to be made within \(supervisorWorkingDays) working days (by \(due))"))
    }
}

/// 下一步 — what a case waits for: the actions on its main path, who takes
/// them, and by when. Feeds the task inbox; one rule for every programme.
public struct CaseAgendaItem: Sendable, Hashable {
    /// The actions that move the case on (not withdrawal, extension or an
    /// objection, which anyone concerned may start at any time).
    public let actions: [CaseAction]
    /// The role that takes them: the first actor of the first step.
    public let role: StaffRole
    /// The deadline the next step is due by: the earliest of the case's
    /// deadlines the steps are due by; else the whole-process limit.
    public let due: CaseDeadline?
}

public enum CaseAgenda {
    /// Actions that are side roads, not the next step.
    static let sideActions: Set<CaseAction> = [.withdraw, .extendDeadline, .raiseObjection, .terminate, .changeAmount,
                                               .reportChange, .startTaper, .requestTransfer, .postTerminationNotice]

    /// The next step of a case in `progress` with its known `deadlines` (the
    /// latest of each kind); nil when the case waits for nobody (decided or ended).
    /// An approved case waits for its review (the scheduled one or the one a
    /// change called for, whichever is sooner) or, at the end of a taper, for
    /// the stop — whichever is due first.
    public static func next(_ workflow: CaseWorkflow, progress: CaseProgress, deadlines: [CaseDeadline]) -> CaseAgendaItem? {
        if progress.state == .approved { return approvedNext(workflow, deadlines: deadlines) }
        let steps = workflow.steps(from: progress.state).filter { !sideActions.contains($0.action) }
        guard !progress.state.isFinal, let first = steps.first,
              let role = first.actors.first?.role else { return nil }
        var actions: [CaseAction] = []
        for step in steps where !actions.contains(step.action) { actions.append(step.action) }
        let kinds = Set(steps.flatMap(\.dueBy))
        // The whole-process limit binds only before the decision (a transfer has no limit of its own).
        let due = deadlines.filter { kinds.contains($0.kind) }.min { $0.date < $1.date }
            ?? (progress.state.isPending ? deadlines.first { $0.kind == .wholeProcess } : nil)
        return CaseAgendaItem(actions: actions, role: role, due: due)
    }

    private static func approvedNext(_ workflow: CaseWorkflow, deadlines: [CaseDeadline]) -> CaseAgendaItem? {
        let steps = workflow.steps(from: .approved)
        var items: [(item: CaseAgendaItem, date: LocalDate)] = []
        let reviews = deadlines.filter { $0.kind == .review || $0.kind == .changeReview }
        if let due = reviews.min(by: { $0.date < $1.date }), let role = steps.first(where: { $0.action == .review })?.actors.first?.role {
            items.append((CaseAgendaItem(actions: [.review], role: role, due: due), due.date))
        }
        let stops = deadlines.filter { $0.kind == .taperEnd || $0.kind == .terminationNoticeEnd }
        if let due = stops.min(by: { $0.date < $1.date }),
           let role = steps.first(where: { $0.action == .terminate })?.actors.first?.role {
            items.append((CaseAgendaItem(actions: [.terminate], role: role, due: due), due.date))
        }
        return items.min { $0.date < $1.date }?.item
    }

    /// The deadlines after a transition: the new ones replace those of the
    /// same kind, except that a review a change calls for never moves later
    /// (a second change does not postpone the review of a death); the kinds
    /// the step settles go.
    public static func merge(_ old: [CaseDeadline], with new: [CaseDeadline], clearing: [CaseDeadlineKind] = []) -> [CaseDeadline] {
        var fresh = new
        for (index, deadline) in fresh.enumerated() where deadline.kind == .changeReview {
            if let earlier = old.first(where: { $0.kind == .changeReview && $0.date < deadline.date }) { fresh[index] = earlier }
        }
        let replaced = Set(fresh.map(\.kind)).union(clearing)
        let kept = old.filter { !replaced.contains($0.kind) }
        return (kept + fresh).sorted { ($0.date, $0.kind.rawValue) < ($1.date, $1.kind.rawValue) }
    }
}

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
    static let sideActions: Set<CaseAction> = [.withdraw, .extendDeadline, .raiseObjection, .terminate, .changeAmount]

    /// The next step of a case in `progress` with its known `deadlines` (the
    /// latest of each kind); nil when the case waits for nobody (decided or ended).
    public static func next(_ workflow: CaseWorkflow, progress: CaseProgress, deadlines: [CaseDeadline]) -> CaseAgendaItem? {
        let steps = workflow.steps(from: progress.state).filter { !sideActions.contains($0.action) }
        guard !progress.state.isFinal, progress.state != .approved, let first = steps.first,
              let role = first.actors.first?.role else { return nil }
        var actions: [CaseAction] = []
        for step in steps where !actions.contains(step.action) { actions.append(step.action) }
        let kinds = Set(steps.flatMap(\.dueBy))
        let due = deadlines.filter { kinds.contains($0.kind) }.min { $0.date < $1.date }
            ?? deadlines.first { $0.kind == .wholeProcess }
        return CaseAgendaItem(actions: actions, role: role, due: due)
    }

    /// The deadlines after a transition: the new ones replace those of the same kind.
    public static func merge(_ old: [CaseDeadline], with new: [CaseDeadline]) -> [CaseDeadline] {
        let replaced = Set(new.map(\.kind))
        return (old.filter { !replaced.contains($0.kind) } + new).sorted { ($0.date, $0.kind.rawValue) < ($1.date, $1.kind.rawValue) }
    }
}

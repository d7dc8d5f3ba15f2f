/// 待办 — the kinds of work item the platform puts in a role's inbox.
///
/// A task belongs to a role in a region (everyone of that role whose region
/// contains it sees it), has a due date, and is closed by the action that
/// settles it (a visit made, a re-assessment recorded, a need referred).
public enum TaskKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 走访逾期督办 — a visit is past its grace period: the township supervisor
    /// sees that it is made.
    case visitOverdue = "visit_overdue"
    /// 自理能力复评 — a visit saw a self-care class other than the assessed one.
    case selfCareReassessment = "self_care_reassessment"
    /// 走访发现需求 — needs observed at a visit, each to be referred or noted.
    case visitNeeds = "visit_needs"
    /// 案件办理 — a case's next step (`CaseAgenda`), for whichever role takes it.
    case caseStep = "case_step"
    /// 送达决定书 — a written decision (a rejection with its reasons) to be
    /// delivered to the family within its limit.
    case decisionLetter = "decision_letter"
    /// 公示异议 — an objection received during publicity, to be recorded on
    /// the case (re-investigation or democratic appraisal follows).
    case publicityObjection = "publicity_objection"
    /// 发放失败 — the bank could not pay a line: correct the account and pay again.
    case paymentFailed = "payment_failed"

    public var name: Bilingual {
        switch self {
        case .visitOverdue: Bilingual(zh: "走访逾期督办", en: "Overdue visit (escalated)")
        case .selfCareReassessment: Bilingual(zh: "自理能力复评", en: "Self-care re-assessment")
        case .visitNeeds: Bilingual(zh: "走访发现需求", en: "Needs seen at a visit")
        case .caseStep: Bilingual(zh: "案件办理", en: "Case step")
        case .decisionLetter: Bilingual(zh: "送达决定书", en: "Deliver the decision letter")
        case .publicityObjection: Bilingual(zh: "公示异议", en: "Objection during publicity")
        case .paymentFailed: Bilingual(zh: "发放失败", en: "Payment failed")
        }
    }

    /// Who works it unless the task names another role: the township
    /// supervisor (乡镇审批人) supervises visits; the township caseworker
    /// re-assesses, refers and delivers letters; a case step goes to the
    /// role its agenda names.
    public var defaultAssignee: StaffRole {
        switch self {
        case .visitOverdue: .townshipApprover
        case .paymentFailed: .paymentOfficer
        case .selfCareReassessment, .visitNeeds, .caseStep, .decisionLetter, .publicityObjection: .townshipCaseworker
        }
    }
}

/// How pressing a task is on a given day.
public enum TaskUrgency: Sendable, Hashable, Comparable {
    /// Past its due date by `days` calendar days (≥ 1).
    case overdue(days: Int)
    case dueToday
    /// Due in `days` calendar days (≥ 1).
    case upcoming(days: Int)

    public init(due: LocalDate, on today: LocalDate) {
        if due < today {
            self = .overdue(days: due.days(until: today))
        } else if due == today {
            self = .dueToday
        } else {
            self = .upcoming(days: today.days(until: due))
        }
    }

    public var isOverdue: Bool {
        if case .overdue = self { return true }
        return false
    }

    public var name: Bilingual {
        switch self {
        case .overdue(let days): Bilingual(zh: "已超期 \(days) 天", en: "Overdue by \(days) days")
        case .dueToday: Bilingual(zh: "今日到期", en: "Due today")
        case .upcoming(let days): Bilingual(zh: "\(days) 天后到期", en: "Due in \(days) days")
        }
    }

    /// Most urgent first: the longest overdue, then due today, then the
    /// nearest due date.
    public static func < (a: TaskUrgency, b: TaskUrgency) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .overdue(let days): -days
        case .dueToday: 0
        case .upcoming(let days): days
        }
    }
}

/// The order of an inbox: by urgency, then by kind (in declaration order),
/// then by a stable key, so two tasks never swap places between loads.
public enum TaskOrder {
    public static func areInOrder(_ a: (due: LocalDate, kind: TaskKind, key: String),
                                  _ b: (due: LocalDate, kind: TaskKind, key: String)) -> Bool {
        if a.due != b.due { return a.due < b.due }
        let (ka, kb) = (TaskKind.allCases.firstIndex(of: a.kind) ?? 0, TaskKind.allCases.firstIndex(of: b.kind) ?? 0)
        if ka != kb { return ka < kb }
        return a.key < b.key
    }
}

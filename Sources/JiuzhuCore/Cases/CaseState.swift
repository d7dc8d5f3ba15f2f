/// 案件状态 — where a case stands in its programme's procedure, from the
/// township's acceptance to a decision or an end.
public enum CaseState: String, Sendable, Codable, CaseIterable {
    /// 已受理 — the statutory clock runs from the acceptance date.
    case accepted
    /// 入户调查中.
    case investigating
    /// 待核对结果 — the home investigation is recorded; the county's
    /// verification report (核对报告) is awaited before the initial opinion.
    case awaitingVerification = "awaiting_verification"
    /// 已提出初审意见 — the township's opinion, ready to be posted.
    case initialOpinion = "initial_opinion"
    /// 公示中 — the initial opinion is posted in the village for 7 days.
    case publicity
    /// 异议处理中 — an objection was raised during publicity; the township
    /// re-investigates or holds a democratic appraisal (民主评议).
    case objectionHandling = "objection_handling"
    /// 待审核确认 — with the county (or the township, where confirmation is delegated).
    case awaitingConfirmation = "awaiting_confirmation"
    /// 一事一议 — a complex temporary-assistance case escalated to the county.
    case escalated
    /// 已先行救助 — emergency help paid before the record is complete.
    case paidFirst = "paid_first"
    /// 已补齐手续 — the emergency record is complete.
    case recordCompleted = "record_completed"
    /// 已批准（确认）.
    case approved
    /// 迁移待接收 — approved and still paid here while the county the
    /// household moved to decides whether to take the case over.
    case transferring
    /// 不予批准 — the applicant must be told in writing, with reasons.
    case rejected
    /// 已撤回 — the applicant withdrew before a decision.
    case withdrawn
    /// 已终止 — support stopped after approval.
    case terminated

    public var name: Bilingual {
        switch self {
        case .accepted: Bilingual(zh: "已受理", en: "Accepted")
        case .investigating: Bilingual(zh: "入户调查中", en: "Investigating")
        case .awaitingVerification: Bilingual(zh: "待核对结果", en: "Awaiting the verification report")
        case .initialOpinion: Bilingual(zh: "已提出初审意见", en: "Initial opinion given")
        case .publicity: Bilingual(zh: "公示中", en: "In publicity")
        case .objectionHandling: Bilingual(zh: "异议处理中", en: "Handling an objection")
        case .awaitingConfirmation: Bilingual(zh: "待审核确认", en: "Awaiting confirmation")
        case .escalated: Bilingual(zh: "一事一议", en: "Escalated for a case-by-case decision")
        case .paidFirst: Bilingual(zh: "已先行救助", en: "Helped first, record pending")
        case .recordCompleted: Bilingual(zh: "已补齐手续", en: "Record completed")
        case .approved: Bilingual(zh: "已批准", en: "Approved")
        case .transferring: Bilingual(zh: "跨县迁移待接收", en: "Moving to another county, awaiting acceptance")
        case .rejected: Bilingual(zh: "不予批准", en: "Rejected")
        case .withdrawn: Bilingual(zh: "已撤回", en: "Withdrawn")
        case .terminated: Bilingual(zh: "已终止", en: "Terminated")
        }
    }

    /// No action moves a case out of these states (a new application starts a new case).
    public var isFinal: Bool {
        switch self {
        case .rejected, .withdrawn, .terminated, .recordCompleted: true
        default: false
        }
    }

    /// Someone must still decide: before the decision, or a transfer waiting
    /// for the receiving county (the "in progress" list).
    public var awaitsDecision: Bool { isPending || self == .transferring }

    /// Before any decision: the applicant may still withdraw, and the
    /// whole-process clock is still running.
    public var isPending: Bool {
        switch self {
        case .accepted, .investigating, .awaitingVerification, .initialOpinion, .publicity,
             .objectionHandling, .awaitingConfirmation, .escalated: true
        default: false
        }
    }
}

/// 办理动作 — what a member of staff does to move a case on.
public enum CaseAction: String, Sendable, Codable, CaseIterable {
    case startInvestigation = "start_investigation"
    case completeInvestigation = "complete_investigation"
    case proposeInitialOpinion = "propose_initial_opinion"
    case startPublicity = "start_publicity"
    case raiseObjection = "raise_objection"
    case resolveByReinvestigation = "resolve_by_reinvestigation"
    case resolveByDemocraticAppraisal = "resolve_by_democratic_appraisal"
    case submitForConfirmation = "submit_for_confirmation"
    case approve
    case reject
    case escalate
    case payFirst = "pay_first"
    case completeRecord = "complete_record"
    case extendDeadline = "extend_deadline"
    case withdraw
    case terminate
    /// 调整救助金额 — an increase or decrease after a change, explained to the family in writing.
    case changeAmount = "change_amount"
    /// 定期复核 — the scheduled review (or the one a change calls for).
    case review
    /// 登记家庭情况变化 — a change the family or the village reports.
    case reportChange = "report_change"
    /// 启动渐退 — support goes on for up to 6 months after a job, then stops.
    case startTaper = "start_taper"
    /// 终止公示 — a tekun termination is posted in the village for 7 days first.
    case postTerminationNotice = "post_termination_notice"
    /// 申请跨县迁移 — the household moves to a village in another county.
    case requestTransfer = "request_transfer"
    /// 接收迁入 — the receiving county takes the case over with its history.
    case acceptTransfer = "accept_transfer"
    /// 不予接收 — the receiving county declines; the case stays where it was.
    case declineTransfer = "decline_transfer"

    public var name: Bilingual {
        switch self {
        case .startInvestigation: Bilingual(zh: "启动入户调查", en: "Start the home investigation")
        case .completeInvestigation: Bilingual(zh: "完成入户调查", en: "Complete the home investigation")
        case .proposeInitialOpinion: Bilingual(zh: "提出初审意见", en: "Give the initial opinion")
        case .startPublicity: Bilingual(zh: "张榜公示", en: "Post the publicity notice")
        case .raiseObjection: Bilingual(zh: "登记公示异议", en: "Record an objection")
        case .resolveByReinvestigation: Bilingual(zh: "重新调查并提出意见", en: "Re-investigate and give a new opinion")
        case .resolveByDemocraticAppraisal: Bilingual(zh: "民主评议并提出意见", en: "Hold a democratic appraisal and give a new opinion")
        case .submitForConfirmation: Bilingual(zh: "报送审核确认", en: "Submit for confirmation")
        case .approve: Bilingual(zh: "审核确认（批准）", en: "Approve")
        case .reject: Bilingual(zh: "不予批准", en: "Reject")
        case .escalate: Bilingual(zh: "报县级一事一议", en: "Escalate to the county (case by case)")
        case .payFirst: Bilingual(zh: "先行救助", en: "Pay first")
        case .completeRecord: Bilingual(zh: "补齐审批手续", en: "Complete the record")
        case .extendDeadline: Bilingual(zh: "延长办理时限", en: "Extend the time limit")
        case .withdraw: Bilingual(zh: "撤回申请", en: "Withdraw the application")
        case .terminate: Bilingual(zh: "终止救助", en: "Terminate support")
        case .changeAmount: Bilingual(zh: "调整救助金额", en: "Change the monthly amount")
        case .review: Bilingual(zh: "复核", en: "Review the household")
        case .reportChange: Bilingual(zh: "登记家庭情况变化", en: "Record a change in the household")
        case .startTaper: Bilingual(zh: "启动渐退", en: "Start the taper")
        case .postTerminationNotice: Bilingual(zh: "张榜公示终止", en: "Post the termination notice")
        case .requestTransfer: Bilingual(zh: "申请跨县迁移", en: "Transfer to another county")
        case .acceptTransfer: Bilingual(zh: "接收迁入", en: "Accept the transfer")
        case .declineTransfer: Bilingual(zh: "不予接收迁入", en: "Decline the transfer")
        }
    }
}

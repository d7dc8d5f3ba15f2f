/// 申请状态 — where an application stands before it becomes a case.
public enum ApplicationStatus: String, Sendable, Codable, CaseIterable {
    /// 网上申请已提交 — waiting for the township to accept it.
    case submittedOnline = "submitted_online"
    /// 待补齐材料 — the one-time notice of missing materials has gone out.
    case awaitingMaterials = "awaiting_materials"
    /// 已受理 — the statutory clock runs from here.
    case accepted
    /// 已撤回.
    case withdrawn

    /// The staff view's label.
    public var name: Bilingual {
        switch self {
        case .submittedOnline: Bilingual(zh: "网上申请待受理", en: "Submitted online, awaiting acceptance")
        case .awaitingMaterials: Bilingual(zh: "待补齐材料", en: "Awaiting materials")
        case .accepted: Bilingual(zh: "已受理", en: "Accepted")
        case .withdrawn: Bilingual(zh: "已撤回", en: "Withdrawn")
        }
    }

    /// What the applicant reads on the public tracking page: what happens
    /// next and whether they must act, without internal terms.
    public var publicName: Bilingual {
        switch self {
        case .submittedOnline:
            Bilingual(zh: "申请已提交，等待乡镇（街道）受理",
                      en: "Your application has been submitted and is waiting for the township office")
        case .awaitingMaterials:
            Bilingual(zh: "材料不齐，请按一次性告知书补齐材料",
                      en: "Some documents are missing; please bring those listed in the notice you received")
        case .accepted:
            Bilingual(zh: "申请已受理，正在办理", en: "Your application has been accepted and is being processed")
        case .withdrawn:
            Bilingual(zh: "申请已撤回", en: "The application has been withdrawn")
        }
    }

    /// The statuses an application may move to from this one. A withdrawn
    /// application stays withdrawn; applying again starts a new one.
    public var next: Set<ApplicationStatus> {
        switch self {
        case .submittedOnline: [.awaitingMaterials, .accepted, .withdrawn]
        case .awaitingMaterials: [.accepted, .withdrawn]
        case .accepted: [.withdrawn]
        case .withdrawn: []
        }
    }
}

/// 转介办理状态 — the reported outcome of a referral to another department.
public enum ReferralStatus: String, Sendable, Codable, CaseIterable {
    /// 待办理 — sent, not yet taken up.
    case open
    /// 办理中.
    case inProgress = "in_progress"
    /// 已办结 — help given.
    case done
    /// 不予办理 — the department found the need outside its schemes.
    case declined

    public var name: Bilingual {
        switch self {
        case .open: Bilingual(zh: "待办理", en: "Open")
        case .inProgress: Bilingual(zh: "办理中", en: "In progress")
        case .done: Bilingual(zh: "已办结", en: "Done")
        case .declined: Bilingual(zh: "不予办理", en: "Declined")
        }
    }

    /// Still without an outcome.
    public var isOpen: Bool { self == .open || self == .inProgress }

    /// 逾期 — still without an outcome after the deadline day.
    public func isOverdue(deadline: LocalDate, today: LocalDate) -> Bool {
        isOpen && today > deadline
    }
}

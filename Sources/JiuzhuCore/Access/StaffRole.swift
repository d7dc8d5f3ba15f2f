/// What a staff account may do. Permissions are granted by role only; the
/// region the account may see is its home region's subtree (see `RegionScope`).
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// 我的待办 — see one's own task inbox.
    case viewTasks
    /// Browse the regions of one's own subtree.
    case viewRegions
    /// 系统管理 — create and edit regions.
    case manageRegions
    /// Maintain the holiday and make-up working day calendar.
    case manageCalendar
    /// 安全管理 — create, disable and reset staff accounts.
    case manageUsers
    /// 审计管理 — browse the audit log.
    case viewAudit
    /// 一门受理 — register applications at the window or in the village.
    case registerApplications
    /// Search persons and households and open their records (each opening audited).
    case viewPeople
    /// Work a department's referral queue.
    case handleReferrals
    /// 核对结果 — see verification requests and reports: only the verification
    /// centre and the case's own caseworkers (each view audited).
    case viewVerification
    /// 发起核对 — record the family's authorisation, request a verification,
    /// exempt a finding with a reason, start a re-check on an objection.
    case requestVerification
    /// 核对中心 — work the request queue: collect now, retry failed sources.
    case runVerification
    /// 走访打卡 — check in at the visits one is responsible for (包保责任人).
    case checkInVisits
    /// 走访监管 — see visit plans, check-ins and compliance in one's region.
    case viewVisits
    /// 走访计划 — enrol people, assign responsible persons, record re-assessments,
    /// refer needs seen at visits.
    case manageVisitPlans
    /// 异常核查 — review anomaly flags on check-ins.
    case reviewVisitAnomalies
    /// 案件 — see the cases of one's region, their deadlines and records.
    case viewCases
    /// 案件办理 — take the steps of a case one's role may take (the Core
    /// workflow says which), accept applications whose materials are complete.
    case workCases
    /// 资金发放 — freeze the county's monthly payment roll, produce the bank
    /// file, import the bank's results.
    case managePayments
    /// 特困抽查 — draw the county's on-site sample of tekun cases awaiting confirmation.
    case sampleTekun
}

/// The separated administration duties of an MLPS level 3 system (三员分立).
public enum AdminDuty: String, Sendable, CaseIterable, Codable {
    case system, security, audit
}

/// A staff role. An account holds exactly one role, so that no account can
/// combine two of the three administration duties.
public enum StaffRole: String, Sendable, CaseIterable, Codable, Comparable {
    case villageAssistant = "village_assistant"
    case townshipCaseworker = "township_caseworker"
    case townshipApprover = "township_approver"
    case countyReviewer = "county_reviewer"
    case verificationOfficer = "verification_officer"
    case paymentOfficer = "payment_officer"
    case citySupervisor = "city_supervisor"
    case provinceSupervisor = "province_supervisor"
    case systemAdmin = "system_admin"
    case securityAdmin = "security_admin"
    case auditAdmin = "audit_admin"
    /// A department's officer (medical insurance, education, ...) who works referrals.
    case departmentOfficer = "department_officer"

    public var name: Bilingual {
        switch self {
        case .villageAssistant: Bilingual(zh: "村级协理员", en: "Village assistant")
        case .townshipCaseworker: Bilingual(zh: "乡镇经办人", en: "Township caseworker")
        case .townshipApprover: Bilingual(zh: "乡镇审批人", en: "Township approver")
        case .countyReviewer: Bilingual(zh: "县级审核确认人", en: "County reviewer")
        case .verificationOfficer: Bilingual(zh: "核对人员", en: "Verification officer")
        case .paymentOfficer: Bilingual(zh: "资金发放人员", en: "Payment officer")
        case .citySupervisor: Bilingual(zh: "市级监管", en: "City supervisor")
        case .provinceSupervisor: Bilingual(zh: "省级监管", en: "Province supervisor")
        case .systemAdmin: Bilingual(zh: "系统管理员", en: "System administrator")
        case .securityAdmin: Bilingual(zh: "安全管理员", en: "Security administrator")
        case .auditAdmin: Bilingual(zh: "审计管理员", en: "Audit administrator")
        case .departmentOfficer: Bilingual(zh: "部门经办人", en: "Department officer")
        }
    }

    /// The region levels at which an account of this role may be homed.
    public var homeLevels: Set<RegionLevel> {
        switch self {
        case .villageAssistant: [.village, .township]
        case .townshipCaseworker, .townshipApprover: [.township]
        case .countyReviewer, .verificationOfficer, .paymentOfficer: [.county]
        case .citySupervisor: [.city]
        case .provinceSupervisor: [.province]
        case .systemAdmin, .securityAdmin, .auditAdmin: [.province, .city, .county]
        case .departmentOfficer: [.city, .county]
        }
    }

    public var adminDuty: AdminDuty? {
        switch self {
        case .systemAdmin: .system
        case .securityAdmin: .security
        case .auditAdmin: .audit
        default: nil
        }
    }

    public var permissions: Set<Permission> {
        switch self {
        case .systemAdmin: [.viewRegions, .manageRegions, .manageCalendar]
        case .securityAdmin: [.viewRegions, .manageUsers]
        case .auditAdmin: [.viewAudit]
        case .departmentOfficer: [.viewTasks, .handleReferrals]
        case .villageAssistant:
            [.viewTasks, .viewRegions, .registerApplications, .viewPeople, .checkInVisits, .viewCases, .workCases]
        case .townshipApprover:
            [.viewTasks, .viewRegions, .registerApplications, .viewPeople, .checkInVisits, .viewVisits, .manageVisitPlans,
             .reviewVisitAnomalies, .viewCases, .workCases]
        case .townshipCaseworker:
            [.viewTasks, .viewRegions, .registerApplications, .viewPeople, .viewVerification, .requestVerification,
             .checkInVisits, .viewVisits, .manageVisitPlans, .viewCases, .workCases]
        case .verificationOfficer:
            [.viewTasks, .viewRegions, .viewPeople, .viewVerification, .runVerification]
        case .countyReviewer:
            [.viewTasks, .viewRegions, .viewPeople, .viewVisits, .reviewVisitAnomalies, .viewCases, .workCases, .sampleTekun]
        case .citySupervisor, .provinceSupervisor:
            [.viewTasks, .viewRegions, .viewPeople, .viewVisits, .viewCases]
        case .paymentOfficer:
            [.viewTasks, .viewRegions, .viewPeople, .viewCases, .managePayments]
        }
    }

    public func has(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Checks that an account of this role may be homed in `region`.
    public func validateHome(_ region: RegionCode) throws(UserError) {
        guard homeLevels.contains(region.level) else {
            let levels = RegionLevel.allCases.filter { homeLevels.contains($0) }
            throw UserError(
                "staff.role_region_level", field: "region",
                zh: "\(name.zh)只能设在\(levels.map(\.name.zh).joined(separator: "、"))级",
                en: "A \(name.en.lowercased()) must be homed at \(levels.map(\.name.en).joined(separator: " or ")) level")
        }
    }

    public static func < (a: StaffRole, b: StaffRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!  // programmer error: allCases holds every case
    }

    /// Parses a role code from a form or the command line.
    public init(code: String, field: String = "role") throws(UserError) {
        guard let role = StaffRole(rawValue: code) else {
            throw UserError("staff.role_unknown", field: field,
                            zh: "未知角色：\(code)", en: "Unknown role: \(code)")
        }
        self = role
    }
}

/// 三员分立: an account may only be changed by the security administrator, and
/// the role of an administration account can never change into another one,
/// so no account accumulates two duties over time.
public enum AdminSeparation {
    public static func validateRoleChange(from old: StaffRole, to new: StaffRole) throws(UserError) {
        guard old != new else { return }
        if old.adminDuty != nil || new.adminDuty != nil {
            throw UserError("staff.admin_role_change", field: "role",
                            zh: "系统、安全、审计管理员的角色不可变更，请另建账号",
                            en: "The role of a system, security or audit administrator cannot change; create a separate account")
        }
    }
}

/// The part of the region tree a user may see: the subtree under their home region.
public struct RegionScope: Sendable, Hashable {
    public let root: RegionCode

    public init(root: RegionCode) { self.root = root }

    public func allows(_ code: RegionCode) -> Bool { root.contains(code) }

    /// The scope as a half-open range of codes, `root ≤ code < upperBound`:
    /// codes are digits and ":" sorts right after "9", so the range holds
    /// exactly the root's subtree — and unlike `LIKE 'root%'` it uses an index
    /// on every database and collation.
    public var upperBound: String { root.value + ":" }
}

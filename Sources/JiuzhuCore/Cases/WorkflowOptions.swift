/// The regional choices that change a case's procedure or clock. A policy
/// parameter per region, versioned by effective date by the caller.
public struct WorkflowOptions: Sendable, Hashable, Codable {
    /// 审核确认权下放 — the county has delegated confirmation to the township:
    /// the township approver confirms dibao and edge cases, and the whole
    /// process must finish within 20 working days.
    public var delegatedConfirmation: Bool
    /// 乡镇临时救助审批额度 — the most a township may pay first in one
    /// emergency case (all its draws together); more goes to the county.
    public var emergencyTownshipLimit: Money
    /// 补齐手续时限 — working days after paying first in which the record
    /// (recipient, reason, amount, signatures) must be completed.
    public var emergencyRecordWorkingDays: Int
    /// Whether the region allows the 30 → 45 working-day extension at all.
    public var extensionAllowed: Bool
    /// 刚性支出困难家庭认定有效期 — months from approval, at most 12.
    public var rigidValidityMonths: Int
    /// 动态管理 — review intervals by class, the review after a change, the reminder.
    public var review: ReviewSchedule

    public static let emergencyRecordWorkingDaysRange = 1...30

    public init(delegatedConfirmation: Bool = false, emergencyTownshipLimit: Money = Money(yuan: 1000),
                emergencyRecordWorkingDays: Int = 5, extensionAllowed: Bool = true,
                rigidValidityMonths: Int = CaseClock.maxValidityMonths, review: ReviewSchedule = .standard) {
        self.review = review
        self.delegatedConfirmation = delegatedConfirmation
        self.emergencyTownshipLimit = emergencyTownshipLimit
        self.emergencyRecordWorkingDays = emergencyRecordWorkingDays
        self.extensionAllowed = extensionAllowed
        self.rigidValidityMonths = rigidValidityMonths
    }

    /// This project's defaults: county confirmation, a township emergency
    /// limit of ¥1,000 and 5 working days to complete the record (no national
    /// figure exists for either), extension allowed.
    public static let standard = WorkflowOptions()

    /// A region's stored options may name only what differs from the standard:
    /// every missing key takes its standard value.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let standard = WorkflowOptions.standard
        self.init(
            delegatedConfirmation: try c.decodeIfPresent(Bool.self, forKey: .delegatedConfirmation) ?? standard.delegatedConfirmation,
            emergencyTownshipLimit: try c.decodeIfPresent(Money.self, forKey: .emergencyTownshipLimit) ?? standard.emergencyTownshipLimit,
            emergencyRecordWorkingDays: try c.decodeIfPresent(Int.self, forKey: .emergencyRecordWorkingDays)
                ?? standard.emergencyRecordWorkingDays,
            extensionAllowed: try c.decodeIfPresent(Bool.self, forKey: .extensionAllowed) ?? standard.extensionAllowed,
            rigidValidityMonths: try c.decodeIfPresent(Int.self, forKey: .rigidValidityMonths) ?? standard.rigidValidityMonths,
            review: try c.decodeIfPresent(ReviewSchedule.self, forKey: .review) ?? standard.review)
    }

    /// Every value within its range, named by its field when not.
    public func validate() throws(UserError) {
        guard emergencyTownshipLimit > .zero else {
            throw UserError("workflow.emergency_limit", field: "emergencyTownshipLimit",
                            zh: "乡镇先行救助审批额度须大于零", en: "The township's emergency limit must be more than zero")
        }
        guard Self.emergencyRecordWorkingDaysRange.contains(emergencyRecordWorkingDays) else {
            throw UserError("workflow.emergency_record_days", field: "emergencyRecordWorkingDays",
                            zh: "补齐手续时限应为 1 至 30 个工作日", en: "The emergency record is completed within 1 to 30 working days")
        }
        guard (1...CaseClock.maxValidityMonths).contains(rigidValidityMonths) else {
            throw UserError("workflow.rigid_validity", field: "rigidValidityMonths",
                            zh: "认定有效期应为 1 至 \(CaseClock.maxValidityMonths) 个月",
                            en: "The validity must be 1 to \(CaseClock.maxValidityMonths) months")
        }
        try review.validate()
    }

    /// Whether `programme` runs the delegated 20 WD variant under these options.
    /// Only the programmes that follow the dibao procedure can be delegated;
    /// tekun and rigid-expenditure decisions stay with the county.
    public func isDelegated(_ programme: Programme) -> Bool {
        delegatedConfirmation && (programme == .dibao || programme == .edge)
    }
}

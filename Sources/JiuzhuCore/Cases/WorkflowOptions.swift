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

    public init(delegatedConfirmation: Bool = false, emergencyTownshipLimit: Money = Money(yuan: 1000),
                emergencyRecordWorkingDays: Int = 5, extensionAllowed: Bool = true,
                rigidValidityMonths: Int = CaseClock.maxValidityMonths) {
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

    /// Whether `programme` runs the delegated 20 WD variant under these options.
    /// Only the programmes that follow the dibao procedure can be delegated;
    /// tekun and rigid-expenditure decisions stay with the county.
    public func isDelegated(_ programme: Programme) -> Bool {
        delegatedConfirmation && (programme == .dibao || programme == .edge)
    }
}

/// 备用金台账 — a township's reserve fund for emergency help paid first
/// (先行救助): top-ups from the county, draws for cases. A value: each
/// operation returns the changed ledger or refuses with a reason, and the
/// caller stores the entries.
public struct ReserveFundLedger: Sendable, Hashable, Codable {
    public enum EntryKind: String, Sendable, Codable {
        /// 拨付 — money added to the fund.
        case topUp = "top_up"
        /// 支取 — money paid out for a case.
        case draw
    }

    public struct Entry: Sendable, Hashable, Codable {
        public let kind: EntryKind
        /// Always positive; the kind says which way it goes.
        public let amount: Money
        /// The case a draw was for; nil for a top-up.
        public let caseID: String?
        public let date: LocalDate

        /// For rebuilding a ledger from stored entries; new entries come from
        /// `topUp` and `draw`, which check them.
        public init(kind: EntryKind, amount: Money, caseID: String?, date: LocalDate) {
            self.kind = kind
            self.amount = amount
            self.caseID = caseID
            self.date = date
        }
    }

    /// 乡镇审批额度 — the most one case may draw in total.
    public let townshipLimit: Money
    public private(set) var entries: [Entry]

    public init(townshipLimit: Money, entries: [Entry] = []) {
        self.townshipLimit = townshipLimit
        self.entries = entries
    }

    public var balance: Money {
        entries.reduce(Money.zero) { $0 + ($1.kind == .topUp ? $1.amount : -$1.amount) }
    }

    /// What the fund has paid for `caseID` so far.
    public func drawn(forCase caseID: String) -> Money {
        entries.filter { $0.kind == .draw && $0.caseID == caseID }.reduce(Money.zero) { $0 + $1.amount }
    }

    public mutating func topUp(_ amount: Money, on date: LocalDate) throws(UserError) {
        try Self.checkPositive(amount)
        entries.append(Entry(kind: .topUp, amount: amount, caseID: nil, date: date))
    }

    /// Pays `amount` for `caseID`. Refused when the case's draws would pass
    /// the township limit (the county must decide) or the balance.
    public mutating func draw(_ amount: Money, caseID: String, on date: LocalDate) throws(UserError) {
        try Self.checkPositive(amount)
        let caseID = String(caseID.trimmingWhitespace)
        guard !caseID.isEmpty else {
            throw UserError("reserve_fund.case_required", field: "caseID",
                            zh: "支取备用金须注明案件", en: "A draw must name its case")
        }
        let already = drawn(forCase: caseID)
        guard already + amount <= townshipLimit else {
            throw UserError("reserve_fund.over_limit", field: "amount",
                            zh: "超出乡镇先行救助审批额度 \(townshipLimit.formatted)（本案已支取 \(already.formatted)），须报县级审批",
                            en: "This passes the township's limit of \(townshipLimit.formatted) (already drawn for this case: \(already.formatted)); the county must decide")
        }
        guard amount <= balance else {
            throw UserError("reserve_fund.insufficient", field: "amount",
                            zh: "备用金余额不足（余额 \(balance.formatted)）",
                            en: "The reserve fund's balance is too low (\(balance.formatted))")
        }
        entries.append(Entry(kind: .draw, amount: amount, caseID: caseID, date: date))
    }

    /// 补齐手续时限 of a draw.
    public func recordDeadline(for entry: Entry, options: WorkflowOptions, calendar: WorkingCalendar) -> CaseDeadline {
        CaseClock.emergencyRecord(paidOn: entry.date, options: options, calendar: calendar)
    }

    private static func checkPositive(_ amount: Money) throws(UserError) {
        guard amount > .zero else {
            throw UserError("reserve_fund.amount", field: "amount",
                            zh: "金额应大于零", en: "The amount must be more than zero")
        }
    }
}

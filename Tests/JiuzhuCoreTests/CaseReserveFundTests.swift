import Testing
@testable import JiuzhuCore

struct CaseReserveFundTests {
    func funded(_ amount: Money = Money(yuan: 5000), limit: Money = Money(yuan: 1000)) throws -> ReserveFundLedger {
        var ledger = ReserveFundLedger(townshipLimit: limit)
        try ledger.topUp(amount, on: date(2025, 1, 2))
        return ledger
    }

    @Test func drawsAndTopUpsMoveTheBalance() throws {
        var ledger = try funded()
        try ledger.draw(Money(yuan: 800), caseID: "LS-001", on: date(2025, 3, 3))
        try ledger.draw(Money(fen: 12_345), caseID: "LS-002", on: date(2025, 3, 4))
        #expect(ledger.balance == Money(fen: 500_000 - 80_000 - 12_345))
        try ledger.topUp(Money(yuan: 2000), on: date(2025, 3, 5))
        #expect(ledger.balance == Money(fen: 700_000 - 80_000 - 12_345))
        #expect(ledger.entries.map(\.kind) == [.topUp, .draw, .draw, .topUp])
        #expect(ledger.entries[1].caseID == "LS-001")
        #expect(ledger.entries[1].date == date(2025, 3, 3))
        #expect(ledger.drawn(forCase: "LS-001") == Money(yuan: 800))
    }

    @Test func aDrawAboveTheTownshipLimitIsRefusedAndChangesNothing() throws {
        var ledger = try funded()
        let before = ledger
        let error = userError { try ledger.draw(Money(fen: 100_001), caseID: "LS-001", on: date(2025, 3, 3)) }
        #expect(error?.code == "reserve_fund.over_limit")
        #expect(error?.message.zh.contains("¥1,000.00") == true)
        #expect(error?.message.en.contains("county") == true)
        #expect(ledger == before)
        #expect(throws: Never.self) { try ledger.draw(Money(yuan: 1000), caseID: "LS-001", on: date(2025, 3, 3)) }
    }

    @Test func aCaseCannotPassTheLimitInSeveralDraws() throws {
        var ledger = try funded()
        try ledger.draw(Money(yuan: 600), caseID: "LS-001", on: date(2025, 3, 3))
        #expect(userError { try ledger.draw(Money(yuan: 401), caseID: "LS-001", on: date(2025, 3, 4)) }?.code == "reserve_fund.over_limit")
        try ledger.draw(Money(yuan: 400), caseID: "LS-001", on: date(2025, 3, 4))
        // Another case has its own limit.
        try ledger.draw(Money(yuan: 1000), caseID: "LS-002", on: date(2025, 3, 4))
        #expect(ledger.balance == Money(yuan: 3000))
    }

    @Test func aDrawAboveTheBalanceIsRefused() throws {
        var ledger = try funded(Money(yuan: 300))
        let error = userError { try ledger.draw(Money(fen: 30_001), caseID: "LS-001", on: date(2025, 3, 3)) }
        #expect(error?.code == "reserve_fund.insufficient")
        #expect(error?.message.zh.contains("¥300.00") == true)
        #expect(ledger.balance == Money(yuan: 300))
        try ledger.draw(Money(yuan: 300), caseID: "LS-001", on: date(2025, 3, 3))
        #expect(ledger.balance == .zero)
    }

    @Test func amountsMustBePositiveAndDrawsNameACase() throws {
        var ledger = try funded()
        #expect(userError { try ledger.topUp(.zero, on: date(2025, 3, 3)) }?.code == "reserve_fund.amount")
        #expect(userError { try ledger.topUp(Money(yuan: -5), on: date(2025, 3, 3)) }?.code == "reserve_fund.amount")
        #expect(userError { try ledger.draw(Money(yuan: -5), caseID: "LS-001", on: date(2025, 3, 3)) }?.code == "reserve_fund.amount")
        #expect(userError { try ledger.draw(Money(yuan: 5), caseID: " ", on: date(2025, 3, 3)) }?.code == "reserve_fund.case_required")
        #expect(ledger.entries.count == 1)
    }

    @Test func eachDrawCarriesItsRecordCompletionDeadline() throws {
        var ledger = try funded()
        try ledger.draw(Money(yuan: 500), caseID: "LS-001", on: date(2025, 9, 30))
        let deadline = ledger.recordDeadline(for: ledger.entries[1], options: WorkflowOptions(emergencyRecordWorkingDays: 3),
                                             calendar: caseTestCalendar)
        #expect(deadline.kind == .emergencyRecord)
        #expect(deadline.date == date(2025, 10, 11))   // over the holiday, make-up Saturday
        #expect(deadline.rule.zh == "先行救助后 3 个工作日内补齐审批手续")
    }

    @Test func aLedgerRebuiltFromStoredEntriesKeepsItsBalanceAndLimits() throws {
        var ledger = try funded()
        try ledger.draw(Money(yuan: 700), caseID: "LS-001", on: date(2025, 3, 3))
        var rebuilt = ReserveFundLedger(townshipLimit: Money(yuan: 1000), entries: ledger.entries.map {
            ReserveFundLedger.Entry(kind: $0.kind, amount: $0.amount, caseID: $0.caseID, date: $0.date)
        })
        #expect(rebuilt == ledger)
        #expect(rebuilt.balance == Money(yuan: 4300))
        #expect(userError { try rebuilt.draw(Money(yuan: 301), caseID: "LS-001", on: date(2025, 3, 4)) }?.code == "reserve_fund.over_limit")
    }
}

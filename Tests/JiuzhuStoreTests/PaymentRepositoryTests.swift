import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// Monthly payment rolls on both databases: frozen once per county and
/// month (also when made twice at once), untouched by later edits, the bank
/// file from the configured columns, the bank's results applied once.
@Suite struct PaymentRepositoryTests {
    let cases = CaseRepositoryTests()
    let county = try! RegionCode("340321")
    let july = YearMonth(year: 2026, month: 7)!

    /// A dibao case approved on Mon 2026-06-29 at ¥620 a month (paid from July).
    func approvedCase(_ app: Application) async throws -> CaseRecord {
        var (repository, record) = try await cases.openCase(app)
        record = try await cases.act(repository, app, record, .startInvestigation, by: cases.caseworker, on: cases.day(1))
        let visit = HomeVisitRecord(investigators: ["甲", "乙"], visitedOn: cases.day(2), signedByFamily: true, signedByInvestigators: true)
        record = try await cases.act(repository, app, record, .completeInvestigation, by: cases.caseworker, CaseInputs(homeVisit: visit), on: cases.day(2))
        record = try await cases.act(repository, app, record, .proposeInitialOpinion, by: cases.approver,
                                     CaseInputs(verificationReportNumber: "HD-3", opinion: "符合"), on: cases.day(3))
        record = try await cases.act(repository, app, record, .startPublicity, by: cases.caseworker, on: cases.day(4))
        record = try await cases.act(repository, app, record, .submitForConfirmation, by: cases.caseworker, on: cases.day(12))
        return try await cases.act(repository, app, record, .approve, by: cases.county,
                                   CaseInputs(confirmationOpinion: "同意", amount: Money(yuan: 620), reviewClass: .b), on: cases.day(14))
    }

    @Test(arguments: TestDatabase.all)
    func aMonthIsFrozenOnceAndPaidOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let record = try await approvedCase(app)
            let payments = PaymentRepository(db: app.db, keys: TestKeys.ring)
            let audit = cases.audit("payment")
            #expect(try await payments.due(county: county, month: july).withoutPayee.count == 1)
            await #expect(throws: UserError.self) {
                try await payments.setPayee(record, name: "王建国", account: "12", audit: audit)
            }
            try await payments.setPayee(record, name: "王建国", account: "6222 0212 3456 7890 123", audit: audit)
            let fresh = try #require(try await CaseRecord.find(record.requireID(), on: app.db))
            #expect(try payments.payee(of: fresh) == Payee(name: "王建国", account: "6222021234567890123"))
            #expect(!(fresh.payeeSealed ?? "").contains("6222021234567890123"))

            // June is before the first paid month: an empty roll.
            #expect(try await payments.freeze(county: county, month: YearMonth(year: 2026, month: 6)!, actor: "pay", audit: audit).lineCount == 0)
            // July, made four times at once: one roll, one line.
            let rolls = try await withThrowingTaskGroup(of: UUID.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await payments.freeze(county: county, month: july, actor: "pay", audit: audit).requireID() }
                }
                return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
            }
            #expect(rolls.count == 1)
            let roll = try #require(try await payments.roll(county: county, month: july))
            #expect(roll.lineCount == 1 && roll.totalFen == 62_000)
            // A later change of the case does not touch the frozen roll; freezing again adds nothing.
            try await app.sql.raw("UPDATE cases SET monthly_fen = 99900").run()
            #expect(try await payments.freeze(county: county, month: july, actor: "pay", audit: audit).id == roll.id)
            let lines = try await payments.lines(of: roll)
            #expect(lines.map(\.amountFen) == [62_000] && lines.first?.status == "pending")
            #expect(try await PaymentLineRecord.query(on: app.db).count() == 1)

            let file = BankFile.render(try await payments.bankLines(of: roll), format: .standard)
            let reference = try #require(lines.first?.reference)
            #expect(file.contains("\(reference),王建国,6222021234567890123,620.00,2026-07"))

            var summary = try await payments.applyResults("流水号,状态,原因\n\(reference),失败,账户已销户\nP999,成功\n", to: roll, audit: audit)
            #expect(summary.failed == 1 && summary.paid == 0 && summary.problems.map(\.code) == ["bank_result.unknown"])
            #expect(try await TaskRepository.inbox(role: .paymentOfficer, scope: RegionScope(root: county), on: app.db).map(\.taskKind)
                    == [.paymentFailed])
            summary = try await payments.applyResults("\(reference),失败,账户已销户\n", to: roll, audit: audit)
            #expect(summary.unchanged == 1 && summary.failed == 0)
            summary = try await payments.applyResults("\(reference),成功\n", to: roll, audit: audit)
            #expect(summary.problems.map(\.code) == ["bank_result.conflict"])
            let statement = try await payments.statement(household: record.householdID)
            #expect(statement.map(\.month) == ["2026-07"] && statement.first?.status == "failed" && statement.first?.reason == "账户已销户")
        }
    }
}

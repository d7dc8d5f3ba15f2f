import Testing
@testable import JiuzhuCore

struct PaymentTests {
    let july = YearMonth(year: 2026, month: 7)!

    @Test func approvedCasesArePaidFromTheirFirstMonth() {
        #expect(PaymentRule.isPaid(state: .approved, firstMonth: july, month: july))
        #expect(PaymentRule.isPaid(state: .approved, firstMonth: YearMonth(year: 2026, month: 6), month: july))
        #expect(!PaymentRule.isPaid(state: .approved, firstMonth: YearMonth(year: 2026, month: 8), month: july))
        #expect(!PaymentRule.isPaid(state: .terminated, firstMonth: YearMonth(year: 2026, month: 1), month: july))
        #expect(!PaymentRule.isPaid(state: .publicity, firstMonth: nil, month: july))
        #expect(!PaymentRule.isPaid(state: .approved, firstMonth: nil, month: july))
    }

    @Test func bankFileFollowsTheConfiguredColumns() throws {
        let line = BankFileLine(reference: "P2026070001", payee: "王建国", account: "6222021234567890123", amount: Money(fen: 62_000),
                                month: july, programme: .dibao, county: "340321")
        #expect(BankFile.render([line], format: .standard)
                == "流水号,户名,账号,金额,发放月份\r\nP2026070001,王建国,6222021234567890123,620.00,2026-07\r\n")
        let custom = try BankFileFormat(parsing: "account, amount_fen ,reference", header: false)
        #expect(BankFile.render([line], format: custom) == "6222021234567890123,62000,P2026070001\r\n")
        // A payee's name can never become a spreadsheet formula.
        let nasty = BankFileLine(reference: "P1", payee: "=HYPERLINK(\"x\")", account: "1", amount: Money(fen: 1), month: july,
                                 programme: .tekun, county: "340321")
        #expect(BankFile.render([nasty], format: .standard).contains("\"'=HYPERLINK(\"\"x\"\")\""))
    }

    @Test(arguments: ["reference,payee", "account,amount", "reference,account,amount,amount", "reference,account,amount,iban", ""])
    func badFormatsAreRefused(_ text: String) {
        #expect(userError { try BankFileFormat(parsing: text) } != nil)
    }

    @Test func resultFileIsReadLineByLineWithProblemsNamed() {
        let text = "\u{FEFF}流水号,状态,原因\r\nP1,成功\r\nP2,失败,账户已销户\r\n\r\nP3,maybe\r\nP1,success\r\nlonely\r\nP4,FAILED, 户名不符 \r\n"
        let (lines, problems) = BankResultFile.parse(text)
        #expect(lines.map(\.reference) == ["P1", "P2", "P4"])
        #expect(lines.map(\.paid) == [true, false, false])
        #expect(lines[1].reason == "账户已销户" && lines[2].reason == "户名不符" && lines[2].lineNumber == 8)
        #expect(problems.map(\.code) == ["bank_result.status", "bank_result.repeated", "bank_result.line"])
        #expect(problems.map(\.field) == ["line 5", "line 6", "line 7"])
    }
}

struct BankAccountNumberTests {
    @Test func normalisesAndChecks() throws {
        #expect(try BankAccountNumber.normalise("6222 0212 3456 7890 123") == "6222021234567890123")
        #expect(try BankAccountNumber.normalise("6222-0212-3456") == "622202123456")
        for bad in ["123", "6222O21234567890", "６２２２０２１２３４５６７８", String(repeating: "1", count: 31)] {
            #expect(userError { try BankAccountNumber.normalise(bad) }?.code == "account.format")
        }
        #expect(BankAccountNumber.masked("6222021234567890123") == "**** 0123")
    }
}

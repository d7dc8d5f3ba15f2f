import Foundation
import Testing
@testable import JiuzhuCore

struct MoneyTests {
    @Test(arguments: [
        ("1234", 123_400), ("1234.5", 123_450), ("1234.50", 123_450), ("1,234.50", 123_450),
        ("¥1234.50", 123_450), ("￥1,234.50", 123_450), ("-12.30", -1230), ("-¥1,234.50", -123_450),
        ("¥-5", -500), ("0", 0), ("0.01", 1), ("0.1", 10), ("-0.00", 0), (" 12 ", 1200),
        ("\u{3000}800\u{3000}", 80_000), ("1,234,567.89", 123_456_789), ("999", 99_900),
        ("001", 100), ("92233720368547758.07", Int64.max), ("−3.05", -305),
    ] as [(String, Int64)])
    func parsesYuanAsPeopleTypeIt(text: String, fen: Int64) throws {
        #expect(try Money(parsingYuan: text) == Money(fen: fen))
    }

    @Test(arguments: [
        "", " ", "abc", "12a", "1.2.3", "1,23", "12,345,67", "1234,567", ",123", "123,", "1,,234",
        "1234.", ".5", "--5", "-¥-5", "¥", "-", "1 234", "１２", "1e3", "+5", "$5", "5元", "1.-5",
        "0x10", "12.3a", "1,234.5,0", "¥¥5",
    ])
    func rejectsTextThatIsNotAnAmount(text: String) {
        let error = userError { try Money(parsingYuan: text, field: "income") }
        #expect(error?.code == "money.format")
        #expect(error?.field == "income")
    }

    @Test(arguments: ["1.234", "0.001", "1,234.567", "-0.005", "12.300"])
    func rejectsMoreThanTwoDecimalPlaces(text: String) {
        let error = userError { try Money(parsingYuan: text) }
        #expect(error?.code == "money.precision")
        #expect(error?.field == "amount")
    }

    @Test(arguments: ["92233720368547758.08", "99999999999999999999", "-92233720368547758.09", "100000000000000000"])
    func rejectsAmountsBeyondTheRange(text: String) {
        #expect(userError { try Money(parsingYuan: text) }?.code == "money.range")
    }

    @Test(arguments: [
        (123_450, "¥1,234.50"), (-123_450, "-¥1,234.50"), (0, "¥0.00"), (1, "¥0.01"), (-5, "-¥0.05"),
        (10, "¥0.10"), (100, "¥1.00"), (99_999, "¥999.99"), (100_000, "¥1,000.00"),
        (123_456_789_012, "¥1,234,567,890.12"), (Int64.max, "¥92,233,720,368,547,758.07"),
        (Int64.min, "-¥92,233,720,368,547,758.08"),
    ] as [(Int64, String)])
    func formatsWithYuanSignGroupingAndTwoDecimals(fen: Int64, text: String) {
        #expect(Money(fen: fen).formatted == text)
        #expect(Money(fen: fen).description == text)
    }

    @Test func parsingTheFormattedOrPlainTextGivesTheSameAmount() throws {
        var generator = SeededGenerator(seed: 800)
        for _ in 0..<3000 {
            let digits = Int.random(in: 1...17, using: &generator)
            let bound = (0..<digits).reduce(Int64(1)) { acc, _ in acc * 10 }
            var fen = Int64.random(in: 0..<bound, using: &generator)
            if Bool.random(using: &generator) { fen = -fen }
            let amount = Money(fen: fen)
            #expect(try Money(parsingYuan: amount.formatted) == amount)
            #expect(try Money(parsingYuan: amount.plainYuan) == amount)
            #expect(amount.plainYuan.split(separator: ".").last?.count == 2)
        }
    }

    @Test func addsSubtractsAndMultipliesInFen() {
        let a = Money(fen: 123_450)
        let b = Money(fen: 50)
        #expect(a + b == Money(fen: 123_500))
        #expect(a - b == Money(fen: 123_400))
        #expect(b - a == Money(fen: -123_400))
        #expect(a * 3 == Money(fen: 370_350))
        #expect(12 * b == Money(fen: 600))
        #expect(-a == Money(fen: -123_450))
        #expect(a + .zero == a)
        #expect(Money(yuan: 800) == Money(fen: 80_000))
        var total = Money.zero
        total += a
        total += a
        total -= b
        #expect(total == Money(fen: 246_850))
        #expect(Money(fen: -1).isNegative)
        #expect(!Money.zero.isNegative)
    }

    @Test func ordersByAmount() {
        #expect(Money(fen: -1) < .zero)
        #expect(Money(fen: 99) < Money(fen: 100))
        #expect(!(Money(fen: 100) < Money(fen: 100)))
        #expect([Money(fen: 5), Money(fen: -7), Money(fen: 0)].max() == Money(fen: 5))
    }

    @Test func encodesAsIntegerFen() throws {
        let data = try JSONEncoder().encode(["amount": Money(fen: 123_450)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":123450}"#)
        #expect(try JSONDecoder().decode([String: Money].self, from: data) == ["amount": Money(fen: 123_450)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Money].self, from: Data("[12.5]".utf8))
        }
    }
}

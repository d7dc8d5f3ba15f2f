/// An amount of renminbi in fen (分, 1/100 yuan). Benefit standards, incomes
/// and payments are exact sums of fen; floating point never touches money.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let fen: Int64

    public init(fen: Int64) {
        self.fen = fen
    }

    public static let zero = Money(fen: 0)

    /// Whole yuan, for constants in rules and tests (`Money(yuan: 800)`).
    public init(yuan: Int64) {
        self.fen = yuan * 100
    }

    /// Parses an amount in yuan as people type it: `1234`, `1234.5`,
    /// `1,234.50`, `¥1234.50` (or the full-width `￥`), `-12.30`, `-¥12.30`.
    /// Thousands separators must group by three; at most two decimals.
    public init(parsingYuan text: String, field: String = "amount") throws(UserError) {
        let formatError = UserError(
            "money.format", field: field,
            zh: "金额格式不正确，请填写如 1234.50 的数字（单位：元）",
            en: "Enter the amount in yuan as a number such as 1234.50")

        var rest = text.trimmingWhitespace
        var negative = false
        if rest.first == "-" || rest.first == "−" { negative = true; rest = rest.dropFirst() }
        if rest.first == "¥" || rest.first == "￥" { rest = rest.dropFirst() }
        if !negative, rest.first == "-" || rest.first == "−" { negative = true; rest = rest.dropFirst() }

        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerText = parts[0]
        let fractionText = parts.count == 2 ? parts[1] : ""
        guard integerText.first != ",", integerText.last != "," else { throw formatError }

        let groups = integerText.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { throw formatError }
        }
        let integerDigits = groups.joined()
        guard integerDigits.isASCIIDigits else { throw formatError }
        if parts.count == 2 {
            guard fractionText.isASCIIDigits else { throw formatError }
            guard fractionText.count <= 2 else {
                throw UserError("money.precision", field: field,
                                zh: "金额最多保留两位小数（精确到分）",
                                en: "The amount can have at most two decimal places (fen)")
            }
        }

        let rangeError = UserError("money.range", field: field,
                                   zh: "金额超出允许范围", en: "The amount is too large")
        var fen: Int64 = 0
        // Two fraction digits always, so that the digits read as fen.
        let fenDigits = integerDigits + fractionText + String(repeating: "0", count: 2 - fractionText.count)
        for byte in fenDigits.utf8 {
            let (shifted, overflow1) = fen.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2 else { throw rangeError }
            fen = sum
        }
        self.fen = negative ? -fen : fen
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen - rhs.fen) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(fen: lhs.fen * rhs) }
    public static func * (lhs: Int64, rhs: Money) -> Money { Money(fen: lhs * rhs.fen) }
    public static prefix func - (amount: Money) -> Money { Money(fen: -amount.fen) }
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    public var isNegative: Bool { fen < 0 }

    /// `¥1,234.50`, `-¥1,234.50`, `¥0.00`: the form shown to people.
    public var formatted: String {
        // The magnitude is unsigned so that Int64.min still formats.
        let magnitude = fen.magnitude
        let yuan = String(magnitude / 100)
        let cents = magnitude % 100
        var grouped = ""
        for (index, digit) in yuan.enumerated() {
            if index > 0, (yuan.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (fen < 0 ? "-¥" : "¥") + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    public var description: String { formatted }

    /// Plain yuan without currency sign or grouping (`-1234.50`), for form
    /// fields and CSV files that `init(parsingYuan:)` reads back.
    public var plainYuan: String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + String(magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    public init(from decoder: any Decoder) throws {
        self.fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}

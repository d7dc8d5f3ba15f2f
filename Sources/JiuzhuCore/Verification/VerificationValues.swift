// Small values of the verification: calendar months and exact decimals.

/// 月份 — a calendar month (`2026-03`), the unit of income records and of the
/// reference period.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard LocalDate.supportedYears.contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The month a day falls in.
    public init(_ date: LocalDate) {
        self.year = date.year
        self.month = date.month
    }

    /// Strict `YYYY-MM`: four-digit year, two-digit month.
    public init(parsing text: String, field: String = "month") throws(UserError) {
        let bytes = Array(text.utf8)
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard bytes.count == 7, bytes[4] == 0x2D, bytes[0..<4].allSatisfy(isDigit), bytes[5..<7].allSatisfy(isDigit),
              let month = YearMonth(year: asciiDecimalValue(bytes[0..<4]), month: asciiDecimalValue(bytes[5..<7]))
        else {
            throw UserError("month.format", field: field,
                            zh: VerificationText.monthFormat.zh, en: VerificationText.monthFormat.en)
        }
        self = month
    }

    /// Months since the start of year 0: consecutive months differ by one.
    var ordinal: Int { year * 12 + (month - 1) }

    /// The month `count` months later (earlier when negative), or nil outside
    /// the supported years.
    public func adding(months count: Int) -> YearMonth? {
        let (ordinal, overflow) = ordinal.addingReportingOverflow(count)
        guard !overflow else { return nil }
        let year = ordinal >= 0 ? ordinal / 12 : (ordinal - 11) / 12
        return YearMonth(year: year, month: ordinal - year * 12 + 1)
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.ordinal < rhs.ordinal }

    /// `YYYY-MM`.
    public var description: String { "\(zeroPadded(year, width: 4))-\(zeroPadded(month, width: 2))" }
}

/// A non-negative decimal written as text (`"1.5"`, `"85.50"`), held exactly
/// as `numerator / 10^scale` so that comparisons use integer arithmetic only.
/// Used for the edge multiplier (低保边缘倍数) and floor areas.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    public let numerator: Int64
    /// Digits after the point, trailing zeros removed: `"1.50"` has scale 1.
    public let scale: Int
    /// As written in the file.
    public let text: String

    /// 10^scale.
    public var denominator: Int64 {
        var result: Int64 = 1
        for _ in 0..<scale { result *= 10 }
        return result
    }

    /// Digits, optionally a point and at least one more digit: no sign, no
    /// exponent, no spaces. Trailing zeros after the point are free; the
    /// significant digits must fit in 18 (an `Int64` and its power of ten).
    public init(parsing text: String, field: String) throws(UserError) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = parts[0]
        var fraction = parts.count == 2 ? parts[1] : ""
        guard integerPart.isASCIIDigits, parts.count == 1 || fraction.isASCIIDigits else {
            throw UserError("decimal.format", field: field,
                            zh: VerificationText.decimalFormat.zh, en: VerificationText.decimalFormat.en)
        }
        while fraction.last == "0" { fraction = fraction.dropLast() }
        let integerDigits = integerPart.drop { $0 == "0" }
        guard integerDigits.utf8.count + fraction.utf8.count <= 18 else {
            throw UserError("decimal.range", field: field,
                            zh: VerificationText.decimalRange.zh, en: VerificationText.decimalRange.en)
        }
        self.numerator = Int64(asciiDecimalValue((integerDigits + fraction).utf8))
        self.scale = fraction.utf8.count
        self.text = text
    }

    /// Whether `self × value > amount`, exactly: no product is rounded or
    /// truncated, so `1.5 × 74000` is exactly 111000.
    public func times(_ value: Int64, exceeds amount: Int64) -> Bool {
        ExactArithmetic.isLess(amount, denominator, than: numerator, value)
    }

    public var description: String { text }
}

/// Integer arithmetic that cannot overflow or round.
enum ExactArithmetic {
    /// `a × b < c × d`, computed on 128-bit products.
    static func isLess(_ a: Int64, _ b: Int64, than c: Int64, _ d: Int64) -> Bool {
        let left = a.multipliedFullWidth(by: b)
        let right = c.multipliedFullWidth(by: d)
        // Two's complement: the signed high word decides, then the unsigned low word.
        return (left.high, left.low) < (right.high, right.low)
    }

    /// `a × b`, or nil when it does not fit in an `Int64`.
    static func product(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    /// `a + b`, or nil when it does not fit.
    static func sum(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }
}

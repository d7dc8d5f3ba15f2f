import struct Foundation.Date

/// A calendar day (日期) without time or time zone, in the proleptic Gregorian
/// calendar: a birth date, an application date, a statutory deadline.
///
/// Instants (`Date`) belong to logs and sessions; rules about days use this
/// type, so that "today" is passed in and no rule depends on the clock or the
/// server's time zone.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The years accepted when a date is built from its parts or parsed; keeps
    /// the canonical text at exactly four year digits.
    static let supportedYears = 1...9999

    /// The day, or nil if it does not exist (Feb 30, Feb 29 in a common year,
    /// month 13, a year outside 1–9999).
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the strict ISO form `YYYY-MM-DD` (e.g. `2025-01-26`); no
    /// surrounding spaces, no other separators, always two-digit month and day.
    public init(parsing text: String, field: String = "date") throws(UserError) {
        let bytes = Array(text.utf8)
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
              bytes[0..<4].allSatisfy(isDigit), bytes[5..<7].allSatisfy(isDigit),
              bytes[8..<10].allSatisfy(isDigit)
        else {
            throw UserError("date.format", field: field,
                            zh: "日期格式应为 YYYY-MM-DD，例如 2025-01-26",
                            en: "Enter the date as YYYY-MM-DD, for example 2025-01-26")
        }
        guard let date = LocalDate(year: asciiDecimalValue(bytes[0..<4]),
                                   month: asciiDecimalValue(bytes[5..<7]),
                                   day: asciiDecimalValue(bytes[8..<10]))
        else {
            throw UserError("date.invalid", field: field,
                            zh: "该日期不存在", en: "This date does not exist")
        }
        self = date
    }

    /// The day (days since 1970-01-01) as a date. Out-of-range day numbers
    /// still give a date; its text then has more than four year digits.
    public init(dayNumber: Int) {
        // Civil-from-days (H. Hinnant): counts in 400-year eras starting on
        // March 1st, so that the leap day is the last day of the year.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    }

    /// Today's date at `now` in a fixed offset from UTC; China (UTC+8, no
    /// daylight saving) by default, so that a server in another zone still
    /// starts a statutory clock on the Chinese calendar day.
    public static func today(now: Date = Date(), secondsFromGMT: Int = 8 * 3600) -> LocalDate {
        let seconds = now.timeIntervalSince1970 + Double(secondsFromGMT)
        return LocalDate(dayNumber: Int((seconds / 86_400).rounded(.down)))
    }

    /// Days since 1970-01-01 (negative before it).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + days)
    }

    /// The same day `months` later (or earlier); a day the target month
    /// lacks becomes its last day (Jan 31 + 1 month = Feb 28 or 29).
    public func adding(months: Int) -> LocalDate {
        var first = adding(days: 1 - day)
        for _ in 0..<abs(months) {
            if months > 0 {
                first = first.adding(days: Self.daysInMonth(year: first.year, month: first.month))
            } else {
                let previous = first.adding(days: -1)
                first = previous.adding(days: 1 - previous.day)
            }
        }
        return first.adding(days: min(day, Self.daysInMonth(year: first.year, month: first.month)) - 1)
    }

    /// Days from this date to `other`: positive if `other` is later.
    public func days(until other: LocalDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let offset = (dayNumber + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// Saturday or Sunday (周末), before any holiday or make-up-day override.
    public var isWeekend: Bool { weekday >= 6 }

    /// Age in whole years (周岁) on `date`. Someone born on Feb 29 turns a year
    /// older on Mar 1 in a common year. Negative if `date` is before this day.
    public func age(at date: LocalDate) -> Int {
        let years = date.year - year
        return (date.month, date.day) < (month, day) ? years - 1 : years
    }

    public var isLeapYear: Bool { Self.isLeapYear(year) }

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(zeroPadded(year, width: 4))-\(zeroPadded(month, width: 2))-\(zeroPadded(day, width: 2))"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try LocalDate(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

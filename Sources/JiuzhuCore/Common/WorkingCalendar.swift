import struct Foundation.Data
import class Foundation.JSONDecoder

/// A day on which the State Council's holiday notice departs from the plain
/// Monday–Friday week.
public struct CalendarOverride: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// 法定节假日 — a public holiday rest day (listed even when it is a weekend
        /// day inside a holiday, so that the notice reads as published).
        case holiday
        /// 调休上班 — a make-up working day on a Saturday or Sunday.
        case workday
    }

    public let date: LocalDate
    public let kind: Kind
    /// The holiday's name as published, e.g. `春节` or `春节调休`.
    public let name: String

    public init(date: LocalDate, kind: Kind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// 工作日 — the calendar statutory time limits are counted in ("within 10
/// working days"): Monday to Friday, minus public holidays, plus make-up
/// working days on weekends.
public struct WorkingCalendar: Sendable {
    private let overridesByDate: [LocalDate: CalendarOverride]
    /// Day numbers of the overrides that change a day's status (a holiday on a
    /// weekday, a make-up day on a weekend), sorted, for range counts.
    private let effectiveChanges: [(dayNumber: Int, delta: Int)]

    /// Later entries for the same date replace earlier ones.
    public init(overrides: [CalendarOverride]) {
        var byDate: [LocalDate: CalendarOverride] = [:]
        for entry in overrides { byDate[entry.date] = entry }
        self.overridesByDate = byDate
        self.effectiveChanges = byDate.values.compactMap { entry in
            switch (entry.kind, entry.date.isWeekend) {
            case (.holiday, false): (entry.date.dayNumber, -1)
            case (.workday, true): (entry.date.dayNumber, +1)
            default: nil
            }
        }.sorted { $0.dayNumber < $1.dayNumber }
    }

    public func override(on date: LocalDate) -> CalendarOverride? {
        overridesByDate[date]
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        switch overridesByDate[date]?.kind {
        case .holiday: false
        case .workday: true
        case nil: !date.isWeekend
        }
    }

    /// The `n`th working day strictly after `start` (n = 0: `start` itself,
    /// whether or not it is a working day). A negative `n` counts back: the
    /// |n|th working day strictly before `start`.
    public func adding(workingDays n: Int, to start: LocalDate) -> LocalDate {
        let step = n < 0 ? -1 : 1
        var remaining = n.magnitude
        var day = start
        while remaining > 0 {
            day = day.adding(days: step)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }

    /// The number of working days d with start < d ≤ end; 0 if end ≤ start.
    public func workingDays(from start: LocalDate, through end: LocalDate) -> Int {
        let (a, b) = (start.dayNumber, end.dayNumber)
        guard b > a else { return 0 }
        let lower = Self.firstIndex(in: effectiveChanges, after: a)
        let upper = Self.firstIndex(in: effectiveChanges, after: b)
        let adjustment = effectiveChanges[lower..<upper].reduce(0) { $0 + $1.delta }
        return Self.weekdaysThrough(b) - Self.weekdaysThrough(a) + adjustment
    }

    /// Years with at least one override: a deadline in any other year is
    /// counted on plain weekdays, which the interface should warn about.
    public var coveredYears: Set<Int> {
        Set(overridesByDate.keys.map(\.year))
    }

    /// All overrides, in date order.
    public var overrides: [CalendarOverride] {
        overridesByDate.values.sorted { $0.date < $1.date }
    }

    /// Weekdays (Mon–Fri) from the Monday 1969-12-29 through `dayNumber`,
    /// extended below it so that differences count weekdays in any range.
    private static func weekdaysThrough(_ dayNumber: Int) -> Int {
        let days = dayNumber - (-3) + 1
        var weeks = days / 7
        var rest = days % 7
        if rest < 0 { weeks -= 1; rest += 7 }
        return 5 * weeks + min(rest, 5)
    }

    private static func firstIndex(in changes: [(dayNumber: Int, delta: Int)], after dayNumber: Int) -> Int {
        var (low, high) = (0, changes.count)
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].dayNumber <= dayNumber { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Reads the shipped holiday file:
    /// `{"source": "…", "years": {"2025": [{"date": "2025-01-01", "kind": "holiday", "name": "元旦"}, …]}}`.
    ///
    /// Rejects a file an administrator may have edited wrongly: a date listed
    /// twice, a make-up working day on a weekday, an entry filed under a year
    /// it does not belong to (a notice may reach one year back, for a
    /// New Year make-up day in late December).
    public static func decode(_ data: Data) throws -> [CalendarOverride] {
        struct File: Decodable {
            let source: String?
            let years: [String: [CalendarOverride]]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw UserError("calendar.format", field: "calendar",
                            zh: "节假日数据文件格式不正确：\(error)",
                            en: "The holiday data file is malformed: \(error)")
        }
        var seen = Set<LocalDate>()
        var result: [CalendarOverride] = []
        for (yearKey, entries) in file.years.sorted(by: { $0.key < $1.key }) {
            guard yearKey.utf8.count == 4, yearKey.isASCIIDigits else {
                throw UserError("calendar.year", field: "calendar",
                                zh: "节假日数据中的年份“\(yearKey)”不正确",
                                en: "The year \"\(yearKey)\" in the holiday data is not valid")
            }
            let year = Int(yearKey) ?? 0
            for entry in entries {
                guard (year - 1...year).contains(entry.date.year) else {
                    throw UserError("calendar.year", field: "calendar",
                                    zh: "\(entry.date) 不属于 \(yearKey) 年的节假日安排",
                                    en: "\(entry.date) does not belong to the \(yearKey) holiday schedule")
                }
                guard seen.insert(entry.date).inserted else {
                    throw UserError("calendar.duplicate_date", field: "calendar",
                                    zh: "节假日数据中 \(entry.date) 重复出现",
                                    en: "\(entry.date) appears more than once in the holiday data")
                }
                if entry.kind == .workday, !entry.date.isWeekend {
                    throw UserError("calendar.workday_not_weekend", field: "calendar",
                                    zh: "调休上班日 \(entry.date) 不是周末",
                                    en: "The make-up working day \(entry.date) is not on a weekend")
                }
                result.append(entry)
            }
        }
        return result.sorted { $0.date < $1.date }
    }
}

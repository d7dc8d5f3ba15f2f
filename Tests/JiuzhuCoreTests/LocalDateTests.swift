import Foundation
import Testing
@testable import JiuzhuCore

struct LocalDateTests {
    @Test(arguments: [
        (2024, 2, 29), (2000, 2, 29), (2025, 2, 28), (2025, 12, 31), (2025, 1, 1),
        (2025, 4, 30), (1, 1, 1), (9999, 12, 31), (1900, 2, 28),
    ] as [(Int, Int, Int)])
    func acceptsDatesThatExist(year: Int, month: Int, day: Int) throws {
        let value = try #require(LocalDate(year: year, month: month, day: day))
        #expect(value.year == year)
        #expect(value.month == month)
        #expect(value.day == day)
    }

    @Test(arguments: [
        (2023, 2, 29), (1900, 2, 29), (2100, 2, 29), (2025, 2, 30), (2025, 4, 31),
        (2025, 6, 31), (2025, 9, 31), (2025, 11, 31), (2025, 13, 1), (2025, 0, 1),
        (2025, 1, 0), (2025, 1, 32), (2025, -1, 1), (0, 1, 1), (10000, 1, 1), (-5, 3, 1),
    ] as [(Int, Int, Int)])
    func rejectsDatesThatDoNotExist(year: Int, month: Int, day: Int) {
        #expect(LocalDate(year: year, month: month, day: day) == nil)
    }

    @Test func parsesStrictIsoText() throws {
        let parsed = try LocalDate(parsing: "2025-01-26")
        #expect(parsed == date(2025, 1, 26))
        #expect(try LocalDate(parsing: "0987-03-04") == date(987, 3, 4))
    }

    @Test(arguments: [
        "", "2025-1-26", "2025-01-6", "25-01-26", "2025/01/26", "20250126", " 2025-01-26",
        "2025-01-26 ", "2025-01-2a", "２０２５-01-26", "+025-01-26", "2025-01-26T00:00",
        "2025--01-26", "2025-011-6", "-2025-01-2", "2025_01_26", "2025-01126", "2025-01/26", "2025101-26", "2025.01-26",
    ])
    func rejectsTextNotInIsoFormat(text: String) {
        let error = userError { try LocalDate(parsing: text, field: "birthDate") }
        #expect(error?.code == "date.format")
        #expect(error?.field == "birthDate")
    }

    @Test(arguments: ["2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "0000-01-01", "2025-01-00", "1900-02-29"])
    func rejectsWellFormedTextForDaysThatDoNotExist(text: String) {
        let error = userError { try LocalDate(parsing: text) }
        #expect(error?.code == "date.invalid")
        #expect(error?.field == "date")
        #expect(error?.message.zh.isEmpty == false)
        #expect(error?.message.en.isEmpty == false)
    }

    /// Day numbers checked against an independent source (Python's
    /// `date.toordinal() - date(1970, 1, 1).toordinal()`).
    @Test(arguments: [
        ((1970, 1, 1), 0), ((1969, 12, 31), -1), ((1970, 3, 1), 59), ((2000, 3, 1), 11_017),
        ((1900, 1, 1), -25_567), ((2025, 1, 26), 20_114), ((2100, 12, 31), 47_846),
        ((2024, 2, 29), 19_782), ((1, 1, 1), -719_162), ((9999, 12, 31), 2_932_896),
    ] as [((Int, Int, Int), Int)])
    func knowsDayNumbersOfKnownDates(parts: (Int, Int, Int), dayNumber: Int) {
        let value = date(parts.0, parts.1, parts.2)
        #expect(value.dayNumber == dayNumber)
        #expect(LocalDate(dayNumber: dayNumber) == value)
    }

    @Test(arguments: [
        ((1970, 1, 1), 4), ((2025, 1, 26), 7), ((2025, 1, 27), 1), ((2024, 2, 29), 4),
        ((1900, 1, 1), 1), ((1969, 12, 29), 1), ((1969, 12, 28), 7), ((2026, 10, 10), 6),
        ((2000, 1, 1), 6), ((1949, 10, 1), 6),
    ] as [((Int, Int, Int), Int)])
    func computesIsoWeekday(parts: (Int, Int, Int), weekday: Int) {
        let value = date(parts.0, parts.1, parts.2)
        #expect(value.weekday == weekday)
        #expect(value.isWeekend == (weekday >= 6))
    }

    /// Walks every day of 1900–2100 by incrementing the parts by hand and
    /// compares with the arithmetic conversion in both directions.
    @Test func dayNumbersRoundTripForEveryDayFrom1900To2100() {
        var (year, month, day) = (1900, 1, 1)
        var expectedNumber = date(1900, 1, 1).dayNumber
        var expectedWeekday = 1
        var mismatches = 0
        while year <= 2100 {
            let byNumber = LocalDate(dayNumber: expectedNumber)
            if byNumber.year != year || byNumber.month != month || byNumber.day != day
                || byNumber.dayNumber != expectedNumber || byNumber.weekday != expectedWeekday
                || LocalDate(year: year, month: month, day: day) != byNumber {
                mismatches += 1
            }
            let monthLength = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
                               31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            day += 1
            if day > monthLength { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
            expectedNumber += 1
            expectedWeekday = expectedWeekday % 7 + 1
        }
        #expect(mismatches == 0)
        #expect(expectedNumber - date(1900, 1, 1).dayNumber == 73_414)  // 201 years, 49 leap days
    }

    @Test func addingDaysIsConsistentWithDaysUntilAndOrdering() {
        var generator = SeededGenerator(seed: 19_491_001)
        for _ in 0..<5000 {
            let start = LocalDate(dayNumber: Int.random(in: -30_000...50_000, using: &generator))
            let k = Int.random(in: -20_000...20_000, using: &generator)
            let m = Int.random(in: -400...400, using: &generator)
            let moved = start.adding(days: k)
            #expect(start.days(until: moved) == k)
            #expect(moved.days(until: start) == -k)
            #expect(moved.adding(days: m) == start.adding(days: k + m))
            #expect(moved.adding(days: -k) == start)
            #expect((start < moved) == (k > 0))
            #expect((start == moved) == (k == 0))
            #expect(LocalDate(year: moved.year, month: moved.month, day: moved.day) == moved)
        }
    }

    @Test func addingDaysCrossesMonthYearAndLeapDay() {
        #expect(date(2024, 2, 28).adding(days: 1) == date(2024, 2, 29))
        #expect(date(2023, 2, 28).adding(days: 1) == date(2023, 3, 1))
        #expect(date(2024, 12, 31).adding(days: 1) == date(2025, 1, 1))
        #expect(date(2025, 1, 1).adding(days: -1) == date(2024, 12, 31))
        #expect(date(2025, 1, 26).adding(days: 365) == date(2026, 1, 26))
        #expect(date(2024, 1, 26).adding(days: 366) == date(2025, 1, 26))
    }

    @Test(arguments: [
        (0.0, 28_800, (1970, 1, 1)),
        (16 * 3600.0 - 1, 28_800, (1970, 1, 1)),
        (16 * 3600.0, 28_800, (1970, 1, 2)),
        (16 * 3600.0, 0, (1970, 1, 1)),
        (-1.0, 0, (1969, 12, 31)),
        (-1.0, 28_800, (1970, 1, 1)),
        (1_737_820_800.0, 28_800, (2025, 1, 26)),   // 2025-01-25T16:00:00Z
        (1_737_820_799.0, 28_800, (2025, 1, 25)),
        (1_737_820_799.5, 28_800, (2025, 1, 25)),
    ] as [(Double, Int, (Int, Int, Int))])
    func todayUsesTheGivenUtcOffset(seconds: Double, offset: Int, expected: (Int, Int, Int)) {
        let now = Date(timeIntervalSince1970: seconds)
        #expect(LocalDate.today(now: now, secondsFromGMT: offset) == date(expected.0, expected.1, expected.2))
    }

    @Test func todayDefaultsToChinaTime() {
        // 2025-01-25T16:30:00Z is already the 26th in Beijing.
        #expect(LocalDate.today(now: Date(timeIntervalSince1970: 1_737_822_600)) == date(2025, 1, 26))
    }

    @Test(arguments: [
        ((1980, 1, 1), (2025, 1, 1), 45), ((1980, 1, 1), (2024, 12, 31), 44),
        ((1980, 6, 15), (2025, 6, 14), 44), ((1980, 6, 15), (2025, 6, 15), 45),
        ((2000, 2, 29), (2001, 2, 28), 0), ((2000, 2, 29), (2001, 3, 1), 1),
        ((2000, 2, 29), (2004, 2, 28), 3), ((2000, 2, 29), (2004, 2, 29), 4),
        ((2000, 2, 29), (2003, 3, 1), 3), ((2025, 1, 26), (2025, 1, 26), 0),
        ((2025, 1, 26), (2025, 1, 25), -1), ((1949, 12, 31), (2025, 12, 30), 75),
    ] as [((Int, Int, Int), (Int, Int, Int), Int)])
    func computesAgeInWholeYears(birth: (Int, Int, Int), on: (Int, Int, Int), age: Int) {
        #expect(date(birth.0, birth.1, birth.2).age(at: date(on.0, on.1, on.2)) == age)
    }

    @Test func describesItselfAsIsoText() {
        #expect(date(2025, 1, 26).description == "2025-01-26")
        #expect(date(987, 3, 4).description == "0987-03-04")
        #expect("\(date(2026, 10, 10))" == "2026-10-10")
    }

    @Test func encodesAsIsoStringAndDecodesStrictly() throws {
        let data = try JSONEncoder().encode([date(2025, 1, 26)])
        #expect(String(decoding: data, as: UTF8.self) == #"["2025-01-26"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [date(2025, 1, 26)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(#"["2025-02-30"]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(#"["2025-2-3"]"#.utf8))
        }
    }

    @Test func ordersChronologically() {
        let dates = [date(2025, 1, 2), date(1999, 12, 31), date(2025, 1, 1), date(2024, 12, 31), date(2025, 2, 1)]
        #expect(dates.sorted() == [date(1999, 12, 31), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2), date(2025, 2, 1)])
        #expect(dates.sorted() == dates.sorted { $0.dayNumber < $1.dayNumber })
    }

    @Test(arguments: [(2024, true), (2000, true), (1900, false), (2100, false), (2025, false), (1600, true)] as [(Int, Bool)])
    func knowsLeapYears(year: Int, leap: Bool) {
        #expect(LocalDate.isLeapYear(year) == leap)
        #expect(LocalDate.daysInMonth(year: year, month: 2) == (leap ? 29 : 28))
    }
}

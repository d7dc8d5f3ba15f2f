import Foundation
import Testing
@testable import JiuzhuCore

struct WorkingCalendarTests {
    /// A small made-up calendar: a Wednesday holiday, a long holiday over a
    /// weekend, and a make-up Sunday.
    let calendar = WorkingCalendar(overrides: [
        CalendarOverride(date: date(2025, 1, 1), kind: .holiday, name: "元旦"),             // Wed
        CalendarOverride(date: date(2025, 1, 26), kind: .workday, name: "春节调休"),        // Sun
        CalendarOverride(date: date(2025, 1, 28), kind: .holiday, name: "春节"),            // Tue
        CalendarOverride(date: date(2025, 1, 29), kind: .holiday, name: "春节"),
        CalendarOverride(date: date(2025, 1, 30), kind: .holiday, name: "春节"),
        CalendarOverride(date: date(2025, 1, 31), kind: .holiday, name: "春节"),
        CalendarOverride(date: date(2025, 2, 1), kind: .holiday, name: "春节"),             // Sat
        CalendarOverride(date: date(2025, 2, 2), kind: .holiday, name: "春节"),             // Sun
        CalendarOverride(date: date(2025, 2, 3), kind: .holiday, name: "春节"),
        CalendarOverride(date: date(2025, 2, 4), kind: .holiday, name: "春节"),             // Tue
        CalendarOverride(date: date(2025, 2, 8), kind: .workday, name: "春节调休"),         // Sat
    ])

    @Test func plainWeekIsMondayToFriday() {
        let plain = WorkingCalendar(overrides: [])
        let week = (0..<7).map { date(2025, 3, 10).adding(days: $0) }  // Mon 10 … Sun 16
        #expect(week.map(plain.isWorkingDay) == [true, true, true, true, true, false, false])
        #expect(plain.coveredYears.isEmpty)
    }

    @Test func holidaysRestAndMakeUpDaysWork() {
        #expect(!calendar.isWorkingDay(date(2025, 1, 1)))
        #expect(calendar.isWorkingDay(date(2025, 1, 2)))
        #expect(calendar.isWorkingDay(date(2025, 1, 26)))
        #expect(!calendar.isWorkingDay(date(2025, 1, 25)))
        #expect(!calendar.isWorkingDay(date(2025, 2, 1)))
        #expect(calendar.isWorkingDay(date(2025, 2, 8)))
        #expect(!calendar.isWorkingDay(date(2025, 2, 9)))
    }

    @Test func findsTheOverrideOfADay() {
        #expect(calendar.override(on: date(2025, 1, 26))?.kind == .workday)
        #expect(calendar.override(on: date(2025, 1, 26))?.name == "春节调休")
        #expect(calendar.override(on: date(2025, 1, 28))?.kind == .holiday)
        #expect(calendar.override(on: date(2025, 1, 27)) == nil)
        #expect(calendar.coveredYears == [2025])
    }

    @Test func addingZeroWorkingDaysReturnsTheStartEvenOnAHoliday() {
        #expect(calendar.adding(workingDays: 0, to: date(2025, 1, 29)) == date(2025, 1, 29))
        #expect(calendar.adding(workingDays: 0, to: date(2025, 3, 15)) == date(2025, 3, 15))
    }

    @Test(arguments: [
        ((2025, 3, 14), 1, (2025, 3, 17)),   // Fri → Mon
        ((2025, 3, 15), 1, (2025, 3, 17)),   // Sat → Mon
        ((2025, 3, 10), 5, (2025, 3, 17)),   // Mon + 5 → next Mon
        ((2025, 1, 24), 1, (2025, 1, 26)),   // Fri → make-up Sunday
        ((2025, 1, 24), 2, (2025, 1, 27)),
        ((2025, 1, 27), 1, (2025, 2, 5)),    // the whole Spring Festival is skipped
        ((2025, 1, 27), 4, (2025, 2, 8)),    // Wed 5, Thu 6, Fri 7, make-up Sat 8
        ((2025, 1, 27), 5, (2025, 2, 10)),
        ((2024, 12, 31), 1, (2025, 1, 2)),   // over New Year's Day
    ] as [((Int, Int, Int), Int, (Int, Int, Int))])
    func addsWorkingDays(start: (Int, Int, Int), n: Int, expected: (Int, Int, Int)) {
        let from = date(start.0, start.1, start.2)
        let to = date(expected.0, expected.1, expected.2)
        #expect(calendar.adding(workingDays: n, to: from) == to)
        #expect(calendar.workingDays(from: from, through: to) == n)
    }

    @Test func countsWorkingDaysAfterStartThroughEnd() {
        #expect(calendar.workingDays(from: date(2025, 1, 24), through: date(2025, 1, 27)) == 2)  // Sun 26, Mon 27
        #expect(calendar.workingDays(from: date(2025, 1, 27), through: date(2025, 2, 4)) == 0)
        #expect(calendar.workingDays(from: date(2025, 1, 1), through: date(2025, 1, 1)) == 0)
        #expect(calendar.workingDays(from: date(2025, 2, 5), through: date(2025, 1, 1)) == 0)
        #expect(calendar.workingDays(from: date(2025, 3, 9), through: date(2025, 3, 16)) == 5)
        #expect(calendar.workingDays(from: date(2025, 3, 10), through: date(2025, 3, 11)) == 1)
    }

    @Test func countsBackwardWithNegativeWorkingDays() {
        #expect(calendar.adding(workingDays: -1, to: date(2025, 2, 5)) == date(2025, 1, 27))
        #expect(calendar.adding(workingDays: -1, to: date(2025, 3, 17)) == date(2025, 3, 14))
        #expect(calendar.adding(workingDays: -2, to: date(2025, 1, 27)) == date(2025, 1, 24))
    }

    @Test func laterOverridesForTheSameDateWin() {
        let twice = WorkingCalendar(overrides: [
            CalendarOverride(date: date(2025, 3, 12), kind: .holiday, name: "first"),
            CalendarOverride(date: date(2025, 3, 12), kind: .workday, name: "second"),
        ])
        #expect(twice.override(on: date(2025, 3, 12))?.name == "second")
        #expect(twice.isWorkingDay(date(2025, 3, 12)))
        #expect(twice.workingDays(from: date(2025, 3, 11), through: date(2025, 3, 12)) == 1)
    }

    @Test func overridesThatChangeNothingDoNotDisturbCounts() {
        // A holiday on a Saturday and a "workday" on a Tuesday leave the week as it is.
        let redundant = WorkingCalendar(overrides: [
            CalendarOverride(date: date(2025, 3, 15), kind: .holiday, name: "Sat"),
            CalendarOverride(date: date(2025, 3, 11), kind: .workday, name: "Tue"),
        ])
        #expect(redundant.workingDays(from: date(2025, 3, 9), through: date(2025, 3, 16)) == 5)
        #expect(!redundant.isWorkingDay(date(2025, 3, 15)))
        #expect(redundant.isWorkingDay(date(2025, 3, 11)))
    }

    /// The fast range count agrees with counting day by day, also before
    /// 1970, and adding then counting gives back n.
    @Test(arguments: [false, true])
    func rangeCountAgreesWithDayByDayCountAndAdding(useShippedData: Bool) throws {
        let subject = useShippedData ? try HolidayDataTests.shippedCalendar() : calendar
        var generator = SeededGenerator(seed: useShippedData ? 2026 : 2025)
        let around = date(2026, 1, 1).dayNumber
        for round in 0..<3000 {
            let spread = round < 200 ? 25_000 : 900
            let start = LocalDate(dayNumber: around + Int.random(in: -spread...spread, using: &generator))
            let length = Int.random(in: -10...400, using: &generator)
            let end = start.adding(days: length)
            var expected = 0
            var day = start
            while day < end {
                day = day.adding(days: 1)
                if subject.isWorkingDay(day) { expected += 1 }
            }
            #expect(subject.workingDays(from: start, through: end) == expected, "\(start) → \(end)")

            let n = Int.random(in: 0...60, using: &generator)
            let due = subject.adding(workingDays: n, to: start)
            #expect(subject.workingDays(from: start, through: due) == n)
            if n > 0 {
                #expect(subject.isWorkingDay(due))
                #expect(subject.workingDays(from: start, through: due.adding(days: -1)) == n - 1)
                let back = subject.adding(workingDays: -n, to: due)
                #expect(subject.adding(workingDays: n, to: back) == due)
            }
        }
    }

    @Test func decodesTheDataFileFormat() throws {
        let json = """
        {"source": "test", "years": {
          "2012": [{"date": "2011-12-31", "kind": "workday", "name": "元旦调休"},
                   {"date": "2012-01-02", "kind": "holiday", "name": "元旦"}],
          "2025": [{"date": "2025-01-26", "kind": "workday", "name": "春节调休"},
                   {"date": "2025-01-01", "kind": "holiday", "name": "元旦"}]}}
        """
        let overrides = try WorkingCalendar.decode(Data(json.utf8))
        #expect(overrides.map(\.date) == [date(2011, 12, 31), date(2012, 1, 2), date(2025, 1, 1), date(2025, 1, 26)])
        #expect(overrides.first == CalendarOverride(date: date(2011, 12, 31), kind: .workday, name: "元旦调休"))
        #expect(WorkingCalendar(overrides: overrides).coveredYears == [2011, 2012, 2025])
    }

    @Test(arguments: [
        ("not json", "calendar.format"),
        (#"{"years": {"2025": [{"date": "2025-02-30", "kind": "holiday", "name": "x"}]}}"#, "calendar.format"),
        (#"{"years": {"2025": [{"date": "2025-01-01", "kind": "rest", "name": "x"}]}}"#, "calendar.format"),
        (#"{"years": {"2025": [{"date": "2025-01-01", "kind": "holiday"}]}}"#, "calendar.format"),
        (#"{"source": "x"}"#, "calendar.format"),
        (#"{"years": {"2025": [{"date": "2025-01-01", "kind": "holiday", "name": "a"}, {"date": "2025-01-01", "kind": "holiday", "name": "b"}]}}"#, "calendar.duplicate_date"),
        (#"{"years": {"2025": [{"date": "2025-01-01", "kind": "holiday", "name": "a"}], "2026": [{"date": "2025-01-01", "kind": "holiday", "name": "b"}]}}"#, "calendar.duplicate_date"),
        (#"{"years": {"2025": [{"date": "2025-01-27", "kind": "workday", "name": "Mon"}]}}"#, "calendar.workday_not_weekend"),
        (#"{"years": {"2025": [{"date": "2026-01-01", "kind": "holiday", "name": "a"}]}}"#, "calendar.year"),
        (#"{"years": {"2025": [{"date": "2023-12-31", "kind": "workday", "name": "a"}]}}"#, "calendar.year"),
        (#"{"years": {"20x5": [{"date": "2025-01-01", "kind": "holiday", "name": "a"}]}}"#, "calendar.year"),
    ] as [(String, String)])
    func rejectsBrokenDataFiles(json: String, code: String) {
        #expect(userError { try WorkingCalendar.decode(Data(json.utf8)) }?.code == code)
    }
}

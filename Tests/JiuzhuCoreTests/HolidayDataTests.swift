import Foundation
import Testing
@testable import JiuzhuCore

/// Facts about the shipped holiday file that JiuzhuStore loads at start-up.
struct HolidayDataTests {
    static var fileURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // JiuzhuCoreTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
            .appendingPathComponent("Sources/JiuzhuStore/Resources/calendar/cn-holidays.json")
    }

    static func shippedCalendar() throws -> WorkingCalendar {
        WorkingCalendar(overrides: try WorkingCalendar.decode(Data(contentsOf: fileURL)))
    }

    /// The file read without `WorkingCalendar.decode`, so that its own checks
    /// (unique dates, weekend make-up days) are tested independently.
    struct RawFile: Decodable {
        struct Entry: Decodable {
            let date: String
            let kind: String
            let name: String
        }
        let source: String
        let years: [String: [Entry]]
    }

    func raw() throws -> RawFile {
        try JSONDecoder().decode(RawFile.self, from: Data(contentsOf: Self.fileURL))
    }

    func days(_ from: (Int, Int, Int), _ through: (Int, Int, Int)) -> [LocalDate] {
        let start = date(from.0, from.1, from.2)
        return (0...start.days(until: date(through.0, through.1, through.2))).map { start.adding(days: $0) }
    }

    @Test func decodesAndCoversTheYearsItClaims() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.coveredYears == [2025, 2026, 2027])
    }

    @Test func knowsMakeUpSundaysAndTheEndOfGoldenWeek2025() throws {
        let calendar = try Self.shippedCalendar()
        #expect(date(2025, 1, 26).weekday == 7)
        #expect(calendar.isWorkingDay(date(2025, 1, 26)))       // 春节调休, a Sunday
        #expect(calendar.isWorkingDay(date(2025, 2, 8)))        // 春节调休, a Saturday
        #expect(!calendar.isWorkingDay(date(2025, 10, 8)))      // a Wednesday inside 国庆中秋
        #expect(calendar.isWorkingDay(date(2025, 10, 9)))
        #expect(calendar.isWorkingDay(date(2025, 10, 11)))      // make-up Saturday
        #expect(!calendar.isWorkingDay(date(2025, 10, 12)))
    }

    @Test func thirtyWorkingDaysAfterSeptember28th2026IsNovember13th() throws {
        // By hand: 2026-09-28 is a Monday. Sep 29 (1), Sep 30 (2); Oct 1–7
        // 国庆 rest; Thu Oct 8 (3), Fri Oct 9 (4), make-up Sat Oct 10 (5);
        // Oct 12–16 (6–10), Oct 19–23 (11–15), Oct 26–30 (16–20),
        // Nov 2–6 (21–25), Nov 9–13 (26–30): Friday 2026-11-13.
        let calendar = try Self.shippedCalendar()
        #expect(date(2026, 9, 28).weekday == 1)
        #expect(calendar.adding(workingDays: 30, to: date(2026, 9, 28)) == date(2026, 11, 13))
        #expect(calendar.workingDays(from: date(2026, 9, 28), through: date(2026, 11, 13)) == 30)
    }

    @Test func skipsLongHolidays() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.adding(workingDays: 1, to: date(2025, 1, 27)) == date(2025, 2, 5))
        #expect(calendar.adding(workingDays: 1, to: date(2025, 9, 30)) == date(2025, 10, 9))
        #expect(calendar.adding(workingDays: 1, to: date(2026, 2, 13)) == date(2026, 2, 14))  // make-up Sat
        #expect(calendar.adding(workingDays: 2, to: date(2026, 2, 13)) == date(2026, 2, 24))
        #expect(calendar.adding(workingDays: 1, to: date(2026, 4, 30)) == date(2026, 5, 6))
    }

    /// By hand: 2025 has 261 weekdays; 18 of them are holidays (元旦 1,
    /// 春节 6, 清明 1, 劳动节 3, 端午 1, 国庆中秋 6) and there are 5 make-up
    /// days: 248. 2026 has 261 weekdays; 19 holidays (元旦 2, 春节 6, 清明 1,
    /// 劳动节 3, 端午 1, 中秋 1, 国庆 5) and 6 make-up days: 248.
    @Test func countsTheWorkingDaysOfWholeYears() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.workingDays(from: date(2024, 12, 31), through: date(2025, 12, 31)) == 248)
        #expect(calendar.workingDays(from: date(2025, 12, 31), through: date(2026, 12, 31)) == 248)
    }

    @Test func listsEveryDateOnceAndMakeUpDaysOnlyOnWeekends() throws {
        let file = try raw()
        let entries = file.years.values.flatMap { $0 }
        #expect(Set(entries.map(\.date)).count == entries.count)
        for entry in entries {
            let day = try LocalDate(parsing: entry.date)
            #expect(["holiday", "workday"].contains(entry.kind))
            #expect(entry.kind != "workday" || day.isWeekend, "\(entry.date) is a make-up day on a weekday")
            #expect(file.years[String(day.year)]?.contains { $0.date == entry.date } == true)
            #expect(!entry.name.isEmpty)
        }
    }

    @Test func listsExactlyThePublishedHolidaysAndMakeUpDays() throws {
        let calendar = try Self.shippedCalendar()
        let holidays2025 = [
            days((2025, 1, 1), (2025, 1, 1)), days((2025, 1, 28), (2025, 2, 4)), days((2025, 4, 4), (2025, 4, 6)),
            days((2025, 5, 1), (2025, 5, 5)), days((2025, 5, 31), (2025, 6, 2)), days((2025, 10, 1), (2025, 10, 8)),
        ].flatMap { $0 }
        let holidays2026 = [
            days((2026, 1, 1), (2026, 1, 3)), days((2026, 2, 15), (2026, 2, 23)), days((2026, 4, 4), (2026, 4, 6)),
            days((2026, 5, 1), (2026, 5, 5)), days((2026, 6, 19), (2026, 6, 21)), days((2026, 9, 25), (2026, 9, 27)),
            days((2026, 10, 1), (2026, 10, 7)),
        ].flatMap { $0 }
        let workdays2025 = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)]
        let workdays2026 = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                            date(2026, 9, 20), date(2026, 10, 10)]

        let official = calendar.overrides.filter { $0.date.year <= 2026 }
        #expect(Set(official.filter { $0.kind == .holiday }.map(\.date)) == Set(holidays2025 + holidays2026))
        #expect(Set(official.filter { $0.kind == .workday }.map(\.date)) == Set(workdays2025 + workdays2026))
        #expect(calendar.override(on: date(2026, 2, 17))?.name == "春节")
        #expect(calendar.override(on: date(2026, 9, 20))?.name == "国庆节调休")
    }

    @Test func marks2027AsProvisional() throws {
        let file = try raw()
        let entries2027 = try #require(file.years["2027"])
        #expect(!entries2027.isEmpty)
        #expect(entries2027.allSatisfy { $0.name.hasSuffix("（暂定）") })
        let official = (file.years["2025"] ?? []) + (file.years["2026"] ?? [])
        #expect(official.allSatisfy { !$0.name.contains("暂定") })
        #expect(file.source.contains("2027"))
        #expect(file.source.contains("暂定") || file.source.lowercased().contains("provisional"))
        // The estimate still has a Spring Festival around 2027-02-06 and a Golden Week.
        let calendar = try Self.shippedCalendar()
        #expect(!calendar.isWorkingDay(date(2027, 2, 8)))
        #expect(!calendar.isWorkingDay(date(2027, 10, 4)))
    }
}

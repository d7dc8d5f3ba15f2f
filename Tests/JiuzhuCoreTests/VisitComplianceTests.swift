import Testing
@testable import JiuzhuCore

struct VisitComplianceTests {
    func region(_ code: String) -> RegionCode {
        do { return try RegionCode(code) } catch { preconditionFailure("test region \(code): \(error)") }
    }

    func item(_ person: String, _ code: String = "340302001001", due: LocalDate, visited: LocalDate?) -> VisitObligation {
        VisitObligation(personID: person, region: region(code), dueDate: due, visitDate: visited)
    }

    var march: [VisitObligation] {
        [
            item("a", due: date(2025, 3, 5), visited: date(2025, 3, 5)),     // on the day
            item("b", due: date(2025, 3, 6), visited: date(2025, 3, 4)),     // early
            item("c", due: date(2025, 3, 7), visited: date(2025, 3, 10)),    // late
            item("d", due: date(2025, 3, 10), visited: nil),                 // overdue
            item("e", due: date(2025, 3, 20), visited: nil),                 // due today
            item("f", due: date(2025, 3, 25), visited: nil),                 // not yet due
            item("g", due: date(2025, 2, 28), visited: nil),                 // before the period
            item("h", due: date(2025, 3, 12), visited: date(2025, 3, 21)),   // visit not yet known
        ]
    }

    @Test func countsWhatHasFallenDueInThePeriod() {
        let figures = VisitCompliance(march, from: date(2025, 3, 1), through: date(2025, 3, 31), asOf: date(2025, 3, 20))
        #expect(figures.due == 6)
        #expect(figures.done == 3)
        #expect(figures.doneOnTime == 2)
        #expect(figures.overdue == 2)
        #expect(figures.dueToday == 1)
        #expect(figures.shareOnTime == Share(2, of: 6))
        #expect(figures.shareOnTime.percentText == "33.3%")
        #expect(figures.done + figures.overdue + figures.dueToday == figures.due)
    }

    @Test func aLaterDayCountsMore() {
        let figures = VisitCompliance(march, from: date(2025, 3, 1), through: date(2025, 3, 31), asOf: date(2025, 4, 1))
        #expect(figures.due == 7)
        #expect(figures.done == 4)
        #expect(figures.doneOnTime == 2)
        #expect(figures.overdue == 3)
        #expect(figures.dueToday == 0)
    }

    @Test(arguments: [(2, 3, "66.7%"), (1, 8, "12.5%"), (1, 16, "6.3%"), (3, 3, "100.0%"), (0, 5, "0.0%"), (0, 0, "—")])
    func sharesAreExactAndRoundHalfUp(numerator: Int, denominator: Int, text: String) {
        #expect(Share(numerator, of: denominator).percentText == text)
    }

    @Test func emptyPeriodHasNoShare() {
        let figures = VisitCompliance([], from: date(2025, 3, 1), through: date(2025, 3, 31), asOf: date(2025, 3, 31))
        #expect(figures.due == 0)
        #expect(figures.shareOnTime.permille == nil)
    }

    @Test func groupsByTownshipInCodeOrder() {
        let items = [
            item("x", "340302002005", due: date(2025, 3, 3), visited: nil),
            item("y", "340302001001", due: date(2025, 3, 3), visited: date(2025, 3, 3)),
            item("z", "340302001002", due: date(2025, 3, 4), visited: nil),
            item("w", "340302", due: date(2025, 3, 4), visited: nil),   // recorded at county level only
        ]
        let rows = VisitCompliance.byRegion(items, level: .township, from: date(2025, 3, 1), through: date(2025, 3, 31),
                                            asOf: date(2025, 3, 10))
        #expect(rows.map(\.region.value) == ["340302001", "340302002"])
        #expect(rows[0].figures.due == 2)
        #expect(rows[0].figures.doneOnTime == 1)
        #expect(rows[0].figures.overdue == 1)
        #expect(rows[1].figures.due == 1)
        #expect(rows[1].figures.overdue == 1)
    }
}

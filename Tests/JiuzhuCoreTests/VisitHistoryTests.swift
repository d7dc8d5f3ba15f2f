import Testing
@testable import JiuzhuCore

/// The visits a plan owed, from its enrolment and the days it was visited.
struct VisitHistoryTests {
    static var policy: VisitPolicy {
        var policy = VisitPolicy.example
        policy.dueDateMovesToWorkingDay = false
        return policy
    }

    func history(_ selfCare: SelfCareClass = .capable, enrolled: LocalDate = date(2025, 1, 1), visits: [LocalDate],
                 through: LocalDate, policy: VisitPolicy = Self.policy) -> [VisitObligation] {
        let region: RegionCode
        do { region = try RegionCode("340302001001") } catch { preconditionFailure("test region: \(error)") }
        return VisitObligation.history(personID: "p", region: region, selfCare: selfCare,
                                enrolledOn: enrolled, visits: visits, policy: policy, calendar: WorkingCalendar(overrides: []),
                                through: through)
    }

    @Test func eachVisitSettlesTheOneDueAndStartsTheNextInterval() {
        let owed = history(visits: [date(2025, 2, 25), date(2025, 1, 20)], through: date(2025, 4, 30))
        #expect(owed.map(\.dueDate) == [date(2025, 1, 31), date(2025, 2, 19), date(2025, 3, 27)])
        #expect(owed.map(\.visitDate) == [date(2025, 1, 20), date(2025, 2, 25), nil])
        let figures = VisitCompliance(owed, from: date(2025, 1, 1), through: date(2025, 4, 30), asOf: date(2025, 4, 30))
        #expect(figures.due == 3 && figures.doneOnTime == 1 && figures.done == 2 && figures.overdue == 1)
    }

    @Test func anUnmadeVisitIsOneObligationAndNoneFollowIt() {
        #expect(history(visits: [], through: date(2025, 12, 31)).map(\.dueDate) == [date(2025, 1, 31)])
        #expect(history(visits: [], through: date(2025, 1, 30)).isEmpty)
    }

    @Test func aVisitOnTheAnchorDayOrTwiceOnADayCountsOnce() {
        let owed = history(visits: [date(2025, 1, 1), date(2025, 1, 10), date(2025, 1, 10)], through: date(2025, 2, 10))
        #expect(owed.map(\.visitDate) == [date(2025, 1, 10), nil])
        #expect(owed.map(\.dueDate) == [date(2025, 1, 31), date(2025, 2, 9)])
    }

    @Test func aWorkerWhoVisitsEveryWeekIsAlwaysOnTime() {
        let visits = (1...20).map { date(2025, 1, 1).adding(days: 7 * $0) }
        let owed = history(.fullyLost, visits: visits, through: date(2025, 5, 31))
        #expect(owed.count == 21 && owed.dropLast().allSatisfy { $0.visitDate == $0.dueDate })
        #expect(owed.last?.visitDate == nil)
    }

    @Test func dueDatesFollowTheWorkingCalendarWhenThePolicySaysSo() {
        // 2025-02-01 is a Saturday: the first visit (30 days after 2025-01-02) moves to Monday the 3rd.
        let owed = history(enrolled: date(2025, 1, 2), visits: [], through: date(2025, 3, 1), policy: .example)
        #expect(owed.first?.dueDate == date(2025, 2, 3))
    }
}

import Testing
@testable import JiuzhuCore

/// The Spring Festival 2025 as published: a make-up Sunday before, the rest
/// days 28 Jan – 4 Feb, and a make-up Saturday after.
let visitCalendar = WorkingCalendar(overrides: [
    CalendarOverride(date: date(2025, 1, 26), kind: .workday, name: "春节调休"),   // Sun
    CalendarOverride(date: date(2025, 1, 28), kind: .holiday, name: "春节"),       // Tue
    CalendarOverride(date: date(2025, 1, 29), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 1, 30), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 1, 31), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 2, 1), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 2, 2), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 2, 3), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 2, 4), kind: .holiday, name: "春节"),
    CalendarOverride(date: date(2025, 2, 8), kind: .workday, name: "春节调休"),    // Sat
])

struct VisitScheduleTests {
    let policy = VisitPolicy.example

    func schedule(_ selfCare: SelfCareClass, from anchor: LocalDate, policy: VisitPolicy = .example) -> VisitSchedule {
        VisitSchedule(policy: policy, selfCare: selfCare, lastVisitOrEnrolment: anchor, calendar: visitCalendar)
    }

    @Test func exampleIntervalsFollowTheSelfCareClass() {
        let monday = date(2025, 3, 3)
        #expect(schedule(.fullyLost, from: monday).dueDate == date(2025, 3, 10))
        #expect(schedule(.partlyLost, from: monday).dueDate == date(2025, 3, 17))
        #expect(schedule(.capable, from: monday).dueDate == date(2025, 4, 2))
        #expect(schedule(.capable, from: monday).intervalDays == 30)
    }

    @Test func intervalsAreTheRegionsParameters() {
        var weekly = VisitPolicy.example
        weekly.intervalDaysCapable = 21
        #expect(schedule(.capable, from: date(2025, 3, 3), policy: weekly).dueDate == date(2025, 3, 24))
    }

    @Test func dueDateOnAWeekendMovesToMonday() {
        let plan = schedule(.fullyLost, from: date(2025, 3, 8))   // Sat + 7 = Sat 15
        #expect(plan.nominalDueDate == date(2025, 3, 15))
        #expect(plan.dueDate == date(2025, 3, 17))
        #expect(plan.rule.zh.contains("顺延至下一个工作日 2025-03-17"))
        #expect(plan.rule.en.contains("2025-03-15 is a rest day"))
    }

    @Test func dueDateInTheHolidayMovesPastTheWholeHoliday() {
        let plan = schedule(.fullyLost, from: date(2025, 1, 21))  // + 7 = Tue 28 Jan, first rest day
        #expect(plan.nominalDueDate == date(2025, 1, 28))
        #expect(plan.dueDate == date(2025, 2, 5))
    }

    @Test func dueDateOnAMakeUpWorkingDayStays() {
        let plan = schedule(.fullyLost, from: date(2025, 2, 1))   // + 7 = make-up Saturday 8 Feb
        #expect(plan.dueDate == date(2025, 2, 8))
        #expect(plan.rule.zh.contains("顺延") == false)
    }

    @Test func dueDateStaysOnARestDayWhenThePolicySaysSo() {
        var plain = VisitPolicy.example
        plain.dueDateMovesToWorkingDay = false
        #expect(schedule(.fullyLost, from: date(2025, 1, 21), policy: plain).dueDate == date(2025, 1, 28))
    }

    @Test func statusAroundTheDueDateAndTheGraceBoundary() {
        // Due Mon 17 Mar; 5 working days of grace end Mon 24 Mar.
        let plan = schedule(.fullyLost, from: date(2025, 3, 8))
        #expect(plan.lastDayOfGrace == date(2025, 3, 24))
        #expect(plan.status(on: date(2025, 3, 8)) == .upcoming(daysUntilDue: 9))
        #expect(plan.status(on: date(2025, 3, 16)) == .upcoming(daysUntilDue: 1))
        #expect(plan.status(on: date(2025, 3, 17)) == .due)
        #expect(plan.status(on: date(2025, 3, 18)) == .overdue(daysOverdue: 1))
        #expect(plan.status(on: date(2025, 3, 24)) == .overdue(daysOverdue: 7))
        #expect(plan.status(on: date(2025, 3, 25)) == .escalated(daysOverdue: 8))
        #expect(plan.status(on: date(2025, 3, 25)).isLate)
        #expect(!plan.status(on: date(2025, 3, 17)).isLate)
    }

    @Test func graceIsCountedInWorkingDaysOverTheHoliday() {
        // Due Mon 27 Jan; grace: 5, 6, 7 Feb, make-up Sat 8, Mon 10.
        let plan = schedule(.fullyLost, from: date(2025, 1, 20))
        #expect(plan.dueDate == date(2025, 1, 27))
        #expect(plan.lastDayOfGrace == date(2025, 2, 10))
        #expect(plan.status(on: date(2025, 2, 4)) == .overdue(daysOverdue: 8))
        #expect(plan.status(on: date(2025, 2, 10)) == .overdue(daysOverdue: 14))
        #expect(plan.status(on: date(2025, 2, 11)) == .escalated(daysOverdue: 15))
    }

    @Test func zeroGraceEscalatesTheDayAfterTheDueDate() {
        var strict = VisitPolicy.example
        strict.escalationGraceWorkingDays = 0
        let plan = schedule(.fullyLost, from: date(2025, 3, 8), policy: strict)
        #expect(plan.status(on: date(2025, 3, 17)) == .due)
        #expect(plan.status(on: date(2025, 3, 18)) == .escalated(daysOverdue: 1))
    }

    @Test func statusNamesAreBilingual() {
        #expect(VisitStatus.overdue(daysOverdue: 3).name.zh == "已逾期 3 天")
        #expect(VisitStatus.escalated(daysOverdue: 9).name.en.contains("escalated to the township supervisor"))
    }

    @Test(arguments: [(0, SelfCareClass.capable), (1, .partlyLost), (3, .partlyLost), (4, .fullyLost), (6, .fullyLost)])
    func selfCareClassFromFailedActivities(failed: Int, expected: SelfCareClass) {
        let activities = Set(DailyActivity.allCases.prefix(failed))
        #expect(SelfCareAssessment(failed: activities).selfCareClass == expected)
    }

    @Test func failedActivitiesAreListedInFormOrder() {
        let assessment = SelfCareAssessment(failed: [.bathing, .eating, .toileting])
        #expect(assessment.failedInFormOrder == [.eating, .toileting, .bathing])
    }

    @Test func exampleIsAValidPolicy() throws {
        try VisitPolicy.example.validate()
    }

    @Test func rejectsNonsensePolicies() {
        var policy = VisitPolicy.example
        policy.intervalDaysCapable = 0
        #expect(userError { try policy.validate() } == VisitText.policyNotPositive(field: "intervalDaysCapable"))
        policy = .example
        policy.maxSpeedKmh = .nan
        #expect(userError { try policy.validate() }?.field == "maxSpeedKmh")
        policy = .example
        policy.escalationGraceWorkingDays = -1
        #expect(userError { try policy.validate() }?.code == "visit_policy.negative")
        policy = .example
        policy.burstCount = 1
        #expect(userError { try policy.validate() }?.code == "visit_policy.burst_count")
        policy = .example
        policy.coordinateDecimalPlaces = 10
        #expect(userError { try policy.validate() }?.code == "visit_policy.decimal_places")
    }
}

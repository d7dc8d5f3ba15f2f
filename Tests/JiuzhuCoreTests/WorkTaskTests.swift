import Testing
@testable import JiuzhuCore

struct TaskUrgencyTests {
    @Test func urgencyOnEitherSideOfTheDueDate() {
        let due = date(2025, 3, 10)
        #expect(TaskUrgency(due: due, on: date(2025, 3, 7)) == .upcoming(days: 3))
        #expect(TaskUrgency(due: due, on: due) == .dueToday)
        #expect(TaskUrgency(due: due, on: date(2025, 3, 12)) == .overdue(days: 2))
        #expect(TaskUrgency(due: due, on: date(2025, 3, 12)).isOverdue)
        #expect(!TaskUrgency(due: due, on: due).isOverdue)
    }

    @Test func mostUrgentFirst() {
        let shuffled: [TaskUrgency] = [.upcoming(days: 5), .overdue(days: 1), .dueToday, .overdue(days: 9), .upcoming(days: 1)]
        #expect(shuffled.sorted() == [.overdue(days: 9), .overdue(days: 1), .dueToday, .upcoming(days: 1), .upcoming(days: 5)])
    }

    @Test func inboxOrderIsDueDateThenKindThenKey() {
        typealias Item = (due: LocalDate, kind: TaskKind, key: String)
        let items: [Item] = [
            (date(2025, 3, 10), .visitNeeds, "b"),
            (date(2025, 3, 10), .visitOverdue, "z"),
            (date(2025, 3, 9), .selfCareReassessment, "c"),
            (date(2025, 3, 10), .visitNeeds, "a"),
        ]
        let sorted = items.sorted(by: TaskOrder.areInOrder)
        #expect(sorted.map(\.key) == ["c", "z", "a", "b"])
    }

    @Test func everyKindHasAnAssigneeWhoSeesTasks() {
        for kind in TaskKind.allCases {
            #expect(kind.defaultAssignee.has(.viewTasks))
            #expect(!kind.name.zh.isEmpty && !kind.name.en.isEmpty)
        }
    }
}

struct VisitEscalationTests {
    @Test func noTaskUntilTheGracePeriodHasPassed() {
        // Capable, enrolled Mon 3 Mar 2025: due Wed 2 Apr; grace 5 WD → Wed 9 Apr.
        let schedule = VisitSchedule(policy: .example, selfCare: .capable, lastVisitOrEnrolment: date(2025, 3, 3),
                                     calendar: visitCalendar)
        #expect(schedule.lastDayOfGrace == date(2025, 4, 9))
        #expect(VisitEscalation.task(for: schedule, on: date(2025, 4, 2), calendar: visitCalendar) == nil)
        #expect(VisitEscalation.task(for: schedule, on: date(2025, 4, 9), calendar: visitCalendar) == nil)
        let task = VisitEscalation.task(for: schedule, on: date(2025, 4, 10), calendar: visitCalendar)
        #expect(task?.visitDueDate == date(2025, 4, 2))
        #expect(task?.escalatedOn == date(2025, 4, 10))
        // Thu 10 Apr + 3 working days = Tue 15 Apr.
        #expect(task?.dueDate == date(2025, 4, 15))
        #expect(task?.rule.zh.contains("2025-04-15") == true)
    }

    @Test func theSameMissedVisitGivesTheSameTaskOnLaterDays() {
        let schedule = VisitSchedule(policy: .example, selfCare: .fullyLost, lastVisitOrEnrolment: date(2025, 3, 3),
                                     calendar: visitCalendar)
        let first = VisitEscalation.task(for: schedule, on: schedule.lastDayOfGrace.adding(days: 1), calendar: visitCalendar)
        let later = VisitEscalation.task(for: schedule, on: schedule.lastDayOfGrace.adding(days: 20), calendar: visitCalendar)
        #expect(first != nil)
        #expect(first == later)
    }

    @Test func theSupervisorsDaysSkipTheSpringFestival() {
        // Fully lost, last visit Mon 13 Jan 2025: due Mon 20 Jan; grace 5 WD (21–24 Jan and the
        // make-up Sunday 26 Jan) → escalated Mon 27 Jan; 3 WD after the holiday: 5, 6, 7 Feb.
        let schedule = VisitSchedule(policy: .example, selfCare: .fullyLost, lastVisitOrEnrolment: date(2025, 1, 13),
                                     calendar: visitCalendar)
        let task = VisitEscalation.task(for: schedule, on: date(2025, 2, 3), calendar: visitCalendar)
        #expect(task?.escalatedOn == date(2025, 1, 27))
        #expect(task?.dueDate == date(2025, 2, 7))
    }
}

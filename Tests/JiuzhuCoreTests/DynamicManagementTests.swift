import Testing
import Foundation
@testable import JiuzhuCore

/// 动态管理: reviews by class, change reports, the taper, transfer, and what
/// each does to the case's deadlines and payments.
struct DynamicManagementTests {
    typealias A = CaseActors

    /// A dibao case approved on Tue 2025-03-25 in class `reviewClass`.
    func approved(_ programme: Programme = .dibao, reviewClass: ReviewClass = .b,
                  options: WorkflowOptions = .standard) throws -> (CaseRun, [CaseDeadline]) {
        var run = CaseRun(programme, options: options)
        if programme == .tekun {
            var investigation = CaseFixtures.investigation
            investigation.selfCare = SelfCareAssessment(failed: [])
            try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
            try run.take(.completeInvestigation, by: A.caseworker, investigation, on: date(2025, 3, 5))
            try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
            try run.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 10))
        } else {
            try run.throughPublicity()
        }
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        var confirm = CaseFixtures.confirm
        confirm.reviewClass = reviewClass
        if programme == .tekun { confirm.onSiteCheck = .checked(record: "县级实地核查记录 2025-03") }
        let approval = try run.take(.approve, by: A.county, confirm, on: date(2025, 3, 25))
        run.progress.region = try RegionCode("340302001001")
        return (run, approval.deadlines)
    }

    static let review = CaseInputs(homeVisit: HomeVisitRecord(investigators: ["张伟", "李娜"], visitedOn: date(2025, 9, 1), signedByFamily: true, signedByInvestigators: true),
                                   verificationReportNumber: "HD-2025-0101", reviewClass: .c, reviewConclusion: "家庭情况无变化，维持")

    // MARK: Review schedule

    @Test(arguments: [(ReviewClass.a, date(2026, 3, 25)), (.b, date(2026, 3, 25)), (.c, date(2025, 9, 25))])
    func approvalSchedulesTheFirstReviewByClass(reviewClass: ReviewClass, due: LocalDate) throws {
        let (_, deadlines) = try approved(reviewClass: reviewClass)
        #expect(deadlines.map(\.kind) == [.review])
        #expect(deadlines.first?.date == due)
    }

    @Test func dibaoApprovalNeedsTheClass() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        var confirm = CaseFixtures.confirm
        confirm.reviewClass = nil
        let error = run.attempt(.approve, by: A.county, confirm, on: date(2025, 3, 25))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "reviewClass")
    }

    @Test func tekunIsReviewedYearlyWithoutAClass() throws {
        let (_, deadlines) = try approved(.tekun)
        #expect(deadlines.first { $0.kind == .review }?.date == date(2026, 3, 25))
    }

    @Test func aRegionSetsItsOwnIntervals() throws {
        var options = WorkflowOptions.standard
        options.review.classCMonths = 3
        let (_, deadlines) = try approved(reviewClass: .c, options: options)
        #expect(deadlines.first?.date == date(2025, 6, 25))
    }

    @Test func theReviewNeedsItsRecordAndSetsTheNextByTheNewClass() throws {
        var (run, _) = try approved(reviewClass: .b)
        let error = run.attempt(.review, by: A.caseworker, on: date(2025, 9, 2))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.message.zh.contains("复核结论") == true)
        #expect(run.attempt(.review, by: A.county, Self.review, on: date(2025, 9, 2))?.code == "case.actor_not_allowed")
        let reviewed = try run.take(.review, by: A.caseworker, Self.review, on: date(2025, 9, 2))
        #expect(reviewed.progress.state == .approved)
        #expect(reviewed.deadlines.map(\.kind) == [.review])
        #expect(reviewed.deadlines.first?.date == date(2026, 3, 2))
        #expect(reviewed.step.clears == [.changeReview])
    }

    @Test func intervalsOutOfRangeAreRefusedByField() {
        var schedule = ReviewSchedule.standard
        schedule.classCMonths = 0
        #expect(throws: UserError.self) { try schedule.validate() }
        do { try schedule.validate() } catch { #expect(error.field == "classCMonths") }
        schedule = .standard
        schedule.reminderDays = 91
        do { try schedule.validate() } catch { #expect(error.field == "reminderDays") }
        #expect((try? ReviewSchedule.standard.validate()) != nil)
    }

    @Test func aReviewEntersTheInboxWithinTheReminderWindow() {
        let schedule = ReviewSchedule.standard
        #expect(!schedule.isInInbox(due: date(2026, 3, 25), today: date(2026, 2, 22)))
        #expect(schedule.isInInbox(due: date(2026, 3, 25), today: date(2026, 2, 23)))
        #expect(schedule.isInInbox(due: date(2026, 3, 25), today: date(2026, 4, 1)))
        #expect(schedule.reminderDay(due: date(2026, 3, 25)) == date(2026, 2, 23))
    }

    // MARK: Changes

    @Test func aDeathCallsForAReviewWithinThreeMonthsOfTheDeath() throws {
        var (run, deadlines) = try approved()
        let death = CaseInputs(changeReport: ChangeReport(kind: .death, occurredOn: date(2025, 5, 31), detail: "户主之母病故"))
        let reported = try run.take(.reportChange, by: A.villageAssistant, death, on: date(2025, 6, 10))
        #expect(reported.progress.state == .approved)
        #expect(reported.deadlines.map(\.kind) == [.changeReview])
        #expect(reported.deadlines.first?.date == date(2025, 8, 31))
        deadlines = CaseAgenda.merge(deadlines, with: reported.deadlines, clearing: reported.step.clears)
        let next = CaseAgenda.next(run.workflow, progress: run.progress, deadlines: deadlines)
        #expect(next?.actions == [.review])
        #expect(next?.role == .townshipCaseworker)
        #expect(next?.due?.date == date(2025, 8, 31))

        // A later, minor change does not postpone the review of the death (it would be due 2025-09-19).
        let minor = CaseInputs(changeReport: ChangeReport(kind: .income, occurredOn: date(2025, 8, 10), detail: "务工收入减少"))
        let second = try run.take(.reportChange, by: A.caseworker, minor, on: date(2025, 8, 20))
        #expect(second.deadlines.first?.date == date(2025, 9, 19))
        deadlines = CaseAgenda.merge(deadlines, with: second.deadlines, clearing: second.step.clears)
        #expect(deadlines.filter { $0.kind == .changeReview }.map(\.date) == [date(2025, 8, 31)])

        // The review settles it; the next review follows the schedule again.
        let reviewed = try run.take(.review, by: A.caseworker, Self.review, on: date(2025, 9, 2))
        deadlines = CaseAgenda.merge(deadlines, with: reviewed.deadlines, clearing: reviewed.step.clears)
        #expect(deadlines.map(\.kind) == [.review])
        #expect(CaseAgenda.next(run.workflow, progress: run.progress, deadlines: deadlines)?.due?.date == date(2026, 3, 2))
    }

    @Test func otherChangesAreReviewedWithinTheRegionsDays() {
        let report = ChangeReport(kind: .employment, occurredOn: date(2025, 6, 1), detail: "长子在县城就业")
        #expect(report.review(reportedOn: date(2025, 6, 5), schedule: .standard).date == date(2025, 7, 5))
        var schedule = ReviewSchedule.standard
        schedule.changeReviewDays = 10
        #expect(report.review(reportedOn: date(2025, 6, 5), schedule: schedule).date == date(2025, 6, 15))
    }

    @Test func aChangeReportedMoreThanThreeMonthsLateIsFlagged() {
        let report = ChangeReport(kind: .assets, occurredOn: date(2025, 1, 31), detail: "购买机动车一辆")
        #expect(!report.isLate(reportedOn: date(2025, 4, 30)))
        #expect(report.isLate(reportedOn: date(2025, 5, 1)))
    }

    @Test func aChangeReportIsCheckedForDateAndDetail() throws {
        let (run, _) = try approved()
        let future = CaseInputs(changeReport: ChangeReport(kind: .income, occurredOn: date(2025, 7, 2), detail: "收入增加"))
        #expect(run.attempt(.reportChange, by: A.caseworker, future, on: date(2025, 7, 1))?.code == "change.date_in_future")
        let blank = CaseInputs(changeReport: ChangeReport(kind: .income, occurredOn: date(2025, 6, 2), detail: " "))
        #expect(run.attempt(.reportChange, by: A.caseworker, blank, on: date(2025, 7, 1))?.field == "changeDetail")
        #expect(run.attempt(.reportChange, by: A.caseworker, on: date(2025, 7, 1))?.code == "case.inputs_missing")
    }

    // MARK: Taper

    @Test(arguments: [0, 7])
    func aTaperLastsOneToSixMonths(months: Int) {
        #expect(throws: UserError.self) { try TaperPlan(months: months) }
    }

    @Test func aTaperPaysItsMonthsThenTheStopIsDueAndPaysNoMore() throws {
        var (run, deadlines) = try approved()
        let taper = CaseInputs(changeReason: "长子就业，家庭人均收入超过低保标准，给予 3 个月渐退期", taper: try TaperPlan(months: 3))
        #expect(run.attempt(.startTaper, by: A.caseworker, taper, on: date(2025, 11, 10))?.code == "case.actor_not_allowed")
        let started = try run.take(.startTaper, by: A.county, taper, on: date(2025, 11, 10))
        #expect(started.progress.lastPaidMonth == YearMonth(year: 2026, month: 2))
        #expect(Set(started.deadlines.map(\.kind)) == [.taperEnd, .decisionNotice])
        #expect(started.deadlines.first { $0.kind == .taperEnd }?.date == date(2026, 2, 28))
        deadlines = CaseAgenda.merge(deadlines, with: started.deadlines, clearing: started.step.clears)
        let next = CaseAgenda.next(run.workflow, progress: run.progress, deadlines: deadlines)
        #expect(next?.actions == [.terminate])
        #expect(next?.role == .countyReviewer)

        #expect(run.attempt(.startTaper, by: A.county, taper, on: date(2025, 12, 1))?.code == "taper.already_set")

        let first = YearMonth(year: 2025, month: 4)
        for (month, paid) in [(2, true), (3, false)] {
            #expect(PaymentRule.isPaid(state: .approved, firstMonth: first, lastMonth: run.progress.lastPaidMonth,
                                       month: YearMonth(year: 2026, month: month)!) == paid)
        }
        // Stopped late, in April: still nothing after February.
        let stopped = try run.take(.terminate, by: A.county, CaseInputs(terminationReasons: ["渐退期满"]), on: date(2026, 4, 3))
        #expect(stopped.progress.lastPaidMonth == YearMonth(year: 2026, month: 2))
        #expect(stopped.step.clears.contains(.taperEnd))
    }

    @Test func onlyDibaoTapers() {
        #expect(CaseWorkflow.definition(for: .tekun, options: .standard).contains { $0.action == .startTaper } == false)
        #expect(CaseWorkflow.definition(for: .dibao, options: .standard).contains { $0.action == .startTaper })
    }

    // MARK: Stop takes effect next month

    @Test func aStopIsPaidForItsOwnMonthAndNeverAfter() throws {
        var (run, _) = try approved()
        let stopped = try run.take(.terminate, by: A.county, CaseInputs(terminationReasons: ["家庭人均收入超过标准"]), on: date(2025, 6, 12))
        #expect(stopped.progress.lastPaidMonth == YearMonth(year: 2025, month: 6))
        #expect(stopped.deadlines.map(\.kind) == [.decisionNotice])
        let first = YearMonth(year: 2025, month: 4)
        #expect(PaymentRule.isPaid(state: .terminated, firstMonth: first, lastMonth: stopped.progress.lastPaidMonth, month: YearMonth(year: 2025, month: 6)!))
        #expect(!PaymentRule.isPaid(state: .terminated, firstMonth: first, lastMonth: stopped.progress.lastPaidMonth, month: YearMonth(year: 2025, month: 7)!))
        #expect(!PaymentRule.isPaid(state: .terminated, firstMonth: first, lastMonth: nil, month: YearMonth(year: 2025, month: 5)!))
    }

    @Test func aChangeOfAmountIsToldInWriting() throws {
        var (run, _) = try approved()
        let changed = try run.take(.changeAmount, by: A.county, CaseInputs(amount: Money(yuan: 450), changeReason: "家庭收入增加"), on: date(2025, 6, 12))
        #expect(changed.deadlines.map(\.kind) == [.decisionNotice])
        #expect(changed.deadlines.first?.date == date(2025, 6, 17))
    }

    // MARK: Transfer

    static let destination = try! RegionCode("340303001001")

    @Test func aTransferIsAcceptedByTheReceivingCountyAndMovesTheCase() throws {
        var (run, _) = try approved()
        let request = CaseInputs(transfer: TransferRequest(destination: Self.destination, reason: "随子女迁居"))
        let asked = try run.take(.requestTransfer, by: A.caseworker, request, on: date(2025, 8, 1))
        #expect(asked.progress.state == .transferring)
        #expect(PaymentRule.isPaid(state: .transferring, firstMonth: YearMonth(year: 2025, month: 4), month: YearMonth(year: 2025, month: 8)!))

        let sending = CaseActor(role: .countyReviewer, home: try RegionCode("340302"), caseRegion: try RegionCode("340302001001"),
                                transferTo: Self.destination)
        let receiving = CaseActor(role: .countyReviewer, home: try RegionCode("340303"), caseRegion: try RegionCode("340302001001"),
                                  transferTo: Self.destination)
        #expect(sending.relation == .caseCounty)
        #expect(receiving.relation == .receivingCounty)
        let opinion = CaseInputs(transfer: request.transfer, transferOpinion: "同意接收")
        #expect(run.attempt(.acceptTransfer, by: sending, opinion, on: date(2025, 8, 5))?.code == "case.actor_not_allowed")
        // The application's old whole-process limit does not make the transfer overdue.
        let old = CaseDeadline(kind: .wholeProcess, date: date(2025, 4, 14), rule: Bilingual(zh: "30 WD", en: "30 WD"))
        let next = CaseAgenda.next(run.workflow, progress: run.progress, deadlines: [old])
        #expect(next?.actions == [.acceptTransfer, .declineTransfer] && next?.due == nil)
        #expect(next?.role == .countyReviewer)
        let accepted = try run.take(.acceptTransfer, by: receiving, opinion, on: date(2025, 8, 5))
        #expect(accepted.progress.state == .approved)
        #expect(accepted.progress.region == Self.destination)
    }

    @Test func aDeclinedTransferStaysWhereItWas() throws {
        var (run, _) = try approved()
        let request = CaseInputs(transfer: TransferRequest(destination: Self.destination, reason: "随子女迁居"))
        try run.take(.requestTransfer, by: A.caseworker, request, on: date(2025, 8, 1))
        let receiving = CaseActor(role: .countyReviewer, relation: .receivingCounty)
        #expect(run.attempt(.declineTransfer, by: receiving, on: date(2025, 8, 5))?.code == "case.inputs_missing")
        let declined = try run.take(.declineTransfer, by: receiving, CaseInputs(transferOpinion: "迁入地址核实不符"), on: date(2025, 8, 5))
        #expect(declined.progress.state == .approved)
        #expect(declined.progress.region == (try RegionCode("340302001001")))
    }

    @Test(arguments: ["340302002001", "340303001", "340302001001"])
    func aTransferGoesToAVillageInAnotherCounty(code: String) throws {
        let (run, _) = try approved()
        let request = CaseInputs(transfer: TransferRequest(destination: try RegionCode(code), reason: "迁居"))
        let error = run.attempt(.requestTransfer, by: A.caseworker, request, on: date(2025, 8, 1))
        #expect(["transfer.same_county", "transfer.destination_level"].contains(error?.code))
    }

    @Test func aTransferNeedsAReason() throws {
        let (run, _) = try approved()
        let request = CaseInputs(transfer: TransferRequest(destination: Self.destination, reason: "  "))
        #expect(run.attempt(.requestTransfer, by: A.caseworker, request, on: date(2025, 8, 1))?.field == "transferReason")
    }

    // MARK: Options and dates

    @Test func storedOptionsNamingOnlyWhatDiffersTakeTheStandardForTheRest() throws {
        let json = #"{"delegatedConfirmation": true, "review": {"classCMonths": 4}}"#
        let options = try JSONDecoder().decode(WorkflowOptions.self, from: Data(json.utf8))
        #expect(options.delegatedConfirmation)
        #expect(options.review.classCMonths == 4)
        #expect(options.review.classAMonths == 12)
        #expect(options.emergencyTownshipLimit == WorkflowOptions.standard.emergencyTownshipLimit)
        var bad = options
        bad.emergencyRecordWorkingDays = 0
        #expect(throws: UserError.self) { try bad.validate() }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TaperPlan.self, from: Data(#"{"months": 9}"#.utf8))
        }
    }

    @Test(arguments: [(date(2025, 1, 31), 1, date(2025, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
                      (date(2025, 8, 31), 6, date(2026, 2, 28)), (date(2025, 3, 15), 12, date(2026, 3, 15)),
                      (date(2025, 3, 31), -1, date(2025, 2, 28)), (date(2025, 1, 15), -13, date(2023, 12, 15))])
    func addingMonthsKeepsTheDayOrTheMonthsLastDay(from: LocalDate, months: Int, to: LocalDate) {
        #expect(from.adding(months: months) == to)
    }

    @Test func addingMonthsRoundTripsOnDaysEveryMonthHas() {
        for dayNumber in stride(from: 19_000, to: 21_000, by: 7) {
            let day = LocalDate(dayNumber: dayNumber)
            guard day.day <= 28 else { continue }
            for months in [-25, -1, 1, 6, 13] {
                #expect(day.adding(months: months).adding(months: -months) == day)
                #expect(day.adding(months: months).day == day.day)
            }
        }
    }

    @Test func aNoticeIsUpForSevenDaysAfterPosting() {
        let posted = date(2025, 3, 10)
        #expect(!CaseClock.isPosted(startedOn: posted, today: date(2025, 3, 9)))
        #expect(CaseClock.isPosted(startedOn: posted, today: posted))
        #expect(CaseClock.isPosted(startedOn: posted, today: date(2025, 3, 17)))
        #expect(!CaseClock.isPosted(startedOn: posted, today: date(2025, 3, 18)))
        #expect(CaseClock.earliestPostingStillUp(today: date(2025, 3, 17)) == posted)
    }
}

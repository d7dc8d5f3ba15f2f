import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing
import Vapor

/// 动态管理 on both databases: reviews enter the inbox once as they come
/// near, a death's review, the taper and the stop in the payment rolls, a
/// transfer that moves the case, the household and its people, and the
/// regions' workflow options.
@Suite struct DynamicManagementStoreTests {
    let cases = CaseRepositoryTests()
    let payments = PaymentRepositoryTests()
    let sending = try! RegionCode("340321")
    let receivingCounty = try! RegionCode("340322")
    let destination = try! RegionCode("340322100201")  // 五河县城关镇沱湖村

    func on(_ text: String) -> LocalDate { try! LocalDate(parsing: text) }

    /// The Core review record of a review on `day`.
    func review(on day: LocalDate, reviewClass: ReviewClass = .b) -> CaseInputs {
        CaseInputs(homeVisit: HomeVisitRecord(investigators: ["李经办", "张协理"], visitedOn: day, signedByFamily: true, signedByInvestigators: true),
                   verificationReportNumber: "HD-R1", reviewClass: reviewClass, reviewConclusion: "家庭情况无变化，维持")
    }

    func sweep(_ app: Application, _ repository: CaseRepository, on day: LocalDate) async throws -> Int {
        try await repository.openDueReviews(today: day, calendar: try await CalendarStore(db: app.db).calendar(), now: cases.noon(day))
    }

    func reviewTasks(_ app: Application, _ record: CaseRecord) async throws -> [TaskRecord] {
        try await TaskRecord.query(on: app.db).filter(\.$kind == TaskKind.caseStep.rawValue)
            .filter(\.$subjectID == record.requireID().uuidString).filter(\.$closedMillis == nil).all()
    }

    @Test(arguments: TestDatabase.all)
    func aReviewEntersTheInboxOnceAsItComesNearAndTheReviewSetsTheNext(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var record = try await payments.approvedCase(app)  // approved 2026-06-29, class B
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            #expect(record.nextReviewOn == "2027-06-29" && record.reminderOn == "2027-05-30")
            #expect(try await reviewTasks(app, record).isEmpty)  // a year ahead: not in the inbox yet

            #expect(try await sweep(app, repository, on: on("2027-05-29")) == 0)
            #expect(try await sweep(app, repository, on: on("2027-05-30")) == 1)
            #expect(try await sweep(app, repository, on: on("2027-06-02")) == 0)
            #expect(try await CaseRecord.find(record.requireID(), on: app.db)?.reminderOn == nil)
            let tasks = try await reviewTasks(app, record)
            #expect(tasks.count == 1 && tasks.first?.dueOn == "2027-06-29" && tasks.first?.details["actions"] == "review")
            #expect(tasks.first?.assigneeRole == StaffRole.townshipCaseworker.rawValue)

            record = try await cases.act(repository, app, record, .review, by: cases.caseworker, review(on: on("2027-06-10"), reviewClass: .c),
                                         on: on("2027-06-10"))
            #expect(record.caseState == .approved && record.nextReviewOn == "2027-12-10")  // class C: 6 months
            #expect(try await reviewTasks(app, record).isEmpty)
            #expect(try repository.inputs(of: record).reviewClass == .c)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDeathCallsForAReviewWithinThreeMonths(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var record = try await payments.approvedCase(app)
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let death = CaseInputs(changeReport: ChangeReport(kind: .death, occurredOn: on("2026-07-05"), detail: "户主之母病故"))
            record = try await cases.act(repository, app, record, .reportChange, by: cases.caseworker, death, on: on("2026-07-10"))
            #expect(record.nextReviewOn == "2026-10-05")
            #expect(record.deadlineList.contains { $0.kind == .changeReview && $0.date == on("2026-10-05") })
            #expect(try await sweep(app, repository, on: on("2026-09-04")) == 0)
            #expect(try await sweep(app, repository, on: on("2026-09-05")) == 1)
            #expect(try await reviewTasks(app, record).first?.dueOn == "2026-10-05")
            // A future-dated change is refused and nothing is written.
            let future = CaseInputs(changeReport: ChangeReport(kind: .income, occurredOn: on("2026-09-30"), detail: "收入增加"))
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, record, .reportChange, by: cases.caseworker, future, on: on("2026-09-20"))
            }
            #expect(try await CaseRecord.find(record.requireID(), on: app.db)?.version == record.version)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTaperPaysItsMonthsAndTheStopNothingAfter(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var record = try await payments.approvedCase(app)
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let pay = PaymentRepository(db: app.db, keys: TestKeys.ring)
            try await pay.setPayee(record, name: "王建国", account: "6222021234567890123", audit: cases.audit("payee"))
            let taper = CaseInputs(changeReason: "长子就业，收入超过低保标准", taper: try TaperPlan(months: 3))
            record = try await cases.act(repository, app, record, .startTaper, by: cases.county, taper, on: on("2026-08-03"))
            #expect(record.lastMonth == "2026-11" && record.nextReviewOn == "2026-11-30")
            let letters = try await TaskRecord.query(on: app.db).filter(\.$kind == TaskKind.decisionLetter.rawValue)
                .filter(\.$subjectID == record.requireID().uuidString).all()
            #expect(letters.count == 1 && letters.first?.dueOn == "2026-08-06")
            #expect(try await pay.due(county: sending, month: YearMonth(year: 2026, month: 11)!).ready.count == 1)
            #expect(try await pay.due(county: sending, month: YearMonth(year: 2026, month: 12)!).ready.isEmpty)

            // The taper's end is the county's stop, due by the last day.
            #expect(try await sweep(app, repository, on: on("2026-11-01")) == 1)
            #expect(try await TaskRepository.inbox(role: .countyReviewer, scope: RegionScope(root: sending), on: app.db)
                .contains { $0.details["actions"] == "terminate" && $0.dueOn == "2026-11-30" })
            record = try await cases.act(repository, app, record, .terminate, by: cases.county,
                                         CaseInputs(terminationReasons: ["渐退期满"]), on: on("2026-12-02"))
            #expect(record.caseState == .terminated && record.lastMonth == "2026-11" && record.nextReviewOn == nil)
            #expect(try await pay.due(county: sending, month: YearMonth(year: 2026, month: 11)!).ready.count == 1)
            #expect(try await pay.due(county: sending, month: YearMonth(year: 2026, month: 12)!).ready.isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aStopIsPaidForItsOwnMonthUnlessThatMonthIsFrozenAlready(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var record = try await payments.approvedCase(app)
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let pay = PaymentRepository(db: app.db, keys: TestKeys.ring)
            try await pay.setPayee(record, name: "王建国", account: "6222021234567890123", audit: cases.audit("payee"))
            let august = YearMonth(year: 2026, month: 8)!
            record = try await cases.act(repository, app, record, .terminate, by: cases.county,
                                         CaseInputs(terminationReasons: ["家庭人均收入超过低保标准"]), on: on("2026-08-10"))
            #expect(record.lastMonth == "2026-08")
            let roll = try await pay.freeze(county: sending, month: august, actor: "pay", audit: cases.audit("roll"))
            #expect(roll.lineCount == 1)
            #expect(try await pay.freeze(county: sending, month: YearMonth(year: 2026, month: 9)!, actor: "pay", audit: cases.audit("roll")).lineCount == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTransferMovesTheCaseTheHouseholdAndItsPeopleWhenTheReceivingCountyAccepts(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var record = try await payments.approvedCase(app)
            let id = try record.requireID()
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let receiving = CaseActorIdentity(username: "wuhe.reviewer", role: .countyReviewer, home: receivingCounty)
            let there = RegionScope(root: receivingCounty)
            #expect(try await repository.caseRecord(id: id, in: there) == nil)

            let request = CaseInputs(transfer: TransferRequest(destination: destination, reason: "随子女迁居五河县"))
            record = try await cases.act(repository, app, record, .requestTransfer, by: cases.caseworker, request, on: on("2026-08-03"))
            #expect(record.caseState == .transferring && record.transferTo == destination.value && record.regionCode == "340321100201")
            // The receiving county sees it and has the task; the sending county still pays.
            #expect(try await repository.caseRecord(id: id, in: there) != nil)
            #expect(try await repository.cases(in: there).map(\.id) == [id])
            let waiting = try await TaskRepository.inbox(role: .countyReviewer, scope: there, on: app.db)
            #expect(waiting.map(\.subjectID) == [id.uuidString] && waiting.first?.dueOn == "2026-08-03")  // no limit: not overdue
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, record, .acceptTransfer, by: cases.county, CaseInputs(transferOpinion: "同意"), on: on("2026-08-05"))
            }

            let before = try await repository.events(caseID: id).count
            record = try await cases.act(repository, app, record, .acceptTransfer, by: receiving,
                                         CaseInputs(transferOpinion: "经核实已在本县居住，同意接收"), on: on("2026-08-05"))
            #expect(record.caseState == .approved && record.regionCode == destination.value && record.transferTo == nil)
            #expect(try await repository.events(caseID: id).count == before + 1)
            #expect(try await repository.caseRecord(id: id, in: RegionScope(root: sending)) == nil)
            #expect(try await repository.caseRecord(id: id, in: there) != nil)
            let household = try #require(try await HouseholdRecord.find(record.householdID, on: app.db))
            #expect(household.regionCode == destination.value)
            let members = try await MemberRecord.query(on: app.db).filter(\.$householdID == record.householdID).all()
            #expect(!members.isEmpty && members.allSatisfy { $0.regionCode == destination.value })
            let people = try await PersonRecord.query(on: app.db).filter(\.$id ~~ members.map(\.personID)).all()
            #expect(people.count == members.count && people.allSatisfy { $0.regionCode == destination.value })
            #expect(try await TaskRepository.inbox(role: .countyReviewer, scope: there, on: app.db).isEmpty)
            // The payee goes with it: September is paid by the receiving county.
            let pay = PaymentRepository(db: app.db, keys: TestKeys.ring)
            try await pay.setPayee(record, name: "王建国", account: "6222021234567890123", audit: cases.audit("payee"))
            let september = YearMonth(year: 2026, month: 9)!
            #expect(try await pay.due(county: receivingCounty, month: september).ready.map(\.id) == [id])
            #expect(try await pay.due(county: sending, month: september).ready.isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDeclinedTransferStaysAndTheRegionsOptionsApply(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let store = WorkflowPolicyStore(db: app.db)
            #expect(try await store.options(for: try RegionCode("340321100201")).setFor == nil)
            var options = WorkflowOptions.standard
            options.review.classBMonths = 6
            try await store.set(options, for: sending, audit: cases.audit("workflow_policy.set"))
            let found = try await store.options(for: try RegionCode("340321100201"))
            #expect(found.setFor == sending && found.options.review.classBMonths == 6)
            var bad = options
            bad.review.classAMonths = 0
            await #expect(throws: UserError.self) { try await store.set(bad, for: sending, audit: cases.audit("workflow_policy.set")) }
            #expect(try await store.options(for: sending).options == options)

            var record = try await payments.approvedCase(app)  // approved 2026-06-29 under class B = 6 months here
            #expect(record.nextReviewOn == "2026-12-29")
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let request = CaseInputs(transfer: TransferRequest(destination: destination, reason: "迁居"))
            record = try await cases.act(repository, app, record, .requestTransfer, by: cases.caseworker, request, on: on("2026-08-03"))
            let receiving = CaseActorIdentity(username: "wuhe.reviewer", role: .countyReviewer, home: receivingCounty)
            record = try await cases.act(repository, app, record, .declineTransfer, by: receiving,
                                         CaseInputs(transferOpinion: "迁入地址核实不符"), on: on("2026-08-04"))
            #expect(record.caseState == .approved && record.regionCode == "340321100201" && record.transferTo == nil)
            #expect(try await repository.caseRecord(id: record.requireID(), in: RegionScope(root: receivingCounty)) == nil)
            #expect(try await HouseholdRecord.find(record.householdID, on: app.db)?.regionCode == "340321100201")
        }
    }
}

extension DynamicManagementStoreTests {
    @Test(arguments: TestDatabase.all)
    func casesApprovedBeforeDynamicManagementEnterTheReviewCycle(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let record = try await payments.approvedCase(app)  // approved 2026-06-29
            // As M016 left it: no review, no review dates.
            let old = try #require(try await CaseRecord.find(record.requireID(), on: app.db))
            old.deadlines = String(decoding: try JSONEncoder().encode(old.deadlineList.filter { $0.kind != .review }), as: UTF8.self)
            old.nextReviewOn = nil
            old.reminderOn = nil
            try await old.update(on: app.db)
            try await M018DynamicManagement.scheduleFirstReviews(on: app.db)
            let fresh = try #require(try await CaseRecord.find(record.requireID(), on: app.db))
            #expect(fresh.deadlineList.filter { $0.kind == .review }.map(\.date) == [on("2027-06-29")])
            #expect(fresh.nextReviewOn == "2027-06-29" && fresh.reminderOn == "2027-05-30")
            // Run again: nothing changes.
            try await M018DynamicManagement.scheduleFirstReviews(on: app.db)
            #expect(try await CaseRecord.find(record.requireID(), on: app.db)?.deadlines == fresh.deadlines)
        }
    }
}

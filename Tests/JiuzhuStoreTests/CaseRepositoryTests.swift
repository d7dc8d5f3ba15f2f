import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// Cases on both databases: opened on acceptance with their first task,
/// moved by the Core workflow one version at a time, and of two people
/// acting on the same version exactly one wins.
@Suite struct CaseRepositoryTests {
    let intake = IntakeRepositoryTests()
    var today: LocalDate { intake.today }  // Mon 2026-06-15
    let caseworker = CaseActorIdentity(username: "demo.caseworker", role: .townshipCaseworker, home: try! RegionCode("340321100"))
    let approver = CaseActorIdentity(username: "demo.approver", role: .townshipApprover, home: try! RegionCode("340321100"))
    let county = CaseActorIdentity(username: "demo.reviewer", role: .countyReviewer, home: try! RegionCode("340321"))
    let scope = RegionScope(root: try! RegionCode("340321"))

    func audit(_ action: String) -> (chain: AuditChain, entry: AuditEntry) {
        (AuditChain(keys: TestKeys.ring), AuditEntry(actor: "t", role: "r", region: "340321", action: action))
    }

    func day(_ offset: Int) -> LocalDate { today.adding(days: offset) }

    /// A complete dibao application at the window: accepted today, its case open.
    func openCase(_ app: Application) async throws -> (CaseRepository, CaseRecord) {
        let all = Set(MaterialChecklist.national.required(for: [.dibao]).map(\.code))
        let result = try await intake.register(app, members: try intake.family(), materials: all)
        let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
        let cases = try await repository.cases(application: try result.application.requireID())
        return (repository, try #require(cases.first))
    }

    /// Noon, China time, on `date`: the moment an action dated `date` is taken.
    func noon(_ date: LocalDate) -> Date { Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + 4 * 3600)) }

    func act(_ repository: CaseRepository, _ app: Application, _ record: CaseRecord, _ action: CaseAction, by actor: CaseActorIdentity,
             _ inputs: CaseInputs = CaseInputs(), on date: LocalDate) async throws -> CaseRecord {
        try await repository.act(on: record, expectedVersion: record.version, action: action, inputs: inputs, actor: actor,
                                 on: date, calendar: try await CalendarStore(db: app.db).calendar(), audit: audit("case.\(action.rawValue)"),
                                 now: noon(date))
    }

    @Test(arguments: TestDatabase.all)
    func aDibaoCaseRunsFromAcceptanceToApprovalWithItsTasks(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let (repository, opened) = try await openCase(app)
            #expect(opened.caseState == .accepted && opened.version == 1 && opened.programmeValue == .dibao)
            var inbox = try await TaskRepository.inbox(role: .townshipCaseworker, scope: scope, on: app.db)
            #expect(inbox.map(\.taskKind) == [.caseStep] && inbox.first?.dueOn == "2026-06-18")  // 3 WD to start the visit
            #expect(inbox.first?.details["actions"] == "start_investigation")

            var record = try await act(repository, app, opened, .startInvestigation, by: caseworker, on: day(1))
            let visit = HomeVisitRecord(investigators: ["李经办", "张协理"], visitedOn: day(2), signedByFamily: true, signedByInvestigators: true)
            record = try await act(repository, app, record, .completeInvestigation, by: caseworker, CaseInputs(homeVisit: visit), on: day(2))
            inbox = try await TaskRepository.inbox(role: .townshipApprover, scope: scope, on: app.db)
            #expect(inbox.map(\.taskKind) == [.caseStep])
            record = try await act(repository, app, record, .proposeInitialOpinion, by: approver,
                                   CaseInputs(verificationReportNumber: "HD-1", opinion: "符合农村低保条件"), on: day(3))
            record = try await act(repository, app, record, .startPublicity, by: caseworker, on: day(4))
            #expect(record.publicityStartedOn == day(4).description)
            await #expect(throws: UserError.self) {
                _ = try await act(repository, app, record, .submitForConfirmation, by: caseworker, on: day(10))
            }
            record = try await act(repository, app, record, .submitForConfirmation, by: caseworker, on: day(12))
            #expect(try await TaskRepository.inbox(role: .countyReviewer, scope: scope, on: app.db).map(\.taskKind) == [.caseStep])
            let missingAmount = try? await act(repository, app, record, .approve, by: county, CaseInputs(confirmationOpinion: "同意"), on: day(14))
            #expect(missingAmount == nil)
            record = try await act(repository, app, record, .approve, by: county,
                                   CaseInputs(confirmationOpinion: "同意", amount: Money(yuan: 620), reviewClass: .b), on: day(14))
            #expect(record.caseState == .approved && record.monthlyFen == 62_000 && record.startMonth == "2026-07")
            #expect(record.version == 7 && record.decidedOn == day(14).description)
            let events = try await repository.events(caseID: try record.requireID())
            #expect(events.map(\.version) == [2, 3, 4, 5, 6, 7])
            #expect(try repository.inputs(of: events[1]).homeVisit == visit)
            #expect(try repository.inputs(of: record).opinion == "符合农村低保条件")  // the latest of each input is kept
            for role in [StaffRole.townshipCaseworker, .townshipApprover, .countyReviewer] {
                #expect(try await TaskRepository.inbox(role: role, scope: scope, on: app.db).isEmpty)
            }
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$objectType == "case").count() == 6)
        }
    }

    @Test(arguments: TestDatabase.all)
    func ofManyActingOnTheSameVersionExactlyOneWins(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let (repository, opened) = try await openCase(app)
            let id = try opened.requireID()
            let calendar = try await CalendarStore(db: app.db).calendar()
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        // Each "user" loaded the page at version 1.
                        guard let seen = try await CaseRecord.find(id, on: app.db) else { return "missing" }
                        do {
                            _ = try await repository.act(on: seen, expectedVersion: 1, action: .startInvestigation, inputs: CaseInputs(),
                                                         actor: caseworker, on: day(1), calendar: calendar,
                                                         audit: audit("case.start_investigation"), now: noon(day(1)))
                            return "won"
                        } catch let error as UserError {
                            return error.code
                        } catch {
                            return "database: \(error)"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "won" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "case.date_in_future" }.isEmpty)
            #expect(outcomes.filter { $0 != "won" }.allSatisfy { $0 == "case.stale" || $0.hasPrefix("database:") }, "\(outcomes)")
            #expect(try await repository.events(caseID: id).count == 1)
            #expect(try await CaseRecord.find(id, on: app.db)?.version == 2)
            // A late action on the old version is refused, and nothing is written.
            await #expect(throws: UserError.self) {
                _ = try await repository.act(on: opened, expectedVersion: 1, action: .startInvestigation, inputs: CaseInputs(),
                                             actor: caseworker, on: day(1), calendar: calendar, audit: audit("x"), now: noon(day(1)))
            }
            #expect(try await repository.events(caseID: id).count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRejectionOwesTheFamilyALetterWithinThreeWorkingDays(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            var (repository, record) = try await openCase(app)
            record = try await act(repository, app, record, .startInvestigation, by: caseworker, on: day(1))
            let visit = HomeVisitRecord(investigators: ["甲", "乙"], visitedOn: day(2), signedByFamily: true, signedByInvestigators: true)
            record = try await act(repository, app, record, .completeInvestigation, by: caseworker, CaseInputs(homeVisit: visit), on: day(2))
            record = try await act(repository, app, record, .proposeInitialOpinion, by: approver,
                                   CaseInputs(verificationReportNumber: "HD-2", opinion: "不符合"), on: day(3))
            record = try await act(repository, app, record, .startPublicity, by: caseworker, on: day(4))
            record = try await act(repository, app, record, .submitForConfirmation, by: caseworker, on: day(12))
            record = try await act(repository, app, record, .reject, by: county,
                                   CaseInputs(rejectionReasons: ["家庭人均收入高于当地低保标准"]), on: day(14))  // Mon 06-29
            let letters = try await TaskRepository.inbox(role: .townshipCaseworker, scope: scope, on: app.db)
            #expect(letters.map(\.taskKind) == [.decisionLetter] && letters.first?.dueOn == "2026-07-02")
            try await repository.letterDelivered(record, by: "cw", audit: audit("case.letter"), now: intake.now)
            await #expect(throws: UserError.self) {
                try await repository.letterDelivered(record, by: "cw", audit: audit("case.letter"), now: intake.now)
            }
            #expect(try await TaskRepository.inbox(role: .townshipCaseworker, scope: scope, on: app.db).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func acceptingAnApplicationAwaitingMaterialsStartsItsCasesOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let result = try await intake.register(app, members: try intake.family())
            let application = result.application
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            #expect(try await repository.cases(application: try application.requireID()).isEmpty)
            let calendar = try await CalendarStore(db: app.db).calendar()
            let entry = AuditEntry(actor: "cw", role: "township_caseworker", region: "340321100", action: "application.accept")
            let intakeRepository = IntakeRepository(db: app.db, keys: TestKeys.ring)
            try await intakeRepository.accept(application, today: day(3), calendar: calendar, audit: entry, now: intake.now)
            let cases = try await repository.cases(application: try application.requireID())
            #expect(cases.map(\.acceptedOn) == [day(3).description])
            let stale = try #require(try await ApplicationRecord.find(application.requireID(), on: app.db))
            await #expect(throws: UserError.self) {
                try await intakeRepository.accept(stale, today: day(3), calendar: calendar, audit: entry, now: intake.now)
            }
            #expect(try await repository.cases(application: try application.requireID()).count == 1)
        }
    }
}

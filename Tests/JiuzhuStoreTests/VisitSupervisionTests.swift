import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// Tasks and anomaly flags derived from plans and check-ins, on both
/// databases: opened once however often the sweep runs, closed by the
/// action that settles them, seen only by their role in their region.
@Suite struct VisitSupervisionTests {
    typealias Fixture = VisitRepositoryTests.Fixture
    let calendar = WorkingCalendar(overrides: [])
    let township = RegionScope(root: try! RegionCode("340321100"))
    let audit = (AuditChain(keys: TestKeys.ring), AuditEntry(actor: "t", role: "r", region: "34", action: "test"))

    func day(_ d: Int) -> LocalDate { LocalDate(year: 2026, month: 5, day: d)! }

    @Test(arguments: TestDatabase.all)
    func anUnmadeVisitIsEscalatedOnceAndTheVisitClosesTheTask(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)  // partly lost, enrolled 05-01: due 05-15, grace to 05-22
            let supervision = VisitSupervision(db: app.db)
            let policies = VisitPolicyStore(db: app.db)
            let now = VisitRepositoryTests.now
            #expect(try await supervision.escalate(today: day(22), calendar: calendar, policies: policies, now: now) == 0)
            #expect(try await supervision.escalate(today: day(29), calendar: calendar, policies: policies, now: now) == 1)
            #expect(try await supervision.escalate(today: day(29), calendar: calendar, policies: policies, now: now) == 0)
            let inbox = try await TaskRepository.inbox(role: .townshipApprover, scope: township, on: app.db)
            #expect(inbox.map(\.taskKind) == [.visitOverdue])
            #expect(inbox.first?.dueOn == "2026-05-27")  // escalated Sat 05-23; 3 WD: 25, 26, 27
            #expect(try await TaskRepository.inbox(role: .townshipCaseworker, scope: township, on: app.db).isEmpty)
            #expect(try await TaskRepository.inbox(role: .townshipApprover, scope: RegionScope(root: try RegionCode("340322")), on: app.db).isEmpty)
            let counts = try await TaskRepository.counts(in: RegionScope(root: try RegionCode("340321")), today: day(29), on: app.db)
            #expect(counts == [TaskCounts(region: try RegionCode("340321100"), open: 1, overdue: 1)])

            _ = try await f.submit(f.submission())
            #expect(try await TaskRepository.inbox(role: .townshipApprover, scope: township, on: app.db).isEmpty)
            let closed = try #require(try await TaskRecord.query(on: app.db).filter(\.$kind == "visit_overdue").first())
            #expect(closed.resolution == "visited 2026-05-29" && closed.closedBy == f.worker.uuidString)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aChangedSelfCareOpensOneReassessmentAndTheNewAssessmentClosesIt(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)  // assessed partly lost
            func worse(_ id: String) -> CheckInSubmission {
                let base = f.submission(id: id).checkIn
                let checkIn = CheckIn(id: id, visitID: base.visitID, workerID: base.workerID, personID: base.personID,
                                      unixSeconds: base.unixSeconds, location: base.location, accuracyMetres: base.accuracyMetres,
                                      photoSHA256: base.photoSHA256, observedFailedActivities: Set(DailyActivity.allCases), needs: [])
                return CheckInSubmission(checkIn: checkIn, photo: VisitRepositoryTests.photo, notes: "")
            }
            _ = try await f.submit(worse("w1"))
            _ = try await f.submit(worse("w2"))
            let tasks = try await TaskRepository.inbox(role: .townshipCaseworker, scope: township, on: app.db)
            #expect(tasks.map(\.taskKind) == [.selfCareReassessment])
            #expect(tasks.first?.details["observed"] == "fully_lost" && tasks.first?.details["assessed"] == "partly_lost")
            // 05-29 is a Friday: 10 working days → Fri 06-12.
            #expect(tasks.first?.dueOn == "2026-06-12")

            let plan = try #require(try await f.repository.plan(person: f.person))
            try await f.repository.update(plan: plan, responsible: f.worker, selfCare: .fullyLost,
                                          home: GeoPoint(latitude: 32.95, longitude: 117.2), actor: "caseworker", audit: audit,
                                          now: VisitRepositoryTests.now)
            #expect(try await TaskRepository.inbox(role: .townshipCaseworker, scope: township, on: app.db).isEmpty)
            let updated = try #require(try await f.repository.plan(person: f.person))
            #expect(updated.selfCareClass == .fullyLost && updated.home == GeoPoint(latitude: 32.95, longitude: 117.2))
        }
    }

    @Test(arguments: TestDatabase.all)
    func needsSeenAtAVisitBecomeACaseworkerTask(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            guard case .stored(let id) = try await f.submit(f.submission()) else { Issue.record("not stored"); return }
            let tasks = try await TaskRepository.inbox(role: .townshipCaseworker, scope: township, on: app.db)
            #expect(tasks.map(\.taskKind) == [.visitNeeds])
            #expect(tasks.first?.subjectID == id.uuidString)
            #expect(tasks.first?.dueOn == "2026-06-05")  // Fri 05-29 + 5 WD
            let closed = try await TaskRepository.close(id: try #require(tasks.first?.id), role: .townshipCaseworker, scope: township,
                                                        by: "cw", resolution: "referred medical", on: app.db, now: VisitRepositoryTests.now)
            #expect(closed != nil)
            #expect(try await TaskRepository.close(id: try #require(tasks.first?.id), role: .townshipCaseworker, scope: township,
                                                   by: "cw", resolution: "again", on: app.db, now: VisitRepositoryTests.now) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anomaliesAreFlaggedOnceAndReviewedOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            let plan = try #require(try await f.repository.plan(person: f.person))
            // Registered 40 km north of where the check-ins are made.
            try await f.repository.update(plan: plan, responsible: f.worker, selfCare: .partlyLost,
                                          home: GeoPoint(latitude: 33.31, longitude: 117.2), actor: "cw", audit: audit,
                                          now: VisitRepositoryTests.now)
            _ = try await f.submit(f.submission(id: "a", secondsAgo: 7200))
            _ = try await f.submit(f.submission(id: "b", secondsAgo: 3600))  // the same photo again
            let supervision = VisitSupervision(db: app.db)
            let policies = VisitPolicyStore(db: app.db)
            // The increment looks only where check-ins arrived since: nothing after the check-ins, nothing found.
            #expect(try await supervision.detectAnomalies(now: VisitRepositoryTests.now, policies: policies,
                                                          receivedSince: VisitRepositoryTests.now.millis + 1) == 0)
            let found = try await supervision.detectAnomalies(now: VisitRepositoryTests.now, policies: policies,
                                                              receivedSince: VisitRepositoryTests.now.millis)
            #expect(found == 3)  // both far from home, and the photo reused
            #expect(try await supervision.detectAnomalies(now: VisitRepositoryTests.now, policies: policies) == 0)
            let open = try await supervision.anomalies(in: township, reviewed: false)
            #expect(open.count == found)
            #expect(Set(open.compactMap(\.anomalyKind)) == [.farFromHome, .photoReused])
            #expect(try await supervision.anomalies(in: RegionScope(root: try RegionCode("340322")), reviewed: false).isEmpty)
            let reuse = try #require(open.first { $0.anomalyKind == .photoReused })
            #expect(reuse.checkInIDList.count == 2)

            await #expect(throws: UserError.self) {
                try await supervision.review(reuse, verdict: .dismissed, note: "  ", reviewer: "sup", audit: audit, now: VisitRepositoryTests.now)
            }
            try await supervision.review(reuse, verdict: .confirmed, note: "同一照片用于两次走访", reviewer: "sup", audit: audit,
                                         now: VisitRepositoryTests.now)
            await #expect(throws: UserError.self) {
                try await supervision.review(reuse, verdict: .dismissed, note: "again", reviewer: "other", audit: audit, now: VisitRepositoryTests.now)
            }
            let reviewed = try await supervision.anomalies(in: township, reviewed: true)
            #expect(reviewed.map(\.verdict) == ["confirmed"] && reviewed.first?.reviewer == "sup")
        }
    }
}

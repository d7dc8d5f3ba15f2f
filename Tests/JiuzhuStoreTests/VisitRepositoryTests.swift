import Crypto
import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// Plans and check-ins on both databases: a check-in sent again from the
/// offline queue is stored once (also when the copies arrive together), the
/// same id with other content is refused, nothing is half-written.
@Suite struct VisitRepositoryTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28 20:26 UTC = 05-29 04:26 China time
    static let photo = Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 31) })

    struct Fixture {
        let app: Application
        let repository: VisitRepository
        let person: UUID
        let worker: UUID
        let other: UUID
        let plan: VisitPlanRecord

        static func make(_ app: Application) async throws -> Fixture {
            let keys = TestKeys.ring
            let workers = try await StaffUser.query(on: app.db).sort(\.$username).all()
            let worker = try #require(workers.first?.id)
            let other = try #require(workers.last?.id)
            let person = PersonRecord()
            let personID = UUID()
            let resident = try ResidentID(TestPeople.father, today: LocalDate(year: 2026, month: 5, day: 28)!)
            person.id = personID
            person.idBlind = keys.blindIndex(resident.value)
            person.idSealed = try keys.fieldCipher.seal(resident.value, context: PeopleRepository.context("id_sealed", personID))
            person.idMasked = resident.masked
            person.name = "走访对象"
            person.sex = resident.sex.rawValue
            person.birthDate = resident.birthDate.description
            person.employment = "none"
            person.student = "none"
            person.regionCode = "340321100201"
            person.residence = "rural"
            person.updatedMillis = VisitRepositoryTests.now.millis
            try await person.create(on: app.db)
            let repository = VisitRepository(db: app.db, keys: keys)
            let plan = try await repository.enrol(person: personID, region: try RegionCode("340321100201"), responsible: worker,
                                                  selfCare: .partlyLost, on: LocalDate(year: 2026, month: 5, day: 1)!,
                                                  now: VisitRepositoryTests.now)
            return Fixture(app: app, repository: repository, person: personID, worker: worker, other: other, plan: plan)
        }

        func submission(id: String = "phone-1", worker: UUID? = nil, secondsAgo: Int64 = 3600, latitude: Double = 32.95,
                        photo: Data = VisitRepositoryTests.photo, notes: String = "老人精神尚可") -> CheckInSubmission {
            let checkIn = CheckIn(id: id, visitID: "visit-\(id)", workerID: (worker ?? self.worker).uuidString,
                                  personID: person.uuidString, unixSeconds: Int64(VisitRepositoryTests.now.timeIntervalSince1970) - secondsAgo,
                                  location: GeoPoint(latitude: latitude, longitude: 117.2), accuracyMetres: 12,
                                  photoSHA256: hexString(SHA256.hash(data: photo)),
                                  observedFailedActivities: [.bathing, .dressing], needs: ["助浴 / help bathing"])
            return CheckInSubmission(checkIn: checkIn, photo: photo, notes: notes)
        }

        func submit(_ submission: CheckInSubmission) async throws -> CheckInReceipt {
            try await repository.submit(submission, policy: .example, calendar: WorkingCalendar(overrides: []), now: VisitRepositoryTests.now)
        }

        func count() async throws -> Int { try await VisitCheckInRecord.query(on: app.db).count() }
    }

    @Test(arguments: TestDatabase.all)
    func theSameCheckInSentThreeTimesIsStoredOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            let first = try await f.submit(f.submission())
            let second = try await f.submit(f.submission())
            let third = try await f.submit(f.submission())
            guard case .stored(let id) = first else { Issue.record("first: \(first)"); return }
            #expect(second == .replayed(id) && third == .replayed(id))
            #expect(try await f.count() == 1)
            // A retry after the plan changed hands is still acknowledged, not refused.
            try await app.sql.raw("UPDATE visit_plans SET responsible_id = \(bind: f.other)").run()
            #expect(try await f.submit(f.submission()) == .replayed(id))
            let stored = try #require(try await VisitCheckInRecord.find(id, on: app.db))
            #expect(stored.visitDate == "2026-05-29" && stored.failedActivities == "bathing,dressing")
            // The photo is sealed, and opens to the bytes sent.
            #expect(!stored.photoSealed.contains(VisitRepositoryTests.photo.base64EncodedString().prefix(40)))
            #expect(try f.repository.photo(of: stored) == VisitRepositoryTests.photo)
            let plan = try #require(try await f.repository.plan(person: f.person))
            #expect(plan.lastVisitOn == "2026-05-29")  // 04:26 China time
        }
    }

    @Test(arguments: TestDatabase.all)
    func copiesArrivingTogetherAreStoredOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            let submission = f.submission(id: "phone-concurrent")
            let receipts = try await withThrowingTaskGroup(of: CheckInReceipt.self) { group in
                for _ in 0..<8 { group.addTask { try await f.submit(submission) } }
                var all: [CheckInReceipt] = []
                for try await receipt in group { all.append(receipt) }
                return all
            }
            let stored = receipts.filter { if case .stored = $0 { true } else { false } }
            #expect(stored.count == 1 && Set(receipts.map(\.id)).count == 1)
            #expect(try await f.count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badSubmissionsAreRefusedAndStoreNothing(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            _ = try await f.submit(f.submission(id: "phone-a"))
            // The same id with other content.
            await #expect(throws: UserError.self) { _ = try await f.submit(f.submission(id: "phone-a", latitude: 33.1)) }
            // A photo that is not the one hashed.
            var wrong = f.submission(id: "phone-b")
            wrong = CheckInSubmission(checkIn: wrong.checkIn, photo: Data("another".utf8), notes: wrong.notes)
            await #expect(throws: UserError.self) { _ = try await f.submit(wrong) }
            // Someone who is not the responsible person.
            await #expect(throws: UserError.self) { _ = try await f.submit(f.submission(id: "phone-c", worker: f.other)) }
            // A check-in from the future (beyond the allowed clock skew).
            await #expect(throws: UserError.self) { _ = try await f.submit(f.submission(id: "phone-d", secondsAgo: -86_400)) }
            #expect(try await f.count() == 1)
            let kept = try #require(try await VisitCheckInRecord.query(on: app.db).first())
            #expect(kept.clientID == "phone-a" && kept.latitude == 32.95)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aLateQueuedOlderCheckInDoesNotMoveTheLatestVisitBack(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            _ = try await f.submit(f.submission(id: "today"))
            _ = try await f.submit(f.submission(id: "three-days-ago", secondsAgo: 3 * 86_400))
            #expect(try await f.repository.plan(person: f.person)?.lastVisitOn == "2026-05-29")
            let planID = try #require(f.plan.id)
            #expect(try await f.repository.checkIns(plan: planID, in: RegionScope(root: try RegionCode("340321"))).map(\.clientID)
                    == ["today", "three-days-ago"])
            #expect(try await f.repository.checkIns(plan: planID, in: RegionScope(root: try RegionCode("340322"))).isEmpty)
            // The schedule runs from the latest visit: partly lost, every 14 days.
            let plan = try #require(try await f.repository.plan(person: f.person))
            let schedule = try #require(VisitRepository.schedule(plan, policy: .example, calendar: WorkingCalendar(overrides: [])))
            #expect(schedule.anchor == LocalDate(year: 2026, month: 5, day: 29) && schedule.intervalDays == 14)
        }
    }

    @Test(arguments: TestDatabase.all)
    func keyRotationResealsThePhotoNotesAndNeeds(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            _ = try await f.submit(f.submission())
            let newKey = try MasterKey(base64: Data(repeating: 42, count: 32).base64EncodedString())
            let rotating = KeyRing(current: newKey, previous: [TestKeys.ring.current])
            #expect(try await KeyRotation(db: app.db, keys: rotating).pending()[VisitCheckInRecord.schema] == 1)
            try await KeyRotation(db: app.db, keys: rotating).run()
            #expect(try await KeyRotation(db: app.db, keys: rotating).pending()[VisitCheckInRecord.schema] == 0)
            // The new key alone opens everything.
            let newOnly = VisitRepository(db: app.db, keys: KeyRing(current: newKey, previous: []))
            let stored = try #require(try await VisitCheckInRecord.query(on: app.db).first())
            #expect(try newOnly.photo(of: stored) == VisitRepositoryTests.photo)
            let opened = try newOnly.opened(stored)
            #expect(opened.notes == "老人精神尚可" && opened.needs == ["助浴 / help bathing"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPersonHasOnePlan(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)
            await #expect(throws: UserError.self) {
                _ = try await f.repository.enrol(person: f.person, region: try RegionCode("340321100201"), responsible: f.other,
                                                 selfCare: .capable, on: LocalDate(year: 2026, month: 5, day: 2)!)
            }
            #expect(try await f.repository.plans(responsible: f.worker).map(\.personID) == [f.person])
            #expect(try await f.repository.plans(responsible: f.other).isEmpty || f.other == f.worker)
        }
    }

    @Test(arguments: TestDatabase.all)
    func obligationsFollowTheStoredVisitsUnderTheRegionsPolicy(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let f = try await Fixture.make(app)  // partly lost, enrolled 2026-05-01
            let policies = VisitPolicyStore(db: app.db)
            var county = VisitPolicy.example
            county.intervalDaysPartlyLost = 10
            county.dueDateMovesToWorkingDay = false
            try await policies.set(county, for: try RegionCode("340321"),
                                   audit: (AuditChain(keys: TestKeys.ring), AuditEntry(actor: "t", role: "r", region: "34", action: "visit_policy.set")))
            _ = try await f.submit(f.submission(id: "one", secondsAgo: 6 * 86_400))   // 2026-05-23 China time: late
            _ = try await f.submit(f.submission(id: "two"))                          // 2026-05-29
            let owed = try await f.repository.obligations(in: RegionScope(root: try RegionCode("3403")), through: LocalDate(year: 2026, month: 6, day: 30)!,
                                                          policies: policies, calendar: WorkingCalendar(overrides: []))
            // Every 10 days in this county: due 05-11 (visited late, 05-23), 06-02 (visited early, 05-29), 06-08 (open).
            #expect(owed.map(\.dueDate) == [LocalDate(year: 2026, month: 5, day: 11)!, LocalDate(year: 2026, month: 6, day: 2)!,
                                            LocalDate(year: 2026, month: 6, day: 8)!])
            #expect(owed.map(\.visitDate) == [LocalDate(year: 2026, month: 5, day: 23)!, LocalDate(year: 2026, month: 5, day: 29)!, nil])
            #expect(try await f.repository.obligations(in: RegionScope(root: try RegionCode("3404")), through: LocalDate(year: 2026, month: 6, day: 30)!,
                                                       policies: policies, calendar: WorkingCalendar(overrides: [])).isEmpty)
        }
    }
}

/// A region's visit policy: its own, else the nearest region above's, else the built-in default.
@Suite struct VisitPolicyStoreTests {
    @Test(arguments: TestDatabase.all)
    func thePolicyComesFromTheNearestRegionThatSetsOne(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = VisitPolicyStore(db: app.db)
            let village = try RegionCode("340321100201")
            #expect(try await store.policy(for: village).policy == .example)
            #expect(try await store.policy(for: village).setFor == nil)
            let audit = (chain: AuditChain(keys: TestKeys.ring), entry: AuditEntry(actor: "tester", role: "province_admin",
                                                                                  region: "34", action: "visit_policy.set"))
            var provincial = VisitPolicy.example
            provincial.intervalDaysCapable = 60
            try await store.set(provincial, for: try RegionCode("34"), audit: audit)
            var county = VisitPolicy.example
            county.intervalDaysFullyLost = 3
            try await store.set(county, for: try RegionCode("340321"), audit: audit)
            let found = try await store.policy(for: village)
            #expect(found.policy.intervalDaysFullyLost == 3 && found.policy.intervalDaysCapable == 30)
            #expect(found.setFor == (try RegionCode("340321")))
            #expect(try await store.policy(for: try RegionCode("340322100201")).policy.intervalDaysCapable == 60)
            // Replacing keeps one row; a policy the Core refuses is not stored.
            county.intervalDaysFullyLost = 5
            try await store.set(county, for: try RegionCode("340321"), audit: audit)
            #expect(try await store.policy(for: village).policy.intervalDaysFullyLost == 5)
            var broken = VisitPolicy.example
            broken.intervalDaysPartlyLost = 0
            await #expect(throws: UserError.self) { try await store.set(broken, for: village, audit: audit) }
            #expect(try await VisitPolicyRecord.query(on: app.db).count() == 2)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "visit_policy.set").count() == 3)
        }
    }
}

import Crypto
import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The visit pages through the framework's testing client: the phone's
/// check-in (JSON for the offline queue, a plain form without script), the
/// plan pages, needs referred, tasks, compliance with its CSV, anomaly review.
@Suite struct VisitWebTests {
    static let photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    /// A family registered at the window, its father enrolled by the caseworker
    /// with the village assistant responsible; returns the plan id.
    static func enrolFather(_ app: Application, clock: TestClock, selfCare: String = "partly_lost") async throws -> (UUID, WebClient) {
        let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
        _ = try await caseworker.get("/intake/new")
        let registered = try await caseworker.post("/intake", pairs: TestPeople.familyForm(needs: []))
        #expect(registered.status == .seeOther, "\(body(registered).prefix(1500))")
        let assistant = try #require(try await StaffUser.query(on: app.db).filter(\.$username == "demo.village").first())
        let list = body(try await caseworker.get("/visits/plans"))
        #expect(list.contains("plan-enrol"))
        let enrolled = try await caseworker.post("/visits/plans", [
            "idNumber": TestPeople.father, "responsible": try assistant.requireID().uuidString, "selfCare": selfCare,
            "homeLatitude": "32.96", "homeLongitude": "117.2",
        ])
        #expect(enrolled.status == .seeOther, "\(body(enrolled).prefix(1500))")
        let plan = try #require(try await VisitPlanRecord.query(on: app.db).first())
        return (try plan.requireID(), caseworker)
    }

    static func checkInPairs(plan: UUID, clientID: String, latitude: String = "32.9601", needs: [String] = [],
                             failed: [String]? = nil) -> [(String, String)] {
        var pairs: [(String, String)] = [("clientID", clientID), ("plan", plan.uuidString), ("latitude", latitude),
                                         ("longitude", "117.2001"), ("accuracy", "12"), ("notes", "精神好")]
        if let failed {
            pairs.append(("assessed", "1"))
            pairs += failed.map { ("failed[]", $0) }
        }
        pairs += needs.map { ("needs[]", $0) }
        return pairs
    }

    static let json: HTTPHeaders = ["Accept": "application/json"]

    @Test(arguments: TestDatabase.all)
    func theQueueSendsACheckInThreeTimesAndItIsStoredOnce(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (plan, _) = try await Self.enrolFather(app, clock: clock)
            let phone = try await loggedIn(app, "demo.village", clock: clock)
            let page = body(try await phone.get("/visits"))
            #expect(page.contains("id=\"checkin-form\"") && page.contains("/static/visits.js"))
            #expect(page.contains("data-plan=\"\(plan.uuidString)\"") && page.contains("王建国"))
            let id = UUID().uuidString
            var headers = Self.json
            headers.add(name: "Idempotency-Key", value: id)
            let photo = [(name: "photo", filename: "photo.jpg", type: "image/jpeg", bytes: Self.photo)]
            var replies: [TestingHTTPResponse] = []
            for _ in 0..<3 {
                replies.append(try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: id),
                                                             files: photo, headers: headers))
            }
            #expect(replies.map(\.status) == [.created, .ok, .ok], "\(body(replies[0]))")
            #expect(body(replies[0]).contains("\"status\":\"stored\"") && body(replies[2]).contains("\"status\":\"replayed\""))
            #expect(try await VisitCheckInRecord.query(on: app.db).count() == 1)
            let after = body(try await phone.get("/visits"))
            #expect(after.contains("data-status=\"upcoming\""))
            #expect(after.contains("2026-06-12"))  // partly lost: 14 days from 05-29
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "visit.checkin").count() == 1)

            // The same id with other content is refused, and the key must match the id.
            let other = try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: id, latitude: "33.1"),
                                                      files: photo, headers: headers)
            #expect(other.status == .conflict && body(other).contains("checkin.id_reused"))
            let mismatched = try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                           files: photo, headers: headers)
            #expect(mismatched.status == .unprocessableEntity && body(mismatched).contains("checkin.idempotency_key"))
            #expect(try await VisitCheckInRecord.query(on: app.db).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badCheckInsAreRefusedWithAReasonAndStoreNothing(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (plan, caseworker) = try await Self.enrolFather(app, clock: clock)
            let phone = try await loggedIn(app, "demo.village", clock: clock)
            _ = try await phone.get("/visits")
            let photo = [(name: "photo", filename: "photo.jpg", type: "image/jpeg", bytes: Self.photo)]
            func send(_ pairs: [(String, String)], files: [(name: String, filename: String, type: String, bytes: [UInt8])]) async throws
                -> TestingHTTPResponse {
                try await phone.postMultipart("/visits/check-ins", pairs: pairs, files: files, headers: Self.json)
            }
            let noLocation = try await send(Self.checkInPairs(plan: plan, clientID: UUID().uuidString).filter { $0.0 != "latitude" }, files: photo)
            #expect(noLocation.status == .unprocessableEntity && body(noLocation).contains("\"field\":\"latitude\""))
            #expect(body(noLocation).contains("请先获取位置") && body(noLocation).contains("Get the location first"))
            let noPhoto = try await send(Self.checkInPairs(plan: plan, clientID: UUID().uuidString), files: [])
            #expect(noPhoto.status == .unprocessableEntity && body(noPhoto).contains("checkin.photo_missing"))
            let big = try await send(Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                     files: [(name: "photo", filename: "p.jpg", type: "image/jpeg", bytes: [UInt8](repeating: 1, count: 1_100_000))])
            #expect(big.status == .payloadTooLarge)
            let badNeed = try await send(Self.checkInPairs(plan: plan, clientID: UUID().uuidString, needs: ["<script>"]), files: photo)
            #expect(badNeed.status == .unprocessableEntity && badNeed.headers.contentType == .json && body(badNeed).contains("checkin.need"))
            let badActivity = try await send(Self.checkInPairs(plan: plan, clientID: UUID().uuidString, failed: ["flying"]), files: photo)
            #expect(badActivity.status == .unprocessableEntity && body(badActivity).contains("checkin.activity"))
            let badID = try await send(Self.checkInPairs(plan: plan, clientID: "x"), files: photo)
            #expect(badID.status == .unprocessableEntity && body(badID).contains("checkin.client_id"))
            // Without script: the page again with the message, the values kept.
            let form = try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                     files: [])
            #expect(form.status == .badRequest && body(form).contains("请拍摄现场照片") && body(form).contains("精神好"))
            #expect(try await VisitCheckInRecord.query(on: app.db).count() == 0)

            // A caseworker may check in, but not for someone else's person.
            _ = try await caseworker.get("/visits")
            let notMine = try await caseworker.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                             files: photo, headers: Self.json)
            #expect(notMine.status == .unprocessableEntity && body(notMine).contains("checkin.not_responsible"))
            // Logged out: the login page, never a stored check-in.
            let stranger = WebClient(app: app)
            let anonymous = try await stranger.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                             files: photo, headers: Self.json)
            #expect(anonymous.status != .created && anonymous.status != .ok)
            #expect(try await VisitCheckInRecord.query(on: app.db).count() == 0)
            // Without script a good form redirects back with a message.
            let plain = try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                      files: photo)
            #expect(plain.status == .seeOther && plain.headers.first(name: .location) == "/visits?done=stored")
        }
    }

    @Test(arguments: TestDatabase.all)
    func needsSeenAtAVisitAreReferredOnceAndAChangeOpensAReassessment(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (plan, caseworker) = try await Self.enrolFather(app, clock: clock)
            let phone = try await loggedIn(app, "demo.village", clock: clock)
            _ = try await phone.get("/visits")
            let stored = try await phone.postMultipart(
                "/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString, needs: ["medical", "housing"],
                                                              failed: DailyActivity.allCases.map(\.rawValue)),
                files: [(name: "photo", filename: "photo.jpg", type: "image/jpeg", bytes: Self.photo)], headers: Self.json)
            #expect(stored.status == .created)
            let checkIn = try #require(try await VisitCheckInRecord.query(on: app.db).first())

            let home = body(try await caseworker.get("/"))
            #expect(home.contains("data-kind=\"visit_needs\"") && home.contains("data-kind=\"self_care_reassessment\""))
            let page = body(try await caseworker.get("/visits/plans/\(plan.uuidString)"))
            #expect(page.contains("医疗救助") && page.contains("needs-settle") && page.contains("精神好"))
            let photo = try await caseworker.get("/visits/check-ins/\(try checkIn.requireID().uuidString)/photo")
            #expect(photo.status == .ok && Array(photo.body.readableBytesView) == Self.photo)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "document.view").count() == 1)

            let refer = try await caseworker.post("/visits/check-ins/\(try checkIn.requireID().uuidString)/needs",
                                                  pairs: [("refer[]", "medical")])
            #expect(refer.status == .seeOther, "\(body(refer).prefix(1500))")
            let referrals = try await ReferralRecord.query(on: app.db).filter(\.$origin == "visit").all()
            #expect(referrals.map(\.need) == ["medical"] && referrals.first?.department == "medical_insurance")
            _ = try await caseworker.get("/visits/plans/\(plan.uuidString)")
            let again = try await caseworker.post("/visits/check-ins/\(try checkIn.requireID().uuidString)/needs",
                                                  pairs: [("refer[]", "housing")])
            #expect(again.status == .badRequest && body(again).contains("已由他人处理"))
            #expect(try await ReferralRecord.query(on: app.db).filter(\.$origin == "visit").count() == 1)

            // The re-assessment is recorded on the plan page and closes its task.
            let assistant = try #require(try await StaffUser.query(on: app.db).filter(\.$username == "demo.village").first())
            let saved = try await caseworker.post("/visits/plans/\(plan.uuidString)", [
                "responsible": try assistant.requireID().uuidString, "selfCare": "fully_lost", "homeLatitude": "", "homeLongitude": "",
            ])
            #expect(saved.status == .seeOther)
            #expect(!body(try await caseworker.get("/")).contains("data-kind=\"self_care_reassessment\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func supervisorsSeeEscalationsComplianceAndAnomalies(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (plan, _) = try await Self.enrolFather(app, clock: clock, selfCare: "fully_lost")  // weekly from 05-29
            // Three weeks on, nothing visited: escalated.
            clock.advance(21 * 86_400)
            let found = try await VisitSupervision(db: app.db).sweep(today: LocalDate.today(now: clock.now), now: clock.now)
            #expect(found.escalated == 1)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            let home = body(try await approver.get("/"))
            // Due 06-05, grace to 06-12, escalated 06-13 with 3 working days: due 06-17, overdue on 06-19.
            #expect(home.contains("data-kind=\"visit_overdue\"") && home.contains("task overdue") && home.contains("已超期 2 天"))
            let reviewer = try await loggedIn(app, "demo.reviewer", clock: clock)
            let countyHome = body(try await reviewer.get("/"))
            #expect(countyHome.contains("task-counts") && countyHome.contains("data-region=\"340321100\""))

            let compliance = try await reviewer.get("/visits/compliance?from=2026-05-29&through=2026-06-19")
            let html = body(compliance)
            #expect(compliance.status == .ok && html.contains("<svg") && html.contains("data-region=\"340321100\""))
            #expect(!html.contains("style="))
            let csv = try await reviewer.get("/visits/compliance.csv?from=2026-05-29&through=2026-06-19")
            let text = body(csv)
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(text.contains("region_code,region,due,done,done_on_time,overdue") && text.contains("\r\n340321100,"))
            let bad = try await reviewer.get("/visits/compliance?from=2026-07-01&through=2026-06-01")
            #expect(bad.status == .badRequest && body(bad).contains("起始日期不能晚于截止日期"))

            // Two check-ins with one photo: flagged, reviewed once.
            let phone = try await loggedIn(app, "demo.village", clock: clock)
            _ = try await phone.get("/visits")
            for _ in 0..<2 {
                let r = try await phone.postMultipart("/visits/check-ins", pairs: Self.checkInPairs(plan: plan, clientID: UUID().uuidString),
                                                      files: [(name: "photo", filename: "p.jpg", type: "image/jpeg", bytes: Self.photo)],
                                                      headers: Self.json)
                #expect(r.status == .created)
            }
            #expect(!body(try await approver.get("/")).contains("data-kind=\"visit_overdue\""))  // the visit closed it
            _ = try await approver.get("/visits/anomalies")
            let detect = try await approver.post("/visits/anomalies/detect")
            #expect(detect.status == .seeOther)
            let anomalies = body(try await approver.get("/visits/anomalies"))
            #expect(anomalies.contains("data-kind=\"photo_reused\""))
            let flag = try #require(try await VisitAnomalyRecord.query(on: app.db).filter(\.$kind == "photo_reused").first())
            let missingNote = try await approver.post("/visits/anomalies/\(try flag.requireID().uuidString)", ["verdict": "dismissed", "note": ""])
            #expect(missingNote.status == .badRequest)
            let reviewed = try await approver.post("/visits/anomalies/\(try flag.requireID().uuidString)",
                                                   ["verdict": "dismissed", "note": "同一次走访拍了两次"])
            #expect(reviewed.status == .seeOther)
            #expect(try await VisitAnomalyRecord.find(flag.requireID(), on: app.db)?.verdict == "dismissed")
        }
    }

    @Test func pagesFollowThePermissions() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let phone = try await loggedIn(app, "demo.village", clock: clock)
            #expect(try await phone.get("/visits").status == .ok)
            #expect(try await phone.get("/visits/plans").status == .forbidden)
            #expect(try await phone.get("/visits/compliance").status == .forbidden)
            let reviewer = try await loggedIn(app, "demo.reviewer", clock: clock)
            #expect(try await reviewer.get("/visits").status == .forbidden)
            #expect(try await reviewer.get("/visits/anomalies").status == .ok)
            let city = try await loggedIn(app, "demo.city", clock: clock)
            #expect(try await city.get("/visits/compliance").status == .ok)
            #expect(try await city.get("/visits/anomalies").status == .forbidden)
            let js = try await phone.get("/static/visits.js")
            #expect(js.status == .ok && js.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
        }
    }
}

@Suite struct VisitCommandTests {
    @Test func policyIsShownSetAndRefusedWithTheFieldNamed() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let shown = try await runCommand(VisitsCommand(), on: app, ["policy", "show", "--region", "340321"])
            #expect(shown.1 == 0 && shown.0.contains("内置默认") && shown.0.contains("\"intervalDaysCapable\" : 30"))
            let encoder = JSONEncoder()
            var policy = VisitPolicy.example
            policy.intervalDaysCapable = 21
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("visit-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try encoder.encode(policy).write(to: URL(fileURLWithPath: path))
            let set = try await runCommand(VisitsCommand(), on: app, ["policy", "set", "--region", "340321", path])
            #expect(set.1 == 0)
            let township = try await runCommand(VisitsCommand(), on: app, ["policy", "show", "--region", "340321100"])
            #expect(township.0.contains("340321") && township.0.contains("\"intervalDaysCapable\" : 21"))

            policy.intervalDaysCapable = 0
            try encoder.encode(policy).write(to: URL(fileURLWithPath: path))
            let refused = try await runCommand(VisitsCommand(), on: app, ["policy", "set", "--region", "340321", path])
            #expect(refused.1 == 2)
            try Data(#"{"intervalDaysFullyLost": "weekly"}"#.utf8).write(to: URL(fileURLWithPath: path))
            let malformed = try await runCommand(VisitsCommand(), on: app, ["policy", "set", "--region", "340321", path])
            #expect(malformed.1 == 2)
            let still = try await VisitPolicyStore(db: app.db).policy(for: try RegionCode("340321"))
            #expect(still.policy.intervalDaysCapable == 21)
        }
    }

    @Test func sweepOpensEscalationsOnce() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            _ = try await VisitWebTests.enrolFather(app, clock: clock, selfCare: "fully_lost")
            let first = try await runCommand(VisitsCommand(), on: app, ["sweep", "--date", "2026-06-19"])
            #expect(first.1 == 0 && first.0.contains("escalated: 1"))
            let again = try await runCommand(VisitsCommand(), on: app, ["sweep", "--date", "2026-06-19"])
            #expect(again.0.contains("escalated: 0"))
            let bad = try await runCommand(VisitsCommand(), on: app, ["sweep", "--date", "19/06/2026"])
            #expect(bad.1 == 2)
        }
    }
}

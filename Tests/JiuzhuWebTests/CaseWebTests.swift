import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The case pages through the testing client: a dibao case from the window
/// to its approval letter, each step by its own role on the statutory clock;
/// two people acting on one version; acceptance of an application awaiting
/// materials; a rejection letter.
@Suite struct CaseWebTests {
    static let materials = MaterialChecklist.national.required(for: [.dibao]).map(\.code)

    /// Registers the demo family (complete or not) and returns its dibao case id (if accepted) and application id.
    static func register(_ app: Application, _ caseworker: WebClient, complete: Bool = true) async throws -> (UUID?, UUID) {
        _ = try await caseworker.get("/intake/new")
        let response = try await caseworker.post("/intake", pairs: TestPeople.familyForm(materials: complete ? materials : []))
        #expect(response.status == .seeOther, "\(body(response).prefix(1000))")
        let application = try #require(try await ApplicationRecord.query(on: app.db).first())
        let record = try await CaseRecord.query(on: app.db).first()
        return (record?.id, try application.requireID())
    }

    static func act(_ client: WebClient, _ id: UUID, _ action: CaseAction, _ fields: [(String, String)] = [],
                    date: String) async throws -> TestingHTTPResponse {
        let response = try await client.get("/cases/\(id.uuidString)")
        let page = body(response)
        #expect(response.status == .ok, "\(response.status) \(response.headers)")
        let version = try #require(page.range(of: #"name="version" value="[0-9]+""#, options: .regularExpression)
            .map { String(page[$0]).filter(\.isNumber) }, "\(page.prefix(3000))")
        return try await client.post("/cases/\(id.uuidString)/actions",
                                     pairs: [("action", action.rawValue), ("version", version), ("date", date)] + fields)
    }

    /// Investigation started and completed by the caseworker, the approver's opinion given (on the clock's first day).
    static func throughInitialOpinion(_ caseworker: WebClient, _ approver: WebClient, _ id: UUID, opinion: [(String, String)]) async throws {
        for response in [
            try await act(caseworker, id, .startInvestigation, date: "2026-05-29"),
            try await act(caseworker, id, .completeInvestigation,
                          [("investigators", "甲,乙"), ("visitedOn", "2026-05-29"), ("signedByFamily", "on"), ("signedByInvestigators", "on")], date: "2026-05-29"),
            try await act(approver, id, .proposeInitialOpinion, opinion, date: "2026-05-29"),
        ] {
            #expect(response.status == .seeOther, "\(body(response).prefix(1000))")
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDibaoCaseGoesFromTheWindowToItsApprovalLetter(_ database: TestDatabase) async throws {
        let clock = TestClock()  // 2026-05-29 (Fri), China time
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, applicationID) = try await Self.register(app, caseworker)
            let id = try #require(caseID)
            let application = body(try await caseworker.get("/applications/\(applicationID.uuidString)"))
            #expect(application.contains("application-cases") && application.contains("/cases/\(id.uuidString)"))
            let home = body(try await caseworker.get("/"))
            #expect(home.contains("data-kind=\"case_step\"") && home.contains("启动入户调查"))
            let page = body(try await caseworker.get("/cases/\(id.uuidString)"))
            #expect(page.contains("data-action=\"start_investigation\"") && page.contains("2026-06-03"))  // 3 WD: 6-1, 6-2, 6-3

            var r = try await Self.act(caseworker, id, .startInvestigation, date: "2026-05-29")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            // Too few investigators: refused with the Core's message, nothing moves.
            r = try await Self.act(caseworker, id, .completeInvestigation,
                                   [("investigators", "李经办"), ("visitedOn", "2026-05-29"), ("signedByFamily", "on"), ("signedByInvestigators", "on")], date: "2026-05-29")
            #expect(r.status == .badRequest && body(r).contains("不少于 2 名调查人员"))
            r = try await Self.act(caseworker, id, .completeInvestigation,
                                   [("investigators", "李经办、张协理"), ("visitedOn", "2026-05-29"), ("signedByFamily", "on"), ("signedByInvestigators", "on"),
                                    ("neighbourVisits", "走访邻居张某，反映该户无固定收入")], date: "2026-05-29")
            #expect(r.status == .seeOther)
            #expect(body(try await caseworker.get("/cases/\(id.uuidString)")).contains("走访邻居张某，反映该户无固定收入"))

            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            #expect(body(try await approver.get("/")).contains("提出初审意见"))
            r = try await Self.act(approver, id, .proposeInitialOpinion,
                                   [("verificationReportNumber", "HD-2026-001"), ("opinion", "符合农村低保条件"), ("amount", "620")],
                                   date: "2026-05-29")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            r = try await Self.act(caseworker, id, .startPublicity, date: "2026-05-29")
            #expect(r.status == .seeOther)
            r = try await Self.act(caseworker, id, .submitForConfirmation, date: "2026-05-29")
            #expect(r.status == .badRequest && body(r).contains("公示期至 2026-06-05 届满"))
            clock.advance(8 * 86_400)  // 06-06: the sessions have long timed out, so log in again
            let caseworkerLater = try await loggedIn(app, "demo.caseworker", clock: clock)
            r = try await Self.act(caseworkerLater, id, .submitForConfirmation, date: "2026-06-06")
            #expect(r.status == .seeOther)

            let county = try await loggedIn(app, "demo.reviewer", clock: clock)
            #expect(body(try await county.get("/cases")).contains(id.uuidString))
            r = try await Self.act(county, id, .approve, [("confirmationOpinion", "同意纳入农村低保"), ("amount", "abc")], date: "2026-06-06")
            #expect(r.status == .badRequest)
            let future = try await Self.act(county, id, .approve, [("confirmationOpinion", "同意"), ("amount", "620.00"), ("reviewClass", "b")], date: "2026-06-08")
            #expect(future.status == .badRequest && body(future).contains("办理日期不能晚于今天"))
            r = try await Self.act(county, id, .approve, [("confirmationOpinion", "同意纳入农村低保"), ("amount", "620.00"), ("reviewClass", "b")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            let approved = body(try await county.get("/cases/\(id.uuidString)"))
            #expect(approved.contains("data-state=\"approved\"") && approved.contains("¥620.00"))
            let letter = body(try await county.get("/cases/\(id.uuidString)/letter"))
            #expect(letter.contains("批准决定书") && letter.contains("2026-07") && letter.contains("¥620.00") && letter.contains("王建国"))
            #expect(!letter.contains(TestPeople.father))
            #expect(try await CaseEventRecord.query(on: app.db).count() == 6)
            // A change of amount with its written reason, then a stop: each with its notice.
            let noReason = try await Self.act(county, id, .changeAmount, [("amount", "300")], date: "2026-06-06")
            #expect(noReason.status == .badRequest && body(noReason).contains("调整原因"))
            r = try await Self.act(county, id, .changeAmount, [("amount", "300"), ("changeReason", "家庭成员就业，收入增加")], date: "2026-06-06")
            #expect(r.status == .seeOther)
            let change = body(try await county.get("/cases/\(id.uuidString)/letter"))
            #expect(change.contains("救助金额调整决定书") && change.contains("¥620.00") && change.contains("¥300.00") && change.contains("家庭成员就业"))
            #expect(try await CaseRecord.find(id, on: app.db)?.monthlyFen == 30_000)
            r = try await Self.act(county, id, .terminate, [("terminationReasons", "家庭人均收入超过低保标准")], date: "2026-06-06")
            #expect(r.status == .seeOther)
            let stop = body(try await county.get("/cases/\(id.uuidString)/letter"))
            #expect(stop.contains("终止救助决定书") && stop.contains("<li>家庭人均收入超过低保标准</li>"))
            #expect(try await CaseEventRecord.query(on: app.db).count() == 8)
            // The city supervisor may look, not act.
            let city = try await loggedIn(app, "demo.city", clock: clock)
            #expect(try await city.get("/cases/\(id.uuidString)").status == .ok)
            #expect(try await city.post("/cases/\(id.uuidString)/actions", ["action": "terminate", "version": "9", "date": "2026-06-06"]).status
                    == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theSecondOfTwoPeopleActingOnOneVersionIsToldToReload(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, _) = try await Self.register(app, caseworker)
            let id = try #require(caseID)
            let assistant = try await loggedIn(app, "demo.village", clock: clock)
            // Both open the page at version 1 ...
            _ = try await caseworker.get("/cases/\(id.uuidString)")
            _ = try await assistant.get("/cases/\(id.uuidString)")
            let first = try await caseworker.post("/cases/\(id.uuidString)/actions",
                                                  pairs: [("action", "withdraw"), ("version", "1"), ("date", "2026-05-29"),
                                                          ("withdrawalRequest", "申请人书面撤回")])
            #expect(first.status == .seeOther)
            let second = try await caseworker.post("/cases/\(id.uuidString)/actions",
                                                   pairs: [("action", "start_investigation"), ("version", "1"), ("date", "2026-05-29")])
            #expect(second.status == .conflict && body(second).contains("案件已被他人更新"))
            #expect(try await CaseRecord.find(id, on: app.db)?.caseState == .withdrawn)
            #expect(try await CaseEventRecord.query(on: app.db).count() == 1)
            // A village assistant sees the case but has nothing to do on it now.
            #expect(body(try await assistant.get("/cases/\(id.uuidString)")).contains("没有可办理的事项"))
        }
    }

    @Test func anApplicationAwaitingMaterialsIsAcceptedOnce() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, applicationID) = try await Self.register(app, caseworker, complete: false)
            #expect(caseID == nil)
            let page = body(try await caseworker.get("/applications/\(applicationID.uuidString)"))
            #expect(page.contains("application-accept"))
            let accepted = try await caseworker.post("/applications/\(applicationID.uuidString)/accept")
            #expect(accepted.status == .seeOther)
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
            let again = try await caseworker.post("/applications/\(applicationID.uuidString)/accept")
            #expect(again.status == .conflict)
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func aRejectionLetterGivesTheReasonsAndIsDeliveredOnce() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, _) = try await Self.register(app, caseworker)
            let id = try #require(caseID)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            try await Self.throughInitialOpinion(caseworker, approver, id, opinion: [("verificationReportNumber", "HD-9"), ("opinion", "不符合")])
            _ = try await Self.act(caseworker, id, .startPublicity, date: "2026-05-29")
            clock.advance(8 * 86_400)  // 06-06
            let township = try await loggedIn(app, "demo.caseworker", clock: clock)
            let county = try await loggedIn(app, "demo.reviewer", clock: clock)
            _ = try await Self.act(township, id, .submitForConfirmation, date: "2026-06-06")
            let rejected = try await Self.act(county, id, .reject,
                                              [("rejectionReasons", "家庭人均收入高于当地低保标准\n有一辆营运车辆")], date: "2026-06-06")
            #expect(rejected.status == .seeOther, "\(body(rejected).prefix(1500))")
            let letter = body(try await county.get("/cases/\(id.uuidString)/letter"))
            #expect(letter.contains("不予批准决定书") && letter.contains("<li>有一辆营运车辆</li>"))
            #expect(body(try await township.get("/")).contains("data-kind=\"decision_letter\""))
            _ = try await township.get("/cases/\(id.uuidString)")
            #expect(try await township.post("/cases/\(id.uuidString)/letter/delivered").status == .seeOther)
            #expect(try await township.post("/cases/\(id.uuidString)/letter/delivered").status == .badRequest)
            #expect(!body(try await township.get("/")).contains("data-kind=\"decision_letter\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theVillageNoticeShowsOnlyNameSizeAndAmountAndTakesObjections(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, _) = try await Self.register(app, caseworker)
            let id = try #require(caseID)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            try await Self.throughInitialOpinion(caseworker, approver, id,
                                                 opinion: [("verificationReportNumber", "HD-7"), ("opinion", "符合"), ("amount", "620")])
            let public0 = WebClient(app: app)
            #expect(body(try await public0.get("/publicity/340321100201")).contains("目前没有公示中的申请"))
            _ = try await Self.act(caseworker, id, .startPublicity, date: "2026-05-29")

            let visitor = WebClient(app: app)
            let page = body(try await visitor.get("/publicity/340321100201"))
            #expect(page.contains("王建国") && page.contains("<dd class=\"size\">3</dd>") && page.contains("¥620.00"))
            #expect(page.contains("2026-05-29 – 2026-06-05"))
            #expect(!page.contains(TestPeople.father) && !page.contains("340321********") && !page.contains("李秀英") && !page.contains("12 号"))
            #expect(try await visitor.get("/publicity/340321100").status == .notFound)  // a township is not a village
            let short = try await visitor.post("/publicity/340321100201/\(id.uuidString)/objections", ["text": "有车"])
            #expect(short.status == .badRequest && body(short).contains("5 至 1000 字"))
            let sent = try await visitor.post("/publicity/340321100201/\(id.uuidString)/objections",
                                              ["text": "该户家中有一辆营运货车，常年跑运输。"])
            #expect(sent.status == .seeOther)
            #expect(try await CaseObjectionRecord.query(on: app.db).count() == 1)
            // The text is sealed at rest.
            let stored = try #require(try await CaseObjectionRecord.query(on: app.db).first())
            #expect(!stored.textSealed.contains("营运货车"))

            let home = body(try await caseworker.get("/"))
            #expect(home.contains("data-kind=\"publicity_objection\""))
            #expect(body(try await caseworker.get("/cases/\(id.uuidString)")).contains("该户家中有一辆营运货车"))
            let recorded = try await Self.act(caseworker, id, .raiseObjection, [("objection", "邻居反映有营运货车")], date: "2026-05-29")
            #expect(recorded.status == .seeOther)
            #expect(!body(try await caseworker.get("/")).contains("data-kind=\"publicity_objection\""))
            // No longer in publicity: no more objections online.
            let late = try await visitor.post("/publicity/340321100201/\(id.uuidString)/objections", ["text": "再次反映该户有营运货车"])
            #expect(late.status == .badRequest && body(late).contains("不在公示期内"))
        }
    }

    @Test func theNoticeEndsByItselfAfterItsSeventhDay() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let id = try #require(try await Self.register(app, caseworker).0)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            try await Self.throughInitialOpinion(caseworker, approver, id,
                                                 opinion: [("verificationReportNumber", "HD-8"), ("opinion", "符合"), ("amount", "620")])
            _ = try await Self.act(caseworker, id, .startPublicity, date: "2026-05-29")
            let visitor = WebClient(app: app)
            clock.advance(7 * 86_400)  // 06-05, the 7th day: still up
            #expect(body(try await visitor.get("/publicity/340321100201")).contains("王建国"))
            clock.advance(86_400)  // 06-06: down, though nobody has moved the case on
            #expect(try await CaseRecord.find(id, on: app.db)?.caseState == .publicity)
            #expect(body(try await visitor.get("/publicity/340321100201")).contains("目前没有公示中的申请"))
            let late = try await visitor.post("/publicity/340321100201/\(id.uuidString)/objections", ["text": "该户家中有一辆营运货车。"])
            #expect(late.status == .badRequest && body(late).contains("不在公示期内"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func anApprovedCaseIsPaidThroughTheMonthlyRollAndTheBankFile(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (caseID, _) = try await Self.register(app, caseworker)
            let id = try #require(caseID)
            // The steps themselves are tested above; here they are taken in the store, on their own days.
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let calendar = try await CalendarStore(db: app.db).calendar()
            let town = try RegionCode("340321100"), county = try RegionCode("340321")
            let steps: [(CaseAction, StaffRole, RegionCode, CaseInputs, String)] = [
                (.startInvestigation, .townshipCaseworker, town, CaseInputs(), "2026-05-29"),
                (.completeInvestigation, .townshipCaseworker, town,
                 CaseInputs(homeVisit: HomeVisitRecord(investigators: ["甲", "乙"], visitedOn: try LocalDate(parsing: "2026-05-29"),
                                                       signedByFamily: true, signedByInvestigators: true)), "2026-05-29"),
                (.proposeInitialOpinion, .townshipApprover, town, CaseInputs(verificationReportNumber: "HD-5", opinion: "符合"), "2026-05-29"),
                (.startPublicity, .townshipCaseworker, town, CaseInputs(), "2026-05-29"),
                (.submitForConfirmation, .townshipCaseworker, town, CaseInputs(), "2026-06-06"),
                (.approve, .countyReviewer, county, CaseInputs(confirmationOpinion: "同意", amount: Money(yuan: 620), reviewClass: .b), "2026-06-08"),
            ]
            for (action, role, home, inputs, day) in steps {
                let record = try #require(try await CaseRecord.find(id, on: app.db))
                let date = try LocalDate(parsing: day)
                _ = try await repository.act(on: record, expectedVersion: record.version, action: action, inputs: inputs,
                                             actor: CaseActorIdentity(username: "t", role: role, home: home), on: date, calendar: calendar,
                                             audit: (AuditChain(keys: TestKeys.ring), AuditEntry(actor: "t", role: "", region: "", action: "t")),
                                             now: Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + 4 * 3600)))
            }
            clock.advance(12 * 86_400)  // 06-10
            let township = try await loggedIn(app, "demo.caseworker", clock: clock)
            _ = try await township.get("/cases/\(id.uuidString)")
            let badAccount = try await township.post("/cases/\(id.uuidString)/payee", ["payeeName": "王建国", "payeeAccount": "62220"])
            #expect(badAccount.status == .badRequest && body(badAccount).contains("10 至 30 位数字"))
            _ = try await township.get("/cases/\(id.uuidString)")
            let saved = try await township.post("/cases/\(id.uuidString)/payee", ["payeeName": "王建国", "payeeAccount": "6222 0212 3456 7890 123"])
            #expect(saved.status == .seeOther)
            #expect(body(try await township.get("/cases/\(id.uuidString)")).contains("王建国 · **** 0123"))

            let officer = try await loggedIn(app, "demo.payment", clock: clock)
            _ = try await officer.get("/payments")
            #expect(try await officer.post("/payments/rolls", ["month": "2026-7"]).status == .badRequest)
            let frozen = try await officer.post("/payments/rolls", ["month": "2026-07"])
            #expect(frozen.status == .seeOther)
            let rollPath = try #require(frozen.headers.first(name: .location))
            let page = body(try await officer.get(rollPath))
            #expect(page.contains("¥620.00") && page.contains("**** 0123") && !page.contains("6222021234567890123"))
            // Again: the same roll, nothing added.
            _ = try await officer.get("/payments")
            #expect(try await officer.post("/payments/rolls", ["month": "2026-07"]).headers.first(name: .location) == rollPath)
            #expect(try await PaymentLineRecord.query(on: app.db).count() == 1)

            let csv = try await officer.get(rollPath + "/bank.csv?columns=reference,account,amount_fen")
            let text = body(csv)
            let reference = try #require(try await PaymentLineRecord.query(on: app.db).first()?.reference)
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(text.contains("流水号,账号,金额（分）\r\n\(reference),6222021234567890123,62000\r\n"))
            #expect(try await officer.get(rollPath + "/bank.csv?columns=reference,iban").status == .badRequest)

            _ = try await officer.get(rollPath)
            let result = Array("流水号,状态,原因\n\(reference),失败,账户已冻结\n".utf8)
            let imported = try await officer.postMultipart(rollPath + "/results", pairs: [],
                                                           files: [(name: "file", filename: "result.csv", type: "text/csv", bytes: result)])
            #expect(imported.status == .ok && body(imported).contains("失败 1 笔"))
            #expect(body(try await officer.get("/")).contains("data-kind=\"payment_failed\""))
            let household = try #require(try await CaseRecord.find(id, on: app.db)?.householdID)
            let statement = body(try await township.get("/households/\(household.uuidString)/payments"))
            #expect(statement.contains("2026-07") && statement.contains("账户已冻结"))
            // Payments are the payment officer's, not the caseworker's.
            #expect(try await township.get("/payments").status == .forbidden)
        }
    }
}

@Suite struct DemoClockTests {
    @Test func theDemoClockOnlyMovesForwardAndAtMostAYear() throws {
        let demo = try JiuzhuOptions.fromEnvironment(demo: true, environment: [:])
        let clock = try #require(demo.demoClock)
        let before = demo.clock()
        try clock.advance(days: 8)
        #expect(abs(demo.clock().timeIntervalSince(before) - 8 * 86_400) < 5)
        #expect(throws: UserError.self) { try clock.advance(days: 0) }
        #expect(throws: UserError.self) { try clock.advance(days: -1) }
        #expect(throws: UserError.self) { try clock.advance(days: 360) }
        #expect(clock.shiftDays == 8)
        let real = try JiuzhuOptions.fromEnvironment(demo: false, environment: ["JIUZHU_MASTER_KEY": Data(repeating: 3, count: 32).base64EncodedString()])
        #expect(real.demoClock == nil)
    }
}

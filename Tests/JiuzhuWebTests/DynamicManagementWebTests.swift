import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// 动态管理 through the testing client: a change reported and reviewed, the
/// review sweep, the taper letter, a transfer the receiving county accepts,
/// and the regions' workflow options on the command line.
@Suite struct DynamicManagementWebTests {
    typealias W = CaseWebTests

    /// The demo family's dibao case approved on 2026-06-06 (class B, ¥620):
    /// returns its id and the county reviewer's and caseworker's clients (logged in on 06-06).
    static func approved(_ app: Application, _ clock: TestClock) async throws -> (UUID, WebClient, WebClient) {
        let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
        let approver = try await loggedIn(app, "demo.approver", clock: clock)
        let id = try #require(try await W.register(app, caseworker).0)
        try await W.throughInitialOpinion(caseworker, approver, id,
                                          opinion: [("verificationReportNumber", "HD-1"), ("opinion", "符合"), ("amount", "620")])
        #expect(try await W.act(caseworker, id, .startPublicity, date: "2026-05-29").status == .seeOther)
        clock.advance(8 * 86_400)  // 2026-06-06
        let caseworkerLater = try await loggedIn(app, "demo.caseworker", clock: clock)
        #expect(try await W.act(caseworkerLater, id, .submitForConfirmation, date: "2026-06-06").status == .seeOther)
        let county = try await loggedIn(app, "demo.reviewer", clock: clock)
        let r = try await W.act(county, id, .approve, [("confirmationOpinion", "同意"), ("amount", "620"), ("reviewClass", "b")], date: "2026-06-06")
        #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
        return (id, county, caseworkerLater)
    }

    @Test(arguments: TestDatabase.all)
    func aChangeIsReportedFlaggedWhenLateAndReviewed(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (id, _, caseworker) = try await Self.approved(app, clock)
            var page = body(try await caseworker.get("/cases/\(id.uuidString)"))
            #expect(page.contains("id=\"case-next-review\">2027-06-06") && page.contains("B 类"))
            #expect(page.contains("data-action=\"report_change\"") && page.contains("data-action=\"request_transfer\""))
            #expect(!page.contains("data-action=\"start_taper\""))  // the county's

            // Bad input is refused with its field named; nothing is written.
            var r = try await W.act(caseworker, id, .reportChange, [("changeKind", "moon"), ("changeOccurredOn", "2026-06-01"), ("changeDetail", "x")],
                                    date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("未知的变化类别"))
            r = try await W.act(caseworker, id, .reportChange, [("changeKind", "death"), ("changeOccurredOn", "2026-06-07"), ("changeDetail", "病故")],
                                date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("变化发生日期不能晚于报告日期"))
            #expect(try await CaseRecord.find(id, on: app.db)?.version == 7)

            // A death in February reported in June: late (more than 3 months), and its review is overdue.
            r = try await W.act(caseworker, id, .reportChange,
                                [("changeKind", "death"), ("changeOccurredOn", "2026-02-20"), ("changeDetail", "户主之母病故")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            page = body(try await caseworker.get("/cases/\(id.uuidString)"))
            #expect(page.contains("id=\"late-report\"") && page.contains("户主之母病故") && page.contains("2026-05-20"))
            #expect(page.contains("家庭成员死亡后 3 个月内复核"))
            // Already due: the review is in the caseworker's inbox at once.
            #expect(body(try await caseworker.get("/")).contains("复核"))

            r = try await W.act(caseworker, id, .review, [("investigators", "甲,乙"), ("visitedOn", "2026-06-06"), ("signedByFamily", "on"), ("signedByInvestigators", "on"),
                                                         ("verificationReportNumber", "HD-9"), ("reviewConclusion", "家庭人口减少，需调整金额"),
                                                         ("reviewClass", "c")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            page = body(try await caseworker.get("/cases/\(id.uuidString)"))
            #expect(page.contains("id=\"case-next-review\">2026-12-06") && page.contains("C 类"))
            #expect(!page.contains("家庭成员死亡后 3 个月内复核"))
            let open = try await TaskRecord.query(on: app.db).filter(\.$kind == TaskKind.caseStep.rawValue)
                .filter(\.$subjectID == id.uuidString).filter(\.$closedMillis == nil).count()
            #expect(open == 0)

            // The sweep puts the next review in the inbox 30 days ahead, once.
            let early = try await runCommand(CasesCommand(), on: app, ["sweep", "--date", "2026-11-05"])
            #expect(early.status == 0 && early.printed.contains(": 0"))
            let due = try await runCommand(CasesCommand(), on: app, ["sweep", "--date", "2026-11-06"])
            #expect(due.status == 0 && due.printed.contains(": 1"))
            #expect(try await runCommand(CasesCommand(), on: app, ["sweep", "--date", "2026-11-07"]).printed.contains(": 0"))
            #expect(try await runCommand(CasesCommand(), on: app, ["sweep", "--date", "2026-13-01"]).status == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theReceivingCountyAcceptsATransferAndTheCaseMovesWithItsHistory(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let (id, county, caseworker) = try await Self.approved(app, clock)
            var r = try await W.act(caseworker, id, .requestTransfer, [("transferDestination", "340321101201"), ("transferReason", "迁居")],
                                    date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("同一县"))
            r = try await W.act(caseworker, id, .requestTransfer, [("transferDestination", "34032x"), ("transferReason", "迁居")], date: "2026-06-06")
            #expect(r.status == .badRequest)
            r = try await W.act(caseworker, id, .requestTransfer, [("transferDestination", "340322100201"), ("transferReason", "随子女迁居五河县")],
                                date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            var page = body(try await county.get("/cases/\(id.uuidString)"))
            #expect(page.contains("data-state=\"transferring\"") && page.contains("沱湖村"))
            #expect(!page.contains("data-action=\"accept_transfer\""))  // the sending county cannot accept
            let version = try #require(try await CaseRecord.find(id, on: app.db)?.version)
            r = try await county.post("/cases/\(id.uuidString)/actions", pairs: [("action", "accept_transfer"), ("version", "\(version)"),
                                                                                ("date", "2026-06-06"), ("transferOpinion", "同意")])
            #expect(r.status == .badRequest && body(r).contains("迁入地县（区）"))

            let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            _ = try await StaffRepository(db: app.db, keys: TestKeys.ring, bcryptCost: 4).create(
                NewStaff(username: "wuhe.reviewer", displayName: "五河审核", role: .countyReviewer,
                         region: try RegionCode("340322"), password: "Correct-Horse-42"),
                in: RegionScope(root: try RegionCode("34")), now: clock.now, totpSecret: secret)
            let receiving = WebClient(app: app)
            #expect(try await receiving.login("wuhe.reviewer", password: "Correct-Horse-42", secret: secret, at: clock.now).status == .seeOther)
            #expect(body(try await receiving.get("/cases")).contains(id.uuidString))
            #expect(body(try await receiving.get("/")).contains("接收迁入"))
            page = body(try await receiving.get("/cases/\(id.uuidString)"))
            #expect(page.contains("data-action=\"accept_transfer\"") && page.contains("data-action=\"decline_transfer\""))
            #expect(!page.contains("payee-form"))  // not theirs to pay before they accept
            #expect(try await receiving.post("/cases/\(id.uuidString)/payee", ["payeeName": "某人", "payeeAccount": "6222021234567890123"]).status
                    == .forbidden)
            r = try await W.act(receiving, id, .acceptTransfer, [("transferOpinion", "经核实已在本县居住，同意接收")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")

            page = body(try await receiving.get("/cases/\(id.uuidString)"))
            #expect(page.contains("data-state=\"approved\"") && page.contains("启动入户调查") && page.contains("接收迁入"))  // the whole history
            #expect(try await county.get("/cases/\(id.uuidString)").status == .notFound)
            #expect(try await CaseRecord.find(id, on: app.db)?.regionCode == "340322100201")
            let audit = try await AuditEventRecord.query(on: app.db).filter(\.$action == "case.accept_transfer").all()
            #expect(audit.count == 1 && audit.first?.detail.contains("340321100201→340322100201") == true)
        }
    }

    @Test func aTaperHasItsLetterAndRegionsSetTheirOptions() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let (id, county, _) = try await Self.approved(app, clock)
            var r = try await W.act(county, id, .startTaper, [("taperMonths", "9"), ("changeReason", "长子就业")], date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("渐退期应为 1 至 6 个月"))
            r = try await W.act(county, id, .startTaper, [("taperMonths", "3"), ("changeReason", "长子就业，家庭人均收入超过低保标准")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            let letter = body(try await county.get("/cases/\(id.uuidString)/letter"))
            #expect(letter.contains("渐退决定书") && letter.contains("2026-09") && letter.contains("长子就业"))
            #expect(body(try await county.get("/cases/\(id.uuidString)")).contains("id=\"case-last-month\">2026-09"))

            // Workflow options per region on the command line.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(#"{"delegatedConfirmation": true, "review": {"classCMonths": 3}}"#.utf8).write(to: URL(fileURLWithPath: path))
            #expect(try await runCommand(CasesCommand(), on: app, ["policy", "set", "--region", "340321", path]).status == 0)
            let shown = try await runCommand(CasesCommand(), on: app, ["policy", "show", "--region", "340321100201"])
            #expect(shown.printed.contains("340321") && shown.printed.contains("\"classCMonths\" : 3") && shown.printed.contains("\"classAMonths\" : 12"))
            try Data(#"{"review": {"classCMonths": 0}}"#.utf8).write(to: URL(fileURLWithPath: path))
            let refused = try await runCommand(CasesCommand(), on: app, ["policy", "set", "--region", "340321", path])
            #expect(refused.status == 2 && refused.printed.contains("classCMonths"))
            #expect(try await WorkflowPolicyStore(db: app.db).options(for: try RegionCode("340321")).options.review.classCMonths == 3)
            let standard = try await runCommand(CasesCommand(), on: app, ["policy", "show", "--region", "340322"])
            #expect(standard.printed.contains("内置默认"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theCountyDrawsTheTekunSampleAndTheConfirmationFormFollowsIt(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            _ = try await caseworker.get("/intake/new")
            let materials = MaterialChecklist.national.required(for: [.tekun]).map(\.code)
            let registered = try await caseworker.post("/intake", pairs: TestPeople.familyForm(programmes: ["tekun"], materials: materials))
            #expect(registered.status == .seeOther, "\(body(registered).prefix(1000))")
            let id = try #require(try await CaseRecord.query(on: app.db).first()?.id)
            for response in [
                try await W.act(caseworker, id, .startInvestigation, date: "2026-05-29"),
                try await W.act(caseworker, id, .completeInvestigation,
                                [("investigators", "甲,乙"), ("visitedOn", "2026-05-29"), ("signedByFamily", "on"), ("signedByInvestigators", "on"), ("assessed", "1"),
                                 ("failed[]", "bathing")], date: "2026-05-29"),
                try await W.act(approver, id, .proposeInitialOpinion, [("verificationReportNumber", "HD-1"), ("opinion", "符合特困条件")],
                                date: "2026-05-29"),
                try await W.act(caseworker, id, .startPublicity, date: "2026-05-29"),
            ] {
                #expect(response.status == .seeOther, "\(body(response).prefix(1000))")
            }
            clock.advance(8 * 86_400)
            let later = try await loggedIn(app, "demo.caseworker", clock: clock)
            #expect(try await W.act(later, id, .submitForConfirmation, date: "2026-06-06").status == .seeOther)
            #expect(try await later.get("/cases/sampling").status == .forbidden)

            let county = try await loggedIn(app, "demo.reviewer", clock: clock)
            var page = body(try await county.get("/cases/sampling"))
            #expect(page.contains("id=\"undrawn\"") && page.contains("/cases/\(id.uuidString)") && page.contains("至少抽取 1 件"))
            #expect(page.contains("href=\"/cases/sampling\""))  // in the menu
            var r = try await county.post("/cases/sampling", ["percent": "20"])
            #expect(r.status == .badRequest && body(r).contains("30%"))
            r = try await county.post("/cases/sampling", ["percent": "many"])
            #expect(r.status == .badRequest)
            #expect(try await TekunSampleRecord.query(on: app.db).count() == 0)
            r = try await county.post("/cases/sampling", ["percent": "30"])
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            page = body(try await county.get("/cases/sampling?done=drawn"))
            #expect(page.contains("TK-340321-20260606-1") && page.contains("抽中 1 / 1 件") && page.contains("id=\"undrawn-empty\""))
            let audit = try await AuditEventRecord.query(on: app.db).filter(\.$action == "case.sample_drawn").all()
            #expect(audit.count == 1 && audit.first?.detail.contains("seed=") == true)

            // The case page names the batch; "not sampled" is refused for a case the draw chose.
            page = body(try await county.get("/cases/\(id.uuidString)"))
            #expect(page.contains("id=\"sample-approve\"") && page.contains("TK-340321-20260606-1"))
            r = try await W.act(county, id, .approve, [("onSiteCheckKind", "not_sampled"), ("onSiteCheckText", "TK-340321-20260606-1"),
                                                      ("confirmationOpinion", "同意"), ("amount", "900")], date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("被抽中"))
            r = try await W.act(county, id, .approve, [("onSiteCheckKind", "checked"), ("onSiteCheckText", "县级实地核查记录 2026-06-06"),
                                                      ("confirmationOpinion", "同意"), ("amount", "900")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")

            // Stopping tekun support: posted in the village for 7 days first, then the county decides.
            r = try await W.act(county, id, .terminate, [("terminationReasons", "本人已由子女接回赡养")], date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("终止公示 7 天已满"))
            r = try await W.act(later, id, .postTerminationNotice, [("terminationReasons", "本人已由子女接回赡养")], date: "2026-06-06")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            let notice = body(try await WebClient(app: app).get("/publicity/340321100201"))
            #expect(notice.contains("id=\"termination-notice\"") && notice.contains("王建国") && notice.contains("2026-06-06 – 2026-06-13"))
            #expect(!notice.contains("接回赡养"))  // the reasons stay off the public notice
            r = try await W.act(county, id, .terminate, [("terminationReasons", "本人已由子女接回赡养")], date: "2026-06-06")
            #expect(r.status == .badRequest && body(r).contains("2026-06-13"))
            clock.advance(8 * 86_400)  // 06-14
            let countyLater = try await loggedIn(app, "demo.reviewer", clock: clock)
            #expect(body(try await countyLater.get("/")).contains("终止救助"))  // the stop is due in the county's inbox
            r = try await W.act(countyLater, id, .terminate, [("terminationReasons", "本人已由子女接回赡养")], date: "2026-06-14")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            #expect(!body(try await WebClient(app: app).get("/publicity/340321100201")).contains("termination-notice"))
            #expect(try await CaseRecord.find(id, on: app.db)?.lastMonth == "2026-06")
        }
    }
}

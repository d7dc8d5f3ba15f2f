import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting
import AsyncHTTPClient
import NIOCore

@Suite struct IntakeWebTests {
    @Test(arguments: TestDatabase.all)
    func caseworkerRegistersAFamilyOfThreeAndPrintsTheNotice(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            let form = body(try await client.get("/intake/new"))
            #expect(form.contains("intake-form"))
            // An empty choice must send "", not the option's text.
            #expect(form.contains("<option value>") || form.contains("<option value=\"\">"))
            let response = try await client.post("/intake", pairs: TestPeople.familyForm(needs: ["medical"]))
            #expect(response.status == .seeOther, "\(body(response).prefix(2000))")
            let location = try #require(response.headers.first(name: .location))
            let page = body(try await client.get(location))
            #expect(page.contains("tracking-code"))
            #expect(page.contains("340321********001"))          // masked IDs only
            #expect(!page.contains(TestPeople.father))
            #expect(page.contains("notice-link"))
            let notice = body(try await client.get(location + "/notice"))
            #expect(notice.contains("一次性告知书"))
            #expect(notice.contains("missing-materials"))
            #expect(notice.contains("收入"))
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.register").all()
            #expect(events.count == 1)
        }
    }

    @Test(arguments: [
        ("members[1][idNumber]", "340321198202020021", "members[1].idNumber"),   // wrong check character
        ("members[2][idNumber]", TestPeople.id("34032120990303003"), "members[2].idNumber"),  // born in the future
        ("members[0][relation]", Relationship.son.rawValue, "members"),          // no head
        ("members[2][idNumber]", TestPeople.father, "members[2].idNumber"),      // the same person twice
        ("members[1][name]", String(repeating: "长", count: 300), "members[1].name"),
        ("address", String(repeating: "路", count: 500), "address"),
    ])
    func badInputIsShownBesideTheFieldAndKept(_ field: String, _ value: String, _ errorKey: String) async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            let pairs = TestPeople.familyForm(extra: [field: value])
            let response = try await client.post("/intake", pairs: pairs)
            #expect(response.status == .badRequest)
            let page = body(response)
            #expect(page.contains("field-error") || page.contains("form-error"))
            #expect(page.contains("王建国"))       // what was typed is kept
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
            #expect(try await PersonRecord.query(on: app.db).count() == 0)
            if errorKey == "members" {
                #expect(page.contains("请指定一名户主"), "the household rule's message is not shown")
            }
            if errorKey.contains(".") || errorKey == "address" {
                let id = "f-" + errorKey.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ".", with: "-")
                #expect(page.contains(try Regex("id=\"\(id)\"[^>]*aria-invalid=\"true\"")), "no error beside \(errorKey)")
            }
        }
    }

    @Test func scriptInTextFieldsIsShownEscaped() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            let response = try await client.post("/intake", pairs: TestPeople.familyForm(extra: ["members[1][name]": "<script>alert(1)</script>",
                                                                                                  "address": "\"><img src=x onerror=alert(1)>"]))
            #expect(response.status == .badRequest)
            let page = body(response)
            #expect(!page.contains("<script>alert(1)</script>"))
            #expect(!page.contains("<img src=x"))
        }
    }

    @Test func aPersonInActiveDibaoElsewhereIsRefusedWithTheRegionNamed() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            #expect(try await client.post("/intake", pairs: TestPeople.familyForm()).status == .seeOther)
            try await client.get("/intake/new")
            var pairs = TestPeople.familyForm(region: "340321100202")
            pairs = pairs.map { $0.0 == "members[0][idNumber]" ? ($0.0, TestPeople.stranger) : $0 }
            let response = try await client.post("/intake", pairs: pairs)
            #expect(response.status == .badRequest)
            #expect(body(response).contains("怀远县城关镇"))
            #expect(body(response).contains("一人只能在一个低保家庭"))
        }
    }

    @Test func proxyApplicationsNeedTheEntrustment() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            let missing = try await client.post("/intake", pairs: TestPeople.familyForm(extra: ["channel": "proxy"]))
            #expect(missing.status == .badRequest)
            #expect(body(missing).contains("f-proxyName"))
            let proxy = TestPeople.familyForm(extra: [
                "channel": "proxy", "proxyName": "村委会 张三", "proxyRelation": "村民委员会", "proxyScope": "代为申请低保",
                "proxyDate": "2026-05-01", "proxyDocument": "WT-2026-001"])
            // Without the scan, and with a file that is not a scan, the form comes back.
            let noScan = try await client.postMultipart("/intake", pairs: proxy, files: [])
            #expect(noScan.status == .badRequest)
            #expect(body(noScan).contains("请上传委托书扫描件"))
            let notAScan = try await client.postMultipart("/intake", pairs: proxy,
                                                          files: [("proxyScan", "x.html", "image/png", Array("<script>".utf8))])
            #expect(notAScan.status == .badRequest)
            #expect(body(notAScan).contains("PDF、JPEG 或 PNG"))
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("entrustment-scan-bytes".utf8)
            let complete = try await client.postMultipart("/intake", pairs: proxy, files: [("proxyScan", "wt.png", "image/png", png)])
            #expect(complete.status == .seeOther, "\(body(complete).prefix(3000))")
            #expect(try await ApplicationRecord.query(on: app.db).first()?.channel == "proxy")
            // The scan is sealed at rest and comes back intact, audited.
            let stored = try #require(try await DocumentRecord.query(on: app.db).first())
            #expect(!stored.dataSealed.contains(Data(png).base64EncodedString()))
            let location = try #require(complete.headers.first(name: .location))
            let scan = try await client.get(location + "/entrustment-scan")
            #expect(scan.status == .ok)
            #expect(Array(scan.body.readableBytesView) == png)
            #expect(scan.headers.first(name: .contentType) == "image/png")
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "document.view").count() == 1)
        }
    }

    @Test func conflictOfInterestGoesToTheSeparateRegister() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            let response = try await client.post("/intake", pairs: TestPeople.familyForm(extra: ["conflict": "relative_of_village_cadre"]))
            let page = body(try await client.get(try #require(response.headers.first(name: .location))))
            #expect(page.contains("单独登记备案"))
            #expect(try await ApplicationRecord.query(on: app.db).first()?.separateRegister == true)
        }
    }

    @Test func staffFindPeopleInsideTheirRegionAndViewingARecordIsAudited() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await client.get("/intake/new")
            try await client.post("/intake", pairs: TestPeople.familyForm())
            let byID = body(try await client.get("/people?q=\(TestPeople.mother)"))
            #expect(byID.contains("李秀英"))
            let byName = body(try await client.get("/people?q=%E7%8E%8B"))   // 王
            #expect(byName.contains("王建国") && byName.contains("王小明"))
            let person = try #require(try await PersonRecord.query(on: app.db).filter(\.$name == "李秀英").first())
            let record = body(try await client.get("/people/\(person.id!)"))
            #expect(record.contains(TestPeople.mother))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "person.view").count() == 1)
            // The province supervisor finds the family; another county's caseworker neither finds nor opens it.
            let province = try await loggedIn(app, "demo.province", clock: clock)
            #expect(body(try await province.get("/people?q=%E7%8E%8B")).contains("王建国"))
            let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            _ = try await StaffRepository(db: app.db, keys: TestKeys.ring, bcryptCost: 4).create(
                NewStaff(username: "wuhe.worker", displayName: "五河经办", role: .townshipCaseworker,
                         region: try RegionCode("340322100"), password: "Correct-Horse-42"),
                in: RegionScope(root: try RegionCode("34")), now: clock.now, totpSecret: secret)
            let elsewhere = WebClient(app: app)
            #expect(try await elsewhere.login("wuhe.worker", password: "Correct-Horse-42", secret: secret, at: clock.now).status == .seeOther)
            #expect(!body(try await elsewhere.get("/people?q=%E7%8E%8B")).contains("王建国"))
            #expect(!body(try await elsewhere.get("/people?q=\(TestPeople.mother)")).contains("李秀英"))
            #expect(try await elsewhere.get("/people/\(person.id!)").status == .forbidden)
        }
    }

    @Test func departmentOfficerWorksTheReferralAndTheChainShowsIt() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            try await caseworker.get("/intake/new")
            try await caseworker.post("/intake", pairs: TestPeople.familyForm(needs: ["medical", "housing"]))
            let medical = try await loggedIn(app, "demo.medical", clock: clock)
            let queue = body(try await medical.get("/referrals"))
            #expect(queue.contains("referral-queue"))
            let referral = try #require(try await ReferralRecord.query(on: app.db).filter(\.$need == "medical").first())
            let housing = try #require(try await ReferralRecord.query(on: app.db).filter(\.$need == "housing").first())
            #expect(try await medical.post("/referrals/\(housing.id!)", ["status": "done", "outcome": "x"]).status == .forbidden)
            #expect(try await medical.post("/referrals/\(referral.id!)", ["status": "done", "outcome": ""]).status == .badRequest)
            #expect(try await medical.post("/referrals/\(referral.id!)", ["status": "done", "outcome": "已纳入医疗救助"]).status == .seeOther)
            let chain = body(try await caseworker.get("/households/\(referral.householdID)"))
            #expect(chain.contains("已纳入医疗救助"))
        }
    }
}

@Suite struct PublicPagesTests {
    @Test func aFamilyAppliesOnlineAndTracksProgress() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let family = WebClient(app: app)
            #expect(body(try await family.get("/apply")).contains("/apply/340321"))
            try await family.get("/apply/340321")
            let applied = try await family.post("/apply/340321", pairs: TestPeople.familyForm())
            #expect(applied.status == .ok, "\(body(applied).prefix(2000))")
            let code = try #require(body(applied).firstMatch(of: /id="tracking-code">([^<]+)</)?.1).description
            try await family.get("/track")
            let wrong = try await family.post("/track", ["code": code, "last4": "0000"])
            #expect(wrong.status == .badRequest)
            #expect(!body(wrong).contains("track-result"))
            let last4 = String(TestPeople.father.suffix(4))
            let right = try await family.post("/track", ["code": code, "last4": last4])
            let page = body(right)
            #expect(page.contains("track-result"))
            #expect(page.contains("王**"))
            #expect(!page.contains("王建国") && !page.contains("340321"))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "track.failure").count() == 1)
        }
    }

    @Test func guessingTheLastFourIsRateLimited() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = WebClient(app: app)
            try await client.get("/track")
            var statuses: [HTTPStatus] = []
            for i in 0..<(PublicController.trackLimit + 2) {
                statuses.append(try await client.post("/track", ["code": "JZ-0000-0000-00", "last4": String(format: "%04d", i)]).status)
            }
            #expect(statuses.last == .tooManyRequests)
            #expect(!statuses.contains(.internalServerError))
        }
    }
}

@Suite struct LargeFormTests {
    /// A body that arrives in several chunks must still carry its CSRF token through the middleware.
    @Test func aLargeFormPostPassesTheCSRFCheck() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let client = WebClient(app: app)
            let login = DemoStaff.logins.first { $0.username == "demo.caseworker" }!  // programmer error: demo account
            try await client.login(login.username, password: DemoStaff.password, secret: login.totpSecret, at: clock.now)
            try await client.get("/intake/new")
            var pairs = TestPeople.familyForm()
            pairs.append(("address", String(repeating: "路", count: 60)))
            for i in 3..<30 { pairs.append(("members[\(i)][employment]", "notApplicable")) ; pairs.append(("members[\(i)][status]", "normal")) }
            pairs.insert(("_csrf", client.lastCSRF ?? ""), at: 0)
            let body = pairs.map { "\(WebClientEscape.escape($0.0))=\(WebClientEscape.escape($0.1))" }.joined(separator: "&")
            #expect(body.utf8.count > 2000)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/intake")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.headers.add(name: "Cookie", value: client.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            request.body = .stream(AsyncStream { continuation in
                // Several small chunks, as a slow phone connection delivers them.
                for chunk in Array(body.utf8).chunks(of: 512) { continuation.yield(ByteBuffer(bytes: chunk)) }
                continuation.finish()
            }, length: .known(Int64(body.utf8.count)))
            let response = try await app.http.client.shared.execute(request, timeout: .seconds(30))
            await app.server.shutdown()
            #expect(response.status != .forbidden)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 1, "status \(response.status)")
        }
    }
}

enum WebClientEscape {
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension Array {
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

@Suite struct ChecklistTests {
    @Test func aCountyListDropsAnItemAndAddsALocalOneForItsTownships() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, "demo.sysadmin", clock: clock)
            try await admin.get("/admin/checklists?region=340321")
            let national = MaterialChecklist.national.items.filter { !$0.heldByGovernment }
            let keep = national.dropFirst().map { ("items[]", $0.code) }
            let dropped = try #require(national.first)
            let bad = try await admin.post("/admin/checklists", pairs: [("region", "340321"), ("newCode", "X!")] + keep)
            #expect(bad.status == .badRequest)
            let saved = try await admin.post("/admin/checklists", pairs: [("region", "340321"), ("newCode", "village-proof"),
                                                                          ("newNameZh", "村委会证明"), ("newNameEn", "Village committee letter"),
                                                                          ("newProgrammes[]", "dibao")] + keep)
            #expect(saved.status == .seeOther)
            let checklist = try await IntakeRepository(db: app.db, keys: TestKeys.ring).checklist(for: try RegionCode("340321100201"))
            #expect(checklist.item(code: "village-proof") != nil)
            #expect(checklist.item(code: dropped.code) == nil)
            #expect(try await IntakeRepository(db: app.db, keys: TestKeys.ring).checklist(for: try RegionCode("340322")).item(code: dropped.code) != nil)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "checklist.set").count() == 1)
        }
    }
}

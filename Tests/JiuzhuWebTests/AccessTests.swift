import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

@Suite struct RouteAuditTests {
    /// Every registered route must say who may call it; only a short, known list may be open to anyone.
    @Test func everyRouteHasAnExplicitAccessRule() async throws {
        try await withTestApp(.sqlite) { app in
            var missing: [String] = []
            var open: Set<String> = []
            for route in app.routes.all {
                let path = "\(route.method) /" + route.path.map(\.description).joined(separator: "/")
                switch route.accessRule {
                case nil: missing.append(path)
                case .open: open.insert(path)
                default: break
                }
            }
            #expect(missing.isEmpty, "routes without an access rule: \(missing)")
            #expect(open == ["GET /login", "POST /login", "POST /logout", "GET /lang/:code", "GET /static/:file", "GET /healthz",
                             "GET /apply", "GET /apply/:county", "POST /apply/:county", "GET /track", "POST /track",
                             "GET /api/openapi.yaml", "GET /publicity/:village", "POST /publicity/:village/:case/objections"])
            #expect(app.routes.all.count > 15)
        }
    }

    @Test func aRouteWithoutARuleIsRefused() async throws {
        try await withTestApp(.sqlite) { app in
            app.get("forgotten") { _ in "should never be served" }
            let response = try await WebClient(app: app).get("/forgotten")
            #expect(response.status == .forbidden)
            #expect(!body(response).contains("should never be served"))
        }
    }
}

@Suite struct LoginTests {
    @Test(arguments: TestDatabase.all)
    func caseworkerLogsInWithPasswordAndTOTP(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .townshipCaseworker, clock: clock)
            let home = try await client.get("/")
            #expect(home.status == .ok)
            let html = body(home)
            #expect(html.contains("我的待办"))
            #expect(html.contains("李经办"))
            #expect(html.contains("乡镇经办人"))
            #expect(html.contains("安徽省蚌埠市怀远县城关镇"))
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "login.success").all()
            #expect(events.map(\.actor) == ["demo.caseworker"])
        }
    }

    @Test func wrongCodeShowsTheFormAgainAndIsAudited() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = WebClient(app: app)
            try await client.get("/login")
            let response = try await client.post("/login", ["username": "demo.caseworker", "password": DemoStaff.password, "totp": "000000"])
            #expect(response.status == .unauthorized)
            #expect(body(response).contains("form-error"))
            #expect(body(response).contains("value=\"demo.caseworker\""))
            #expect(client.cookies["jz_session"] == nil)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "login.failure").count() == 1)
        }
    }

    @Test func fiveFailuresLockTheAccount() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = WebClient(app: app)
            try await client.get("/login")
            for _ in 1...5 {
                try await client.post("/login", ["username": "demo.reviewer", "password": "wrong", "totp": "123456"])
            }
            clock.advance(31)
            let response = try await client.login("demo.reviewer", password: DemoStaff.password,
                                                  secret: demo(.countyReviewer).totpSecret, at: clock.now)
            #expect(response.status == .unauthorized)
            #expect(body(response).contains("锁定"))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "login.locked").count() >= 1)
        }
    }

    @Test func postingWithoutTheCSRFTokenIsRefused() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = WebClient(app: app)
            try await client.get("/login")
            let code = StaffRepository.code(secret: demo(.townshipCaseworker).totpSecret, at: clock.now) ?? ""
            let response = try await client.post("/login", ["username": "demo.caseworker", "password": DemoStaff.password, "totp": code], csrf: "forged")
            #expect(response.status == .forbidden)
            #expect(client.cookies["jz_session"] == nil)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .townshipCaseworker, clock: clock)
            try await client.get("/")
            let out = try await client.post("/logout")
            #expect(out.status == .seeOther)
            #expect(try await StaffSession.query(on: app.db).count() == 0)
            #expect(try await client.get("/").status == .seeOther)
        }
    }

    @Test func idleSessionRedirectsToLogin() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .countyReviewer, clock: clock)
            clock.advance(20 * 60)
            #expect(try await client.get("/").status == .ok)
            clock.advance(31 * 60)
            let response = try await client.get("/")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test func firstLoginEnrolsTOTP() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .securityAdmin, clock: clock)
            try await admin.get("/admin/users")
            let created = try await admin.post("/admin/users", ["username": "new.worker", "displayName": "新员工", "role": "township_caseworker",
                                                                "region": "340321101", "password": "Strong-Pass-2026"])
            #expect(created.status == .seeOther)

            let client = WebClient(app: app)
            try await client.get("/login")
            let first = try await client.post("/login", ["username": "new.worker", "password": "Strong-Pass-2026", "totp": ""])
            #expect(first.headers.first(name: .location) == "/login/enrol")
            // Before enrolment nothing else is reachable.
            #expect(try await client.get("/regions").headers.first(name: .location) == "/login/enrol")
            let page = body(try await client.get("/login/enrol"))
            let secret = try #require(page.firstMatch(of: /secret=([A-Z2-7]+)/)?.1).description
            let wrong = try await client.post("/login/enrol", ["code": "000000"])
            #expect(wrong.status == .badRequest)
            let code = try #require(StaffRepository.code(secret: secret, at: clock.now))
            let done = try await client.post("/login/enrol", ["code": code])
            #expect(done.status == .seeOther)
            #expect(body(try await client.get("/")).contains("新员工"))
        }
    }
}

@Suite struct RegionScopeTests {
    @Test(arguments: TestDatabase.all)
    func caseworkerSeesOnlyTheirTownship(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .townshipCaseworker, clock: clock)
            let page = body(try await client.get("/regions"))
            let codes = page.matches(of: /data-code="(\d+)"/).map { String($0.1) }
            #expect(codes.count >= 4)
            #expect(codes.allSatisfy { $0.hasPrefix("340321100") })
            let other = try await client.get("/regions/340321101")
            #expect(other.status == .forbidden)
            #expect(body(other).contains("无权访问"))
            let city = try await client.get("/regions/3404")
            #expect(city.status == .forbidden)
            let denials = try await AuditEventRecord.query(on: app.db).filter(\.$action == "access.denied").all()
            #expect(denials.count == 2)
            #expect(denials.allSatisfy { $0.actor == "demo.caseworker" && $0.outcome == "denied" })
        }
    }

    @Test func countyReviewerSeesTheCountyButNotItsNeighbours() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .countyReviewer, clock: clock)
            let page = body(try await client.get("/regions"))
            #expect(page.contains("荆山镇"))
            #expect(!page.contains("五河县"))
            #expect(try await client.get("/regions/340322").status == .forbidden)
            #expect(try await client.get("/regions/340321101").status == .ok)
        }
    }

    @Test func malformedRegionCodeIsABadRequestNotACrash() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, .provinceSupervisor, clock: clock)
            for path in ["/regions/abc", "/regions/3403x", "/regions/12345", "/regions/" + String(repeating: "9", count: 300)] {
                let response = try await client.get(path)
                #expect(response.status == .badRequest, "\(path)")
            }
            #expect(try await client.get("/regions/349999").status == .notFound)
        }
    }
}

@Suite struct AdminSeparationTests {
    @Test(arguments: [
        (StaffRole.securityAdmin, "/audit", HTTPStatus.forbidden),
        (.securityAdmin, "/admin/calendar", .forbidden),
        (.securityAdmin, "/admin/users", .ok),
        (.auditAdmin, "/admin/users", .forbidden),
        (.auditAdmin, "/regions", .forbidden),
        (.auditAdmin, "/audit", .ok),
        (.systemAdmin, "/admin/users", .forbidden),
        (.systemAdmin, "/audit", .forbidden),
        (.systemAdmin, "/admin/calendar", .ok),
        (.townshipCaseworker, "/admin/users", .forbidden),
        (.countyReviewer, "/audit", .forbidden),
    ])
    func eachAdministratorReachesOnlyTheirDuty(_ role: StaffRole, _ path: String, _ expected: HTTPStatus) async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = try await loggedIn(app, role, clock: clock)
            #expect(try await client.get(path).status == expected)
        }
    }

    @Test func securityAdminCreatesDisablesAndResetsAccounts() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .securityAdmin, clock: clock)
            try await admin.get("/admin/users")
            let weak = try await admin.post("/admin/users", ["username": "x.y", "displayName": "某", "role": "county_reviewer",
                                                             "region": "340321", "password": "short"])
            #expect(weak.status == .badRequest)
            #expect(body(weak).contains("密码至少 12 位"))
            #expect(body(weak).contains("value=\"x.y\""))
            let wrongLevel = try await admin.post("/admin/users", ["username": "x.y", "displayName": "某", "role": "county_reviewer",
                                                                   "region": "340321100", "password": "Strong-Pass-2026"])
            #expect(wrongLevel.status == .badRequest)
            let user = try #require(try await StaffUser.query(on: app.db).filter(\.$username == "demo.reviewer").first())
            try await admin.get("/admin/users")
            #expect(try await admin.post("/admin/users/\(user.id!)/disable").status == .seeOther)
            #expect(try await StaffUser.find(user.id, on: app.db)?.disabled == true)
            #expect(try await admin.post("/admin/users/\(user.id!)/reset-totp").status == .seeOther)
            #expect(try await StaffUser.find(user.id, on: app.db)?.totpEnrolled == false)
            let actions = try await AuditEventRecord.query(on: app.db).filter(\.$actor == "demo.secadmin").all().map(\.action)
            #expect(actions.contains("staff.disable") && actions.contains("staff.reset_totp"))
        }
    }

    @Test func systemAdminAddsARegionAndTextIsEscaped() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            try await admin.get("/regions/340321")
            let added = try await admin.post("/admin/regions/340321/children",
                                             ["suffix": "103", "name": "<script>alert(1)</script>镇", "validFrom": "2026-01-01"])
            #expect(added.status == .seeOther)
            let page = body(try await admin.get("/regions/340321103"))
            #expect(!page.contains("<script>alert(1)</script>"))
            #expect(page.contains("&lt;script&gt;"))
            let bad = try await admin.post("/admin/regions/340321/children", ["suffix": "12", "name": "错", "validFrom": "2026-01-01"])
            #expect(bad.status == .badRequest)
            #expect(body(bad).contains("field-error"))
            let badDate = try await admin.post("/admin/regions/340321", ["name": "怀远县", "validFrom": "2026-02-30"])
            #expect(badDate.status == .badRequest)
            #expect(try await RegionRecord.find("340321", on: app.db)?.validFrom != "2026-02-30")
        }
    }

    @Test func auditAdminFiltersTheLogAndChecksTheChain() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            _ = try await loggedIn(app, .townshipCaseworker, clock: clock)
            let auditor = try await loggedIn(app, .auditAdmin, clock: clock)
            let filtered = body(try await auditor.get("/audit?actor=demo.caseworker&action=login.success"))
            #expect(filtered.contains("demo.caseworker"))
            #expect(!filtered.contains(">demo.auditor<"))
            let verified = try await auditor.post("/audit/verify")
            #expect(body(verified).contains("审计链完整"))
            let badDate = try await auditor.get("/audit?from=yesterday")
            #expect(badDate.status == .badRequest)
        }
    }

    @Test func systemAdminMaintainsTheCalendar() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            try await admin.get("/admin/calendar?year=2028")
            let weekdayMakeUp = try await admin.post("/admin/calendar", ["date": "2028-01-05", "kind": "workday", "name": "调休"])
            #expect(weekdayMakeUp.status == .badRequest)
            #expect(try await admin.post("/admin/calendar", ["date": "2028-01-03", "kind": "holiday", "name": "元旦"]).status == .seeOther)
            let calendar = try await CalendarStore(db: app.db).calendar()
            #expect(!calendar.isWorkingDay(try LocalDate(parsing: "2028-01-03")))
        }
    }
}

@Suite struct PageTests {
    @Test func securityHeadersAreOnEveryResponse() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let client = WebClient(app: app)
            for path in ["/login", "/healthz", "/static/app.css", "/nowhere"] {
                let response = try await client.get(path)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("frame-ancestors 'none'"), "\(path)")
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "no-referrer")
            }
        }
    }

    @Test func cookiesAreSecureHttpOnlyAndSameSite() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let client = WebClient(app: app)
            try await client.get("/login")
            let code = StaffRepository.code(secret: demo(.countyReviewer).totpSecret, at: clock.now) ?? ""
            let response = try await client.post("/login", ["username": "demo.reviewer", "password": DemoStaff.password, "totp": code])
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("jz_session=") })
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
        }
    }

    @Test func pagesStaySmallAndHaveNoInlineScript() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, demo: true, seedDemo: true) { app in
            var pages: [(String, String)] = [("/login", body(try await WebClient(app: app).get("/login")))]
            let province = try await loggedIn(app, .provinceSupervisor, clock: clock)
            for path in ["/", "/regions", "/regions/3403"] { pages.append((path, body(try await province.get(path)))) }
            let auditor = try await loggedIn(app, .auditAdmin, clock: clock)
            pages.append(("/audit", body(try await auditor.get("/audit"))))
            let security = try await loggedIn(app, .securityAdmin, clock: clock)
            pages.append(("/admin/users", body(try await security.get("/admin/users"))))
            for (path, html) in pages {
                #expect(html.utf8.count <= 50_000, "\(path) is \(html.utf8.count) bytes")
                #expect(!html.contains("<script"), "\(path)")
                #expect(!html.contains("http://") && !html.contains("https://"), "\(path) refers to another host")
                #expect(html.contains("演示环境"), "\(path) lacks the demo banner")
                #expect(html.contains("lang=\"zh-CN\""))
            }
        }
    }

    @Test func englishCanBeChosen() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let client = WebClient(app: app)
            let switched = try await client.get("/lang/en?back=/login")
            #expect(switched.headers.first(name: .location) == "/login")
            let page = body(try await client.get("/login"))
            #expect(page.contains("lang=\"en\""))
            #expect(page.contains("Log in"))
            let offsite = try await client.get("/lang/zh?back=//evil.example")
            #expect(offsite.headers.first(name: .location) == "/")
        }
    }

    @Test func unknownPathIsA404Page() async throws {
        try await withTestApp(.sqlite) { app in
            let response = try await WebClient(app: app).get("/no/such/page")
            #expect(response.status == .notFound)
            #expect(body(response).contains("页面不存在"))
        }
    }
}

@Suite struct EscapingTests {
    @Test(arguments: [
        ("\"><script>x</script>", "&quot;&gt;&lt;script&gt;x&lt;/script&gt;"),
        ("a&b", "a&amp;b"),
        ("it's", "it&#39;s"),
        ("中文", "中文"),
    ])
    func attributeValuesAreEscaped(_ raw: String, _ expected: String) {
        #expect(attr(raw) == expected)
    }

    @Test func typedTextCannotBreakOutOfAFormField() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .securityAdmin, clock: clock)
            try await admin.get("/admin/users")
            let response = try await admin.post("/admin/users", ["username": "\"><script>alert(1)</script>", "displayName": "x",
                                                                 "role": "county_reviewer", "region": "340321", "password": "x"])
            #expect(response.status == .badRequest)
            let html = body(response)
            #expect(!html.contains("<script>alert(1)</script>"))
            #expect(html.contains("value=\"&quot;&gt;&lt;script&gt;"))
        }
    }
}

@Suite struct MemoryDatabaseFileTests {
    /// `sqlite::memory:` (and every SQLite test) lives in a temporary file,
    /// as SQLiteKit keeps one; it is gone once the application has shut down.
    @Test func theInMemoryDatabasesFileIsRemovedAtShutdown() async throws {
        let app = try await Application.make(.testing)
        let options = JiuzhuOptions(database: .sqliteMemory, keys: TestKeys.ring, demo: false, secureCookies: true,
                                    bcryptCost: 4, clock: { Date() })
        let file: String
        do {
            try await configure(app, options: options)
            try await prepareDatabase(app, seedDemo: false)
            let row = try await (app.db as! any SQLDatabase).raw("SELECT file FROM pragma_database_list WHERE name = 'main'").first()  // programmer error: SQLite
            file = try #require(try row?.decode(column: "file", as: String.self))
            #expect(file.hasPrefix(FileManager.default.temporaryDirectory.path) && file.contains("jiuzhu-memory-"))
            #expect(FileManager.default.fileExists(atPath: file), "the database is a file while the app runs")
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        #expect(!FileManager.default.fileExists(atPath: file))
    }
}

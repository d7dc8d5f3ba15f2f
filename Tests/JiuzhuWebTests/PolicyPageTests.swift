import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// A complete, valid form for `region` from `date`; `change` overrides single fields.
private func policyForm(_ region: String, from date: String, _ change: [String: String] = [:]) -> [(String, String)] {
    var fields: [String: String] = [
        "region": region, "effectiveFrom": date, "standardUrban": "760.50", "standardRural": "630.00", "edgeMultiplier": "1.6",
        "referenceMonths": "6", "financialAssetMonths": "36", "vehicleValueCap": "25000", "maxHomes": "1",
        "nonResidentialDisqualifies": "1", "topUp[elderly]": "25", "topUp[severeDisability]": "40",
    ]
    for (key, value) in change { fields[key] = value }
    var pairs = fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    pairs += [("exemptVehicleTypes[]", "disability"), ("exemptVehicleTypes[]", "ebike"),
              ("excludedIncomeKinds[]", "assistance"), ("excludedIncomeKinds[]", "scholarship"),
              ("deductibleKinds[]", "medicalOutOfPocket")]
    pairs += DepartmentSourceCatalog.standard.map { ("requiredSources[]", $0) }
    return pairs
}

@Suite struct PolicyPageTests {
    @Test(arguments: TestDatabase.all)
    func theAdminAddsAVersionAndSeesItInForce(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let today = LocalDate.today(now: clock.now)
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            #expect(body(try await admin.get("/")).contains("href=\"/admin/policies\""))

            // Before: 怀远县 inherits the demo city version, and the form starts from it.
            let before = body(try await admin.get("/admin/policies?region=340321"))
            #expect(before.contains("data-region=\"3403\""))
            #expect(before.contains("继承自上级：蚌埠市（3403）"))
            #expect(before.contains("¥740.00"))
            #expect(before.contains("name=\"standardUrban\" type=\"text\" value=\"740.00\""))
            #expect(before.contains("本区划尚无自己的版本"))

            let saved = try await admin.post("/admin/policies", pairs: policyForm("340321", from: today.description))
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/admin/policies?region=340321&saved=1")

            let after = body(try await admin.get("/admin/policies?region=340321&saved=1"))
            #expect(after.contains("已新增政策参数版本"))
            #expect(after.contains("data-region=\"340321\""))
            #expect(after.contains("本区划自己的版本"))
            #expect(after.contains("data-from=\"\(today)\""))
            #expect(after.contains("¥760.50"))
            #expect(after.contains("demo.sysadmin"))

            let policies = PolicyRepository(db: app.db, audit: AuditChain(keys: TestKeys.ring))
            let inForce = try #require(try await policies.inForce(region: try RegionCode("340321100201"), on: today))
            #expect(inForce.region == (try RegionCode("340321")))
            #expect(inForce.policy.standardUrban == Money(fen: 76_050))
            #expect(inForce.policy.standardRural == Money(fen: 63_000))
            #expect(inForce.policy.vehicleValueCap == Money(fen: 2_500_000))
            #expect(inForce.policy.edgeMultiplier.text == "1.6")
            #expect(inForce.policy.referenceMonths == 6)
            #expect(inForce.policy.nonResidentialDisqualifies && !inForce.policy.companyRoleDisqualifies)
            #expect(inForce.policy.exemptVehicleTypes == [.disability, .ebike])
            #expect(inForce.policy.requiredSources == DepartmentSourceCatalog.standard)
            #expect(inForce.policy.topUps == [TopUp(group: .elderly, percentOfStandard: 25),
                                              TopUp(group: .severeDisability, percentOfStandard: 40)])
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set")
                .filter(\.$actor == "demo.sysadmin").all()
            #expect(events.map(\.objectID) == ["340321/\(today)"])

            // The same date again is refused on the form; the city next door still inherits.
            let again = try await admin.post("/admin/policies", pairs: policyForm("340321", from: today.description))
            #expect(again.status == .badRequest)
            #expect(body(again).contains("版本不可覆盖"))
            #expect(try await policies.versions(of: try RegionCode("340321")).count == 1)
            #expect(try await policies.inForce(region: try RegionCode("340322"), on: today)?.region == (try RegionCode("3403")))
        }
    }

    @Test func anotherRoleIsRefused() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            for role in [StaffRole.securityAdmin, .countyReviewer, .verificationOfficer] {
                let client = try await loggedIn(app, role, clock: clock)
                #expect(try await client.get("/admin/policies?region=340321").status == .forbidden)
                try await client.get("/")
                let posted = try await client.post("/admin/policies", pairs: policyForm("340321", from: "2026-09-01"))
                #expect(posted.status == .forbidden)
                #expect(!body(try await client.get("/")).contains("/admin/policies"))
            }
            let stored = try await PolicyVersionRecord.query(on: app.db).filter(\.$regionCode == "340321").count()
            #expect(stored == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aBadFigureShowsABilingualErrorAndStoresNothing(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            try await admin.get("/admin/policies?region=3403")
            let rowsBefore = try await PolicyVersionRecord.query(on: app.db).count()

            // A standard that is not an amount: the message on its field, everything typed kept.
            let bad = try await admin.post("/admin/policies", pairs: policyForm("3403", from: "2026-09-01", ["standardUrban": "7a0"]))
            #expect(bad.status == .badRequest)
            let html = body(bad)
            #expect(html.contains("金额格式不正确") && html.contains("Enter the amount in yuan"))
            #expect(html.contains("field invalid"))
            #expect(html.contains("value=\"7a0\""))
            #expect(html.contains("value=\"1.6\""))
            #expect(html.contains("name=\"topUp[elderly]\" type=\"text\" value=\"25\""))
            #expect(html.contains("value=\"ebike\" checked"))
            #expect(!html.contains("value=\"car\" checked"))

            // A figure the policy reader refuses (a zero-month period), reported on its own field.
            let zero = try await admin.post("/admin/policies", pairs: policyForm("3403", from: "2026-09-01", ["referenceMonths": "0"]))
            #expect(zero.status == .badRequest)
            #expect(body(zero).contains("id=\"f-referenceMonths\""))
            #expect(body(zero).contains("field-error"))

            // A percentage that is not a number, and a date that is not one.
            let percent = try await admin.post("/admin/policies", pairs: policyForm("3403", from: "2026-13-01", ["topUp[minor]": "二十"]))
            #expect(percent.status == .badRequest)
            #expect(body(percent).contains("请填写整数 / Enter a whole number"))
            #expect(body(percent).contains("value=\"2026-13-01\""))

            #expect(try await PolicyVersionRecord.query(on: app.db).count() == rowsBefore)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set").filter(\.$actor == "demo.sysadmin").count() == 0)
        }
    }

    @Test func aTownshipCannotHaveItsOwnPolicy() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            try await admin.get("/admin/policies")
            #expect(try await admin.get("/admin/policies?region=340321100").status == .badRequest)
            let posted = try await admin.post("/admin/policies", pairs: policyForm("340321100", from: "2026-09-01"))
            #expect(posted.status == .badRequest)
            #expect(try await PolicyVersionRecord.query(on: app.db).filter(\.$regionCode == "340321100").count() == 0)
        }
    }

    @Test func everyDynamicAttributeIsEscaped() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            // A stored policy may name kinds of its own; the page shows them as checkboxes.
            var policy = try #require(DemoPolicies.all.last?.policy)
            policy.deductibleKinds.insert("x\"><script>kind()</script>")
            try await PolicyRepository(db: app.db, audit: AuditChain(keys: TestKeys.ring))
                .add(PolicyVersion(region: try RegionCode("340322"), effectiveFrom: try LocalDate(parsing: "2026-02-01"), policy: policy),
                     actor: "test", role: "system_admin")
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            let page = body(try await admin.get("/admin/policies?region=340322"))
            #expect(!page.contains("<script>kind()</script>"))
            #expect(page.contains("value=\"x&quot;&gt;&lt;script&gt;kind()&lt;/script&gt;\" checked"))

            // Whatever is typed comes back inside its attribute.
            let typed = "\"><script>alert(1)</script>"
            let bad = try await admin.post("/admin/policies", pairs: policyForm("340322", from: "2026-09-01",
                                                                                ["edgeMultiplier": typed, "topUp[minor]": typed]))
            #expect(bad.status == .badRequest)
            let html = body(bad)
            #expect(!html.contains("<script>alert(1)</script>"))
            #expect(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""))
            let sent = try await admin.post("/admin/policies", pairs: policyForm("340322", from: "2026-09-01", ["region": typed]))
            #expect(sent.status == .badRequest)
            #expect(!body(sent).contains("<script>alert(1)</script>"))
        }
    }

    @Test func theFormNeedsTheCSRFToken() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let admin = try await loggedIn(app, .systemAdmin, clock: clock)
            let page = body(try await admin.get("/admin/policies?region=3403"))
            #expect(page.contains("id=\"policy-form\""))
            #expect(page.range(of: #"<form id="policy-form"[^>]*><input type="hidden" name="_csrf""#, options: .regularExpression) != nil)
            var fields: [String: String] = [:]
            for (key, value) in policyForm("3403", from: "2026-09-01") { fields[key] = value }
            let forged = try await admin.post("/admin/policies", fields, csrf: "")
            #expect(forged.status == .forbidden)
            #expect(try await PolicyVersionRecord.query(on: app.db).filter(\.$effectiveFrom == "2026-09-01").count() == 0)
        }
    }
}

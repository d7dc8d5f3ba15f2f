import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// 备用金台账 through the testing client: the county's payment officer adds
/// to a township's fund, the township approver pays an emergency first from
/// it, and the ledger shows both.
@Suite struct ReserveFundWebTests {
    @Test(arguments: TestDatabase.all)
    func anEmergencyIsPaidFirstFromTheTownshipsFund(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let payment = try await loggedIn(app, "demo.payment", clock: clock)
            var page = body(try await payment.get("/reserve-fund"))
            #expect(page.contains("/reserve-fund/340321100") && page.contains("¥20,000.00"))  // the demo's starting fund
            var r = try await payment.post("/reserve-fund/340321100/top-up", ["amount": "-3", "date": "2026-05-29"])
            #expect(r.status == .badRequest)
            r = try await payment.post("/reserve-fund/340321100/top-up", ["amount": "500", "date": "2026-06-30"])
            #expect(r.status == .badRequest && body(r).contains("日期不能晚于今天"))
            r = try await payment.post("/reserve-fund/340321100/top-up", ["amount": "500", "date": "2026-05-29"])
            #expect(r.status == .seeOther)
            #expect(body(try await payment.get("/reserve-fund/340321100")).contains("¥20,500.00"))
            #expect(try await payment.get("/reserve-fund/340322100").status == .notFound)  // another county's township

            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            _ = try await caseworker.get("/intake/new")
            let materials = MaterialChecklist.national.required(for: [.temporaryEmergency]).map(\.code)
            r = try await caseworker.post("/intake", pairs: TestPeople.familyForm(programmes: ["temporary_emergency"], materials: materials))
            #expect(r.status == .seeOther, "\(body(r).prefix(1000))")
            let id = try #require(try await CaseRecord.query(on: app.db).first()?.id)
            #expect(try await caseworker.post("/reserve-fund/340321100/top-up", ["amount": "9", "date": "2026-05-29"]).status == .forbidden)
            let approver = try await loggedIn(app, "demo.approver", clock: clock)
            #expect(body(try await approver.get("/cases/\(id.uuidString)")).contains("/reserve-fund/340321100"))
            r = try await CaseWebTests.act(approver, id, .payFirst, [("emergencyReason", "房屋失火"), ("amount", "800")], date: "2026-05-29")
            #expect(r.status == .seeOther, "\(body(r).prefix(1500))")
            #expect(try await approver.get("/reserve-fund").headers.first(name: .location) == "/reserve-fund/340321100")
            page = body(try await approver.get("/reserve-fund/340321100"))
            #expect(page.contains("id=\"fund-balance\">¥19,700.00") && page.contains("data-kind=\"draw\"") && page.contains("/cases/\(id.uuidString)"))
            #expect(!page.contains("top-up-form"))  // the township does not add to its own fund
            let village = try await loggedIn(app, "demo.village", clock: clock)
            #expect(try await village.get("/reserve-fund").status == .ok)  // no redirect to a page it may not see
            #expect(try await village.get("/reserve-fund/340321100").status == .notFound)
        }
    }
}

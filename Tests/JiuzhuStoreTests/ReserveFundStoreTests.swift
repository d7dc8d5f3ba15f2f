import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing
import Vapor

/// 备用金 on both databases: emergency help paid first draws on the
/// township's fund in the same transaction as the step; the fund is never
/// overdrawn, also by two cases paid at once.
@Suite struct ReserveFundStoreTests {
    let cases = CaseRepositoryTests()
    /// 荆山镇 (the demo's 城关镇 starts with ¥20,000).
    let township = try! RegionCode("340321101")
    let approver = CaseActorIdentity(username: "jingshan.approver", role: .townshipApprover, home: try! RegionCode("340321101"))

    /// `count` emergency cases accepted at the window in 城关镇.
    func emergencies(_ app: Application, count: Int) async throws -> [CaseRecord] {
        let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
        let materials = Set(MaterialChecklist.national.required(for: [.temporaryEmergency]).map(\.code))
        var out: [CaseRecord] = []
        for n in 1...count {
            let head = try cases.intake.member("受灾" + ["甲", "乙", "丙"][n % 3], TekunSamplingStoreTests.elderID(n), .head)
            let result = try await cases.intake.register(app, members: [head], region: "340321101201",
                                                         programmes: [.temporaryEmergency], materials: materials)
            out.append(try #require(try await repository.cases(application: try result.application.requireID()).first))
        }
        return out
    }

    func payFirst(_ amount: Int64) -> CaseInputs { CaseInputs(emergencyReason: "房屋失火，急需生活救助", amount: Money(yuan: amount)) }

    @Test(arguments: TestDatabase.all)
    func payingFirstDrawsOnTheFundWithTheStepOrNotAtAll(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let funds = ReserveFundRepository(db: app.db)
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            let (first, second) = try await { let e = try await emergencies(app, count: 2); return (e[0], e[1]) }()
            // No money yet: refused, the case stays where it was.
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, first, .payFirst, by: approver, payFirst(800), on: cases.day(0))
            }
            #expect(try await CaseRecord.find(first.requireID(), on: app.db)?.caseState == .accepted)
            await #expect(throws: UserError.self) {
                try await funds.topUp(township: township, amount: Money(yuan: -5), on: cases.day(0), actor: "pay", audit: cases.audit("top"))
            }
            await #expect(throws: UserError.self) {
                try await funds.topUp(township: try RegionCode("340321"), amount: Money(yuan: 5), on: cases.day(0), actor: "pay",
                                      audit: cases.audit("top"))
            }
            try await funds.topUp(township: township, amount: Money(yuan: 1_000), on: cases.day(0), actor: "pay", audit: cases.audit("top"),
                                now: cases.noon(cases.day(0)).addingTimeInterval(-60))
            // Over the township's limit (¥1,000 standard): the county decides; nothing drawn.
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, first, .payFirst, by: approver, payFirst(1_200), on: cases.day(0))
            }
            // Two cases paid first at once for ¥800 each from ¥1,000: exactly one is paid.
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for record in [first, second] {
                    group.addTask {
                        (try? await cases.act(repository, app, record, .payFirst, by: approver, payFirst(800), on: cases.day(0))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let ledger = try await funds.ledger(township: township)
            #expect(ledger.balance == Money(yuan: 200))
            #expect(try await ReserveFundRecord.find(township.value, on: app.db)?.balanceFen == 20_000)
            let paid = try await CaseRecord.query(on: app.db).filter(\.$state == CaseState.paidFirst.rawValue).all()
            #expect(paid.count == 1)
            let entries = try await funds.entries(township: township)
            #expect(entries.map(\.kind) == ["draw", "top_up"] && entries.first?.caseID == paid.first?.id)
            #expect(paid.first?.deadlineList.contains { $0.kind == .emergencyRecord } == true)
            #expect(try await funds.ledger(township: try RegionCode("340321100")).balance == Money(yuan: 20_000))  // the demo's
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing
import Vapor

/// 特困抽查 on both databases: a county draws ≥30% of its tekun cases
/// awaiting confirmation once (also when two draw at once); the draw can be
/// re-derived from its seed; each confirmation stands on the draw.
@Suite struct TekunSamplingStoreTests {
    let cases = CaseRepositoryTests()
    let county = try! RegionCode("340321")

    /// A valid resident ID of someone born in 1950, sequence `n`.
    static func elderID(_ n: Int) -> String {
        let first17 = "34032119500101" + String(format: "%03d", n)
        return first17 + String(ResidentID.checkCharacter(forFirst17: first17) ?? "0")
    }

    /// `count` one-person tekun cases brought to the county's confirmation.
    func awaitingConfirmation(_ app: Application, count: Int) async throws -> [CaseRecord] {
        let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
        let materials = Set(MaterialChecklist.national.required(for: [.tekun]).map(\.code))
        var out: [CaseRecord] = []
        for n in 1...count {
            let head = try cases.intake.member("老人" + ["甲", "乙", "丙", "丁", "戊", "己"][n % 6], Self.elderID(n), .head)
            let result = try await cases.intake.register(app, members: [head], programmes: [.tekun], materials: materials)
            var record = try #require(try await repository.cases(application: try result.application.requireID()).first)
            let visit = HomeVisitRecord(investigators: ["甲", "乙"], visitedOn: cases.day(1), signedByFamily: true, signedByInvestigators: true)
            record = try await cases.act(repository, app, record, .startInvestigation, by: cases.caseworker, on: cases.day(1))
            record = try await cases.act(repository, app, record, .completeInvestigation, by: cases.caseworker,
                                         CaseInputs(homeVisit: visit, selfCare: SelfCareAssessment(failed: [.bathing])), on: cases.day(1))
            record = try await cases.act(repository, app, record, .proposeInitialOpinion, by: cases.approver,
                                         CaseInputs(verificationReportNumber: "HD-\(n)", opinion: "符合特困条件"), on: cases.day(2))
            record = try await cases.act(repository, app, record, .startPublicity, by: cases.caseworker, on: cases.day(2))
            record = try await cases.act(repository, app, record, .submitForConfirmation, by: cases.caseworker, on: cases.day(10))
            out.append(record)
        }
        return out
    }

    @Test(arguments: TestDatabase.all)
    func aCountyDrawsOnceAndEachConfirmationStandsOnTheDraw(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let waiting = try await awaitingConfirmation(app, count: 4)
            let sampling = TekunSamplingRepository(db: app.db)
            let repository = CaseRepository(db: app.db, keys: TestKeys.ring)
            #expect(try await sampling.undrawn(county: county).count == 4)

            // Confirming "not sampled" before any draw is refused.
            let approve = CaseInputs(onSiteCheck: .notSampled(batch: "TK-x"), confirmationOpinion: "同意", amount: Money(yuan: 900))
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, waiting[0], .approve, by: cases.county, approve, on: cases.day(12))
            }
            await #expect(throws: UserError.self) {
                try await sampling.draw(county: county, percent: 20, seed: 7, on: cases.day(11), actor: "r", audit: cases.audit("draw"))
            }
            await #expect(throws: UserError.self) {
                try await sampling.draw(county: try RegionCode("340321100"), percent: 30, seed: 7, on: cases.day(11), actor: "r",
                                        audit: cases.audit("draw"))
            }

            // Two draws at once: one batch, every case in it exactly once.
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for seed in [11, 12] as [UInt64] {
                    group.addTask {
                        (try? await sampling.draw(county: county, percent: 30, seed: seed, on: cases.day(11), actor: "r",
                                                  audit: cases.audit("draw"))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let samples = try await sampling.samples(county: county)
            #expect(samples.count == 1)
            let sample = try #require(samples.first)
            let members = try await sampling.members(of: sample)
            #expect(members.count == 4 && sample.caseCount == 4 && sample.sampledCount == 2)  // ⌈30% × 4⌉
            #expect(sample.batch == "TK-340321-20260626-1")
            // An auditor re-derives the choice from the recorded seed.
            let rederived = try TekunSampling.choose(caseIDs: members.map(\.caseID.uuidString), seed: UInt64(sample.seed) ?? 0)
            #expect(Set(rederived) == Set(members.filter(\.sampled).map(\.caseID.uuidString)))
            #expect(try await sampling.undrawn(county: county).isEmpty)
            await #expect(throws: UserError.self) {
                try await sampling.draw(county: county, percent: 30, seed: 13, on: cases.day(11), actor: "r", audit: cases.audit("draw"))
            }

            let chosen = try #require(members.first { $0.sampled })
            let left = try #require(members.first { !$0.sampled })
            let byID = Dictionary(uniqueKeysWithValues: waiting.compactMap { r in r.id.map { ($0, r) } })
            let chosenCase = try #require(byID[chosen.caseID])
            let leftCase = try #require(byID[left.caseID])
            let notSampled = CaseInputs(onSiteCheck: .notSampled(batch: sample.batch), confirmationOpinion: "同意", amount: Money(yuan: 900))
            await #expect(throws: UserError.self) {
                try await cases.act(repository, app, chosenCase, .approve, by: cases.county, notSampled, on: cases.day(12))
            }
            let checked = CaseInputs(onSiteCheck: .checked(record: "县级实地核查记录 2026-01"), confirmationOpinion: "同意", amount: Money(yuan: 900))
            #expect(try await cases.act(repository, app, chosenCase, .approve, by: cases.county, checked,
                                        on: cases.day(12)).caseState == .approved)
            #expect(try await cases.act(repository, app, leftCase, .approve, by: cases.county, notSampled,
                                        on: cases.day(12)).caseState == .approved)
        }
    }
}

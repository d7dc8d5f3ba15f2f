import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import JiuzhuWeb


/// `jiuzhu verify --batch`, through the command the launcher registers, over
/// households made by the benchmark's generator.
@Suite struct VerifyBatchCommandTests {
    static let asOf = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date

    private func verify(_ app: Application, _ arguments: [String]) async throws -> String {
        try await runCommand(VerifyBatchCommand(), on: app, arguments).printed
    }

    private func load(_ app: Application, households: Int) async throws {
        let county = try RegionCode("340321")
        let villages = try await PopulationLoader(db: app.db, keys: TestKeys.ring).villages(under: county)
        _ = try await BatchBenchmarkLoader(db: app.db, keys: TestKeys.ring)
            .load(households: households, county: county, villages: villages, seed: 11, asOf: Self.asOf, now: Date(), chunk: 25)
    }

    @Test(arguments: TestDatabase.all)
    func theSummaryMatchesTheStoredResultsAndOneEventIsAudited(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            try await load(app, households: 60)
            let printed = try await verify(app, ["--batch", "--region", "340321", "--as-of", "2026-06-15", "--page-size", "7"])
            let run = try #require(try await VerificationBatchRunRecord.query(on: app.db).first())
            let runID = try run.requireID()
            let rows = try await HouseholdVerificationResultRecord.query(on: app.db).filter(\.$runID == runID).all()
            let errors = 60 - rows.count
            #expect(printed.contains("复核户数：60（已得出结论 \(rows.count)，错误 \(errors)）"))
            #expect(printed.contains("Households: 60 (evaluated \(rows.count), errors \(errors))"))
            let byConclusion = Dictionary(grouping: rows, by: \.conclusion).mapValues(\.count)
            let dibao = byConclusion["dibao"] ?? 0
            #expect(dibao > 0)
            #expect(printed.contains("低保 \(dibao)，低保边缘 \(byConclusion["edge"] ?? 0)，不符合 \(byConclusion["ineligible"] ?? 0)"))
            #expect(printed.contains("Changes: new \(rows.count - (byConclusion["undetermined"] ?? 0))"))
            let total = rows.reduce(Money.zero) { $0 + Money(fen: $1.monthlyBenefit) }
            #expect(printed.contains("Monthly benefit total: ¥0.00 → \(total.formatted)"))
            #expect(printed.contains("households/s"))
            let audits = try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.batch").all()
            #expect(audits.count == 1 && audits.first?.objectID == String(runID))

            // Nothing changed since: every evaluated household is unchanged.
            let again = try await verify(app, ["--batch", "--region", "340321", "--as-of", "2026-06-15"])
            #expect(again.contains("无变化 \(rows.count)") && again.contains("unchanged \(rows.count)"))
            #expect(again.contains("Monthly benefit total: \(total.formatted) → \(total.formatted)"))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.batch").count() == 2)
        }
    }

    /// `--digests-only` (after imports) makes the stale digests current
    /// without a run; the next run reads every household from its digest.
    @Test(arguments: TestDatabase.all)
    func digestsCanBeMadeCurrentWithoutARun(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            try await load(app, households: 40)
            let printed = try await verify(app, ["--batch", "--region", "340321", "--digests-only", "--page-size", "6"])
            #expect(printed.contains("Digests of 340321: 40 active households, 40 rewritten"))
            #expect(try await VerificationBatchRunRecord.query(on: app.db).count() == 0)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.digests").count() == 1)
            let again = try await verify(app, ["--batch", "--region", "340321", "--digests-only"])
            #expect(again.contains("40 active households, 0 rewritten"))
            // A record arrives for one member: that household alone is rewritten.
            try await app.sql.raw("""
                UPDATE department_records SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM department_records)
                """).run()
            #expect(try await verify(app, ["--batch", "--region", "340321", "--digests-only"]).contains("40 active households, 1 rewritten"))
            let run = try await verify(app, ["--batch", "--region", "340321", "--as-of", "2026-06-15"])
            #expect(run.contains("40 households read from their digests; 0 read from their rows"))
        }
    }

    @Test func wrongArgumentsAreRefusedBeforeAnyRun() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            for arguments in [["--region", "340321", "--as-of", "2026-06-15"],
                              ["--batch", "--as-of", "2026-06-15"],
                              ["--batch", "--region", "340321", "--as-of", "2026-13-01"],
                              ["--batch", "--region", "340321", "--as-of", "2026-06-15", "--page-size", "0"]] {
                var refused = false
                do {
                    _ = try await verify(app, arguments)
                } catch is UserError {
                    refused = true
                }
                #expect(refused, "\(arguments)")
            }
            #expect(try await VerificationBatchRunRecord.query(on: app.db).count() == 0)
        }
    }
}

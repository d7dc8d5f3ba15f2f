import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu bench people --persons N`: fills the configured database with N
/// synthetic persons (if it has fewer), then times exact ID lookups through
/// the blind index and name-prefix searches inside a county, as the web pages
/// run them. A benchmark, run on purpose; never part of `swift test`.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "suite", help: "people | verify")
        var suite: String
        @Option(name: "persons", help: "population size (default 1000000)")
        var persons: Int?
        @Option(name: "queries", help: "queries of each kind (default 2000)")
        var queries: Int?
        // bench verify (BenchVerifyCommand.swift)
        @Option(name: "households", help: "verify: active households (default 1000000)")
        var households: Int?
        @Option(name: "seed", help: "verify: random seed (default 2026)")
        var seed: UInt64?
        @Option(name: "export-csv", help: "verify: also write the data as CSV into this directory")
        var exportCSV: String?
        @Flag(name: "skip-load", help: "verify: use the households already in the database")
        var skipLoad: Bool
        @Option(name: "page-size", help: "verify: households per page (default 2000)")
        var pageSize: Int?
    }

    var help: String { "Benchmarks / 性能测试: people, verify" }

    func run(using context: CommandContext, signature: Signature) async throws {
        if signature.suite == "verify" {
            return try await BenchVerifyCommand.run(context, households: signature.households ?? 1_000_000, seed: signature.seed ?? 2026,
                                                    exportCSV: signature.exportCSV, skipLoad: signature.skipLoad,
                                                    pageSize: signature.pageSize ?? 2000)
        }
        guard signature.suite == "people" else {
            throw UserError("cli.action", zh: "未知测试：\(signature.suite)（可用：people、verify）", en: "Unknown benchmark: \(signature.suite) (use: people, verify)")
        }
        let app = context.application
        try await prepareDatabase(app, seedDemo: true)
        let target = signature.persons ?? 1_000_000
        let queries = signature.queries ?? 2000
        let keys = app.jiuzhu.keys
        let loader = PopulationLoader(db: app.db, keys: keys)
        let villages = try await loader.villages(under: try RegionCode("34"))
        let seed: UInt64 = 2026
        let asOf = LocalDate(year: 2026, month: 6, day: 1) ?? LocalDate.today()
        let present = try await PersonRecord.query(on: app.db).count()
        if present < target {
            guard present == 0 else {
                throw UserError("bench.partial", zh: "数据库已有 \(present) 人但少于 \(target)：请用新的数据库文件", en: "The database holds \(present) persons, fewer than \(target): use a fresh database")
            }
            let start = Date()
            try await loader.load(persons: target, villages: villages, seed: seed, asOf: asOf, now: Date()) { done in
                if done % 100_000 < 2000 { context.console.print("  loaded \(done)") }
            }
            let seconds = Date().timeIntervalSince(start)
            context.console.print("load: \(target) persons in \(String(format: "%.1f", seconds)) s (\(Int(Double(target) / seconds))/s)")
        }
        // Regenerate the same population to know real ID numbers and names.
        var population = SyntheticPopulation(seed: seed, villages: villages, asOf: asOf)
        var sample: [PersonDraft] = []
        while sample.count < 20_000 { sample += population.nextHousehold().map(\.person) }
        var rng = SplitMix64(seed: 7)
        let people = PeopleRepository(db: app.db, keys: keys)
        let province = RegionScope(root: try RegionCode("34"))

        var idTimes: [Double] = []
        var found = 0
        for _ in 0..<queries {
            let person = sample[Int(rng.next() % UInt64(sample.count))]
            let start = DispatchTime.now().uptimeNanoseconds
            if try await people.person(idNumber: person.id, in: province) != nil { found += 1 }
            idTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        var nameTimes: [Double] = []
        var rows = 0
        for _ in 0..<queries {
            let person = sample[Int(rng.next() % UInt64(sample.count))]
            let county = RegionScope(root: try RegionCode(String((person.hukouRegion ?? villages[0]).value.prefix(6))))
            let prefix = String(person.name.prefix(2))
            let start = DispatchTime.now().uptimeNanoseconds
            rows += try await people.search(namePrefix: prefix, in: county).count
            nameTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        context.console.print("persons: \(try await PersonRecord.query(on: app.db).count()), database: \(app.jiuzhu.database.isPostgres ? "PostgreSQL" : "SQLite")")
        context.console.print("ID lookup (blind index), \(queries) queries, \(found) found: " + Self.summary(idTimes))
        context.console.print("name prefix search in a county (≤50 rows), \(queries) queries, \(rows) rows: " + Self.summary(nameTimes))
    }

    static func summary(_ times: [Double]) -> String {
        let sorted = times.sorted()
        func p(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        return String(format: "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", p(0.5), p(0.95), p(0.99), sorted.last ?? 0)
    }
}

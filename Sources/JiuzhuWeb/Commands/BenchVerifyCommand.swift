import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu bench verify --households N [--seed S] [--export-csv DIR] [--skip-load] [--page-size P]`:
/// fills the configured database (use a dedicated one, e.g.
/// `DATABASE_URL=sqlite:///tmp/bench.sqlite`) with N active dibao households
/// of 怀远县 (≈2.2 persons and ≈10 department records each), then runs the
/// batch re-verification exactly as `jiuzhu verify --batch` does and prints
/// load time, batch time, households/s, records/s and peak RSS. With
/// `--export-csv` the same data (and the batch's results) go to CSV files for
/// Benchmarks/duckdb_verify.py. A benchmark, run on purpose; never part of `swift test`.
enum BenchVerifyCommand {
    static let county = "340321"
    static let asOf = LocalDate(year: 2026, month: 6, day: 15) ?? LocalDate(dayNumber: 0)

    static func run(_ context: CommandContext, households: Int, seed: UInt64, exportCSV: String?, skipLoad: Bool,
                    pageSize: Int) async throws {
        let app = context.application
        let console = context.console
        try await prepareDatabase(app, seedDemo: true)
        let county = try RegionCode(Self.county)
        let keys = app.jiuzhu.keys
        let loader = BatchBenchmarkLoader(db: app.db, keys: keys)
        let database = app.jiuzhu.database.isPostgres ? "PostgreSQL" : "SQLite"
        console.print("数据库 / database: \(database)")

        if !skipLoad {
            let present = try await loader.counts()
            guard present.households == 0 else {
                throw UserError("bench.not_empty", zh: "数据库已有 \(present.households) 户：请用新的数据库，或加 --skip-load 使用已有数据",
                                en: "The database already holds \(present.households) households: use a fresh database, or --skip-load to reuse them")
            }
            let villages = try await PopulationLoader(db: app.db, keys: keys).villages(under: county)
            let bar = console.progressBar(title: "生成 / loading \(households) households")
            bar.start()
            let loaded = try await loader.load(households: households, county: county, villages: villages, seed: seed,
                                               asOf: Self.asOf, now: app.jiuzhu.clock()) { done in
                bar.activity.currentProgress = Double(done) / Double(max(households, 1))
            }
            bar.succeed()
            console.print(String(format: "load: %d households, %d persons, %d records (%d topped-up wage months) in %.1f s (%.0f records/s)",
                                 loaded.households, loaded.persons, loaded.records, loaded.toppedUp, loaded.seconds,
                                 Double(loaded.records) / max(loaded.seconds, 0.001)))
            console.print("load peak RSS: \(peakRSS())")
        }
        let counts = try await loader.counts()
        console.print("tables: households \(counts.households), persons \(counts.persons), department_records \(counts.records)")

        let directory = exportCSV.map { URL(fileURLWithPath: $0, isDirectory: true) }
        if let directory {
            let start = DispatchTime.now().uptimeNanoseconds
            let exported = try await BatchCSVExport(db: app.db, keys: keys).export(region: county, asOf: Self.asOf, to: directory)
            console.print(String(format: "export: %d households, %d members, %d records to %@ in %.1f s", exported.households,
                                 exported.members, exported.records, directory.path,
                                 Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }

        resetPeakRSS()
        let report = try await VerifyBatchCommand.run(app, region: county, asOf: Self.asOf, pageSize: pageSize, console: console)
        for line in VerifyBatchCommand.report(report) { console.print(line) }
        let summary = report.summary
        console.print(String(format: "batch (%@): %d households in %.1f s = %.0f households/s, %.0f records/s, %d persons; peak RSS %@",
                             database, summary.households, report.seconds, Double(summary.households) / max(report.seconds, 0.001),
                             Double(report.records) / max(report.seconds, 0.001), report.members, peakRSS()))

        if let directory {
            let rows = try await BatchCSVExport(db: app.db, keys: keys)
                .exportResults(run: report.runID, to: directory.appendingPathComponent("swift_results.csv"))
            var object: [String: JSONValue] = ["seconds": .number(String(format: "%.3f", report.seconds)),
                                               "database": .string(database), "results": .integer(Int64(rows))]
            object["summary"] = summary.json
            try Data(JSONValue.object(object).rendered(pretty: true).utf8)
                .write(to: directory.appendingPathComponent("swift_summary.json"))
            console.print("results: \(rows) rows and swift_summary.json written to \(directory.path)")
        }
    }

    /// VmHWM of /proc/self/status (Linux); "n/a" elsewhere.
    static func peakRSS() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return "n/a" }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0)
        return String(format: "%.0f MiB", kilobytes / 1024)
    }

    /// Writing 5 to /proc/self/clear_refs resets VmHWM (Linux), so that the
    /// batch's peak is not the load's.
    static func resetPeakRSS() {
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }
}

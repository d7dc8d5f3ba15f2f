import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu verify --batch --region CODE --as-of YYYY-MM-DD [--page-size N]` —
/// 批量复核: re-verifies every active dibao household of the region with the
/// one calculator, over rows streamed from the database in household order,
/// with a progress bar and a bilingual summary (conclusions, class changes,
/// stopped, amount changes, undetermined with the missing sources, errors,
/// the monthly total before → after, elapsed time). One audit event per run.
/// With `--digests-only` (no `--as-of`), it only makes the region's batch
/// digests current (after imports), with one audit event.
/// (`jiuzhu verify --case FILE`, without `--batch`, is the pure command that
/// runs before the application exists: see `Launcher`.)
struct VerifyBatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "batch", help: "re-verify every active household of the region")
        var batch: Bool
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
        @Option(name: "as-of", help: "the day the verification speaks for, YYYY-MM-DD")
        var asOf: String?
        @Option(name: "page-size", help: "households read per page (default 2000)")
        var pageSize: Int?
        @Flag(name: "digests-only", help: "only make the region's digests current (after imports); no --as-of, no results")
        var digestsOnly: Bool
    }

    var help: String { "Batch re-verification / 批量复核: verify --batch --region CODE --as-of YYYY-MM-DD" }

    static let usage = Bilingual(zh: "用法：jiuzhu verify --batch --region 区划代码 --as-of YYYY-MM-DD（只更新核对输入摘要：--batch --region 区划代码 --digests-only；单个案例：jiuzhu verify --case 文件）",
                                 en: "usage: jiuzhu verify --batch --region CODE --as-of YYYY-MM-DD (digests only: --batch --region CODE --digests-only; one case: jiuzhu verify --case FILE)")

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.batch else {
            throw UserError("cli.usage", zh: Self.usage.zh, en: Self.usage.en)
        }
        let region = try RegionCode(signature.region ?? "")
        if let pageSize = signature.pageSize, !(1...10_000).contains(pageSize) {
            throw UserError("cli.page_size", field: "page-size", zh: "--page-size 应在 1 到 10000 之间", en: "--page-size must be 1 to 10000")
        }
        if signature.digestsOnly {
            let app = context.application
            try await prepareDatabase(app, seedDemo: false)
            for line in try await Self.refreshDigests(app, region: region, pageSize: signature.pageSize ?? 2000, console: context.console) {
                context.console.print(line)
            }
            return
        }
        let asOf = try LocalDate(parsing: signature.asOf ?? "", field: "as-of")
        let app = context.application
        try await prepareDatabase(app, seedDemo: false)
        let report = try await Self.run(app, region: region, asOf: asOf, pageSize: signature.pageSize ?? 2000, console: context.console)
        for line in Self.report(report) { context.console.print(line) }
    }

    /// The batch's lanes (one database per event loop: each its own
    /// connection) and, on SQLite, connections of their own for the writes.
    static func batch(_ app: Application, pageSize: Int) -> BatchVerification {
        let lanes = app.eventLoopGroup.makeIterator().compactMap { app.databases.database(logger: app.logger, on: $0) }
        let writes = app.databases.configuration(for: .batchWrites) == nil ? nil
            : app.databases.database(.batchWrites, logger: app.logger, on: app.eventLoopGroup.any())
        return BatchVerification(db: app.db, keys: app.jiuzhu.keys, pageSize: pageSize, laneDatabases: lanes, writeDatabase: writes)
    }

    /// `--digests-only`: the region's digests made current, with a progress bar.
    static func refreshDigests(_ app: Application, region: RegionCode, pageSize: Int, console: any Console) async throws -> [String] {
        let bar = console.progressBar(title: "摘要 / digests \(region.value)")
        bar.start()
        let result: (households: Int, refreshed: Int, seconds: Double)
        do {
            result = try await batch(app, pageSize: pageSize).refreshDigests(region: region) { done, total in
                bar.activity.currentProgress = total == 0 ? 1 : Double(done) / Double(total)
            }
        } catch {
            bar.fail()
            throw error
        }
        bar.succeed()
        // The members' sealed fields were opened to make the digests: one event.
        try await AuditChain(keys: app.jiuzhu.keys).append(
            AuditEntry(actor: "cli", role: "", region: region.value, action: "verification.digests",
                       objectType: "household_batch_digests", objectID: region.value, client: "cli",
                       detail: "households=\(result.households) rewritten=\(result.refreshed)"),
            on: app.db, now: app.jiuzhu.clock())
        let line = Bilingual(
            zh: "核对输入摘要 \(region.value)：在保家庭 \(result.households) 户，更新 \(result.refreshed) 户，用时 \(String(format: "%.1f", result.seconds)) 秒",
            en: "Digests of \(region.value): \(result.households) active households, \(result.refreshed) rewritten, in \(String(format: "%.1f", result.seconds)) s")
        return [line.zh, line.en]
    }

    /// The run with its progress bar and its audit event; shared with `jiuzhu bench verify`.
    static func run(_ app: Application, region: RegionCode, asOf: LocalDate, pageSize: Int,
                    console: any Console) async throws -> BatchRunReport {
        let options = app.jiuzhu
        let bar = console.progressBar(title: "复核 / re-verifying \(region.value)")
        bar.start()
        let report: BatchRunReport
        do {
            report = try await batch(app, pageSize: pageSize).run(region: region, asOf: asOf, actor: "cli", now: options.clock()) { done, total in
                    bar.activity.currentProgress = total == 0 ? 1 : Double(done) / Double(total)
                }
        } catch {
            bar.fail()
            throw error
        }
        bar.succeed()
        let summary = report.summary
        try await AuditChain(keys: options.keys).append(
            AuditEntry(actor: "cli", role: "", region: region.value, action: "verification.batch",
                       objectType: "verification_batch_run", objectID: String(report.runID), client: "cli",
                       detail: "asOf=\(asOf) households=\(summary.households) dibao=\(summary.count(.dibao)) "
                           + "stopped=\(summary.count(.stopped)) classChanged=\(summary.count(.classChanged)) "
                           + "amountChanged=\(summary.count(.amountChanged)) errors=\(summary.errorCount)"),
            on: app.db, now: options.clock())
        return report
    }

    /// The printed summary: each line in Chinese, then in English.
    static func report(_ report: BatchRunReport) -> [String] {
        let perSecond = report.seconds > 0 ? Double(report.summary.households) / report.seconds : 0
        var lines = [Bilingual(zh: "批量复核 \(report.region.value)，核对基准日 \(report.asOf)，批次 \(report.runID)",
                               en: "Batch re-verification of \(report.region.value) as of \(report.asOf), run \(report.runID)")]
        lines += report.summary.lines
        lines.append(Bilingual(
            zh: "用时 \(String(format: "%.1f", report.seconds)) 秒，每秒 \(Int(perSecond)) 户（成员 \(report.members)，部门记录 \(report.records)）",
            en: "Elapsed \(String(format: "%.1f", report.seconds)) s, \(Int(perSecond)) households/s (members \(report.members), department records \(report.records))"))
        lines.append(Bilingual(
            zh: "读自核对输入摘要 \(report.fromDigests) 户；自数据行重新读取 \(report.readAnew) 户（其摘要已更新）",
            en: "\(report.fromDigests) households read from their digests; \(report.readAnew) read from their rows (digests rewritten)"))
        return lines.flatMap { [$0.zh, $0.en] }
    }
}

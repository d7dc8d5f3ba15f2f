import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// 督办 — the loop that opens visit escalation tasks, anomaly flags and the
/// reviews of approved cases coming due while the server runs: at start,
/// then every ten minutes. All are idempotent, so several servers may run it.
final class VisitSupervisionWorker: LifecycleHandler, @unchecked Sendable {
    static let interval: Duration = .seconds(600)
    private var task: Task<Void, Never>?

    func didBoot(_ application: Application) throws {
        let supervision = VisitSupervision(db: application.db)
        let clock = application.jiuzhu.clock
        let keys = application.jiuzhu.keys
        let logger = application.logger
        task = Task {
            // After the first full sweep, anomalies are looked for only where
            // check-ins arrived since the previous one (with a minute's overlap).
            var receivedSince: Int64?
            while !Task.isCancelled {
                do {
                    let started = clock()
                    let found = try await supervision.sweep(today: LocalDate.today(now: started), now: started,
                                                            receivedSince: receivedSince)
                    receivedSince = Int64(started.timeIntervalSince1970 * 1000) - 60_000
                    if found.escalated + found.flagged > 0 {
                        logger.info("visit supervision: \(found.escalated) escalated, \(found.flagged) anomalies flagged")
                    }
                    let reviews = try await CaseRepository(db: application.db, keys: keys).openDueReviews(
                        today: LocalDate.today(now: started), calendar: try await CalendarStore(db: application.db).calendar(), now: started)
                    if reviews > 0 { logger.info("case reviews: \(reviews) put in the inbox") }
                } catch {
                    logger.warning("visit supervision: \(String(describing: error))")
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }

    static func enable(on app: Application) {
        app.lifecycle.use(VisitSupervisionWorker())
    }
}

/// `jiuzhu visits sweep [--date YYYY-MM-DD]` — runs the supervision sweep
/// once (for a cron job, or a day other than today in a test).
struct VisitsCommand: AsyncCommandGroup {
    var help: String { "Visits / 走访: sweep, policy" }
    var commands: [String: any AnyAsyncCommand] { ["sweep": VisitsSweepCommand(), "policy": RegionSettingCommand<VisitPolicySetting>()] }
}

/// `jiuzhu visits policy show|set` — a region's visit policy (intervals by
/// self-care class, grace, anomaly thresholds).
enum VisitPolicySetting: RegionSettingKind {
    static let name = Bilingual(zh: "走访参数", en: "visit policy")
    static let key = "visit_policy"

    static func value(for region: RegionCode, on app: Application) async throws -> (VisitPolicy, RegionCode?) {
        try await VisitPolicyStore(db: app.db).policy(for: region)
    }

    static func set(_ value: VisitPolicy, for region: RegionCode, on app: Application,
                    audit: (chain: AuditChain, entry: AuditEntry)) async throws {
        try await VisitPolicyStore(db: app.db).set(value, for: region, audit: audit, now: app.jiuzhu.clock())
    }
}

struct VisitsSweepCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "date", help: "the day to sweep as (default today, China time)")
        var date: String?
    }

    var help: String { "Open escalation tasks for overdue visits and flag anomalies / 逾期走访提交督办，检测异常" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console) {
            let now = app.jiuzhu.clock()
            let today = try signature.date.map { try LocalDate(parsing: $0, field: "date") } ?? LocalDate.today(now: now)
            let found = try await VisitSupervision(db: app.db).sweep(today: today, now: now)
            context.console.print("督办任务 / escalated: \(found.escalated) · 异常 / anomalies flagged: \(found.flagged) · \(today)")
        }
    }
}

import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// 走访督办 — the loop that opens escalation tasks and anomaly flags while
/// the server runs: at start, then every ten minutes. Both are idempotent,
/// so several servers may run it.
final class VisitSupervisionWorker: LifecycleHandler, @unchecked Sendable {
    static let interval: Duration = .seconds(600)
    private var task: Task<Void, Never>?

    func didBoot(_ application: Application) throws {
        let supervision = VisitSupervision(db: application.db)
        let clock = application.jiuzhu.clock
        let logger = application.logger
        task = Task {
            while !Task.isCancelled {
                do {
                    let found = try await supervision.sweep(today: LocalDate.today(now: clock()), now: clock())
                    if found.escalated + found.flagged > 0 {
                        logger.info("visit supervision: \(found.escalated) escalated, \(found.flagged) anomalies flagged")
                    }
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
    var help: String { "Visit supervision / 走访督办: sweep" }
    var commands: [String: any AnyAsyncCommand] { ["sweep": VisitsSweepCommand()] }
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

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
    var commands: [String: any AnyAsyncCommand] { ["sweep": VisitsSweepCommand(), "policy": VisitPolicyCommand()] }
}

/// `jiuzhu visits policy show --region CODE` prints the visit policy a region
/// works under (and which region set it); `jiuzhu visits policy set --region
/// CODE FILE.json` sets a region's own, after the Core checks. A wrong file
/// prints a bilingual message naming the field and exits 2, storing nothing.
struct VisitPolicyCommand: AsyncCommandGroup {
    var help: String { "A region's visit policy / 走访参数: show, set" }
    var commands: [String: any AnyAsyncCommand] { ["show": VisitPolicyShowCommand(), "set": VisitPolicySetCommand()] }
}

struct VisitPolicyShowCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
    }

    var help: String { "Show the visit policy a region works under / 查看走访参数" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            let (policy, setFor) = try await VisitPolicyStore(db: app.db).policy(for: region)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            context.console.print("# \(setFor.map { "设定于 / set for \($0.value)" } ?? "内置默认 / built-in default")")
            context.console.print(String(decoding: try encoder.encode(policy), as: UTF8.self))
        }
    }
}

struct VisitPolicySetCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
        @Argument(name: "file", help: "the policy as JSON (the fields of `visits policy show`)")
        var file: String
    }

    var help: String { "Set a region's visit policy / 设置走访参数: --region CODE FILE.json" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console, file: signature.file) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            guard let data = FileManager.default.contents(atPath: signature.file) else {
                throw UserError("visit_policy.file", field: "file", zh: "找不到参数文件", en: "The policy file cannot be read")
            }
            let policy: VisitPolicy
            do {
                policy = try JSONDecoder().decode(VisitPolicy.self, from: data)
            } catch let error as DecodingError {
                throw UserError("visit_policy.json", field: Self.field(of: error),
                                zh: "参数文件格式有误（字段缺失或类型不符）", en: "The policy file is malformed (a field is missing or of the wrong type)")
            }
            try await VisitPolicyStore(db: app.db).set(
                policy, for: region,
                audit: (AuditChain(keys: app.jiuzhu.keys), AuditEntry(actor: "cli", role: "", region: region.value, action: "visit_policy.set")),
                now: app.jiuzhu.clock())
            context.console.print("已设定 / set: \(region.value)")
        }
    }

    static func field(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: path = []
        }
        return path.map(\.stringValue).joined(separator: ".")
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

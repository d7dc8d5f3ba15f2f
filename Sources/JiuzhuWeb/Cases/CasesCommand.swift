import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu cases sweep [--date]` and `jiuzhu cases policy show|set`.
struct CasesCommand: AsyncCommandGroup {
    var help: String { "Cases / 案件: sweep, policy" }
    var commands: [String: any AnyAsyncCommand] { ["sweep": CasesSweepCommand(), "policy": RegionSettingCommand<WorkflowPolicySetting>()] }
}

/// A region's workflow options: delegated confirmation, the township's
/// emergency limit, extensions, rigid validity, the review schedule by class.
enum WorkflowPolicySetting: RegionSettingKind {
    static let name = Bilingual(zh: "办理规则", en: "workflow options")
    static let key = "workflow_policy"

    static func value(for region: RegionCode, on app: Application) async throws -> (WorkflowOptions, RegionCode?) {
        try await WorkflowPolicyStore(db: app.db).options(for: region)
    }

    static func set(_ value: WorkflowOptions, for region: RegionCode, on app: Application,
                    audit: (chain: AuditChain, entry: AuditEntry)) async throws {
        try await WorkflowPolicyStore(db: app.db).set(value, for: region, audit: audit, now: app.jiuzhu.clock())
    }
}

/// Puts the reviews and taper ends coming due in the inbox once (the server
/// does it every ten minutes; this is for a cron job or another day).
struct CasesSweepCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "date", help: "the day to sweep as (default today, China time)")
        var date: String?
    }

    var help: String { "Put reviews coming due in the inbox / 将临近的复核列入待办" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console) {
            let now = app.jiuzhu.clock()
            let today = try signature.date.map { try LocalDate(parsing: $0, field: "date") } ?? LocalDate.today(now: now)
            let opened = try await CaseRepository(db: app.db, keys: app.jiuzhu.keys)
                .openDueReviews(today: today, calendar: try await CalendarStore(db: app.db).calendar(), now: now)
            context.console.print("复核待办 / reviews put in the inbox: \(opened) · \(today)")
        }
    }
}

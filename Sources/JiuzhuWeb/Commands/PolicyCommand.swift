import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu policy set --region CODE --from YYYY-MM-DD FILE.json` adds a
/// version of a region's verification policy (the `policy` object of
/// cases/FORMAT.md); `jiuzhu policy show --region CODE [--date D]` prints
/// which region's version applies on a day and its JSON; `jiuzhu policy list
/// --region CODE` lists the region's own versions, newest first.
///
/// A wrong argument or file prints a bilingual message naming the field and
/// exits with status 2; nothing is stored.
struct PolicyCommand: AsyncCommandGroup {
    var help: String { "Policy parameters per region / 政策参数: set, show, list" }

    var commands: [String: any AnyAsyncCommand] {
        ["set": PolicySetCommand(), "show": PolicyShowCommand(), "list": PolicyListCommand()]
    }

    /// A user's mistake: the field and the message in both languages, then exit 2.
    static func fail(_ error: UserError, file: String? = nil, console: any Console) -> CommandExit {
        var lines: [String] = []
        if let file { lines.append("错误 / error: 政策文件有误 / invalid policy file: \(file)") } else { lines.append("错误 / error:") }
        if let field = error.field { lines.append("字段 / field: \(field)") }
        lines.append(error.message.zh)
        lines.append(error.message.en)
        lines.append("(\(error.code))")
        console.error(lines.joined(separator: "\n"))
        return CommandExit(status: 2)
    }

    /// Runs `body`, turning a `UserError` into the bilingual message and exit status 2.
    static func reporting(_ console: any Console, file: String? = nil, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as UserError {
            throw fail(error, file: file, console: console)
        }
    }

    /// `城市 ¥740.00 · 农村 ¥620.00 · …`: the main figures on one line.
    static func figures(_ policy: VerificationPolicy) -> String {
        [
            "城市/urban \(policy.standardUrban.formatted)",
            "农村/rural \(policy.standardRural.formatted)",
            "边缘倍数/edge ×\(policy.edgeMultiplier.text)",
            "核算期/months \(policy.referenceMonths)",
            "资产/assets \(policy.financialAssetMonths)",
            "车辆/vehicle \(policy.vehicleValueCap.formatted)",
            "住房/homes \(policy.maxHomes)",
        ].joined(separator: " · ")
    }
}

struct PolicySetCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code (province, city or county), e.g. 3403")
        var region: String?
        @Option(name: "from", help: "effective date YYYY-MM-DD")
        var from: String?
        @Argument(name: "file", help: "the policy object as JSON (cases/FORMAT.md)")
        var file: String
    }

    var help: String { "Add a policy version / 新增政策参数版本: --region CODE --from YYYY-MM-DD FILE.json" }

    /// A policy object is a few hundred bytes.
    static let maxFileBytes = 1 << 20

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await PolicyCommand.reporting(context.console) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            let date = try LocalDate(parsing: signature.from ?? "", field: "from")
            try await PolicyRules.checkRegion(region, on: app.db)
            let bytes = try Self.read(signature.file)
            let read = Result { () throws(UserError) -> VerificationPolicy in
                let policy = try VerificationPolicy(field: CaseField(try JSONValue.parse(bytes), path: "policy"))
                try PolicyRules.check(policy)
                return policy
            }
            let policy: VerificationPolicy
            switch read {
            case .success(let value): policy = value
            case .failure(let error): throw PolicyCommand.fail(error, file: signature.file, console: context.console)
            }
            let version = PolicyVersion(region: region, effectiveFrom: date, policy: policy)
            try await PolicyRepository(db: app.db, audit: AuditChain(keys: app.jiuzhu.keys))
                .add(version, actor: "cli", role: "", now: app.jiuzhu.clock(), client: "cli")
            let name = try await RegionRepository(db: app.db).fullName(region)
            context.console.print("已新增 / added: \(region.value) \(name) \(date) 起 / from \(date)")
            context.console.print(PolicyCommand.figures(policy))
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw UserError("cli.file", field: "file", zh: "找不到政策文件：\(path)", en: "Policy file not found: \(path)")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileBytes {
            throw UserError("cli.file", field: "file", zh: "政策文件过大（超过 1 MiB）：\(path)", en: "The policy file is too large (over 1 MiB): \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError("cli.file", field: "file", zh: "无法读取政策文件：\(path)", en: "Cannot read the policy file: \(path)")
        }
        return Array(data)
    }
}

struct PolicyShowCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
        @Option(name: "date", help: "YYYY-MM-DD, default today")
        var date: String?
    }

    var help: String { "Show the policy in force / 查看适用的政策参数: --region CODE [--date YYYY-MM-DD]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await PolicyCommand.reporting(context.console) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            let date = try signature.date.map { try LocalDate(parsing: $0, field: "date") } ?? LocalDate.today(now: app.jiuzhu.clock())
            let schedule = try await PolicyRepository(db: app.db, audit: AuditChain(keys: app.jiuzhu.keys)).schedule()
            let version = try schedule.require(for: region, on: date)
            let names = try await RegionRepository(db: app.db).lineageNames(region)
            let sourceName = names.first { $0.0 == version.region }?.1 ?? version.region.value
            let origin = version.region == region ? "本区划 / own" : "继承自上级 / inherited from \(version.region.value) \(sourceName)"
            context.console.print("区划 / region: \(region.value) \(names.map(\.1).joined()) · 日期 / date: \(date)")
            context.console.print("适用 / applies: \(version.region.value) \(sourceName) \(version.effectiveFrom) 起 / from \(version.effectiveFrom) (\(origin))")
            context.console.print(version.policy.json.rendered(pretty: true))
        }
    }
}

struct PolicyListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 3403")
        var region: String?
    }

    var help: String { "List a region's own policy versions / 列出政策参数版本: --region CODE" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await PolicyCommand.reporting(context.console) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            let versions = try await PolicyRepository(db: app.db, audit: AuditChain(keys: app.jiuzhu.keys)).versions(of: region)
            if versions.isEmpty {
                context.console.print("\(PolicyText.noOwnVersions.zh)\n\(PolicyText.noOwnVersions.en)")
                return
            }
            for record in versions {
                let figures = try record.version().policy
                context.console.print("\(record.effectiveFrom)  \(PolicyCommand.figures(figures))  设置人/by \(record.actor)")
            }
        }
    }
}

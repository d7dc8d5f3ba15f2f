import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu migrate`: brings the schema up to date, without asking.
struct MigrateNowCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Apply all pending migrations / 执行数据库迁移" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("数据库已是最新 / database is up to date")
    }
}

/// `jiuzhu demo`: migrates and seeds the demo regions and accounts.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Seed the demo province and accounts / 生成演示数据" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let seeded = try await prepareDatabase(context.application, seedDemo: true)
        context.console.print("区划 / regions: \(seeded.regions), 账号 / accounts: \(seeded.staff)")
        Launcher.printDemoLogins()
    }
}

/// `jiuzhu user create --username NAME --name 姓名 --role ROLE --region CODE`
/// The initial password is generated and printed once; the user sets up TOTP at first login.
struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String
        @Option(name: "username", help: "login name")
        var username: String?
        @Option(name: "name", help: "display name / 姓名")
        var name: String?
        @Option(name: "role", help: "role code, e.g. security_admin")
        var role: String?
        @Option(name: "region", help: "home region code, e.g. 34 or 340321")
        var region: String?
    }

    var help: String { "Manage staff accounts / 账号管理: create" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else {
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：create）", en: "Unknown action: \(signature.action) (use: create)")
        }
        let app = context.application
        try await app.autoMigrate()
        let role = try StaffRole(code: signature.role ?? "")
        let region = try RegionCode(signature.region ?? "")
        let password = Self.generatePassword()
        let options = app.jiuzhu
        let user = try await app.db.transaction { tx in
            let user = try await StaffRepository(db: tx, keys: options.keys, bcryptCost: options.bcryptCost)
                .create(NewStaff(username: signature.username ?? "", displayName: signature.name ?? signature.username ?? "",
                                 role: role, region: region, password: password),
                        in: RegionScope(root: region.lineage[0]), now: options.clock())
            try await AuditChain(keys: options.keys).append(
                AuditEntry(actor: "cli", role: "", region: region.value, action: "staff.create", objectType: "staff",
                           objectID: user.username, client: "cli", detail: "\(role.rawValue) @ \(region.value)"), on: tx)
            return user
        }
        context.console.print("已创建 / created: \(user.username) (\(role.name.zh) / \(role.name.en)) @ \(region.value)")
        context.console.print("初始密码 / initial password: \(password)")
        context.console.print("首次登录时绑定身份验证器 / the authenticator is set up at first login")
    }

    static func generatePassword() -> String {
        // Mixed classes guaranteed, then random URL-safe characters.
        "Jz-" + SecureToken.make().prefix(17) + "9a"
    }
}

/// `jiuzhu audit verify`: walks the chain; exit status 1 if it is broken.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    var help: String { "Check the audit chain / 校验审计链: verify" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：verify）", en: "Unknown action: \(signature.action) (use: verify)")
        }
        let app = context.application
        let result = try await AuditChain(keys: app.jiuzhu.keys).verify(on: app.db)
        context.console.print(result.message.zh)
        context.console.print(result.message.en)
        if !result.isIntact { throw CommandExit(status: 1) }
    }
}

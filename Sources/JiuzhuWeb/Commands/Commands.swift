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

/// `jiuzhu demo [--persons N]`: migrates and seeds the demo regions and
/// accounts, and with `--persons` adds that many synthetic people in households.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "persons", help: "add this many synthetic persons (in households) to the demo villages")
        var persons: Int?
        @Option(name: "seed", help: "random seed for the synthetic population (default 2026)")
        var seed: UInt64?
    }

    var help: String { "Seed the demo province and accounts / 生成演示数据" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let seeded = try await prepareDatabase(app, seedDemo: true)
        context.console.print("区划 / regions: \(seeded.regions), 账号 / accounts: \(seeded.staff)")
        if let persons = signature.persons, persons > 0 {
            let loader = PopulationLoader(db: app.db, keys: app.jiuzhu.keys)
            let villages = try await loader.villages(under: try RegionCode("34"))
            let start = Date()
            let bar = context.console.progressBar(title: "人员 / persons")
            bar.start()
            let written = try await loader.load(persons: persons, villages: villages, seed: signature.seed ?? 2026,
                                                asOf: LocalDate.today(), now: Date()) { done in
                bar.activity.currentProgress = Double(done) / Double(persons)
            }
            bar.succeed()
            let seconds = Date().timeIntervalSince(start)
            context.console.print("已生成 / generated \(written) persons in \(String(format: "%.1f", seconds)) s (\(Int(Double(written) / max(seconds, 0.001))) /s)")
            let plans = try await DemoVisits.seed(on: app.db, keys: app.jiuzhu.keys, today: LocalDate.today(), now: Date())
            context.console.print("走访计划 / visit plans: \(plans)")
        }
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

/// `jiuzhu region add --code 34 --name 安徽省 [--valid-from 1990-01-01]` and
/// `jiuzhu region import --file FILE.csv` (header `code,name,validFrom,validTo`):
/// how a real installation loads its division list before the first account.
struct RegionCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "add | import")
        var action: String
        @Option(name: "file", help: "CSV file for import (header code,name,validFrom,validTo)")
        var file: String?
        @Option(name: "code", help: "region code (2, 4, 6, 9 or 12 digits; 6-digit GB/T 2260 accepted)")
        var code: String?
        @Option(name: "name", help: "name / 名称")
        var name: String?
        @Option(name: "valid-from", help: "YYYY-MM-DD, default 1990-01-01")
        var validFrom: String?
    }

    var help: String { "Load regions / 导入区划: add, import" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        var rows: [(code: String, name: String, from: String, to: String, line: Int)] = []
        switch signature.action {
        case "add":
            rows.append((signature.code ?? "", signature.name ?? "", signature.validFrom ?? "1990-01-01", "", 0))
        case "import":
            guard let path = signature.file, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw UserError("cli.file", zh: "无法读取文件", en: "Cannot read the file")
            }
            for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() where index > 0 {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                rows.append((cells.first ?? "", cells.count > 1 ? cells[1] : "", cells.count > 2 && !cells[2].isEmpty ? cells[2] : "1990-01-01",
                             cells.count > 3 ? cells[3] : "", index + 1))
            }
        default:
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：add、import）", en: "Unknown action: \(signature.action) (use: add, import)")
        }
        // Parents before children, so a file in any order loads.
        var parsed: [(RegionCode, String, LocalDate, LocalDate?, Int)] = []
        var problems: [String] = []
        for row in rows {
            let result = Result { () throws(UserError) in
                (try RegionCode(row.code), try LocalDate(parsing: row.from, field: "validFrom"),
                 row.to.isEmpty ? nil : try LocalDate(parsing: row.to, field: "validTo"))
            }
            switch result {
            case .success(let (code, from, to)): parsed.append((code, row.name, from, to, row.line))
            case .failure(let error): problems.append("line \(row.line): \(error.message.zh) / \(error.message.en)")
            }
        }
        parsed.sort { ($0.0.level, $0.0.value) < ($1.0.level, $1.0.value) }
        var saved = 0
        for (code, name, from, to, line) in parsed {
            do {
                try await app.db.transaction { tx in
                    try await RegionRepository(db: tx).save(code: code, name: name, validFrom: from, validTo: to,
                                                            in: RegionScope(root: code.lineage[0]))
                    try await AuditChain(keys: app.jiuzhu.keys).append(
                        AuditEntry(actor: "cli", role: "", region: code.value, action: "region.import", objectType: "region",
                                   objectID: code.value, client: "cli", detail: name), on: tx)
                }
                saved += 1
            } catch let error as UserError {
                problems.append("line \(line) \(code.value): \(error.message.zh) / \(error.message.en)")
            }
        }
        context.console.print("已保存 / saved: \(saved)")
        for problem in problems { context.console.print(problem) }
        if !problems.isEmpty { throw CommandExit(status: 2) }
    }
}

/// `jiuzhu keys generate` prints a new master key (handled before the app
/// starts); `jiuzhu keys rotate` re-seals everything under the current key
/// while servers keep running with `JIUZHU_PREVIOUS_MASTER_KEYS` set.
struct KeysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "rotate | status")
        var action: String
    }

    var help: String { "Master keys / 主密钥: generate, rotate, status" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let rotation = KeyRotation(db: app.db, keys: app.jiuzhu.keys)
        switch signature.action {
        case "status":
            for (table, count) in try await rotation.pending().sorted(by: { $0.key < $1.key }) {
                context.console.print("\(table): \(count) 行待轮换 / rows still under an older key")
            }
        case "rotate":
            let before = try await rotation.pending().values.reduce(0, +)
            context.console.print("当前密钥 / current key \(app.jiuzhu.keys.keyID); 待轮换 / to re-seal: \(before)")
            var done = 0
            let total = try await rotation.run { table, count in
                done += count
                context.console.print("  \(table): +\(count) (\(done)/\(before))")
            }
            let left = try await rotation.pending().values.reduce(0, +)
            try await AuditChain(keys: app.jiuzhu.keys).append(
                AuditEntry(actor: "cli", role: "", region: "", action: "keys.rotate", objectType: "keys",
                           objectID: app.jiuzhu.keys.keyID, client: "cli", detail: "\(total) rows re-sealed, \(left) left"), on: app.db)
            context.console.print("完成 / done: \(total) 行已重新加密 / rows re-sealed; 剩余 / left: \(left)")
            if left > 0 { throw CommandExit(status: 1) }
        default:
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：generate、rotate、status）",
                            en: "Unknown action: \(signature.action) (use: generate, rotate, status)")
        }
    }
}

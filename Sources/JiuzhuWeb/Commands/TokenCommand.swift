import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// `jiuzhu token create --name N --region CODE --permissions viewPeople,registerApplications [--days 365]`
/// issues a bearer token for the JSON API and prints it once (only its hash
/// is stored). `jiuzhu token revoke --name N` revokes every token of that name.
struct TokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create | revoke")
        var action: String
        @Option(name: "name", help: "who the token is for, e.g. 县医保局对接系统 (shown as the actor in the audit log)")
        var name: String?
        @Option(name: "region", help: "region code the token may read and write under, e.g. 340321")
        var region: String?
        @Option(name: "permissions", help: "comma-separated: viewPeople,registerApplications")
        var permissions: String?
        @Option(name: "days", help: "days until the token expires (1–3650, default 365)")
        var days: Int?
    }

    var help: String { "Manage JSON API tokens / 接口令牌: create, revoke" }

    static let defaultDays = 365

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let options = app.jiuzhu
        switch signature.action {
        case "create":
            let permissions = try Self.permissions(signature.permissions ?? "")
            let region = try RegionCode(signature.region ?? "", field: "region")
            let days = signature.days ?? Self.defaultDays
            guard (1...3650).contains(days) else {
                throw UserError("token.days", field: "days", zh: "有效期应为 1–3650 天", en: "The validity must be 1–3650 days")
            }
            let name = signature.name ?? ""
            let token = try await app.db.transaction { tx in
                let token = try await APITokenStore.issue(name: name, region: region, permissions: permissions, validDays: days,
                                                          on: tx, now: options.clock())
                try await AuditChain(keys: options.keys).append(
                    AuditEntry(actor: "cli", role: "", region: region.value, action: "token.create", objectType: "api_token",
                               objectID: name, client: "cli",
                               detail: Permission.allCases.filter(permissions.contains).map(\.rawValue).joined(separator: ",") + " \(days)d"),
                    on: tx, now: options.clock())
                return token
            }
            context.console.print("已创建 / created: \(name) @ \(region.value), \(days) 天 / days")
            context.console.print("令牌只显示这一次，请妥善保存 / the token is shown only once, keep it safe:")
            context.console.print(token)
        case "revoke":
            let name = signature.name ?? ""
            let revoked = try await app.db.transaction { tx in
                let records = try await APITokenRecord.query(on: tx).filter(\.$name == name).filter(\.$revoked == false).all()
                for record in records {
                    record.revoked = true
                    try await record.update(on: tx)
                }
                if !records.isEmpty {
                    try await AuditChain(keys: options.keys).append(
                        AuditEntry(actor: "cli", role: "", region: "", action: "token.revoke", objectType: "api_token",
                                   objectID: name, client: "cli", detail: "\(records.count)"),
                        on: tx, now: options.clock())
                }
                return records.count
            }
            context.console.print("已吊销 / revoked: \(revoked)")
            if revoked == 0 { throw CommandExit(status: 1) }
        default:
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：create、revoke）",
                            en: "Unknown action: \(signature.action) (use: create, revoke)")
        }
    }

    /// `viewPeople,registerApplications` → the set; an unknown code is an error naming the valid ones.
    static func permissions(_ text: String) throws -> Set<Permission> {
        var result = Set<Permission>()
        for part in text.split(separator: ",") {
            let code = part.trimmingCharacters(in: .whitespaces)
            guard let permission = Permission(rawValue: code) else {
                let valid = Permission.allCases.map(\.rawValue).joined(separator: ", ")
                throw UserError("token.permission", field: "permissions", zh: "未知权限：\(code)（可用：\(valid)）",
                                en: "Unknown permission: \(code) (valid: \(valid))")
            }
            result.insert(permission)
        }
        return result
    }
}

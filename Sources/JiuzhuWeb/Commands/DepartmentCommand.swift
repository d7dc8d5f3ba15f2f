import Fluent
import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import Vapor

/// `jiuzhu department key generate|add|revoke|list` and `jiuzhu department
/// push`: the departments' push credentials (Ed25519 keys) and a client that
/// sends one signed message, for a department or an operator to test the
/// endpoint `POST /api/v1/departments/{source}/messages`.
///
/// `key generate` and `push` need neither the database nor the master key:
/// `Launcher` runs them on a bare application (`standalone`).
struct DepartmentCommand: AsyncCommandGroup {
    var help: String { "Department push keys and messages / 部门数据推送：key generate|add|revoke|list, push" }

    var commands: [String: any AnyAsyncCommand] {
        ["key": DepartmentKeyCommand(), "push": DepartmentPushCommand()]
    }

    /// Runs `department key generate` and `department push` without a
    /// database; nil for every other command line.
    static func standalone(_ args: [String]) async -> Int32? {
        let rest = Array(args.dropFirst())
        guard rest.first == "department",
              rest.dropFirst().first == "push" || (rest.dropFirst().first == "key" && rest.dropFirst(2).first == "generate")
        else { return nil }
        do {
            var env = try Environment.detect(arguments: args)
            try LoggingSystem.bootstrap(from: &env)
            let app = try await Application.make(env)
            var status: Int32 = 0
            do {
                app.asyncCommands.use(DepartmentCommand(), as: "department")
                try await app.execute()
            } catch let error as CommandExit {
                status = error.status
            } catch {
                Launcher.printError(error)
                status = 1
            }
            try await app.asyncShutdown()
            return status
        } catch {
            Launcher.printError(error)
            return 1
        }
    }
}

/// `jiuzhu department key generate` prints a new key pair; `add --source S
/// --public-key B64 [--key-id ID]` registers a department's public key;
/// `revoke --key-id ID` switches one off; `list` shows them.
struct DepartmentKeyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "source", help: "department source code, e.g. tax")
        var source: String?
        @Option(name: "public-key", help: "the department's Ed25519 public key, base64 of the 32 raw bytes")
        var publicKey: String?
        @Option(name: "key-id", help: "the key's id (default: source and a hash of the key)")
        var keyID: String?
        @Argument(name: "action", help: "generate | add | revoke | list")
        var action: String
    }

    var help: String { "Department push keys / 部门推送密钥: generate, add, revoke, list" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let console = context.console
        if signature.action == "generate" {
            let key = Curve25519.Signing.PrivateKey()
            console.print("私钥由部门保存，切勿提交给救助系统 / the private key stays with the department; never send it to Jiuzhu")
            console.print("private-key: \(key.rawRepresentation.base64EncodedString())")
            console.print("public-key: \(SignedEnvelope.publicKeyText(key))")
            return
        }
        let app = context.application
        try await app.autoMigrate()
        let store = DepartmentRecordStore(db: app.db)
        let audit = AuditChain(keys: app.jiuzhu.keys)
        let now = app.jiuzhu.clock()
        switch signature.action {
        case "add":
            let source = signature.source ?? ""
            let key = try await store.addKey(id: signature.keyID.flatMap { $0.isEmpty ? nil : $0 }, source: source,
                                             publicKey: signature.publicKey ?? "", now: now)
            try await audit.append(AuditEntry(actor: "cli", role: "", region: "", action: "department.key.add",
                                              objectType: "department_key", objectID: key.id ?? "", client: "cli",
                                              detail: "source=\(source)"), on: app.db, now: now)
            console.print("已登记 / registered: key-id \(key.id ?? "") for \(source)")
        case "revoke":
            let id = signature.keyID ?? ""
            guard let key = try await store.revokeKey(id: id) else {
                throw UserError("department.no_key", field: "key-id", zh: "没有编号为 \(id) 的密钥", en: "No key with id \(id)")
            }
            try await audit.append(AuditEntry(actor: "cli", role: "", region: "", action: "department.key.revoke",
                                              objectType: "department_key", objectID: id, client: "cli",
                                              detail: "source=\(key.source)"), on: app.db, now: now)
            console.print("已吊销 / revoked: \(id)")
        case "list":
            for key in try await store.keys(source: signature.source) {
                console.print("\(key.id ?? "")\t\(key.source)\t\(key.active ? "active" : "revoked")\t\(key.publicKey)")
            }
        default:
            throw UserError("cli.action", zh: "未知操作：\(signature.action)（可用：generate、add、revoke、list）",
                            en: "Unknown action: \(signature.action) (use: generate, add, revoke, list)")
        }
    }
}

/// `jiuzhu department push --source S --key-id ID --private-key B64 --url URL FILE.jsonl`:
/// signs the file's records (one JSON object a line) as one message and
/// posts it; prints the answer. Exit status 0 when it was taken (202).
struct DepartmentPushCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "source", help: "department source code, e.g. tax")
        var source: String?
        @Option(name: "key-id", help: "the registered key's id")
        var keyID: String?
        @Option(name: "private-key", help: "the Ed25519 private key, base64 (from `department key generate`)")
        var privateKey: String?
        @Option(name: "url", help: "the Jiuzhu server, e.g. http://127.0.0.1:8080")
        var url: String?
        @Option(name: "message-id", help: "the message id (default: source, time and a random part)")
        var messageID: String?
        @Argument(name: "file", help: "a .jsonl file of records")
        var file: String
    }

    var help: String { "Sign and send one push message / 签名并推送一条消息" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let source = signature.source ?? ""
        try DepartmentSourceCatalog.require(source, field: "source")
        let key = try SignedEnvelope.privateKey(base64: signature.privateKey ?? "")
        guard let keyID = signature.keyID, !keyID.isEmpty else {
            throw UserError("cli.key_id", field: "key-id", zh: "请用 --key-id 指定密钥编号", en: "Give the key id with --key-id")
        }
        guard let base = signature.url, let endpoint = Self.endpoint(base, source: source) else {
            throw UserError("cli.url", field: "url", zh: "请用 --url 指定救助系统地址，例如 http://127.0.0.1:8080",
                            en: "Give the server with --url, e.g. http://127.0.0.1:8080")
        }
        let records = try Self.records(path: signature.file)
        let now = Date()
        let messageID = signature.messageID ?? "\(source)-\(Int64(now.timeIntervalSince1970 * 1000))-\(UUID().uuidString.prefix(8).lowercased())"
        let envelope = try SignedEnvelope(messageID: messageID, source: source, keyID: keyID,
                                          sentAt: ISO8601DateFormatter().string(from: now), records: records).signed(with: key)
        var headers = HTTPHeaders()
        headers.contentType = .json
        let response = try await context.application.client.post(URI(string: endpoint), headers: headers) { request in
            request.body = ByteBuffer(string: envelope.json().rendered(pretty: false))
        }
        let body = response.body.map { String(buffer: $0) } ?? ""
        context.console.print("\(response.status.code) \(response.status.reasonPhrase) — message \(messageID), \(records.count) records")
        context.console.print(body)
        if response.status != .accepted { throw CommandExit(status: 1) }
    }

    /// `http://host:port` → `http://host:port/api/v1/departments/S/messages`; a full endpoint is kept.
    static func endpoint(_ base: String, source: String) -> String? {
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return nil }
        if url.path.hasSuffix("/messages") { return base }
        return base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/api/v1/departments/\(source)/messages"
    }

    /// The file's lines as JSON values (the server checks each record); a
    /// line that is not JSON stops here, with its number.
    static func records(path: String) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError("department.file_unreadable", field: "file", zh: "无法读取文件：\(path)", en: "Cannot read the file: \(path)")
        }
        var records: [JSONValue] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = line.last == 0x0D ? line.dropLast() : line[...]
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            switch Result(catching: { () throws(UserError) in try JSONValue.parse(bytes) }) {
            case .success(let value): records.append(value)
            case .failure(let error):
                throw UserError(error.code, field: "line \(index + 1)", zh: "第 \(index + 1) 行：\(error.message.zh)",
                                en: "Line \(index + 1): \(error.message.en)")
            }
        }
        guard records.count <= SignedEnvelope.maxRecords else {
            throw UserError("department.too_many_records", field: "file",
                            zh: "一条消息最多 \(SignedEnvelope.maxRecords) 条记录", en: "A message holds at most \(SignedEnvelope.maxRecords) records")
        }
        return records
    }
}

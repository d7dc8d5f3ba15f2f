import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// The `jiuzhu` command line: `serve [--demo]`, `migrate`, `demo`,
/// `region add|import`, `user create`, `audit verify`, `keys generate`, `verify --case FILE`.
public enum Launcher {
    public static func main(arguments: [String]) async -> Int32 {
        var args = arguments
        let demo = args.contains("--demo")
        args.removeAll { $0 == "--demo" }
        let command = args.dropFirst().first ?? "serve"

        if command == "keys", args.dropFirst(2).first == "generate" {
            // Needs no database and no key.
            print(KeyRing.generateMasterKey())
            return 0
        }
        if command == "verify", !args.contains("--batch") {
            // A pure calculation over one case file: no database, no key.
            // (`verify --batch` re-verifies a region from the database: VerifyBatchCommand.)
            return VerifyCommand.main(arguments: Array(args.dropFirst(2)))
        }
        if command == "report", args.dropFirst(2).first == "verify" {
            // Checks a signed report file: no database; keys only from the environment or --public-key.
            return ReportCommand.main(arguments: Array(args.dropFirst(3)))
        }
        if command == "department-sim" {
            // A stand-alone simulated department service: no database, no key.
            return await DepartmentSimCommand.main(arguments: Array(args.dropFirst(2)))
        }
        // `department key generate` and `department push` need no database and no key.
        if let status = await DepartmentCommand.standalone(args) { return status }
        let options: JiuzhuOptions
        do {
            options = try JiuzhuOptions.fromEnvironment(demo: demo || command == "demo")
        } catch {
            printError(error)
            return 2
        }
        do {
            var env = try Environment.detect(arguments: args)
            try LoggingSystem.bootstrap(from: &env)
            let app = try await Application.make(env)
            var status: Int32 = 0
            do {
                try await configure(app, options: options)
                app.asyncCommands.use(MigrateNowCommand(), as: "migrate")
                app.asyncCommands.use(DemoCommand(), as: "demo")
                app.asyncCommands.use(UserCommand(), as: "user")
                app.asyncCommands.use(AuditCommand(), as: "audit")
                app.asyncCommands.use(RegionCommand(), as: "region")
                app.asyncCommands.use(BenchCommand(), as: "bench")
                app.asyncCommands.use(KeysCommand(), as: "keys")
                app.asyncCommands.use(TokenCommand(), as: "token")
                app.asyncCommands.use(VerifyBatchCommand(), as: "verify")
                app.asyncCommands.use(PolicyCommand(), as: "policy")
                app.asyncCommands.use(ImportCommand(), as: "import")
                app.asyncCommands.use(DepartmentCommand(), as: "department")
                app.asyncCommands.use(VisitsCommand(), as: "visits")
                app.asyncCommands.use(CasesCommand(), as: "cases")

                if command == "serve" || command.hasPrefix("-") {
                    try await prepareDatabase(app, seedDemo: demo, demoPeople: demo ? 600 : 0)
                    if demo { printDemoLogins() }
                    VerificationWorker.enable(on: app)
                    VisitSupervisionWorker.enable(on: app)
                }
                try await app.execute()
            } catch let error as CommandExit {
                status = error.status
            } catch {
                printError(error)
                status = 1
            }
            try await app.asyncShutdown()
            return status
        } catch {
            printError(error)
            return 1
        }
    }

    static func printError(_ error: any Error) {
        let text: String
        if let error = error as? UserError {
            text = "错误 / error [\(error.code)]: \(error.message.zh)\n\(error.message.en)"
        } else {
            text = "错误 / error: \(error)"
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// One line per demo account, in a fixed format that scripts (and the browser tests) read.
    static func printDemoLogins() {
        print("""
        ==== 救助 Jiuzhu 演示环境 / demo ====
        演示账号（密码相同，动态验证码由 TOTP 密钥生成）/ demo accounts (same password; TOTP from the secret):
        """)
        for login in DemoStaff.logins {
            print("DEMO-LOGIN role=\(login.role.rawValue) user=\(login.username) password=\(DemoStaff.password) totp=\(login.totpSecret) region=\(login.region)")
        }
        print("在浏览器打开 / open http://127.0.0.1:8080/login")
        fflush(nil)
    }
}

/// Ends a command with a given exit status, after it has printed its own message.
public struct CommandExit: Error {
    public let status: Int32

    public init(status: Int32) { self.status = status }
}

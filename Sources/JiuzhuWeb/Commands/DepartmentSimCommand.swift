import Foundation
import JiuzhuCore
import JiuzhuExchange
import Vapor

/// `jiuzhu department-sim [--port 8091] [--hostname 127.0.0.1] [--latency-ms 200]
/// [--failure-rate 0.1] [--seed 2026] [--unavailable tax,bank]` — a local
/// service that answers department queries with synthetic data
/// (`DepartmentSimulator`), for the demo and the tests: point
/// `JIUZHU_DEPARTMENT_URL` at the URL it prints. `--latency-ms` takes one
/// number or a range (`100-300`). It needs neither the database nor the
/// master key, so `Launcher` runs it before the application is built.
public enum DepartmentSimCommand {
    struct Settings: Equatable {
        var hostname = "127.0.0.1"
        var port = 8091
        var latency = 200...200
        var failureRate = 0.1
        var seed: UInt64 = 2026
        var unavailable: Set<String> = []
    }

    static let usage = Bilingual(
        zh: "用法：jiuzhu department-sim [--port 8091] [--hostname 127.0.0.1] [--latency-ms 200|100-300] [--failure-rate 0.1] [--seed 2026] [--unavailable tax,bank]",
        en: "usage: jiuzhu department-sim [--port 8091] [--hostname 127.0.0.1] [--latency-ms 200|100-300] [--failure-rate 0.1] [--seed 2026] [--unavailable tax,bank]")

    /// For the launcher: the arguments after `department-sim`. Serves until interrupted.
    public static func main(arguments: [String]) async -> Int32 {
        let settings: Settings
        switch Result(catching: { () throws(UserError) in try parse(arguments) }) {
        case .success(let parsed): settings = parsed
        case .failure(let error):
            Launcher.printError(error)
            print(usage.zh + "\n" + usage.en)
            return 2
        }
        do {
            var env = Environment(name: "production", arguments: ["jiuzhu", "serve", "--hostname", settings.hostname,
                                                                   "--port", String(settings.port)])
            try LoggingSystem.bootstrap(from: &env)
            let app = try await Application.make(env)
            let simulator = DepartmentSimulator(.init(latencyMilliseconds: settings.latency, failureRate: settings.failureRate,
                                                      seed: settings.seed, unavailable: settings.unavailable))
            simulator.register(on: app)
            print("""
            模拟部门服务 / department simulator: http://\(settings.hostname):\(settings.port)
              POST /query {"source","asOf","members":[...]}  ·  GET /health
              latency \(settings.latency.lowerBound)–\(settings.latency.upperBound) ms, failure rate \(settings.failureRate), seed \(settings.seed)\
            \(settings.unavailable.isEmpty ? "" : ", unavailable: " + settings.unavailable.sorted().joined(separator: ","))
              JIUZHU_DEPARTMENT_URL=http://\(settings.hostname):\(settings.port)
            """)
            fflush(nil)
            var status: Int32 = 0
            do {
                try await app.execute()
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

    static func parse(_ arguments: [String]) throws(UserError) -> Settings {
        var settings = Settings()
        var index = 0
        func value(_ name: String) throws(UserError) -> String {
            guard index + 1 < arguments.count else { throw invalid(name) }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            let name = arguments[index]
            switch name {
            case "--port":
                guard let port = Int(try value(name)), (0...65535).contains(port) else { throw invalid(name) }
                settings.port = port
            case "--hostname":
                settings.hostname = try value(name)
            case "--latency-ms":
                let text = try value(name)
                let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
                      low >= 0, high >= low, high <= 600_000 else { throw invalid(name) }
                settings.latency = low...high
            case "--failure-rate":
                guard let rate = Double(try value(name)), (0...1).contains(rate) else { throw invalid(name) }
                settings.failureRate = rate
            case "--seed":
                guard let seed = UInt64(try value(name)) else { throw invalid(name) }
                settings.seed = seed
            case "--unavailable":
                let codes = try value(name).split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                for code in codes where !code.isEmpty { try DepartmentSourceCatalog.require(code, field: "unavailable") }
                settings.unavailable = Set(codes.filter { !$0.isEmpty })
            default:
                throw UserError("cli.argument", field: name, zh: "未知参数：\(name)", en: "Unknown argument: \(name)")
            }
            index += 1
        }
        return settings
    }

    private static func invalid(_ name: String) -> UserError {
        UserError("cli.argument", field: name, zh: "参数 \(name) 的值不正确", en: "The value of \(name) is not valid")
    }
}

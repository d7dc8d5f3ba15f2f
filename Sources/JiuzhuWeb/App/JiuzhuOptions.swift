import Foundation
import JiuzhuCore
import JiuzhuStore
import NIOConcurrencyHelpers
import Vapor

/// Everything the application needs to know at start, from the environment
/// or from the tests.
public struct JiuzhuOptions: Sendable {
    public var database: DatabaseLocation
    public var keys: KeyRing
    /// Demo mode: a banner on every page, demo accounts, the public demo key.
    public var demo: Bool
    /// Cookies marked Secure (HTTPS in front). Off only for a loopback demo or by explicit setting.
    public var secureCookies: Bool
    public var bcryptCost: Int
    public var policy: LoginPolicy
    /// The clock; tests move it.
    public var clock: @Sendable () -> Date
    /// The demo's clock shift (`POST /demo/clock`), so that a demo can walk
    /// a case through its working-day limits; nil outside the demo.
    public var demoClock: DemoClock?

    public init(database: DatabaseLocation, keys: KeyRing, demo: Bool = false, secureCookies: Bool = true,
                bcryptCost: Int = 12, policy: LoginPolicy = .standard, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.keys = keys
        self.demo = demo
        self.secureCookies = secureCookies
        self.bcryptCost = bcryptCost
        self.policy = policy
        self.clock = clock
    }

    /// Reads `DATABASE_URL`, `JIUZHU_MASTER_KEY` and `JIUZHU_SECURE_COOKIES`.
    /// Without a master key only the demo may start.
    public static func fromEnvironment(demo: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws(UserError) -> JiuzhuOptions {
        let database = try DatabaseLocation(url: environment["DATABASE_URL"])
        let keys: KeyRing
        if let text = environment["JIUZHU_MASTER_KEY"], !text.isEmpty {
            keys = try KeyRing(current: text, previous: environment["JIUZHU_PREVIOUS_MASTER_KEYS"])
        } else if demo {
            keys = .demo
        } else {
            throw UserError("config.master_key_missing", field: "JIUZHU_MASTER_KEY",
                            zh: "未设置 JIUZHU_MASTER_KEY：请用 `jiuzhu keys generate` 生成主密钥并设置该环境变量（见 .env.example），或用 --demo 运行演示",
                            en: "JIUZHU_MASTER_KEY is not set: make a master key with `jiuzhu keys generate` and set it (see .env.example), or run the demo with --demo")
        }
        let secure: Bool
        switch environment["JIUZHU_SECURE_COOKIES"]?.lowercased() {
        case "0", "false", "no": secure = false
        case "1", "true", "yes": secure = true
        default: secure = !demo
        }
        var options = JiuzhuOptions(database: database, keys: keys, demo: demo, secureCookies: secure)
        if demo {
            let shifted = DemoClock()
            options.demoClock = shifted
            options.clock = { shifted.now() }
        }
        return options
    }
}

/// The demo's movable clock: real time plus whole days moved forward.
public final class DemoClock: Sendable {
    private let days = NIOLockedValueBox(0)

    public init() {}

    public var shiftDays: Int { days.withLockedValue { $0 } }

    public func now() -> Date { Date().addingTimeInterval(TimeInterval(shiftDays) * 86_400) }

    /// Moves the clock forward (never back: audit times only grow); at most a year in all.
    public func advance(days count: Int) throws(UserError) {
        guard count > 0, count <= 366 else {
            throw UserError("demo.clock", field: "days", zh: "只能向前拨 1 至 366 天", en: "Move forward 1 to 366 days")
        }
        let moved = days.withLockedValue { (value: inout Int) -> Bool in
            guard value + count <= 366 else { return false }
            value += count
            return true
        }
        guard moved else {
            throw UserError("demo.clock", field: "days", zh: "演示时钟最多前拨一年", en: "The demo clock moves at most a year ahead")
        }
    }
}

struct OptionsKey: StorageKey {
    typealias Value = JiuzhuOptions
}

extension Application {
    public var jiuzhu: JiuzhuOptions {
        guard let options = storage[OptionsKey.self] else {
            preconditionFailure("configure(_:options:) sets the options")  // programmer error
        }
        return options
    }
}

extension Request {
    var options: JiuzhuOptions { application.jiuzhu }
    var now: Date { options.clock() }
    var auditChain: AuditChain { AuditChain(keys: options.keys) }
    var staffRepository: StaffRepository {
        StaffRepository(db: db, keys: options.keys, policy: options.policy, bcryptCost: options.bcryptCost)
    }
    var sessions: SessionRepository { SessionRepository(db: db, policy: options.policy) }

    /// The peer address: the audit trail's client.
    var clientAddress: String { remoteAddress?.ipAddress ?? "-" }
}

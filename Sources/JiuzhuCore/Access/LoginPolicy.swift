import Foundation

/// The rules of staff login: lockout after failures, the TOTP acceptance
/// window with replay protection, and the session idle timeout.
public struct LoginPolicy: Sendable {
    public var maxFailedAttempts = 5
    public var lockDuration: TimeInterval = 15 * 60
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// TOTP time step in seconds (RFC 6238).
    public var totpStep = 30
    /// Steps accepted either side of the current one (clock drift).
    public var totpDrift = 1

    public init() {}

    public static let standard = LoginPolicy()

    /// The state of an account after one more failed attempt.
    public func afterFailure(attempts: Int, now: Date) -> (attempts: Int, lockedUntil: Date?) {
        let count = attempts + 1
        return count >= maxFailedAttempts ? (0, now.addingTimeInterval(lockDuration)) : (count, nil)
    }

    public func isLocked(until lockedUntil: Date?, now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return now < lockedUntil
    }

    public func currentStep(at now: Date) -> Int64 {
        Int64((now.timeIntervalSince1970 / Double(totpStep)).rounded(.down))
    }

    /// The steps whose codes are accepted now, oldest first, excluding any
    /// step at or before the last one used (a used code cannot be replayed).
    public func acceptableSteps(at now: Date, lastUsedStep: Int64?) -> [Int64] {
        let current = currentStep(at: now)
        return (current - Int64(totpDrift)...current + Int64(totpDrift))
            .filter { step in lastUsedStep.map { step > $0 } ?? true }
    }

    public func isIdleExpired(lastSeen: Date, now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) > sessionIdleTimeout
    }

    public static let lockedError = UserError(
        "login.locked", zh: "登录失败次数过多，账号已锁定 15 分钟，请稍后再试",
        en: "Too many failed attempts: the account is locked for 15 minutes. Try again later.")
    public static let invalidError = UserError(
        "login.invalid", zh: "用户名、密码或动态验证码错误",
        en: "Wrong username, password or one-time code")
}

import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import Vapor

/// The outcome of checking a login form.
public enum LoginOutcome: Sendable {
    case success(StaffUser)
    /// Password right, no TOTP yet: the user must enrol before going on.
    case needsEnrolment(StaffUser)
    /// `user` is set when the username exists (for the audit trail).
    case failure(UserError, user: StaffUser?)
}

/// New-account input, already taken from a form or the command line.
public struct NewStaff: Sendable {
    public var username: String
    public var displayName: String
    public var role: StaffRole
    public var region: RegionCode
    public var password: String
    public var department: Department?

    public init(username: String, displayName: String, role: StaffRole, region: RegionCode, password: String,
                department: Department? = nil) {
        self.department = department
        self.username = username
        self.displayName = displayName
        self.role = role
        self.region = region
        self.password = password
    }
}

public struct StaffRepository: Sendable {
    let db: any Database
    let keys: KeyRing
    let policy: LoginPolicy
    /// bcrypt cost; lowered only by the tests.
    let bcryptCost: Int

    public init(db: any Database, keys: KeyRing, policy: LoginPolicy = .standard, bcryptCost: Int = 12) {
        self.db = db
        self.keys = keys
        self.policy = policy
        self.bcryptCost = bcryptCost
    }

    private func secretContext(_ user: StaffUser) -> FieldContext {
        FieldContext(table: StaffUser.schema, column: "totp_secret", row: user.id?.uuidString ?? "")
    }

    // MARK: Accounts

    /// Creates an account inside the creator's scope. Returns the user.
    public func create(_ input: NewStaff, in scope: RegionScope, now: Date, totpSecret: String? = nil) async throws -> StaffUser {
        let username = try Credentials.validateUsername(input.username)
        let displayName = try Credentials.validateDisplayName(input.displayName)
        try Credentials.validatePassword(input.password)
        try input.role.validateHome(input.region)
        if input.role == .departmentOfficer, input.department == nil {
            throw UserError("staff.department_missing", field: "department", zh: "部门经办人须选择所属部门",
                            en: "Choose the department of a department officer")
        }
        guard scope.allows(input.region) else { throw RegionAccess.outOfScope(input.region).userError.on(field: "region") }
        guard try await RegionRecord.find(input.region.value, on: db) != nil else {
            throw UserError("staff.region_missing", field: "region", zh: "区划 \(input.region.value) 不存在",
                            en: "Region \(input.region.value) does not exist")
        }
        guard try await StaffUser.query(on: db).filter(\.$username == username).first() == nil else {
            throw UserError("staff.username_taken", field: "username", zh: "用户名已被使用", en: "This username is taken")
        }
        let user = StaffUser()
        user.id = UUID()
        user.username = username
        user.displayName = displayName
        user.roleCode = input.role.rawValue
        user.regionCode = input.region.value
        user.department = input.role == .departmentOfficer ? input.department?.rawValue : nil
        user.passwordHash = try Bcrypt.hash(input.password, cost: bcryptCost)
        user.totpEnrolled = false
        if let totpSecret {
            user.totpSecretSealed = try keys.fieldCipher.seal(totpSecret, context: secretContext(user))
            user.totpEnrolled = true
        }
        user.failedAttempts = 0
        user.disabled = false
        user.createdMillis = now.millis
        try await user.create(on: db)
        return user
    }

    public func find(id: UUID, in scope: RegionScope) async throws -> StaffUser? {
        guard let user = try await StaffUser.find(id, on: db) else { return nil }
        guard let region = user.region, scope.allows(region) else { throw RegionAccess.outOfScope(user.region ?? scope.root) }
        return user
    }

    public func find(username: String) async throws -> StaffUser? {
        try await StaffUser.query(on: db).filter(\.$username == username.lowercased()).first()
    }

    public func list(in scope: RegionScope) async throws -> [StaffUser] {
        try await StaffUser.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$regionCode).sort(\.$username).all()
    }

    public func setDisabled(_ user: StaffUser, _ disabled: Bool) async throws {
        user.disabled = disabled
        try await user.update(on: db)
        if disabled { try await SessionRepository(db: db).endAll(userID: user.requireID()) }
    }

    /// Clears the second factor: the next login enrols a new one.
    public func resetTOTP(_ user: StaffUser) async throws {
        user.totpSecretSealed = nil
        user.totpEnrolled = false
        user.totpLastStep = nil
        try await user.update(on: db)
        try await SessionRepository(db: db).endAll(userID: user.requireID())
    }

    // MARK: Login

    /// Checks username, password and TOTP code; counts failures and locks.
    public func login(username rawUsername: String, password: String, code: String, now: Date) async throws -> LoginOutcome {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        guard let user = try await find(username: username), !user.disabled else {
            // Spend the same time as a real check so that usernames cannot be probed by timing.
            _ = try? Bcrypt.verify(password, created: Self.dummyHash)
            return .failure(LoginPolicy.invalidError, user: nil)
        }
        if policy.isLocked(until: user.lockedUntil, now: now) {
            return .failure(LoginPolicy.lockedError, user: user)
        }
        let passwordOK = (try? Bcrypt.verify(password, created: user.passwordHash)) ?? false
        guard passwordOK else { return try await fail(user, now: now) }
        guard user.totpEnrolled else {
            return .needsEnrolment(user)
        }
        guard let step = try matchingStep(user, code: code, now: now) else {
            return try await fail(user, now: now)
        }
        user.totpLastStep = step
        user.failedAttempts = 0
        user.lockedUntilMillis = nil
        try await user.update(on: db)
        return .success(user)
    }

    private func fail(_ user: StaffUser, now: Date) async throws -> LoginOutcome {
        let next = policy.afterFailure(attempts: user.failedAttempts, now: now)
        user.failedAttempts = next.attempts
        user.lockedUntilMillis = next.lockedUntil?.millis
        try await user.update(on: db)
        return .failure(next.lockedUntil == nil ? LoginPolicy.invalidError : LoginPolicy.lockedError, user: user)
    }

    private static let dummyHash = "$2b$12$CwTycUXWue0Thq9StjUM0uJ8.w6QxWbyvx9f7Ydf8WfBQz4iKBr3S"

    /// The TOTP step whose code matches, if any (and not replayed).
    func matchingStep(_ user: StaffUser, code raw: String, now: Date) throws -> Int64? {
        guard let code = Credentials.normalizeCode(raw), let sealed = user.totpSecretSealed else { return nil }
        let secret = try keys.fieldCipher.open(sealed, context: secretContext(user))
        return Self.matchingStep(secret: secret, code: code, now: now, lastUsed: user.totpLastStep, policy: policy)
    }

    static func matchingStep(secret: String, code: String, now: Date, lastUsed: Int64?, policy: LoginPolicy) -> Int64? {
        guard let key = Array(decodingBase32: secret) else { return nil }
        let totp = TOTP(key: SymmetricKey(data: key), digest: .sha1, digits: .six, interval: policy.totpStep)
        for step in policy.acceptableSteps(at: now, lastUsedStep: lastUsed) {
            let expected = totp.generate(time: Date(timeIntervalSince1970: Double(step) * Double(policy.totpStep)))
            if Data(expected.utf8).secureCompare(to: Data(code.utf8)) { return step }
        }
        return nil
    }

    // MARK: TOTP enrolment

    /// A new random secret (160 bits, base32), as authenticator apps expect.
    public static func newTOTPSecret() -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: 160)).withUnsafeBytes { Array($0) }.base32String()
    }

    public static func otpauthURI(secret: String, username: String) -> String {
        let label = "Jiuzhu:\(username)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? username
        return "otpauth://totp/\(label)?secret=\(secret)&issuer=Jiuzhu&algorithm=SHA1&digits=6&period=30"
    }

    /// Completes enrolment when the code proves the user holds the secret.
    public func enrol(_ user: StaffUser, secret: String, code: String, now: Date) async throws -> Bool {
        guard let normalized = Credentials.normalizeCode(code),
              let step = Self.matchingStep(secret: secret, code: normalized, now: now, lastUsed: nil, policy: policy)
        else { return false }
        user.totpSecretSealed = try keys.fieldCipher.seal(secret, context: secretContext(user))
        user.totpEnrolled = true
        user.totpLastStep = step
        user.failedAttempts = 0
        try await user.update(on: db)
        return true
    }

    /// The current code for a secret (demo tooling and tests).
    public static func code(secret: String, at now: Date, policy: LoginPolicy = .standard) -> String? {
        guard let key = Array(decodingBase32: secret) else { return nil }
        return TOTP(key: SymmetricKey(data: key), digest: .sha1, digits: .six, interval: policy.totpStep).generate(time: now)
    }
}

import Crypto
import FluentKit
import Foundation
import JiuzhuCore

/// A login session stored in the database, so that any instance can serve
/// any request. Only the SHA-256 of the cookie token is stored: a copy of the
/// table does not let anyone take over a session.
public final class StaffSession: Model, @unchecked Sendable {
    public static let schema = "staff_sessions"

    public enum Stage: String, Sendable {
        /// Password accepted, TOTP enrolment still to do.
        case enrolling
        case active
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "stage") public var stageCode: String
    @Field(key: "csrf_token") public var csrfToken: String
    @Field(key: "language") public var language: String
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "last_seen_ms") public var lastSeenMillis: Int64
    @Field(key: "client") public var client: String

    public init() {}

    public var stage: Stage { Stage(rawValue: stageCode) ?? .enrolling }
    public var lastSeen: Date { Date(millis: lastSeenMillis) }

    static func hash(token: String) -> String {
        hexString(SHA256.hash(data: Data(token.utf8)))
    }
}

struct M003CreateSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffSession.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(StaffUser.schema, .id, onDelete: .cascade))
            .field("stage", .string, .required)
            .field("csrf_token", .string, .required)
            .field("language", .string, .required)
            .field("created_ms", .int64, .required)
            .field("last_seen_ms", .int64, .required)
            .field("client", .string, .required)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "staff_sessions_last_seen_idx").on(StaffSession.schema).column("last_seen_ms").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffSession.schema).delete()
    }
}

/// Random tokens for cookies and forms: 32 bytes, URL-safe base64.
public enum SecureToken {
    public static func make() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

public struct SessionRepository: Sendable {
    let db: any Database
    let policy: LoginPolicy

    public init(db: any Database, policy: LoginPolicy = .standard) {
        self.db = db
        self.policy = policy
    }

    /// Starts a session; returns the cookie token (never stored) and the record.
    public func start(user: StaffUser, stage: StaffSession.Stage, language: Language, client: String,
                      now: Date) async throws -> (token: String, session: StaffSession) {
        let token = SecureToken.make()
        let session = StaffSession()
        session.tokenHash = StaffSession.hash(token: token)
        session.userID = try user.requireID()
        session.stageCode = stage.rawValue
        session.csrfToken = SecureToken.make()
        session.language = language.rawValue
        session.createdMillis = now.millis
        session.lastSeenMillis = now.millis
        session.client = String(client.prefix(64))
        try await session.create(on: db)
        return (token, session)
    }

    /// The live session for a cookie token with its user, or nil. An idle
    /// session is deleted here. `lastSeen` is written at most once a minute.
    public func resume(token: String, now: Date) async throws -> (StaffSession, StaffUser)? {
        guard let session = try await StaffSession.query(on: db)
            .filter(\.$tokenHash == StaffSession.hash(token: token)).first()
        else { return nil }
        if policy.isIdleExpired(lastSeen: session.lastSeen, now: now) {
            try await session.delete(on: db)
            return nil
        }
        guard let user = try await StaffUser.find(session.userID, on: db), !user.disabled else {
            try await session.delete(on: db)
            return nil
        }
        if now.millis - session.lastSeenMillis > 60_000 {
            session.lastSeenMillis = now.millis
            try await session.update(on: db)
        }
        return (session, user)
    }

    public func end(_ session: StaffSession) async throws {
        try await session.delete(on: db)
    }

    public func endAll(userID: UUID) async throws {
        try await StaffSession.query(on: db).filter(\.$userID == userID).delete()
    }

    /// Removes sessions idle longer than the timeout.
    public func purgeIdle(now: Date) async throws {
        let cutoff = now.addingTimeInterval(-policy.sessionIdleTimeout).millis
        try await StaffSession.query(on: db).filter(\.$lastSeenMillis < cutoff).delete()
    }
}

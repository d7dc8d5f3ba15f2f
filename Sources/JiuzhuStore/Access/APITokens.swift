import Crypto
import FluentKit
import Foundation
import JiuzhuCore

/// A bearer token for API clients (another department's system, a county's
/// own tools). Only the token's SHA-256 is stored; the token is shown once.
public final class APITokenRecord: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "name") public var name: String
    @Field(key: "region_code") public var regionCode: String
    /// Permission codes, comma-separated.
    @Field(key: "permissions") public var permissions: String
    @Field(key: "created_ms") public var createdMillis: Int64
    @OptionalField(key: "expires_ms") public var expiresMillis: Int64?
    @Field(key: "revoked") public var revoked: Bool

    public init() {}
}

struct M008CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APITokenRecord.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("name", .string, .required)
            .field("region_code", .string, .required)
            .field("permissions", .string, .required)
            .field("created_ms", .int64, .required)
            .field("expires_ms", .int64)
            .field("revoked", .bool, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APITokenRecord.schema).delete()
    }
}

/// What a valid token grants.
public struct APITokenGrant: Sendable {
    public let name: String
    public let scope: RegionScope
    public let permissions: Set<Permission>
}

public enum APITokenStore {
    /// Issues a token; returns the token text, which is never stored.
    public static func issue(name: String, region: RegionCode, permissions: Set<Permission>, validDays: Int?,
                             on db: any Database, now: Date) async throws -> String {
        let cleanName = try TextRules.freeText(name, field: "name", max: 60)
        guard !permissions.isEmpty else {
            throw UserError("token.permissions", field: "permissions", zh: "请至少授予一项权限", en: "Grant at least one permission")
        }
        guard try await RegionRecord.find(region.value, on: db) != nil else {
            throw UserError("token.region", field: "region", zh: "区划不存在", en: "The region does not exist")
        }
        let token = "jz_" + SecureToken.make()
        let record = APITokenRecord()
        record.tokenHash = StaffSession.hash(token: token)
        record.name = cleanName
        record.regionCode = region.value
        record.permissions = Permission.allCases.filter(permissions.contains).map(\.rawValue).joined(separator: ",")
        record.createdMillis = now.millis
        record.expiresMillis = validDays.map { now.addingTimeInterval(Double($0) * 86400).millis }
        record.revoked = false
        try await record.create(on: db)
        return token
    }

    public static func authenticate(_ token: String, on db: any Database, now: Date) async throws -> APITokenGrant? {
        guard let record = try await APITokenRecord.query(on: db).filter(\.$tokenHash == StaffSession.hash(token: token)).first(),
              !record.revoked, record.expiresMillis.map({ $0 > now.millis }) ?? true,
              let region = try? RegionCode(record.regionCode)
        else { return nil }
        let permissions = Set(record.permissions.split(separator: ",").compactMap { Permission(rawValue: String($0)) })
        return APITokenGrant(name: record.name, scope: RegionScope(root: region), permissions: permissions)
    }
}

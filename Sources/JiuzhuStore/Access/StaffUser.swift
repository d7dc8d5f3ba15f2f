import FluentKit
import Foundation
import JiuzhuCore

/// A staff account: one role, one home region, password + TOTP.
public final class StaffUser: Model, @unchecked Sendable {
    public static let schema = "staff_users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "role") public var roleCode: String
    @Field(key: "region_code") public var regionCode: String
    /// For department officers: which department's referrals they work.
    @OptionalField(key: "department") public var department: String?
    @Field(key: "password_hash") public var passwordHash: String
    /// The TOTP secret, sealed by the field cipher (it is a credential).
    @OptionalField(key: "totp_secret") public var totpSecretSealed: String?
    @Field(key: "totp_enrolled") public var totpEnrolled: Bool
    @OptionalField(key: "totp_last_step") public var totpLastStep: Int64?
    @Field(key: "failed_attempts") public var failedAttempts: Int
    @OptionalField(key: "locked_until_ms") public var lockedUntilMillis: Int64?
    @Field(key: "disabled") public var disabled: Bool
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}

    public var role: StaffRole? { StaffRole(rawValue: roleCode) }
    public var region: RegionCode? { try? RegionCode(regionCode) }
    public var lockedUntil: Date? { lockedUntilMillis.map(Date.init(millis:)) }
}

struct M002CreateStaff: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffUser.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .required)
            .field("department", .string)
            .field("password_hash", .string, .required)
            .field("totp_secret", .string)
            .field("totp_enrolled", .bool, .required)
            .field("totp_last_step", .int64)
            .field("failed_attempts", .int, .required)
            .field("locked_until_ms", .int64)
            .field("disabled", .bool, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "username")
            .create()
        try await database.sql.create(index: "staff_users_region_idx").on(StaffUser.schema).column("region_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffUser.schema).delete()
    }
}

import FluentKit
import Foundation
import JiuzhuCore

/// A person. The ID number, phone, address, disability and health details are
/// sealed by the field cipher; `idBlind` (an HMAC) serves exact lookups and
/// `idMasked` the lists. Names stay plain: staff search by name.
public final class PersonRecord: Model, @unchecked Sendable {
    public static let schema = "persons"

    @ID(key: .id) public var id: UUID?
    @Field(key: "id_blind") public var idBlind: String
    @Field(key: "id_sealed") public var idSealed: String
    @Field(key: "id_masked") public var idMasked: String
    @Field(key: "name") public var name: String
    @Field(key: "sex") public var sex: String
    @Field(key: "birth_date") public var birthDate: String
    @OptionalField(key: "phone_sealed") public var phoneSealed: String?
    @OptionalField(key: "address_sealed") public var addressSealed: String?
    @OptionalField(key: "disability_sealed") public var disabilitySealed: String?
    @OptionalField(key: "health_sealed") public var healthSealed: String?
    @Field(key: "employment") public var employment: String
    @Field(key: "student") public var student: String
    @OptionalField(key: "hukou_region") public var hukouRegion: String?
    /// The region whose staff may see the person (where they live).
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "residence") public var residence: String
    @Field(key: "updated_ms") public var updatedMillis: Int64

    public init() {}

    static let sealedColumns = ["id_sealed", "phone_sealed", "address_sealed", "disability_sealed", "health_sealed"]

    /// The opened `disability_sealed` value, `type:grade` as the intake seals it.
    static func disability(stored text: String?, field: String) throws(UserError) -> Disability? {
        guard let text else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let type = DisabilityType(rawValue: String(parts[0])), let grade = Int(parts[1]) else {
            throw UserError("person.disability", field: field, zh: "残疾信息无法读取", en: "The disability details cannot be read")
        }
        return try Disability(type: type, grade: grade, field: field)
    }
}

/// 家庭: the co-residing family applying together.
public final class HouseholdRecord: Model, @unchecked Sendable {
    public static let schema = "households"

    @ID(key: .id) public var id: UUID?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "head_person_id") public var headPersonID: UUID
    @OptionalField(key: "address_sealed") public var addressSealed: String?
    @Field(key: "created_ms") public var createdMillis: Int64
    @Field(key: "version") public var version: Int

    public init() {}
}

/// A person's place in a household. Leaving sets `leftMillis`; rows are never
/// deleted, so the household's history stays readable.
public final class MemberRecord: Model, @unchecked Sendable {
    public static let schema = "household_members"

    @ID(key: .id) public var id: UUID?
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "relation") public var relation: String
    @Field(key: "co_resident") public var coResident: Bool
    @Field(key: "status") public var status: String
    @Field(key: "position") public var position: Int
    @Field(key: "joined_ms") public var joinedMillis: Int64
    @OptionalField(key: "left_ms") public var leftMillis: Int64?

    public init() {}
}

struct M006CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonRecord.schema)
            .id()
            .field("id_blind", .string, .required)
            .field("id_sealed", .string, .required)
            .field("id_masked", .string, .required)
            .field("name", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string, .required)
            .field("phone_sealed", .string)
            .field("address_sealed", .string)
            .field("disability_sealed", .string)
            .field("health_sealed", .string)
            .field("employment", .string, .required)
            .field("student", .string, .required)
            .field("hukou_region", .string)
            .field("region_code", .string, .required)
            .field("residence", .string, .required)
            .field("updated_ms", .int64, .required)
            .unique(on: "id_blind")
            .create()
        // Name search is a range on the name (a prefix) filtered by the region range:
        // (name, region_code) answers it from the index alone. PostgreSQL must
        // order names by code point (as SQLite does) for a prefix to be a range.
        if database.isPostgres {
            try await database.sql.raw("ALTER TABLE persons ALTER COLUMN name TYPE text COLLATE \"C\"").run()
        }
        try await database.sql.create(index: "persons_name_region_idx").on(PersonRecord.schema).column("name").column("region_code").run()
        try await database.sql.create(index: "persons_region_idx").on(PersonRecord.schema).column("region_code").run()

        try await database.schema(HouseholdRecord.schema)
            .id()
            .field("region_code", .string, .required)
            .field("head_person_id", .uuid, .required, .references(PersonRecord.schema, .id))
            .field("address_sealed", .string)
            .field("created_ms", .int64, .required)
            .field("version", .int, .required)
            .create()
        try await database.sql.create(index: "households_region_idx").on(HouseholdRecord.schema).column("region_code").run()
        try await database.sql.create(index: "households_head_idx").on(HouseholdRecord.schema).column("head_person_id").run()

        try await database.schema(MemberRecord.schema)
            .id()
            .field("household_id", .uuid, .required, .references(HouseholdRecord.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("relation", .string, .required)
            .field("co_resident", .bool, .required)
            .field("status", .string, .required)
            .field("position", .int, .required)
            .field("joined_ms", .int64, .required)
            .field("left_ms", .int64)
            .create()
        try await database.sql.create(index: "members_household_idx").on(MemberRecord.schema).column("household_id").run()
        try await database.sql.create(index: "members_person_idx").on(MemberRecord.schema).column("person_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [MemberRecord.schema, HouseholdRecord.schema, PersonRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}

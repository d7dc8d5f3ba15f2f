import FluentKit
import Foundation
import JiuzhuCore

/// A division of the five-level tree. Codes are the compact prefix form
/// (`RegionCode.value`), so that a region's subtree is one `LIKE 'code%'`.
public final class RegionRecord: Model, @unchecked Sendable {
    public static let schema = "regions"

    @ID(custom: "code", generatedBy: .user) public var id: String?
    @Field(key: "name") public var name: String
    @Field(key: "level") public var level: Int
    @OptionalField(key: "parent_code") public var parentCode: String?
    /// Validity dates (`YYYY-MM-DD`): divisions change (铜陵 2015–16).
    @Field(key: "valid_from") public var validFrom: String
    @OptionalField(key: "valid_to") public var validTo: String?

    public init() {}

    public init(code: RegionCode, name: String, validFrom: LocalDate, validTo: LocalDate? = nil) {
        self.id = code.value
        self.name = name
        self.level = code.level.rawValue
        self.parentCode = code.parent?.value
        self.validFrom = validFrom.description
        self.validTo = validTo?.description
    }

    public var code: RegionCode {
        get throws { try RegionCode(id ?? "") }
    }

    public var regionLevel: RegionLevel { RegionLevel(rawValue: level) ?? .village }

    public func isValid(on date: LocalDate) -> Bool {
        validFrom <= date.description && (validTo.map { date.description <= $0 } ?? true)
    }
}

struct M001CreateRegions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RegionRecord.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_code", .string)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .create()
        try await database.sql.create(index: "regions_parent_idx").on(RegionRecord.schema).column("parent_code").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RegionRecord.schema).delete()
    }
}

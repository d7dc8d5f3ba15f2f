import FluentKit
import Foundation
import JiuzhuCore

/// A scanned paper belonging to an application, sealed like every personal field.
public final class DocumentRecord: Model, @unchecked Sendable {
    public static let schema = "documents"

    @ID(key: .id) public var id: UUID?
    @Field(key: "application_id") public var applicationID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "purpose") public var purpose: String
    @Field(key: "kind") public var kind: String
    @Field(key: "size") public var size: Int
    /// The base64 of the file, sealed by the field cipher.
    @Field(key: "data_sealed") public var dataSealed: String
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}

    static func context(_ id: UUID?) -> FieldContext {
        FieldContext(table: schema, column: "data_sealed", row: id?.uuidString ?? "")
    }

    /// A new sealed document for `scan`.
    static func sealing(_ scan: ScannedFile, applicationID: UUID, regionCode: String, purpose: String,
                        keys: KeyRing, now: Date) throws -> DocumentRecord {
        let document = DocumentRecord()
        document.id = UUID()
        document.applicationID = applicationID
        document.regionCode = regionCode
        document.purpose = purpose
        document.kind = scan.kind.rawValue
        document.size = scan.bytes.count
        document.dataSealed = try keys.fieldCipher.seal(Data(scan.bytes).base64EncodedString(), context: context(document.id))
        document.createdMillis = now.millis
        return document
    }

    /// The scan, opened (the caller audits the view); nil when unreadable.
    public func open(keys: KeyRing) throws -> ScannedFile? {
        guard let kind = ScannedDocumentKind(rawValue: kind) else { return nil }
        let base64 = try keys.fieldCipher.open(dataSealed, context: Self.context(id))
        guard let data = Data(base64Encoded: base64) else { return nil }
        return ScannedFile(kind: kind, bytes: Array(data))
    }
}

struct M009CreateDocuments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DocumentRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("region_code", .string, .required)
            .field("purpose", .string, .required)
            .field("kind", .string, .required)
            .field("size", .int, .required)
            .field("data_sealed", .string, .required)
            .field("created_ms", .int64, .required)
            .create()
        try await database.sql.create(index: "documents_application_idx").on(DocumentRecord.schema).column("application_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DocumentRecord.schema).delete()
    }
}

/// A scan as uploaded, already checked by `ScannedDocument`.
public struct ScannedFile: Sendable {
    public let kind: ScannedDocumentKind
    public let bytes: [UInt8]

    public init(kind: ScannedDocumentKind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }
}

import FluentKit
import Foundation
import JiuzhuCore

/// A table of per-region parameters stored as JSON under the region's code
/// (visit policies, workflow options).
public protocol RegionSettingRecord: Model, Sendable where IDValue == String {
    /// What the parameters are called in errors and audit events.
    static var settingName: Bilingual { get }
    static var auditObjectType: String { get }
    var json: String { get set }
    var updatedMillis: Int64 { get set }
    var actor: String { get set }
    init()
}

/// 地区参数 — a region works under its own parameters or, where it has none,
/// the nearest region's above it; where no region on the way has any, the
/// built-in default. Setting replaces; the audit chain keeps what was set,
/// by whom and when.
public struct RegionSettings<Record: RegionSettingRecord, Value: Codable & Sendable>: Sendable {
    let db: any Database
    let fallback: Value
    let validate: @Sendable (Value) throws -> Void

    public init(db: any Database, fallback: Value, validate: @escaping @Sendable (Value) throws -> Void) {
        self.db = db
        self.fallback = fallback
        self.validate = validate
    }

    /// The value `region` works under, and the region it was set for (nil: the built-in default).
    public func value(for region: RegionCode) async throws -> (value: Value, setFor: RegionCode?) {
        for code in region.lineage.reversed() {
            guard let row = try await Record.find(code.value, on: db) else { continue }
            return (try decode(row.json, region: code), code)
        }
        return (fallback, nil)
    }

    /// Sets (or replaces) `region`'s value after the Core checks; audited in the same transaction.
    public func set(_ value: Value, for region: RegionCode, audit: (chain: AuditChain, entry: AuditEntry),
                    now: Date = Date()) async throws {
        try validate(value)
        let json = String(decoding: try Self.encoder.encode(value), as: UTF8.self)
        try await db.transaction { tx in
            let row = try await Record.find(region.value, on: tx) ?? Record()
            row.id = region.value
            row.json = json
            row.updatedMillis = now.millis
            row.actor = audit.entry.actor
            try await row.save(on: tx)
            var entry = audit.entry
            entry.objectType = Record.auditObjectType
            entry.objectID = region.value
            entry.detail = json
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    func decode(_ json: String, region: RegionCode) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        } catch {
            let name = Record.settingName
            throw UserError("\(Record.auditObjectType).unreadable", field: "\(Record.schema).\(region.value)",
                            zh: "\(name.zh)无法读取：\(region.value)", en: "The \(name.en) of \(region.value) cannot be read")
        }
    }
}

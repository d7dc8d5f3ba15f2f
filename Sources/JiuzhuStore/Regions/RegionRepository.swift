import FluentKit
import Foundation
import JiuzhuCore

/// Regions as seen from a scope. Reads never leave the caller's subtree.
public struct RegionRepository: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// The scope's root and everything under it, in code order (parents before children).
    public func subtree(_ scope: RegionScope, depth: RegionLevel? = nil) async throws -> [RegionRecord] {
        var query = RegionRecord.query(on: db)
            .filter(\.$id >= scope.root.value).filter(\.$id < scope.upperBound)
        if let depth { query = query.filter(\.$level <= depth.rawValue) }
        return try await query.sort(\.$id).all()
    }

    /// One region, if it lies inside the scope; `RegionAccess.outOfScope` otherwise.
    public func find(_ code: RegionCode, in scope: RegionScope) async throws -> RegionRecord? {
        guard scope.allows(code) else { throw RegionAccess.outOfScope(code) }
        return try await RegionRecord.find(code.value, on: db)
    }

    /// Names of a code's ancestors and itself, for breadcrumbs and labels
    /// (region names are not personal data; a user's own lineage is always visible to them).
    public func lineageNames(_ code: RegionCode) async throws -> [(RegionCode, String)] {
        let codes = code.lineage.map(\.value)
        let found = try await RegionRecord.query(on: db).filter(\.$id ~~ codes).all()
        let names = Dictionary(uniqueKeysWithValues: found.compactMap { r in r.id.map { ($0, r.name) } })
        return code.lineage.map { ($0, names[$0.value] ?? $0.value) }
    }

    /// "安徽省蚌埠市怀远县城关镇": the lineage's names joined.
    public func fullName(_ code: RegionCode) async throws -> String {
        try await lineageNames(code).map(\.1).joined()
    }

    /// Creates or updates a region (system administration).
    public func save(code: RegionCode, name: String, validFrom: LocalDate, validTo: LocalDate?,
                     in scope: RegionScope) async throws {
        guard scope.allows(code) else { throw RegionAccess.outOfScope(code) }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 60 else {
            throw UserError("region.name", field: "name", zh: "名称须为 1–60 个字", en: "The name must be 1–60 characters")
        }
        if let validTo, validTo < validFrom {
            throw UserError("region.validity", field: "validTo", zh: "失效日期不能早于生效日期",
                            en: "The end date cannot be before the start date")
        }
        if let parent = code.parent, try await RegionRecord.find(parent.value, on: db) == nil {
            throw UserError("region.parent_missing", field: "code",
                            zh: "上级区划 \(parent.value) 不存在", en: "The parent region \(parent.value) does not exist")
        }
        if let existing = try await RegionRecord.find(code.value, on: db) {
            existing.name = trimmed
            existing.validFrom = validFrom.description
            existing.validTo = validTo?.description
            try await existing.update(on: db)
        } else {
            try await RegionRecord(code: code, name: trimmed, validFrom: validFrom, validTo: validTo).create(on: db)
        }
    }
}

/// The one error of region scope: a request for something outside the user's subtree.
public enum RegionAccess: Error, Sendable, Equatable {
    case outOfScope(RegionCode)

    public var userError: UserError {
        switch self {
        case .outOfScope:
            UserError("access.region", zh: "无权访问：该区划不在您的管辖范围内",
                      en: "Access denied: this region is outside your area")
        }
    }
}

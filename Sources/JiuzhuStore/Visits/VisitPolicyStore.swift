import FluentKit
import Foundation
import JiuzhuCore

/// 走访参数 — a region's visit policy (intervals by self-care class, grace,
/// anomaly thresholds). A person's plan follows the policy of their region
/// or, where it has none, of the nearest region above; where no region on
/// the way has one, the built-in `VisitPolicy.example` (weekly / fortnightly
/// / monthly, 5 working days' grace). Changing a policy replaces it; the
/// audit chain keeps what was set, by whom and when.
public final class VisitPolicyRecord: Model, @unchecked Sendable {
    public static let schema = "visit_policies"

    /// The region code.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    /// `VisitPolicy` as JSON (sorted keys).
    @Field(key: "policy") public var policy: String
    @Field(key: "updated_ms") public var updatedMillis: Int64
    @Field(key: "actor") public var actor: String

    public init() {}
}

public struct VisitPolicyStore: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// The policy `region` works under, and the region it was set for (nil: the built-in default).
    public func policy(for region: RegionCode) async throws -> (policy: VisitPolicy, setFor: RegionCode?) {
        let lineage = region.lineage
        let rows = try await VisitPolicyRecord.query(on: db).filter(\.$id ~~ lineage.map(\.value)).all()
        let byRegion = Dictionary(uniqueKeysWithValues: rows.compactMap { row in row.id.map { ($0, row) } })
        for code in lineage.reversed() {
            guard let row = byRegion[code.value] else { continue }
            return (try Self.decode(row.policy, region: code), code)
        }
        return (.example, nil)
    }

    /// Sets (or replaces) `region`'s policy after the Core checks; audited in the same transaction.
    public func set(_ policy: VisitPolicy, for region: RegionCode, audit: (chain: AuditChain, entry: AuditEntry),
                    now: Date = Date()) async throws {
        try policy.validate()
        let json = String(decoding: try Self.encoder.encode(policy), as: UTF8.self)
        try await db.transaction { tx in
            let row = try await VisitPolicyRecord.find(region.value, on: tx) ?? VisitPolicyRecord()
            row.id = region.value
            row.policy = json
            row.updatedMillis = now.millis
            row.actor = audit.entry.actor
            try await row.save(on: tx)
            var entry = audit.entry
            entry.objectType = "visit_policy"
            entry.objectID = region.value
            entry.detail = json
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func decode(_ json: String, region: RegionCode) throws -> VisitPolicy {
        do {
            return try JSONDecoder().decode(VisitPolicy.self, from: Data(json.utf8))
        } catch {
            throw UserError("visit_policy.unreadable", field: "visit_policies.\(region.value)",
                            zh: "走访参数无法读取：\(region.value)", en: "The visit policy of \(region.value) cannot be read")
        }
    }
}

/// The policies of many regions read once each, for one sweep or one page.
public final class VisitPolicyCache: @unchecked Sendable {
    let store: VisitPolicyStore
    private var known: [String: VisitPolicy] = [:]

    public init(store: VisitPolicyStore) { self.store = store }

    public func policy(for region: String) async throws -> VisitPolicy {
        if let policy = known[region] { return policy }
        let policy = try await store.policy(for: try RegionCode(region)).policy
        known[region] = policy
        return policy
    }
}

import FluentKit
import Foundation
import JiuzhuCore

/// 走访参数 — a region's visit policy (intervals by self-care class, grace,
/// anomaly thresholds). A person's plan follows the policy of their region
/// or, where it has none, of the nearest region above; where no region on
/// the way has one, the built-in `VisitPolicy.example` (weekly / fortnightly
/// / monthly, 5 working days' grace). Changing a policy replaces it; the
/// audit chain keeps what was set, by whom and when.
public final class VisitPolicyRecord: RegionSettingRecord, @unchecked Sendable {
    public static let schema = "visit_policies"
    public static let settingName = Bilingual(zh: "走访参数", en: "visit policy")
    public static let auditObjectType = "visit_policy"

    /// The region code.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    /// `VisitPolicy` as JSON (sorted keys).
    @Field(key: "policy") public var json: String
    @Field(key: "updated_ms") public var updatedMillis: Int64
    @Field(key: "actor") public var actor: String

    public init() {}
}

public struct VisitPolicyStore: Sendable {
    let settings: RegionSettings<VisitPolicyRecord, VisitPolicy>

    public init(db: any Database) {
        settings = RegionSettings(db: db, fallback: .example, validate: { try $0.validate() })
    }

    /// The policy `region` works under, and the region it was set for (nil: the built-in default).
    public func policy(for region: RegionCode) async throws -> (policy: VisitPolicy, setFor: RegionCode?) {
        let found = try await settings.value(for: region)
        return (found.value, found.setFor)
    }

    /// Sets (or replaces) `region`'s policy after the Core checks; audited in the same transaction.
    public func set(_ policy: VisitPolicy, for region: RegionCode, audit: (chain: AuditChain, entry: AuditEntry),
                    now: Date = Date()) async throws {
        try await settings.set(policy, for: region, audit: audit, now: now)
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

import FluentKit
import Foundation
import JiuzhuCore

/// 办理规则 — a region's `WorkflowOptions` (delegated confirmation, the
/// township's emergency limit, extensions, the review schedule by class).
public final class WorkflowPolicyRecord: RegionSettingRecord, @unchecked Sendable {
    public static let schema = "workflow_policies"
    public static let settingName = Bilingual(zh: "办理规则", en: "workflow options")
    public static let auditObjectType = "workflow_policy"

    /// The region code.
    @ID(custom: "id", generatedBy: .user) public var id: String?
    /// `WorkflowOptions` as JSON (sorted keys).
    @Field(key: "options") public var json: String
    @Field(key: "updated_ms") public var updatedMillis: Int64
    @Field(key: "actor") public var actor: String

    public init() {}
}

/// The workflow options a case works under: those of its region or the
/// nearest region above; `WorkflowOptions.standard` where none is set.
public struct WorkflowPolicyStore: Sendable {
    let settings: RegionSettings<WorkflowPolicyRecord, WorkflowOptions>

    public init(db: any Database) {
        settings = RegionSettings(db: db, fallback: .standard, validate: { try $0.validate() })
    }

    public func options(for region: RegionCode) async throws -> (options: WorkflowOptions, setFor: RegionCode?) {
        let found = try await settings.value(for: region)
        return (found.value, found.setFor)
    }

    public func set(_ options: WorkflowOptions, for region: RegionCode, audit: (chain: AuditChain, entry: AuditEntry),
                    now: Date = Date()) async throws {
        try await settings.set(options, for: region, audit: audit, now: now)
    }
}

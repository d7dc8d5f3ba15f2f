import FluentKit
import Foundation
import JiuzhuCore

/// 政策参数 — the verification policy of each region, versioned by effective
/// date. Versions are only ever added: a correction is a new version with a
/// later date, so that a verification can always be redone with the policy
/// that was in force on its day. Which version applies is decided once, in
/// `PolicySchedule` (JiuzhuCore).
public struct PolicyRepository: Sendable {
    let db: any Database
    let audit: AuditChain

    public init(db: any Database, audit: AuditChain) {
        self.db = db
        self.audit = audit
    }

    /// Every version (all regions) as a Core schedule; small table, read whole.
    public func schedule() async throws -> PolicySchedule {
        let records = try await PolicyVersionRecord.query(on: db).all()
        return PolicySchedule(try records.map { try $0.version() })
    }

    /// The version in force for a region on a day (county → ancestors), or nil.
    public func inForce(region: RegionCode, on date: LocalDate) async throws -> PolicyVersion? {
        let codes = region.lineage.map(\.value)
        let records = try await PolicyVersionRecord.query(on: db)
            .filter(\.$regionCode ~~ codes)
            .filter(\.$effectiveFrom <= date.description)
            .all()
        return PolicySchedule(try records.map { try $0.version() }).version(for: region, on: date)
    }

    /// The versions of one region, newest first, with who set them.
    public func versions(of region: RegionCode) async throws -> [PolicyVersionRecord] {
        try await PolicyVersionRecord.query(on: db)
            .filter(\.$regionCode == region.value)
            .sort(\.$effectiveFrom, .descending)
            .all()
    }

    /// Adds a version (UserError if that region already has one on that date:
    /// versions are never overwritten — a correction is a new version with a
    /// later date); audited (`policy.set`, actor, region, date). `client` is
    /// the address of the browser, or `cli`.
    public func add(_ version: PolicyVersion, actor: String, role: String, now: Date = Date(),
                    client: String = "") async throws {
        let region = version.region.value
        let date = version.effectiveFrom.description
        let duplicate = UserError("policy.duplicate_date", field: "effectiveFrom",
                                  zh: "\(region) 在 \(date) 已有一版政策参数；版本不可覆盖，更正请以更晚的生效日期新增一版",
                                  en: "Region \(region) already has a policy version from \(date); versions are never overwritten — add a correction with a later date")
        do {
            try await db.transaction { tx in
                let existing = try await PolicyVersionRecord.query(on: tx)
                    .filter(\.$regionCode == region).filter(\.$effectiveFrom == date).count()
                guard existing == 0 else { throw duplicate }
                let record = PolicyVersionRecord()
                record.id = UUID()
                record.regionCode = region
                record.effectiveFrom = date
                record.policyJSON = version.policy.json.rendered(pretty: false)
                record.actor = actor
                record.createdMillis = now.millis
                try await record.create(on: tx)
                try await audit.append(AuditEntry(actor: actor, role: role, region: region, action: "policy.set",
                                                  objectType: "policy_version", objectID: "\(region)/\(date)",
                                                  client: client, detail: "effectiveFrom=\(date)"), on: tx, now: now)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another writer added the same date between the check and the insert.
            throw duplicate
        }
    }
}

extension PolicyVersionRecord {
    /// The stored row as a Core version. A row that does not read back is a
    /// damaged table, not a user's error: it fails loudly, naming the row.
    public func version() throws -> PolicyVersion {
        let region = try RegionCode(regionCode)
        let date = try LocalDate(parsing: effectiveFrom)
        let policy: VerificationPolicy
        switch Result(catching: { () throws(UserError) -> VerificationPolicy in try VerificationPolicy(json: policyJSON) }) {
        case .success(let value): policy = value
        case .failure(let error): throw PolicyStoreError.unreadable(region: regionCode, effectiveFrom: effectiveFrom, error)
        }
        return PolicyVersion(region: region, effectiveFrom: date, policy: policy)
    }

    /// The stored policy, or nil if the row does not read back.
    public var policy: VerificationPolicy? { try? VerificationPolicy(json: policyJSON) }
}

/// A stored policy version that no longer reads back (changed behind the application's back).
public enum PolicyStoreError: Error, Sendable, CustomStringConvertible {
    case unreadable(region: String, effectiveFrom: String, UserError)

    public var description: String {
        switch self {
        case .unreadable(let region, let date, let error):
            "policy_versions row \(region)/\(date) does not read back: \(error)"
        }
    }
}

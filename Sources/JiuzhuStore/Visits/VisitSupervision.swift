import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// 督办与异常 — what supervision derives from plans and check-ins: the
/// escalation tasks of visits left unmade past their grace period, and the
/// anomaly flags of the Core rules. Both are idempotent (dedupe keys), so the
/// background sweep, the command and a page may all run them.
public struct VisitSupervision: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// How far back anomaly detection looks: two of the longest example
    /// intervals, so a photo reused a month later is still caught.
    public static let detectionWindowDays = 62

    /// Escalates the visits past their grace period and flags anomalies:
    /// what the server's background worker and `jiuzhu visits sweep` run.
    public func sweep(today: LocalDate, now: Date, receivedSince: Int64? = nil) async throws -> (escalated: Int, flagged: Int) {
        let policies = VisitPolicyStore(db: db)
        let calendar = try await CalendarStore(db: db).calendar()
        let escalated = try await escalate(today: today, calendar: calendar, policies: policies, now: now)
        let flagged = try await detectAnomalies(now: now, policies: policies, receivedSince: receivedSince)
        return (escalated, flagged)
    }

    /// Opens an escalation task (Core `VisitEscalation`) for every plan whose
    /// visit is past its grace period on `today`; returns how many were opened.
    @discardableResult
    public func escalate(today: LocalDate, calendar: WorkingCalendar, policies: VisitPolicyStore, now: Date) async throws -> Int {
        let plans = try await VisitPlanRecord.query(on: db).all()
        let cache = VisitPolicyCache(store: policies)
        var opened = 0
        for plan in plans {
            guard let planID = plan.id?.uuidString, let region = try? RegionCode(plan.regionCode) else { continue }
            let policy = try await cache.policy(for: plan.regionCode)
            guard let schedule = VisitRepository.schedule(plan, policy: policy, calendar: calendar),
                  let task = VisitEscalation.task(for: schedule, on: today, calendar: calendar) else { continue }
            let draft = TaskDraft(kind: .visitOverdue, region: region, subjectType: "visit_plan", subjectID: planID,
                                  dedupeKey: "visit_overdue:\(planID):\(task.visitDueDate)", due: task.dueDate, rule: task.rule,
                                  detail: ["visitDue": task.visitDueDate.description, "escalatedOn": task.escalatedOn.description])
            if try await TaskRepository.open(draft, on: db, now: now) { opened += 1 }
        }
        return opened
    }

    /// Runs the Core anomaly rules over the check-ins of the last
    /// `detectionWindowDays` days, township by township under each township's
    /// policy (one township's check-ins in memory at a time), and stores the
    /// new flags; returns how many were new. With `receivedSince`, only the
    /// townships that received a check-in since then are looked at (the
    /// background sweep's increment; the flags are the same either way).
    @discardableResult
    public func detectAnomalies(now: Date, policies: VisitPolicyStore, receivedSince: Int64? = nil) async throws -> Int {
        let since = Int64(now.timeIntervalSince1970) - Int64(Self.detectionWindowDays) * 86_400
        var regions = db.sql.select().distinct().column("region_code").from(VisitCheckInRecord.schema)
            .where("at_unix", .greaterThanOrEqual, SQLBind(since))
        if let receivedSince { regions = regions.where("received_ms", .greaterThanOrEqual, SQLBind(receivedSince)) }
        let codes = try await regions.all().map { try $0.decode(column: "region_code", as: String.self) }
        let townships = Set(codes.compactMap { code in (try? RegionCode(code)).map { $0.ancestor(at: .township) ?? $0 } })
        var found = 0
        for township in townships.sorted() {
            let scope = RegionScope(root: township)
            let records = try await VisitCheckInRecord.query(on: db).filter(\.$atUnix >= since)
                .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound).all()
            found += try await flag(records, township: township, policy: try await policies.policy(for: township).policy, now: now)
        }
        return found
    }

    private func flag(_ records: [VisitCheckInRecord], township: RegionCode, policy: VisitPolicy, now: Date) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        let plans = try await VisitPlanRecord.query(on: db).filter(\.$id ~~ Set(records.map(\.planID))).all()
        var homes: [String: GeoPoint] = [:]
        for plan in plans { if let home = plan.home { homes[plan.personID.uuidString] = home } }
        let byID = Dictionary(uniqueKeysWithValues: records.compactMap { r in r.id.map { ($0.uuidString, r) } })
        let checkIns = records.compactMap { r -> CheckIn? in
            guard let id = r.id else { return nil }
            return CheckIn(id: id.uuidString, visitID: r.visitID, workerID: r.workerID.uuidString,
                           personID: r.personID.uuidString, unixSeconds: r.atUnix,
                           location: GeoPoint(latitude: r.latitude, longitude: r.longitude),
                           accuracyMetres: r.accuracyMetres, photoSHA256: r.photoSHA256,
                           observedFailedActivities: nil, needs: [])
        }
        var found = 0
        for flag in AnomalyRules.check(checkIns: checkIns, registeredLocations: homes, policy: policy) {
            let first = byID[flag.checkInIDs[0]]
            let rows = try await db.sql.insert(into: VisitAnomalyRecord.schema)
                .columns("id", "dedupe_key", "kind", "region_code", "checkin_ids", "evidence_zh", "evidence_en",
                         "first_at_unix", "detected_ms")
                .values(SQLBind(UUID()), SQLBind("\(flag.kind.rawValue):\(flag.checkInIDs.joined(separator: ","))"),
                        SQLBind(flag.kind.rawValue), SQLBind(first?.regionCode ?? township.value),
                        SQLBind(flag.checkInIDs.joined(separator: ",")), SQLBind(flag.description.zh),
                        SQLBind(flag.description.en), SQLBind(first?.atUnix ?? 0), SQLBind(now.millis))
                .ignoringConflicts(with: ["dedupe_key"])
                .returning("id")
                .all()
            found += rows.count
        }
        return found
    }

    /// The flags in `scope`: waiting for review first (oldest first), then
    /// the reviewed ones (newest review first), at most `limit`.
    public func anomalies(in scope: RegionScope, reviewed: Bool, limit: Int = 200) async throws -> [VisitAnomalyRecord] {
        let query = VisitAnomalyRecord.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
        if reviewed {
            return try await query.filter(\.$reviewedMillis != nil).sort(\.$reviewedMillis, .descending).limit(limit).all()
        }
        return try await query.filter(\.$reviewedMillis == nil).sort(\.$firstAtUnix).sort(\.$id).limit(limit).all()
    }

    public func anomaly(id: UUID, in scope: RegionScope) async throws -> VisitAnomalyRecord? {
        guard let flag = try await VisitAnomalyRecord.find(id, on: db), let region = try? RegionCode(flag.regionCode),
              scope.allows(region) else { return nil }
        return flag
    }

    /// Records the supervisor's verdict, once: a flag already reviewed is
    /// refused (two supervisors at once — the second is told). Audited in the
    /// same transaction.
    public func review(_ flag: VisitAnomalyRecord, verdict: AnomalyVerdict, note: String, reviewer: String,
                       audit: (chain: AuditChain, entry: AuditEntry), now: Date) async throws {
        let note = try TextLimits.anomalyNote(note)
        guard let id = flag.id else { return }
        try await db.transaction { tx in
            let updated = try await tx.sql.update(VisitAnomalyRecord.schema)
                .set("reviewed_ms", to: SQLBind(now.millis)).set("reviewer", to: SQLBind(reviewer))
                .set("verdict", to: SQLBind(verdict.rawValue)).set("review_note", to: SQLBind(note))
                .where("id", .equal, SQLBind(id)).where("reviewed_ms", .is, SQLLiteral.null)
                .returning("id")
                .all()
            guard !updated.isEmpty else {
                throw UserError("anomaly.already_reviewed", field: "verdict", zh: "此异常已由他人核查，请刷新页面",
                                en: "Someone else has reviewed this flag; reload the page")
            }
            var entry = audit.entry
            entry.objectType = "visit_anomaly"
            entry.objectID = id.uuidString
            entry.detail = "verdict=\(verdict.rawValue)"
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }
}

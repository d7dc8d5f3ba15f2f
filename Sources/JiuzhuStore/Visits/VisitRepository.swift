import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// What the phone sends for one check-in: the Core check-in (its `id` is
/// the idempotency key, its `workerID` the signed-in account's id, set by
/// the server), the photo as resized by the browser, and free notes.
public struct CheckInSubmission: Sendable {
    public let checkIn: CheckIn
    public let photo: Data
    public let notes: String

    public init(checkIn: CheckIn, photo: Data, notes: String) {
        self.checkIn = checkIn
        self.photo = photo
        self.notes = notes
    }

    /// SHA-256 over every field in a fixed order (activities sorted, needs
    /// in order), the photo's hash standing for the photo: one submission,
    /// one digest, whichever way it travelled.
    var contentDigest: String {
        let c = checkIn
        var parts = [c.id, c.visitID, c.workerID, c.personID, String(c.unixSeconds), String(c.location.latitude),
                     String(c.location.longitude), String(c.accuracyMetres), c.photoSHA256,
                     c.observedFailedActivities.map { $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "-",
                     notes]
        parts += c.needs
        let canonical = parts.map { "\($0.utf8.count):\($0)" }.joined()
        return hexString(SHA256.hash(data: Data(canonical.utf8)))
    }
}

/// How a submission was taken.
public enum CheckInReceipt: Sendable, Equatable {
    /// Stored now, under this id.
    case stored(UUID)
    /// Stored before (an offline retry): nothing changed.
    case replayed(UUID)

    public var id: UUID {
        switch self {
        case .stored(let id), .replayed(let id): id
        }
    }
}

/// 走访 — plans and check-ins.
public struct VisitRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// The largest photo kept (the browser sends about 100 KB).

    /// Puts `person` on a visit plan with `responsible` as the responsible
    /// person; refused if the person already has a plan.
    public func enrol(person: UUID, region: RegionCode, responsible: UUID, selfCare: SelfCareClass, on day: LocalDate,
                      home: GeoPoint? = nil, audit: (chain: AuditChain, entry: AuditEntry)? = nil,
                      now: Date = Date()) async throws -> VisitPlanRecord {
        try await db.transaction { tx in
            if try await VisitPlanRecord.query(on: tx).filter(\.$personID == person).first() != nil {
                throw UserError("visit.plan_exists", field: "person", zh: "此人已有走访计划", en: "This person already has a visit plan")
            }
            let plan = VisitPlanRecord()
            plan.id = UUID()
            plan.personID = person
            plan.regionCode = region.value
            plan.responsibleID = responsible
            plan.selfCare = selfCare.rawValue
            plan.enrolledOn = day.description
            plan.homeLatitude = home?.latitude
            plan.homeLongitude = home?.longitude
            plan.createdMillis = now.millis
            try await plan.create(on: tx)
            if let audit {
                var entry = audit.entry
                entry.objectType = "visit_plan"
                entry.objectID = plan.id?.uuidString ?? ""
                try await audit.chain.append(entry, on: tx, now: now)
            }
            return plan
        }
    }

    /// The plans `responsible` is responsible for.
    public func plans(responsible: UUID) async throws -> [VisitPlanRecord] {
        try await VisitPlanRecord.query(on: db).filter(\.$responsibleID == responsible).sort(\.$enrolledOn).all()
    }

    public func plan(person: UUID) async throws -> VisitPlanRecord? {
        try await VisitPlanRecord.query(on: db).filter(\.$personID == person).first()
    }

    /// When the plan's next visit is due, by the Core schedule.
    public static func schedule(_ plan: VisitPlanRecord, policy: VisitPolicy, calendar: WorkingCalendar) -> VisitSchedule? {
        guard let anchor = plan.anchor, let selfCare = plan.selfCareClass else { return nil }
        return VisitSchedule(policy: policy, selfCare: selfCare, lastVisitOrEnrolment: anchor, calendar: calendar)
    }

    /// Takes one check-in: checked by the Core rules, the photo against its
    /// hash, the worker against the plan; then stored once — the same
    /// check-in again (an offline retry, even concurrent) is `replayed`, the
    /// same id with other content is refused. The plan's latest visit moves
    /// on in the same transaction, with the audit event.
    ///
    /// In the same transaction the visit settles the plan's escalation task,
    /// and opens a re-assessment task when it saw another self-care class
    /// (Core `SelfCareChange`) and a needs task when it saw needs.
    public func submit(_ submission: CheckInSubmission, policy: VisitPolicy, calendar: WorkingCalendar, now: Date = Date(),
                       audit: (chain: AuditChain, entry: AuditEntry)? = nil) async throws -> CheckInReceipt {
        let checkIn = submission.checkIn
        let digest = submission.contentDigest
        // A retry of a check-in already stored is acknowledged first, whatever
        // changed since (its age, the plan's responsible person): otherwise the
        // phone would keep it queued for ever.
        if let existing = try await VisitCheckInRecord.query(on: db).filter(\.$clientID == checkIn.id).first(),
           existing.contentSHA256 == digest, let existingID = existing.id {
            return .replayed(existingID)
        }
        try CheckInValidation.validate(checkIn, now: Int64(now.timeIntervalSince1970.rounded(.down)), policy: policy)
        try TextLimits.checkInAttachments(photoBytes: submission.photo.count, notes: submission.notes)
        guard hexString(SHA256.hash(data: submission.photo)) == checkIn.photoSHA256 else {
            throw UserError("checkin.photo_mismatch", field: "photo", zh: "照片与其校验值不符", en: "The photo does not match its hash")
        }
        guard let personID = UUID(uuidString: checkIn.personID), let workerID = UUID(uuidString: checkIn.workerID),
              let plan = try await plan(person: personID), let planID = plan.id
        else {
            throw UserError("checkin.no_plan", field: "personID", zh: "此人没有走访计划", en: "This person has no visit plan")
        }
        guard plan.responsibleID == workerID else {
            throw UserError("checkin.not_responsible", field: "personID", zh: "您不是此人的包保责任人",
                            en: "You are not this person's responsible person")
        }
        let id = UUID()
        let visitDate = checkIn.localDate().description
        let cipher = keys.fieldCipher
        let context = { (column: String) in FieldContext(table: VisitCheckInRecord.schema, column: column, row: id.uuidString) }
        let photoSealed = try cipher.seal(submission.photo.base64EncodedString(), context: context("photo_sealed"))
        let notes = submission.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        let notesSealed = notes.isEmpty ? nil : try cipher.seal(notes, context: context("notes_sealed"))
        let needs = checkIn.needs.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let needsSealed = needs.isEmpty ? nil
            : try cipher.seal(JSONValue.array(needs.map { .string($0) }).rendered(pretty: false), context: context("needs_sealed"))
        let failed = checkIn.observedFailedActivities.map { $0.map(\.rawValue).sorted().joined(separator: ",") }

        return try await db.transaction { tx in
            let taken = try await tx.sql.insert(into: VisitCheckInRecord.schema)
                .columns("id", "client_id", "content_sha256", "plan_id", "person_id", "worker_id", "region_code", "visit_id",
                         "at_unix", "visit_date", "latitude", "longitude", "accuracy_m", "photo_sha256", "photo_sealed",
                         "notes_sealed", "failed_activities", "needs_sealed", "received_ms")
                .values(SQLBind(id), SQLBind(checkIn.id), SQLBind(digest), SQLBind(planID), SQLBind(personID), SQLBind(workerID),
                        SQLBind(plan.regionCode), SQLBind(checkIn.visitID), SQLBind(checkIn.unixSeconds), SQLBind(visitDate),
                        SQLBind(checkIn.location.latitude), SQLBind(checkIn.location.longitude), SQLBind(checkIn.accuracyMetres),
                        SQLBind(checkIn.photoSHA256), SQLBind(photoSealed), SQLBind(notesSealed), SQLBind(failed),
                        SQLBind(needsSealed), SQLBind(now.millis))
                .ignoringConflicts(with: ["client_id"])
                .returning("id")
                .all()
            guard !taken.isEmpty else {
                guard let existing = try await VisitCheckInRecord.query(on: tx).filter(\.$clientID == checkIn.id).first(),
                      let existingID = existing.id
                else { throw UserError("checkin.conflict", field: "id", zh: "打卡编号冲突，请重试", en: "Check-in id conflict; try again") }
                guard existing.contentSHA256 == digest else {
                    throw UserError("checkin.id_reused", field: "id", zh: "此打卡编号已用于另一条打卡记录",
                                    en: "This check-in id was already used for a different check-in")
                }
                return .replayed(existingID)
            }
            // The latest visit only moves forward (a queued older check-in
            // arriving late does not move it back).
            try await tx.sql.raw("""
                UPDATE visit_plans SET last_visit_on = \(bind: visitDate) WHERE id = \(bind: planID) \
                AND (last_visit_on IS NULL OR last_visit_on < \(bind: visitDate))
                """).run()
            try await openAndCloseTasks(after: checkIn, id: id, plan: plan, needs: needs, policy: policy, calendar: calendar,
                                        on: tx, now: now)
            if let audit {
                var entry = audit.entry
                entry.objectType = "visit_checkin"
                entry.objectID = id.uuidString
                try await audit.chain.append(entry, on: tx, now: now)
            }
            return .stored(id)
        }
    }

    private func openAndCloseTasks(after checkIn: CheckIn, id: UUID, plan: VisitPlanRecord, needs: [String],
                                   policy: VisitPolicy, calendar: WorkingCalendar, on tx: any Database, now: Date) async throws {
        guard let planID = plan.id?.uuidString, let region = try? RegionCode(plan.regionCode) else { return }
        try await TaskRepository.close(kind: .visitOverdue, subjectID: planID, by: checkIn.workerID,
                                       resolution: "visited \(checkIn.localDate())", on: tx, now: now)
        if let assessed = plan.selfCareClass,
           let task = SelfCareChange.reassessment(for: checkIn, assessed: assessed, policy: policy, calendar: calendar) {
            // One open re-assessment a plan: a second visit seeing the same
            // change does not add another.
            let open = try await TaskRecord.query(on: tx).filter(\.$subjectID == planID)
                .filter(\.$kind == TaskKind.selfCareReassessment.rawValue).filter(\.$closedMillis == nil).count()
            if open == 0 {
                try await TaskRepository.open(TaskDraft(
                    kind: .selfCareReassessment, region: region, subjectType: "visit_plan", subjectID: planID,
                    dedupeKey: "reassess:\(id.uuidString)", due: task.dueDate, rule: task.rule,
                    detail: ["checkin": id.uuidString, "assessed": task.assessed.rawValue, "observed": task.observed.rawValue,
                             "observedOn": task.observedOn.description]), on: tx, now: now)
            }
        }
        if !needs.isEmpty {
            let (due, rule) = VisitNeedsFollowUp.due(observedOn: checkIn.localDate(), calendar: calendar)
            try await TaskRepository.open(TaskDraft(
                kind: .visitNeeds, region: region, subjectType: "visit_checkin", subjectID: id.uuidString,
                dedupeKey: "needs:\(id.uuidString)", due: due, rule: rule, detail: ["plan": planID]), on: tx, now: now)
        }
    }

    /// The notes and needs of a check-in, opened.
    public func opened(_ record: VisitCheckInRecord) throws -> (notes: String, needs: [String]) {
        let cipher = keys.fieldCipher
        let row = record.id?.uuidString ?? ""
        let notes = try record.notesSealed.map {
            try cipher.open($0, context: FieldContext(table: VisitCheckInRecord.schema, column: "notes_sealed", row: row))
        } ?? ""
        var needs: [String] = []
        if let sealed = record.needsSealed {
            let json = try cipher.open(sealed, context: FieldContext(table: VisitCheckInRecord.schema, column: "needs_sealed", row: row))
            needs = (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
        }
        return (notes, needs)
    }

    /// Refers needs seen at a visit to their departments (a referral each,
    /// `origin = visit`, under the family's latest application, due by the
    /// referral policy), or — with no needs — records why none is referred;
    /// either way the check-in's needs task closes, in one transaction with
    /// the audit event. Refused when the task was already closed (two
    /// caseworkers at once: one wins).
    public func settleNeeds(of record: VisitCheckInRecord, refer needs: [ReferralNeed], note: String,
                            actor: String, calendar: WorkingCalendar, policy: ReferralPolicy = .standard,
                            audit: (chain: AuditChain, entry: AuditEntry), now: Date = Date()) async throws -> [ReferralRecord] {
        guard let checkInID = record.id else { return [] }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if needs.isEmpty, note.isEmpty {
            throw UserError("needs.nothing", field: "needs", zh: "请选择要转介的需求，或说明无须转介的原因",
                            en: "Choose the needs to refer, or say why none is referred")
        }
        var found: ApplicationRecord?
        if !needs.isEmpty {
            let households = try await MemberRecord.query(on: db).filter(\.$personID == record.personID)
                .filter(\.$leftMillis == nil).all().map(\.householdID)
            found = try await ApplicationRecord.query(on: db).filter(\.$householdID ~~ households)
                .sort(\.$createdMillis, .descending).first()
            guard found != nil else {
                throw UserError("needs.no_application", field: "needs", zh: "此人的家庭没有申请记录，无法转介；请先在窗口登记",
                                en: "This person's family has no application to refer under; register one at the window first")
            }
        }
        let today = LocalDate.today(now: now)
        let application = found
        return try await db.transaction { tx in
            let resolution = needs.isEmpty ? "noted" : "referred " + needs.map(\.rawValue).joined(separator: ",")
            let closed = try await TaskRepository.close(kind: .visitNeeds, subjectID: checkInID.uuidString, by: actor,
                                                        resolution: resolution, on: tx, now: now)
            guard closed > 0 else {
                throw UserError("needs.settled", field: "needs", zh: "这些需求已由他人处理，请刷新页面",
                                en: "Someone else has dealt with these needs; reload the page")
            }
            var referrals: [ReferralRecord] = []
            for need in ReferralNeed.allCases where needs.contains(need) {
                guard let application, let applicationID = application.id else { break }
                let referral = ReferralRecord(need: need, application: applicationID, household: application.householdID,
                                              region: record.regionCode, deadline: policy.deadline(for: need, from: today, calendar: calendar),
                                              now: now)
                referral.origin = "visit"
                referral.checkInID = checkInID
                try await referral.create(on: tx)
                referrals.append(referral)
            }
            var entry = audit.entry
            entry.objectType = "visit_checkin"
            entry.objectID = checkInID.uuidString
            entry.detail = resolution
            try await audit.chain.append(entry, on: tx, now: now)
            return referrals
        }
    }

    /// The photo of a check-in, opened.
    public func photo(of record: VisitCheckInRecord) throws -> Data {
        let context = FieldContext(table: VisitCheckInRecord.schema, column: "photo_sealed", row: record.id?.uuidString ?? "")
        guard let data = Data(base64Encoded: try keys.fieldCipher.open(record.photoSealed, context: context)) else {
            throw FieldCipherError.malformed
        }
        return data
    }

    /// Every plan in `scope`, by region then enrolment.
    public func plans(in scope: RegionScope) async throws -> [VisitPlanRecord] {
        try await VisitPlanRecord.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$regionCode).sort(\.$enrolledOn).sort(\.$id).all()
    }

    /// One plan, if it lies in `scope`.
    public func plan(id: UUID, in scope: RegionScope) async throws -> VisitPlanRecord? {
        guard let plan = try await VisitPlanRecord.find(id, on: db), let region = try? RegionCode(plan.regionCode),
              scope.allows(region) else { return nil }
        return plan
    }

    /// Changes a plan: the responsible person, the registered location, or —
    /// after a re-assessment — the self-care class, which also closes the
    /// plan's open re-assessment tasks. Audited in the same transaction.
    public func update(plan: VisitPlanRecord, responsible: UUID, selfCare: SelfCareClass, home: GeoPoint?,
                       actor: String, audit: (chain: AuditChain, entry: AuditEntry), now: Date = Date()) async throws {
        try await db.transaction { tx in
            let reassessed = plan.selfCare != selfCare.rawValue
            plan.responsibleID = responsible
            plan.selfCare = selfCare.rawValue
            plan.homeLatitude = home?.latitude
            plan.homeLongitude = home?.longitude
            try await plan.update(on: tx)
            if let planID = plan.id?.uuidString {
                try await TaskRepository.close(kind: .selfCareReassessment, subjectID: planID, by: actor,
                                               resolution: reassessed ? "reassessed \(selfCare.rawValue)" : "assessment kept \(selfCare.rawValue)",
                                               on: tx, now: now)
            }
            var entry = audit.entry
            entry.objectType = "visit_plan"
            entry.objectID = plan.id?.uuidString ?? ""
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    /// The visits owed by every plan in `scope` up to `through`
    /// (`VisitObligation.history`), each plan under its region's policy:
    /// what the compliance figures count.
    public func obligations(in scope: RegionScope, through end: LocalDate, policies: VisitPolicyStore,
                            calendar: WorkingCalendar) async throws -> [VisitObligation] {
        let plans = try await VisitPlanRecord.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound).all()
        guard !plans.isEmpty else { return [] }
        var visits: [UUID: [LocalDate]] = [:]
        for chunk in plans.compactMap(\.id).chunked(1000) {
            let ids: [any Encodable & Sendable] = chunk.map { $0 }
            let rows = try await db.sql.raw("SELECT plan_id, visit_date FROM visit_checkins WHERE plan_id IN (\(binds: ids))").all()
            for row in rows {
                let plan = try row.decode(column: "plan_id", as: UUID.self)
                visits[plan, default: []].append(try LocalDate(parsing: try row.decode(column: "visit_date", as: String.self)))
            }
        }
        let cache = VisitPolicyCache(store: policies)
        var owed: [VisitObligation] = []
        for plan in plans {
            guard let id = plan.id, let selfCare = plan.selfCareClass else { continue }
            let region = try RegionCode(plan.regionCode)
            let policy = try await cache.policy(for: plan.regionCode)
            owed += VisitObligation.history(personID: plan.personID.uuidString, region: region, selfCare: selfCare,
                                            enrolledOn: try LocalDate(parsing: plan.enrolledOn), visits: visits[id] ?? [],
                                            policy: policy, calendar: calendar, through: end)
        }
        return owed
    }

    /// A plan's check-ins within `scope`, newest first.
    public func checkIns(plan: UUID, in scope: RegionScope) async throws -> [VisitCheckInRecord] {
        try await VisitCheckInRecord.query(on: db).filter(\.$planID == plan)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$atUnix, .descending).all()
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// A validated one-window application, ready to store.
public struct IntakeDraft: Sendable {
    public var region: RegionCode
    public var address: String?
    public var members: [MemberDraft]
    public var programmes: Set<Programme>
    public var needs: Set<ReferralNeed>
    public var channel: IntakeChannel
    public var entrustment: Entrustment?
    public var conflict: ConflictOfInterest
    public var materialsProvided: Set<String>
    /// The scanned written entrustment of a proxy application.
    public var entrustmentScan: ScannedFile?

    public init(region: RegionCode, address: String?, members: [MemberDraft], programmes: Set<Programme>,
                needs: Set<ReferralNeed>, channel: IntakeChannel, entrustment: Entrustment?,
                conflict: ConflictOfInterest, materialsProvided: Set<String>) {
        self.region = region
        self.address = address
        self.members = members
        self.programmes = programmes
        self.needs = needs
        self.channel = channel
        self.entrustment = entrustment
        self.conflict = conflict
        self.materialsProvided = materialsProvided
    }
}

public struct IntakeResult: Sendable {
    public let application: ApplicationRecord
    public let household: HouseholdRecord
    public let missing: [MaterialItem]
    public let referrals: [ReferralRecord]
}

/// Registers applications: household, members (sealed), application,
/// timeline, referrals and dibao claims in one transaction with its audit event.
public struct IntakeRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// The checklist in force for a region: its own, else the nearest ancestor's, else the national one.
    public func checklist(for region: RegionCode) async throws -> MaterialChecklist {
        let codes = region.lineage.map(\.value)
        let overrides = try await ChecklistRecord.query(on: db).filter(\.$id ~~ codes).all()
        for code in codes.reversed() {
            if let record = overrides.first(where: { $0.id == code }),
               let checklist = try? MaterialChecklist.decode(Data(record.json.utf8)) {
                return checklist
            }
        }
        return .national
    }

    /// Sets a region's own checklist (nil: back to the ancestors' or the national one).
    public func setChecklist(_ checklist: MaterialChecklist?, for region: RegionCode, audit: AuditEntry, now: Date) async throws {
        try await db.transaction { tx in
            try await ChecklistRecord.query(on: tx).filter(\.$id == region.value).delete()
            if let checklist {
                let record = ChecklistRecord()
                record.id = region.value
                record.json = String(decoding: try checklist.encode(), as: UTF8.self)
                try await record.create(on: tx)
            }
            try await AuditChain(keys: keys).append(audit, on: tx, now: now)
        }
    }

    /// Whether the region has a checklist of its own.
    public func hasOwnChecklist(_ region: RegionCode) async throws -> Bool {
        try await ChecklistRecord.find(region.value, on: db) != nil
    }

    /// Stores an application. `scope` is the staff member's (nil for the public online channel).
    public func register(_ draft: IntakeDraft, scope: RegionScope?, audit: AuditEntry, today: LocalDate, now: Date,
                         calendar: WorkingCalendar, policy: ReferralPolicy = .standard) async throws -> IntakeResult {
        if let scope, !scope.allows(draft.region) { throw RegionAccess.outOfScope(draft.region) }
        let problems = HouseholdRules.validate(members: draft.members)
        if !problems.isEmpty { throw HouseholdRules.Errors(problems) }
        guard !draft.programmes.isEmpty || !draft.needs.isEmpty else {
            throw HouseholdRules.Errors([UserError("intake.nothing_requested", field: "programmes",
                                                        zh: "请至少选择一个救助项目或转介需求",
                                                        en: "Choose at least one programme or referral need")])
        }
        let checklist = try await checklist(for: draft.region)
        let missing = checklist.missing(provided: draft.materialsProvided, for: draft.programmes)
        return try await db.transaction { tx in
            let people = PeopleRepository(db: tx, keys: keys)
            try await checkDibaoElsewhere(draft, on: tx)
            var persons: [PersonRecord] = []
            for member in draft.members {
                persons.append(try await people.save(member.person, region: draft.region, now: now))
            }
            let head = persons[draft.members.firstIndex { $0.relation == .head } ?? 0]
            let household = try await household(headedBy: head, draft: draft, now: now, on: tx)
            let householdID = try household.requireID()
            for (position, (member, person)) in zip(draft.members, persons).enumerated() {
                let row = MemberRecord()
                row.householdID = householdID
                row.personID = try person.requireID()
                row.regionCode = draft.region.value
                row.relation = member.relation.rawValue
                row.coResident = member.coResident
                row.status = member.status.rawValue
                row.position = position
                row.joinedMillis = now.millis
                try await row.create(on: tx)
            }

            let application = ApplicationRecord()
            application.id = UUID()
            var rng = SystemRandomNumberGenerator()
            application.trackingCode = TrackingCode.generate(using: &rng).value
            application.householdID = householdID
            application.regionCode = draft.region.value
            application.channel = draft.channel.rawValue
            application.programmes = Programme.allCases.filter(draft.programmes.contains).map(\.rawValue).joined(separator: ",")
            application.referralNeeds = ReferralNeed.allCases.filter(draft.needs.contains).map(\.rawValue).joined(separator: ",")
            let status: ApplicationStatus = draft.channel == .online ? .submittedOnline : (missing.isEmpty ? .accepted : .awaitingMaterials)
            application.status = status.rawValue
            application.materials = draft.materialsProvided.sorted().joined(separator: ",")
            application.conflict = draft.conflict.rawValue
            application.separateRegister = draft.conflict.requiresSeparateRegister
            if let entrustment = draft.entrustment {
                let json = String(decoding: try JSONEncoder().encode(entrustment), as: UTF8.self)
                application.entrustmentSealed = try keys.fieldCipher.seal(
                    json, context: FieldContext(table: ApplicationRecord.schema, column: "entrustment_sealed", row: application.id!.uuidString))  // programmer error: id set above
            }
            application.createdBy = audit.actor == "-" ? nil : audit.actor
            application.acceptedOn = today.description
            application.createdMillis = now.millis
            application.version = 1
            try await application.create(on: tx)
            let applicationID = try application.requireID()

            if let scan = draft.entrustmentScan {
                try await DocumentRecord.sealing(scan, applicationID: applicationID, regionCode: draft.region.value,
                                                 purpose: "entrustment", keys: keys, now: now).create(on: tx)
            }
            try await addEvent(applicationID, householdID, kind: status.rawValue, text: status.publicName, now: now, on: tx)
            if draft.conflict.requiresSeparateRegister {
                try await addEvent(applicationID, householdID, kind: "separate_register",
                                   text: Bilingual(zh: "已单独登记备案，由县级入户核查", en: "Entered in the separate register; the county will visit"),
                                   now: now, on: tx)
            }
            var referrals: [ReferralRecord] = []
            for need in ReferralNeed.allCases where draft.needs.contains(need) {
                let referral = ReferralRecord(need: need, application: applicationID, household: householdID, region: draft.region.value,
                                              deadline: policy.deadline(for: need, from: today, calendar: calendar), now: now)
                try await referral.create(on: tx)
                referrals.append(referral)
                try await addEvent(applicationID, householdID, kind: "referral",
                                   text: Bilingual(zh: "已转介\(need.department.name.zh)：\(need.name.zh)",
                                                   en: "Referred to \(need.department.name.en): \(need.name.en)"), now: now, on: tx)
            }
            if draft.programmes.contains(.dibao) {
                for (member, person) in zip(draft.members, persons) {
                    let claim = try await DibaoClaimRecord.find(person.idBlind, on: tx) ?? DibaoClaimRecord()
                    let isNew = claim.id == nil
                    claim.id = person.idBlind
                    claim.householdID = householdID
                    claim.applicationID = applicationID
                    claim.regionCode = draft.region.value
                    claim.state = claim.$state.value ?? "applied"
                    claim.sinceMillis = now.millis
                    _ = member
                    if isNew { try await claim.create(on: tx) } else { try await claim.update(on: tx) }
                }
            }
            // Accepted at once (complete, at the window): each programme's case
            // starts on the statutory clock today.
            if status == .accepted {
                _ = try await CaseRepository.open(application: application, programmes: Programme.allCases.filter(draft.programmes.contains),
                                                  acceptedOn: today, keys: keys, calendar: calendar, on: tx, now: now)
            }
            var entry = audit
            entry.objectType = "application"
            entry.objectID = application.trackingCode
            entry.region = draft.region.value
            try await AuditChain(keys: keys).append(entry, on: tx, now: now)
            return IntakeResult(application: application, household: household, missing: missing, referrals: referrals)
        }
    }

    /// 受理 — an application waiting for materials (or submitted online) is
    /// accepted: its programmes' cases start on the statutory clock today.
    /// Refused when its status does not allow it (already accepted by
    /// someone else, withdrawn). One transaction with the audit event.
    public func accept(_ application: ApplicationRecord, today: LocalDate, calendar: WorkingCalendar, audit: AuditEntry,
                       now: Date) async throws {
        let id = try application.requireID()
        guard let status = ApplicationStatus(rawValue: application.status), status.next.contains(.accepted) else {
            throw UserError("application.not_acceptable", field: "status", zh: "此申请当前不能受理（可能已被他人受理），请刷新页面",
                            en: "This application cannot be accepted now (someone may have done it already); reload the page")
        }
        try await db.transaction { tx in
            let updated = try await tx.sql.update(ApplicationRecord.schema)
                .set("status", to: SQLBind(ApplicationStatus.accepted.rawValue)).set("accepted_on", to: SQLBind(today.description))
                .set("version", to: SQLBind(application.version + 1))
                .where("id", .equal, SQLBind(id)).where("version", .equal, SQLBind(application.version))
                .returning("id").all()
            guard !updated.isEmpty else {
                throw UserError("application.not_acceptable", field: "status", zh: "此申请当前不能受理（可能已被他人受理），请刷新页面",
                                en: "This application cannot be accepted now (someone may have done it already); reload the page")
            }
            application.status = ApplicationStatus.accepted.rawValue
            application.acceptedOn = today.description
            application.version += 1
            try await addEvent(id, application.householdID, kind: ApplicationStatus.accepted.rawValue,
                               text: ApplicationStatus.accepted.publicName, now: now, on: tx)
            let programmes = application.programmes.split(separator: ",").compactMap { Programme(rawValue: String($0)) }
            _ = try await CaseRepository.open(application: application, programmes: programmes, acceptedOn: today, keys: keys,
                                              calendar: calendar, on: tx, now: now)
            var entry = audit
            entry.objectType = "application"
            entry.objectID = application.trackingCode
            try await AuditChain(keys: keys).append(entry, on: tx, now: now)
        }
    }

    /// 一个人只能在一个低保家庭: a member already claimed by another household's dibao is refused;
    /// the message names the region, never the other family.
    private func checkDibaoElsewhere(_ draft: IntakeDraft, on tx: any Database) async throws {
        var problems: [UserError] = []
        let headID = draft.members.first { $0.relation == .head }?.person.id
        let headPerson = try await headID.asyncMap { try await PeopleRepository(db: tx, keys: keys).personAnywhere(idNumber: $0) } ?? nil
        let ownHousehold = try await headPerson.asyncMap { try await activeHousehold(headedBy: $0, on: tx)?.id } ?? nil
        let regions = RegionRepository(db: tx)
        for (index, member) in draft.members.enumerated() {
            let claims = try await DibaoClaimRecord.query(on: tx).filter(\.$id ~~ keys.blindIndexes(member.person.id.value)).all()
            guard let claim = claims.first(where: { $0.householdID != ownHousehold }) else { continue }
            let place = (try? await regions.fullName(try RegionCode(claim.regionCode))) ?? claim.regionCode
            let state = claim.state == "active" ? Bilingual(zh: "正在享受低保", en: "receives dibao") : Bilingual(zh: "已有低保申请在办", en: "already has a dibao application under way")
            problems.append(UserError("intake.dibao_elsewhere", field: "members[\(index)].idNumber",
                                      zh: "该成员在\(place)\(state.zh)，一人只能在一个低保家庭中",
                                      en: "This person \(state.en) in \(place); a person can be in only one dibao household"))
        }
        if !problems.isEmpty { throw HouseholdRules.Errors(problems) }
    }

    private func activeHousehold(headedBy person: PersonRecord, on tx: any Database) async throws -> HouseholdRecord? {
        try await HouseholdRecord.query(on: tx).filter(\.$headPersonID == person.requireID()).sort(\.$createdMillis, .descending).first()
    }

    /// The head's existing household is reused (its earlier members leave, the
    /// new list joins), so each family keeps one assistance chain.
    private func household(headedBy head: PersonRecord, draft: IntakeDraft, now: Date, on tx: any Database) async throws -> HouseholdRecord {
        let cipher = keys.fieldCipher
        if let existing = try await activeHousehold(headedBy: head, on: tx) {
            try await MemberRecord.query(on: tx).filter(\.$householdID == existing.requireID()).filter(\.$leftMillis == nil)
                .set(\.$leftMillis, to: now.millis).update()
            existing.regionCode = draft.region.value
            existing.addressSealed = try cipher.seal(draft.address, context: FieldContext(table: HouseholdRecord.schema, column: "address_sealed", row: existing.id?.uuidString ?? ""))
            existing.version += 1
            try await existing.update(on: tx)
            return existing
        }
        let household = HouseholdRecord()
        household.id = UUID()
        household.regionCode = draft.region.value
        household.headPersonID = try head.requireID()
        household.addressSealed = try cipher.seal(draft.address, context: FieldContext(table: HouseholdRecord.schema, column: "address_sealed", row: household.id!.uuidString))  // programmer error: id set above
        household.createdMillis = now.millis
        household.version = 1
        try await household.create(on: tx)
        return household
    }

    private func addEvent(_ applicationID: UUID, _ householdID: UUID, kind: String, text: Bilingual, now: Date, on tx: any Database) async throws {
        let event = ApplicationEventRecord()
        event.applicationID = applicationID
        event.householdID = householdID
        event.atMillis = now.millis
        event.kind = kind
        event.textZh = text.zh
        event.textEn = text.en
        try await event.create(on: tx)
    }

    // MARK: Reading

    /// The application's scanned entrustment, opened (the caller audits the view).
    public func entrustmentScan(of application: ApplicationRecord) async throws -> ScannedFile? {
        try await DocumentRecord.query(on: db).filter(\.$applicationID == application.requireID())
            .filter(\.$purpose == "entrustment").first()?.open(keys: keys)
    }

    public func application(trackingCode: TrackingCode) async throws -> ApplicationRecord? {
        try await ApplicationRecord.query(on: db).filter(\.$trackingCode == trackingCode.value).first()
    }

    public func application(id: UUID, in scope: RegionScope) async throws -> ApplicationRecord? {
        guard let application = try await ApplicationRecord.find(id, on: db) else { return nil }
        let region = try RegionCode(application.regionCode)
        guard scope.allows(region) else { throw RegionAccess.outOfScope(region) }
        return application
    }

    public func events(applicationID: UUID) async throws -> [ApplicationEventRecord] {
        try await ApplicationEventRecord.query(on: db).filter(\.$applicationID == applicationID).sort(\.$atMillis).all()
    }

    /// 一户一条救助链: every application, event and referral of the household in time order.
    public func chain(householdID: UUID) async throws -> (applications: [ApplicationRecord], events: [ApplicationEventRecord], referrals: [ReferralRecord]) {
        let applications = try await ApplicationRecord.query(on: db).filter(\.$householdID == householdID).sort(\.$createdMillis).all()
        let events = try await ApplicationEventRecord.query(on: db).filter(\.$householdID == householdID).sort(\.$atMillis).all()
        let referrals = try await ReferralRecord.query(on: db).filter(\.$householdID == householdID).sort(\.$createdMillis).all()
        return (applications, events, referrals)
    }

    /// A department's queue inside the scope, earliest deadline first.
    public func referralQueue(department: Department, in scope: RegionScope, openOnly: Bool = true) async throws -> [ReferralRecord] {
        var query = ReferralRecord.query(on: db)
            .filter(\.$department == department.rawValue)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
        if openOnly { query = query.filter(\.$status ~~ [ReferralStatus.open.rawValue, ReferralStatus.inProgress.rawValue]) }
        return try await query.sort(\.$deadline).limit(200).all()
    }

    /// Records a department's progress or outcome on a referral.
    public func update(referral: ReferralRecord, status: ReferralStatus, outcome: String?, owner: String,
                       audit: AuditEntry, now: Date) async throws {
        try await db.transaction { tx in
            referral.status = status.rawValue
            referral.outcome = outcome
            referral.owner = owner
            referral.updatedMillis = now.millis
            try await referral.update(on: tx)
            let need = ReferralNeed(rawValue: referral.need)
            let text = status == .done || status == .declined
                ? Bilingual(zh: "\(need?.department.name.zh ?? referral.department)\(status.name.zh)：\(outcome ?? "")",
                            en: "\(need?.department.name.en ?? referral.department) \(status.name.en.lowercased()): \(outcome ?? "")")
                : Bilingual(zh: "\(need?.department.name.zh ?? referral.department)\(status.name.zh)",
                            en: "\(need?.department.name.en ?? referral.department): \(status.name.en.lowercased())")
            try await addEvent(referral.applicationID, referral.householdID, kind: "referral_\(status.rawValue)", text: text, now: now, on: tx)
            try await AuditChain(keys: keys).append(audit, on: tx, now: now)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}

import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// Who acts on a case: the account, its role and home region.
public struct CaseActorIdentity: Sendable {
    public let username: String
    public let role: StaffRole
    public let home: RegionCode

    public init(username: String, role: StaffRole, home: RegionCode) {
        self.username = username
        self.role = role
        self.home = home
    }
}

/// 案件办理 — cases opened from accepted applications and moved by the Core
/// workflow. Every action is one transaction: the case row (only if its
/// version is still the one the actor saw), the event, the next step's task,
/// the audit event.
public struct CaseRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func context(_ table: String, _ column: String, _ id: UUID) -> FieldContext {
        FieldContext(table: table, column: column, row: id.uuidString)
    }

    // MARK: Opening

    /// Opens one case per programme of an application on its acceptance day,
    /// with its first step's task; in the caller's transaction.
    public static func open(application: ApplicationRecord, programmes: [Programme], acceptedOn: LocalDate, keys: KeyRing,
                            calendar: WorkingCalendar, on tx: any Database,
                            now: Date) async throws -> [CaseRecord] {
        let applicationID = try application.requireID()
        let region = try RegionCode(application.regionCode)
        let options = try await WorkflowPolicyStore(db: tx).options(for: region).options
        var opened: [CaseRecord] = []
        for programme in programmes {
            let workflow = CaseWorkflow(programme: programme, options: options, calendar: calendar)
            let (progress, deadlines) = workflow.start(acceptedOn: acceptedOn, region: region)
            let record = CaseRecord()
            let id = UUID()
            record.id = id
            record.applicationID = applicationID
            record.householdID = application.householdID
            record.programme = programme.rawValue
            record.regionCode = application.regionCode
            record.state = progress.state.rawValue
            record.version = 1
            record.acceptedOn = acceptedOn.description
            record.deadlines = String(decoding: try encoder.encode(deadlines), as: UTF8.self)
            record.inputsSealed = try keys.fieldCipher.seal(String(decoding: try encoder.encode(CaseInputs()), as: UTF8.self),
                                                            context: context(CaseRecord.schema, "inputs_sealed", id))
            record.createdMillis = now.millis
            record.updatedMillis = now.millis
            try await record.create(on: tx)
            try await openAgendaTask(record, workflow: workflow, progress: progress, deadlines: deadlines, today: acceptedOn,
                                     transferTo: nil, on: tx, now: now)
            opened.append(record)
        }
        return opened
    }

    /// Closes the case's step task and opens the next one: for the role its
    /// agenda names, in the receiving county's region while a transfer waits;
    /// an approved case's review only once it comes within the reminder window
    /// (the sweep opens it then).
    @discardableResult
    private static func openAgendaTask(_ record: CaseRecord, workflow: CaseWorkflow, progress: CaseProgress,
                                       deadlines: [CaseDeadline], today: LocalDate, transferTo: RegionCode?,
                                       closing: Bool = true, force: Bool = false, on tx: any Database, now: Date) async throws -> Bool {
        let id = try record.requireID()
        if closing {
            try await TaskRepository.close(kind: .caseStep, subjectID: id.uuidString, by: "workflow",
                                           resolution: "moved to \(record.state)", on: tx, now: now)
        }
        guard let next = CaseAgenda.next(workflow, progress: progress, deadlines: deadlines),
              let region = transferTo ?? (try? RegionCode(record.regionCode)) else { return false }
        if !force, progress.state == .approved, let due = next.due,
           !workflow.options.review.isInInbox(due: due.date, today: today) { return false }
        let rule = next.due?.rule ?? Bilingual(zh: "无单独时限", en: "No separate time limit")
        return try await TaskRepository.open(TaskDraft(
            kind: .caseStep, region: region, subjectType: "case", subjectID: id.uuidString,
            dedupeKey: "case:\(id.uuidString):v\(record.version)", due: next.due?.date ?? today, rule: rule,
            detail: ["actions": next.actions.map(\.rawValue).joined(separator: ","), "programme": record.programme,
                     "application": record.applicationID.uuidString],
            assignee: next.role), on: tx, now: now)
    }

    // MARK: Reading

    /// The cases registered in `scope`, and those waiting to move into it.
    public func cases(in scope: RegionScope, pendingOnly: Bool = false, limit: Int = 500) async throws -> [CaseRecord] {
        var query = CaseRecord.query(on: db).group(.or) { or in
            or.group(.and) { $0.filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound) }
            or.group(.and) { $0.filter(\.$transferTo >= scope.root.value).filter(\.$transferTo < scope.upperBound) }
        }
        if pendingOnly { query = query.filter(\.$state ~~ CaseState.allCases.filter(\.awaitsDecision).map(\.rawValue)) }
        return try await query.sort(\.$acceptedOn, .descending).sort(\.$id).limit(limit).all()
    }

    public func caseRecord(id: UUID, in scope: RegionScope) async throws -> CaseRecord? {
        guard let record = try await CaseRecord.find(id, on: db), let region = try? RegionCode(record.regionCode) else { return nil }
        if scope.allows(region) { return record }
        guard let destination = record.transferTo.flatMap({ try? RegionCode($0) }), scope.allows(destination) else { return nil }
        return record
    }

    public func cases(application: UUID) async throws -> [CaseRecord] {
        try await CaseRecord.query(on: db).filter(\.$applicationID == application).sort(\.$programme).all()
    }

    public func events(caseID: UUID) async throws -> [CaseEventRecord] {
        try await CaseEventRecord.query(on: db).filter(\.$caseID == caseID).sort(\.$version).all()
    }

    public func inputs(of record: CaseRecord) throws -> CaseInputs {
        let json = try keys.fieldCipher.open(record.inputsSealed,
                                             context: Self.context(CaseRecord.schema, "inputs_sealed", try record.requireID()))
        return try JSONDecoder().decode(CaseInputs.self, from: Data(json.utf8))
    }

    public func inputs(of event: CaseEventRecord) throws -> CaseInputs {
        let json = try keys.fieldCipher.open(event.inputsSealed,
                                             context: Self.context(CaseEventRecord.schema, "inputs_sealed", try event.requireID()))
        return try JSONDecoder().decode(CaseInputs.self, from: Data(json.utf8))
    }

    public func progress(of record: CaseRecord) throws -> CaseProgress {
        guard let state = record.caseState else { throw FieldCipherError.malformed }
        var extended: CaseExtension?
        if let sealed = record.extensionSealed {
            let reason = try keys.fieldCipher.open(sealed, context: Self.context(CaseRecord.schema, "extension_sealed", try record.requireID()))
            extended = try? CaseExtension(reason: reason)
        }
        return CaseProgress(state: state, acceptedOn: try LocalDate(parsing: record.acceptedOn),
                            publicityStartedOn: try record.publicityStartedOn.map { try LocalDate(parsing: $0) }, extended: extended,
                            region: try RegionCode(record.regionCode), lastPaidMonth: record.lastPaidMonth,
                            terminationNoticePostedOn: try record.terminationPostedOn.map { try LocalDate(parsing: $0) })
    }

    // MARK: Acting

    /// Takes `action` on the case as it was at `expectedVersion`. Refused with
    /// `case.stale` (nothing written) when someone else acted since; with the
    /// Core's message when the step, the actor or the inputs are wrong.
    public func act(on record: CaseRecord, expectedVersion: Int, action: CaseAction, inputs: CaseInputs,
                    actor: CaseActorIdentity, on date: LocalDate, calendar: WorkingCalendar,
                    audit: (chain: AuditChain, entry: AuditEntry), now: Date = Date()) async throws -> CaseRecord {
        guard record.version == expectedVersion else { throw Self.stale }
        guard let programme = record.programmeValue else { throw FieldCipherError.malformed }
        guard date <= LocalDate.today(now: now) else {
            throw UserError("case.date_in_future", field: "date", zh: "办理日期不能晚于今天", en: "The date cannot be in the future")
        }
        let id = try record.requireID()
        let region = try RegionCode(record.regionCode)
        let options = try await WorkflowPolicyStore(db: db).options(for: region).options
        let workflow = CaseWorkflow(programme: programme, options: options, calendar: calendar)
        var current = try progress(of: record)
        if programme == .tekun { current.sample = try await TekunSamplingRepository(db: db).membership(caseID: id) }
        let progress = current
        let stored = try self.inputs(of: record)
        let transferTo = record.transferTo.flatMap { try? RegionCode($0) }
        // Accepting or declining a transfer is about the destination already requested.
        var inputs = inputs
        if action == .acceptTransfer || action == .declineTransfer { inputs.transfer = stored.transfer }
        let transition = try workflow.apply(action, to: progress,
                                            actor: CaseActor(role: actor.role, home: actor.home, caseRegion: region, transferTo: transferTo),
                                            inputs: inputs, on: date).get()
        let next = transition.progress
        let deadlines = CaseAgenda.merge(record.deadlineList, with: transition.deadlines, clearing: transition.step.clears)
        let cipher = keys.fieldCipher
        let merged = stored.merged(with: inputs)
        let inputsSealed = try cipher.seal(String(decoding: try Self.encoder.encode(merged), as: UTF8.self),
                                           context: Self.context(CaseRecord.schema, "inputs_sealed", id))
        let extensionSealed = try next.extended.map {
            try cipher.seal($0.reason, context: Self.context(CaseRecord.schema, "extension_sealed", id))
        }
        // Approval sets the amount and the first month; a change replaces the amount (frozen rolls keep theirs).
        let approvedNow = action == .approve
        let decided = approvedNow || action == .reject
        let monthly = next.state == .approved ? (inputs.amount?.fen ?? record.monthlyFen) : record.monthlyFen
        let startMonth = approvedNow ? CaseClock.firstPaidMonth(approvedOn: date)?.description : record.startMonth
        let eventID = UUID()
        let eventSealed = try cipher.seal(String(decoding: try Self.encoder.encode(inputs), as: UTF8.self),
                                          context: Self.context(CaseEventRecord.schema, "inputs_sealed", eventID))
        let newVersion = expectedVersion + 1
        let newRegion = next.region ?? region
        let newTransferTo = next.state == .transferring ? inputs.transfer?.destination : nil
        let paidFirst = action == .payFirst ? inputs.amount : nil
        let nextReview = deadlines.filter { [.review, .changeReview, .taperEnd].contains($0.kind) }.map(\.date).min()
        // An approved case's next step waits for the sweep until its reminder day (unless it is in the window already).
        let reminder: LocalDate? = {
            guard next.state == .approved, let due = CaseAgenda.next(workflow, progress: next, deadlines: deadlines)?.due,
                  !options.review.isInInbox(due: due.date, today: date) else { return nil }
            return options.review.reminderDay(due: due.date)
        }()

        return try await db.transaction { tx in
            let updated = try await tx.sql.update(CaseRecord.schema)
                .set("state", to: SQLBind(next.state.rawValue))
                .set("version", to: SQLBind(newVersion))
                .set("publicity_started_on", to: SQLBind(next.publicityStartedOn?.description))
                .set("extension_sealed", to: SQLBind(extensionSealed ?? record.extensionSealed))
                .set("deadlines", to: SQLBind(String(decoding: try Self.encoder.encode(deadlines), as: UTF8.self)))
                .set("inputs_sealed", to: SQLBind(inputsSealed))
                .set("monthly_fen", to: SQLBind(monthly))
                .set("start_month", to: SQLBind(startMonth))
                .set("decided_on", to: SQLBind(decided ? date.description : record.decidedOn))
                .set("last_month", to: SQLBind(next.lastPaidMonth?.description))
                .set("next_review_on", to: SQLBind(next.state == .approved ? nextReview?.description : nil))
                .set("reminder_on", to: SQLBind(reminder?.description))
                .set("region_code", to: SQLBind(newRegion.value))
                .set("transfer_to", to: SQLBind(newTransferTo?.value))
                .set("termination_posted_on", to: SQLBind(next.terminationNoticePostedOn?.description))
                .set("updated_ms", to: SQLBind(now.millis))
                .where("id", .equal, SQLBind(id)).where("version", .equal, SQLBind(expectedVersion))
                .returning("id")
                .all()
            guard !updated.isEmpty else { throw Self.stale }
            let event = CaseEventRecord()
            event.id = eventID
            event.caseID = id
            event.version = newVersion
            event.action = action.rawValue
            event.fromState = progress.state.rawValue
            event.toState = next.state.rawValue
            event.onDate = date.description
            event.actor = actor.username
            event.role = actor.role.rawValue
            event.inputsSealed = eventSealed
            event.atMillis = now.millis
            try await event.create(on: tx)

            if action == .raiseObjection {
                try await TaskRepository.close(kind: .publicityObjection, subjectID: id.uuidString, by: actor.username,
                                               resolution: "recorded on the case", on: tx, now: now)
            }
            if newRegion != region {
                try await Self.moveHousehold(record.householdID, to: newRegion, on: tx)
            }
            if let amount = paidFirst, let township = region.ancestor(at: .township) {
                // 先行救助: the money comes out of the township's reserve fund with the step, or neither happens.
                try await ReserveFundRepository.draw(township: township, amount: amount, caseID: id, on: date, actor: actor.username,
                                                     tx: tx, now: now)
            }
            guard let fresh = try await CaseRecord.find(id, on: tx) else { throw Self.stale }
            try await Self.openAgendaTask(fresh, workflow: workflow, progress: next, deadlines: deadlines, today: date,
                                          transferTo: newTransferTo, on: tx, now: now)
            if let notice = transition.deadlines.first(where: { $0.kind == .rejectionNotice || $0.kind == .decisionNotice }) {
                try await TaskRepository.open(TaskDraft(
                    kind: .decisionLetter, region: region, subjectType: "case", subjectID: id.uuidString,
                    dedupeKey: "letter:\(id.uuidString):v\(newVersion)", due: notice.date, rule: notice.rule,
                    detail: ["programme": programme.rawValue, "application": record.applicationID.uuidString]), on: tx, now: now)
            }
            var entry = audit.entry
            entry.objectType = "case"
            entry.objectID = id.uuidString
            entry.detail = "\(action.rawValue) v\(newVersion) \(progress.state.rawValue)→\(next.state.rawValue)"
                + (newRegion != region ? " \(region.value)→\(newRegion.value)" : "")
            try await audit.chain.append(entry, on: tx, now: now)
            return fresh
        }
    }

    /// 迁入 — the household, its current members and their person records
    /// move to the receiving village: its staff see them from now on, the
    /// sending county's no longer do. The case, its events, letters and
    /// payments stay one record and go with it.
    static func moveHousehold(_ householdID: UUID, to region: RegionCode, on tx: any Database) async throws {
        try await HouseholdRecord.query(on: tx).filter(\.$id == householdID).set(\.$regionCode, to: region.value).update()
        let members = try await MemberRecord.query(on: tx).filter(\.$householdID == householdID).filter(\.$leftMillis == nil).all()
        try await MemberRecord.query(on: tx).filter(\.$householdID == householdID).filter(\.$leftMillis == nil)
            .set(\.$regionCode, to: region.value).update()
        let people = members.map(\.personID)
        if !people.isEmpty {
            try await PersonRecord.query(on: tx).filter(\.$id ~~ people).set(\.$regionCode, to: region.value).update()
        }
    }

    // MARK: Dynamic management

    /// Puts in the inbox the reviews and taper ends of approved cases whose
    /// reminder day has come by `today`, each once: the task is keyed by the
    /// case's version, and the reminder day is cleared with it (only while
    /// the case is still at that version). Returns how many opened.
    @discardableResult
    public func openDueReviews(today: LocalDate, calendar: WorkingCalendar, now: Date = Date()) async throws -> Int {
        let due = try await CaseRecord.query(on: db).filter(\.$state == CaseState.approved.rawValue)
            .filter(\.$reminderOn != nil).filter(\.$reminderOn <= today.description).all()
        var opened = 0
        var optionsByRegion: [String: WorkflowOptions] = [:]
        for record in due {
            guard let programme = record.programmeValue, let region = try? RegionCode(record.regionCode) else { continue }
            let options: WorkflowOptions
            if let known = optionsByRegion[record.regionCode] {
                options = known
            } else {
                options = try await WorkflowPolicyStore(db: db).options(for: region).options
                optionsByRegion[record.regionCode] = options
            }
            let workflow = CaseWorkflow(programme: programme, options: options, calendar: calendar)
            let progress = try progress(of: record)
            // The reminder day has come: the task opens whatever the window says now.
            let listed = try await db.transaction { tx in
                let cleared = try await tx.sql.update(CaseRecord.schema).set("reminder_on", to: SQLBind(String?.none))
                    .where("id", .equal, SQLBind(try record.requireID())).where("version", .equal, SQLBind(record.version))
                    .returning("id").all()
                guard !cleared.isEmpty else { return false }
                return try await Self.openAgendaTask(record, workflow: workflow, progress: progress, deadlines: record.deadlineList,
                                                     today: today, transferTo: nil, closing: false, force: true, on: tx, now: now)
            }
            if listed { opened += 1 }
        }
        return opened
    }

    /// Records that the written decision reached the family: closes the
    /// letter task (once). Audited.
    public func letterDelivered(_ record: CaseRecord, by actor: String, audit: (chain: AuditChain, entry: AuditEntry),
                                now: Date = Date()) async throws {
        let id = try record.requireID()
        try await db.transaction { tx in
            let closed = try await TaskRepository.close(kind: .decisionLetter, subjectID: id.uuidString, by: actor,
                                                        resolution: "delivered", on: tx, now: now)
            guard closed > 0 else {
                throw UserError("case.letter_delivered", field: "letter", zh: "决定书已登记送达", en: "The letter is already recorded as delivered")
            }
            var entry = audit.entry
            entry.objectType = "case"
            entry.objectID = id.uuidString
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    // MARK: Publicity

    /// The cases whose notice is up on `today` in `village`'s subtree (the
    /// village notice): in publicity and posted within the last 7 days — a
    /// notice ends by itself even before the case moves on.
    public func inPublicity(village: RegionCode, today: LocalDate) async throws -> [CaseRecord] {
        let scope = RegionScope(root: village)
        return try await CaseRecord.query(on: db).filter(\.$state == CaseState.publicity.rawValue)
            .filter(\.$publicityStartedOn >= CaseClock.earliestPostingStillUp(today: today).description)
            .filter(\.$publicityStartedOn <= today.description)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$publicityStartedOn).sort(\.$id).all()
    }

    /// Takes an objection to a case in publicity (online or at the window):
    /// stored sealed, with a task for the township caseworker due when the
    /// publicity ends. Refused when the case is not (or no longer) in publicity.
    public func receiveObjection(to record: CaseRecord, text: String, channel: String, now: Date = Date()) async throws {
        let text = try TextLimits.objection(text)
        let posted = record.publicityStartedOn.flatMap { try? LocalDate(parsing: $0) }
        guard record.caseState == .publicity, let posted, CaseClock.isPosted(startedOn: posted, today: LocalDate.today(now: now)),
              let region = try? RegionCode(record.regionCode) else {
            throw UserError("objection.not_in_publicity", field: "case", zh: "该案件不在公示期内", en: "This case is not in publicity")
        }
        let id = UUID()
        let caseID = try record.requireID()
        let sealed = try keys.fieldCipher.seal(text, context: Self.context(CaseObjectionRecord.schema, "text_sealed", id))
        let end = record.deadlineList.first { $0.kind == .publicityEnd }
        try await db.transaction { tx in
            let objection = CaseObjectionRecord()
            objection.id = id
            objection.caseID = caseID
            objection.channel = channel
            objection.textSealed = sealed
            objection.receivedMillis = now.millis
            try await objection.create(on: tx)
            try await TaskRepository.open(TaskDraft(
                kind: .publicityObjection, region: region, subjectType: "case", subjectID: caseID.uuidString,
                dedupeKey: "objection:\(id.uuidString)", due: end?.date ?? LocalDate.today(now: now),
                rule: end?.rule ?? Bilingual(zh: "公示期内处理", en: "To be dealt with during publicity"),
                detail: ["programme": record.programme, "channel": channel]), on: tx, now: now)
            try await AuditChain(keys: keys).append(
                AuditEntry(actor: "-", role: "", region: record.regionCode, action: "case.objection_received", objectType: "case",
                           objectID: caseID.uuidString, detail: "channel=\(channel)"), on: tx, now: now)
        }
    }

    /// A case's objections received, opened, oldest first.
    public func objections(of record: CaseRecord) async throws -> [(channel: String, text: String, receivedMillis: Int64)] {
        let rows = try await CaseObjectionRecord.query(on: db).filter(\.$caseID == record.requireID()).sort(\.$receivedMillis).all()
        return try rows.map { row in
            (row.channel, try keys.fieldCipher.open(row.textSealed,
                                                    context: Self.context(CaseObjectionRecord.schema, "text_sealed", try row.requireID())),
             row.receivedMillis)
        }
    }

    /// The tekun cases whose termination notice is up on `today` in `village`'s subtree.
    public func inTerminationNotice(village: RegionCode, today: LocalDate) async throws -> [CaseRecord] {
        let scope = RegionScope(root: village)
        return try await CaseRecord.query(on: db).filter(\.$state == CaseState.approved.rawValue)
            .filter(\.$terminationPostedOn >= CaseClock.earliestPostingStillUp(today: today).description)
            .filter(\.$terminationPostedOn <= today.description)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$terminationPostedOn).sort(\.$id).all()
    }

    public static let stale = UserError("case.stale", field: "version",
                                        zh: "案件已被他人更新，请刷新页面后重新办理",
                                        en: "Someone else has changed this case; reload the page and try again")

}

import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore

/// 核对中心 — the work of a verification request from the caseworker's
/// request to the signed report: checks the authorisation (Core rules),
/// settles the policy in force and the deadline, asks each department source
/// (pull adapters; records that came by import or push count too), and issues
/// report versions computed by the one Core calculator and signed with the
/// installation's Ed25519 key.
public struct VerificationService: Sendable {
    let db: any Database
    let keys: KeyRing
    let adapters: @Sendable (String) -> (any DepartmentSourceAdapter)?
    /// How long a source with no pull adapter is waited for between looks
    /// for records that came by import or push.
    public static let waitForDeliveredRecords: TimeInterval = 15 * 60

    public init(db: any Database, keys: KeyRing, adapters: @escaping @Sendable (String) -> (any DepartmentSourceAdapter)?) {
        self.db = db
        self.keys = keys
        self.adapters = adapters
    }

    var repository: VerificationRepository { VerificationRepository(db: db, keys: keys) }
    var auditChain: AuditChain { AuditChain(keys: keys) }

    // MARK: Requests

    /// 发起核对: records the authorisation and starts one job per required source.
    /// `audit` names the acting staff member; action and detail are filled in here.
    public func request(application: ApplicationRecord, authorisation draft: AuthorisationDraft, scope: RegionScope,
                        audit: AuditEntry, today: LocalDate, now: Date) async throws -> VerificationRequestRecord {
        let people = PeopleRepository(db: db, keys: keys)
        guard let household = try await people.household(id: application.householdID, in: scope) else {
            throw UserError("verification.household", field: "household", zh: "找不到该家庭", en: "Household not found")
        }
        let members = try await people.members(of: household)
        let region = try Self.checkAuthorisation(members: members, draft: draft, today: today, regionCode: application.regionCode)
        let plan = try await plan(kind: .initial, region: region, asOf: today, today: today)
        var entry = audit
        entry.action = "verification.request"
        entry.detail = "authorisation=\(draft.number) sources=\(plan.sources.joined(separator: ","))"
        return try await repository.create(application: application, authorisation: draft, plan: plan, actor: audit.actor,
                                           audit: entry, auditChain: auditChain, now: now)
    }

    /// The Core rules of the authorisation over the household's members.
    /// Synchronous and untyped-throwing on purpose: the Swift 6.3 release
    /// compiler crashes (signal 11) splitting the async caller otherwise.
    private static func checkAuthorisation(members: [MemberRow], draft: AuthorisationDraft, today: LocalDate,
                                           regionCode: String) throws -> RegionCode {
        var covered: [AuthorisationMember] = []
        for row in members {
            covered.append(AuthorisationMember(key: try row.person.requireID().uuidString, name: row.person.name,
                                               age: try LocalDate(parsing: row.person.birthDate).age(at: draft.signedOn)))
        }
        let signatures = Dictionary(uniqueKeysWithValues: draft.signatures.map { ($0.key.uuidString, $0.value) })
        try AuthorisationRules.check(number: draft.number, signedOn: draft.signedOn, today: today, members: covered,
                                     signatures: signatures, hasScan: draft.scan != nil)
        return try RegionCode(regionCode)
    }

    /// 复核: on the family's objection, a new request with fresh answers from
    /// every source, under the same authorisation.
    public func recheck(_ parent: VerificationRequestRecord, reason: String, scope: RegionScope, audit: AuditEntry,
                        today: LocalDate, now: Date) async throws -> VerificationRequestRecord {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 500 else {
            throw UserError("verification.recheck_reason", field: "reason",
                            zh: "请写明异议内容（500 字以内）", en: "State the family's objection (up to 500 characters)")
        }
        guard parent.requestStatus == .reported else {
            throw UserError("verification.recheck_early", field: "reason",
                            zh: "报告出具后才能申请复核", en: "A re-check can start only after the report is issued")
        }
        let application = try await IntakeRepository(db: db, keys: keys).application(id: parent.applicationID, in: scope)
        guard let application else {
            throw UserError("verification.application", field: "application", zh: "找不到申请", en: "Application not found")
        }
        var plan = try await plan(kind: .recheck, region: try RegionCode(application.regionCode), asOf: today, today: today)
        plan.parentID = parent.id
        plan.reason = trimmed
        var entry = audit
        entry.action = "verification.recheck"
        entry.detail = "parent=\(parent.id?.uuidString ?? "")"
        return try await repository.create(application: application, authorisation: nil,
                                           existingAuthorisation: parent.authorisationID, plan: plan, actor: audit.actor,
                                           audit: entry, auditChain: auditChain, now: now)
    }

    private func plan(kind: VerificationRequestKind, region: RegionCode, asOf: LocalDate, today: LocalDate) async throws -> RequestPlan {
        let schedule = try await PolicyRepository(db: db, audit: auditChain).schedule()
        let policy = try schedule.require(for: region, on: asOf)
        let calendar = try await CalendarStore(db: db).calendar()
        let deadline = VerificationRequestRules.sourceDeadline(requestedOn: today, calendar: calendar)
        return RequestPlan(kind: kind, asOf: asOf, deadline: deadline.date, deadlineRule: deadline.rule, policy: policy,
                           sources: policy.policy.requiredSources)
    }

    // MARK: Jobs

    /// Runs the due jobs (claimed with a lease, so instances share the work),
    /// then issues every report that is ready. Returns how many jobs ran.
    @discardableResult
    public func runDueJobs(now: Date, today: LocalDate, limit: Int = 20) async throws -> Int {
        let jobs = try await repository.claimDueJobs(now: now, limit: limit)
        for job in jobs {
            try await run(job, now: now)
        }
        try await issueReadyReports(now: now, today: today)
        return jobs.count
    }

    private func run(_ job: VerificationJobRecord, now: Date) async throws {
        guard let request = try await repository.request(id: job.requestID) else { return }
        let members = try await memberIDs(of: request)
        let asOf = try LocalDate(parsing: request.asOf)
        guard let adapter = adapters(job.source) else {
            // No pull service: the source answers by file or push; look for what it delivered.
            let delivered = try await DepartmentRecordStore(db: db)
                .records(forMemberIndexes: members.flatMap { keys.blindIndexes($0.value) }, sources: [job.source])
            let anyBatch = try await DepartmentBatchRecord.query(on: db).filter(\.$source == job.source)
                .filter(\.$status == "completed").first()
            if !delivered.isEmpty || anyBatch != nil {
                try await repository.saveAttempt(job: job, status: .returned, retryAt: nil, error: nil, answeredAt: now,
                                                 departmentTimestamp: delivered.compactMap(\.departmentTimestamp).max(),
                                                 records: [], now: now)
            } else {
                try await repository.saveAttempt(job: job, status: .pending,
                                                 retryAt: now.addingTimeInterval(Self.waitForDeliveredRecords),
                                                 error: "waiting for the department's file or push", answeredAt: nil,
                                                 departmentTimestamp: nil, records: [], now: now)
            }
            return
        }
        let outcome: JobAttemptOutcome
        var prepared: [PreparedDepartmentRecord] = []
        var departmentTimestamp: String?
        let answer: Result<DepartmentAnswer, DepartmentFetchError>
        do throws(DepartmentFetchError) {
            answer = .success(try await adapter.fetch(members: members, asOf: asOf))
        } catch {
            answer = .failure(error)
        }
        switch answer {
        case .success(let answer):
            let asked = Set(members)
            for item in answer.items where item.record.source == job.source && asked.contains(item.record.member) {
                prepared.append(try PreparedDepartmentRecord(item.record, recordID: item.recordID, timestamp: item.timestamp, keys: keys))
            }
            departmentTimestamp = answer.answeredAt
            outcome = .returned
        case .failure(.failed(let reason)):
            outcome = .failed(reason)
        case .failure(.unavailable(let reason)):
            outcome = .unavailable(reason)
        }
        let next = VerificationRequestRules.after(outcome, attempts: job.attempts + 1)
        let error: String? = switch outcome {
        case .returned: nil
        case .failed(let reason), .unavailable(let reason): reason
        }
        try await repository.saveAttempt(job: job, status: next.status,
                                         retryAt: next.retryAfterSeconds.map { now.addingTimeInterval(TimeInterval($0)) },
                                         error: error, answeredAt: outcome == .returned ? now : nil,
                                         departmentTimestamp: departmentTimestamp, records: prepared, now: now)
    }

    /// Issues version 1 of every collecting request that is ready: its
    /// required sources have answered, or its deadline has passed.
    public func issueReadyReports(now: Date, today: LocalDate) async throws {
        for request in try await repository.collectingRequests() {
            let jobs = try await repository.jobs(requestID: try request.requireID())
            let statuses = Dictionary(uniqueKeysWithValues: jobs.map { ($0.source, $0.sourceStatus) })
            let retrying = Set(jobs.filter { $0.sourceStatus == .pending && $0.nextAttemptMillis != nil }.map(\.source))
            let deadlinePassed = today > (try LocalDate(parsing: request.deadline))
            guard VerificationRequestRules.isReady(required: jobs.map(\.source), statuses: statuses, retrying: retrying,
                                                   deadlinePassed: deadlinePassed) else { continue }
            let audit = AuditEntry(actor: "system", role: "system", region: request.regionCode, action: "verification.report")
            do {
                _ = try await issue(request, exemptions: [:], previous: nil, verifier: "系统自动 / automatic",
                                    audit: audit, now: now)
            } catch let error as UserError where error.code == "verification.report_version" {
                continue  // another instance issued it first
            }
        }
    }

    // MARK: Reports

    /// 豁免: a caseworker exempts a finding's record with a reason; the
    /// report's next version is computed from the same inputs as the latest
    /// version plus every exemption so far, and signed. The latest version is kept.
    public func exempt(request: VerificationRequestRecord, recordKey: String, reason: String, audit: AuditEntry,
                       now: Date) async throws -> VerificationReportRecord {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 500 else {
            throw UserError("verification.exemption_reason", field: "reason",
                            zh: "请写明豁免理由（500 字以内）", en: "Give the reason for the exemption (up to 500 characters)")
        }
        guard let latest = try await repository.reports(requestID: try request.requireID()).last else {
            throw UserError("verification.no_report", field: "report", zh: "报告尚未出具", en: "The report has not been issued yet")
        }
        let opened = try repository.open(latest)
        guard opened.recordKeys.contains(recordKey) else {
            throw UserError("verification.exemption_record", field: "record",
                            zh: "报告中没有这条记录", en: "The report has no such record")
        }
        var exemptions = opened.exemptions
        exemptions[recordKey] = trimmed
        var entry = audit
        entry.action = "verification.exempt"
        entry.detail = "record=\(recordKey) version=\(latest.version + 1)"
        return try await issue(request, exemptions: exemptions, previous: opened, verifier: audit.actor, audit: entry, now: now)
    }

    /// Computes and stores a version: version 1 from the records on file,
    /// later versions from the previous version's stored input.
    func issue(_ request: VerificationRequestRecord, exemptions: [String: String], previous: OpenedReport?,
               verifier: String, audit: AuditEntry, now: Date) async throws -> VerificationReportRecord {
        let requestID = try request.requireID()
        let jobs = try await repository.jobs(requestID: requestID)
        let input: VerificationCase
        let recordKeys: [String]
        if let previous {
            input = try VerificationCase(json: previous.inputJSON)
            recordKeys = previous.recordKeys
        } else {
            (input, recordKeys) = try await assembleCase(request, jobs: jobs)
        }
        var withExemptions = input
        withExemptions.exemptions = Dictionary(uniqueKeysWithValues: recordKeys.enumerated().compactMap { index, key in
            exemptions[key].map { (index, $0) }
        })
        let result = try VerificationCalculator.evaluate(withExemptions)
        guard let (authorisation, _) = try await repository.authorisation(id: request.authorisationID) else {
            throw UserError("authorisation.missing", field: "authorisation", zh: "授权书缺失", en: "The authorisation is missing")
        }
        let version = (previous?.record.version ?? 0) + 1
        let context = ReportContext(
            requestID: requestID.uuidString, version: version, kind: request.kind,
            authorisationNumber: authorisation.number, region: try RegionCode(request.regionCode),
            policyRegion: try RegionCode(request.policyRegion), policyEffectiveFrom: try LocalDate(parsing: request.policyFrom),
            verifier: verifier, issuedAt: ISO8601DateFormatter().string(from: now), memberNames: nil,
            sourceAnswers: Dictionary(uniqueKeysWithValues: jobs.map {
                ($0.source, SourceAnswer(status: $0.sourceStatus, answeredAt: $0.answeredAt, departmentTimestamp: $0.departmentTimestamp))
            }),
            recordKeys: Dictionary(uniqueKeysWithValues: recordKeys.enumerated().map { ($0.offset, $0.element) }),
            previousVersionDigest: previous.map(\.record.digest))
        let report = VerificationReport.build(case: withExemptions, result: result, context: context)
        let signed = try ReportSigner.sign(report, keys: keys)
        let draft = ReportVersionDraft(version: version, signedText: signed.fileText, inputJSON: input.json.rendered(pretty: false),
                                       recordKeys: recordKeys, exemptions: exemptions, conclusion: result.outcome.conclusion,
                                       monthlyBenefit: result.outcome.monthlyBenefit, digest: ReportSigner.digest(report),
                                       keyID: signed.keyID)
        var entry = audit
        if entry.detail.isEmpty { entry.detail = "version=\(version) conclusion=\(result.outcome.conclusion.rawValue)" }
        return try await repository.saveReport(draft, request: request, actor: verifier, audit: entry,
                                               auditChain: auditChain, now: now)
    }

    /// The household's current members and every record on file for them, as
    /// the calculator's case; the record keys in record order.
    func assembleCase(_ request: VerificationRequestRecord, jobs: [VerificationJobRecord]) async throws -> (VerificationCase, [String]) {
        let people = PeopleRepository(db: db, keys: keys)
        guard let household = try await HouseholdRecord.find(request.householdID, on: db) else {
            throw UserError("verification.household", field: "household", zh: "找不到该家庭", en: "Household not found")
        }
        let asOf = try LocalDate(parsing: request.asOf)
        let rows = try await people.members(of: household)
        var members: [CaseMember] = []
        var residence: ResidenceKind = .urban
        for (index, row) in rows.enumerated() {
            let details = try people.details(row.person, today: asOf)
            guard let id = details.id else {
                throw UserError("verification.member_id", field: "members[\(index)]",
                                zh: "成员 \(row.person.name) 的身份证号无法读取", en: "The ID number of \(row.person.name) cannot be read")
            }
            if row.person.id == household.headPersonID, let kind = ResidenceKind(rawValue: row.person.residence) {
                residence = kind
            }
            members.append(try CaseMember(id: id, name: row.person.name, relationshipCode: row.member.relation,
                                          coResident: row.member.coResident, statusCode: row.member.status,
                                          disability: details.disability, seriousIllness: details.seriousIllness,
                                          field: "members[\(index)]"))
        }
        let stored = try await DepartmentRecordStore(db: db)
            .records(forMemberIndexes: members.flatMap { keys.blindIndexes($0.id.value) })
        var records: [DepartmentRecord] = []
        var recordKeys: [String] = []
        for row in stored {
            records.append(try row.openRecord(keys: keys, asOf: asOf))
            recordKeys.append(row.recordKey)
        }
        let schedule = try await PolicyRepository(db: db, audit: auditChain).schedule()
        let policy = try schedule.require(for: try RegionCode(request.regionCode), on: asOf)
        let sources = Dictionary(uniqueKeysWithValues: jobs.map { ($0.source, $0.sourceStatus) })
        let input = VerificationCase(name: "request \(request.id?.uuidString ?? "")", asOf: asOf, residence: residence,
                                     policy: policy.policy, members: members, sources: sources, records: records)
        return (input, recordKeys)
    }

    private func memberIDs(of request: VerificationRequestRecord) async throws -> [ResidentID] {
        let people = PeopleRepository(db: db, keys: keys)
        guard let household = try await HouseholdRecord.find(request.householdID, on: db) else { return [] }
        let asOf = try LocalDate(parsing: request.asOf)
        return try await people.members(of: household).compactMap { try people.details($0.person, today: asOf).id }
    }
}

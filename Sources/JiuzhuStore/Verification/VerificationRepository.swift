import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// What the caseworker recorded from the signed authorisation.
public struct AuthorisationDraft: Sendable {
    public var number: String
    public var signedOn: LocalDate
    /// By person id.
    public var signatures: [UUID: AuthorisationSignature]
    public var scan: ScannedFile?

    public init(number: String, signedOn: LocalDate, signatures: [UUID: AuthorisationSignature], scan: ScannedFile?) {
        self.number = number
        self.signedOn = signedOn
        self.signatures = signatures
        self.scan = scan
    }
}

/// A new request as the service has settled it: the policy in force, the
/// sources to ask and the deadline with its rule.
public struct RequestPlan: Sendable {
    public var kind: VerificationRequestKind
    public var parentID: UUID?
    public var reason: String?
    public var asOf: LocalDate
    public var deadline: LocalDate
    public var deadlineRule: Bilingual
    public var policy: PolicyVersion
    public var sources: [String]

    public init(kind: VerificationRequestKind, parentID: UUID? = nil, reason: String? = nil, asOf: LocalDate,
                deadline: LocalDate, deadlineRule: Bilingual, policy: PolicyVersion, sources: [String]) {
        self.kind = kind
        self.parentID = parentID
        self.reason = reason
        self.asOf = asOf
        self.deadline = deadline
        self.deadlineRule = deadlineRule
        self.policy = policy
        self.sources = sources
    }
}

/// A report version to store.
public struct ReportVersionDraft: Sendable {
    public var version: Int
    public var signedText: String
    public var inputJSON: String
    public var recordKeys: [String]
    public var exemptions: [String: String]
    public var conclusion: VerificationConclusion
    public var monthlyBenefit: Money
    public var digest: String
    public var keyID: String

    public init(version: Int, signedText: String, inputJSON: String, recordKeys: [String], exemptions: [String: String],
                conclusion: VerificationConclusion, monthlyBenefit: Money, digest: String, keyID: String) {
        self.version = version
        self.signedText = signedText
        self.inputJSON = inputJSON
        self.recordKeys = recordKeys
        self.exemptions = exemptions
        self.conclusion = conclusion
        self.monthlyBenefit = monthlyBenefit
        self.digest = digest
        self.keyID = keyID
    }
}

/// A stored report version, opened.
public struct OpenedReport: Sendable {
    public let record: VerificationReportRecord
    public let signedText: String
    public let inputJSON: String
    public let recordKeys: [String]
    public let exemptions: [String: String]
}

/// Authorisations, requests, jobs and report versions — always through the
/// caller's region scope for reads that staff make.
public struct VerificationRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    // MARK: Requests

    /// Records the authorisation (with its sealed scan and every member's
    /// signature), the request and one pending job per source, and the audit
    /// event, in one transaction. For a re-check pass the parent's
    /// `authorisationID` and no draft.
    public func create(application: ApplicationRecord, authorisation draft: AuthorisationDraft?,
                       existingAuthorisation: UUID? = nil, plan: RequestPlan, actor: String,
                       audit: AuditEntry, auditChain: AuditChain, now: Date) async throws -> VerificationRequestRecord {
        try await db.transaction { tx in
            let applicationID = try application.requireID()
            var authorisationID = existingAuthorisation
            if let draft {
                guard let scan = draft.scan else {
                    let text = Bilingual(zh: "请上传授权书扫描件", en: "Upload the authorisation scan")
                    throw UserError("authorisation.scan", field: "scan", zh: text.zh, en: text.en)
                }
                let document = try DocumentRecord.sealing(scan, applicationID: applicationID, regionCode: application.regionCode,
                                                          purpose: "authorisation", keys: keys, now: now)
                try await document.create(on: tx)
                let authorisation = AuthorisationRecord()
                authorisation.id = UUID()
                authorisation.applicationID = applicationID
                authorisation.householdID = application.householdID
                authorisation.regionCode = application.regionCode
                authorisation.number = draft.number.trimmingCharacters(in: .whitespaces)
                authorisation.signedOn = draft.signedOn.description
                authorisation.documentID = try document.requireID()
                authorisation.createdBy = actor
                authorisation.createdMillis = now.millis
                do {
                    try await authorisation.create(on: tx)
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    let text = Bilingual(zh: "该家庭已登记过此编号的授权书", en: "This household already has an authorisation with that number")
                    throw UserError("authorisation.duplicate", field: "number", zh: text.zh, en: text.en)
                }
                for (personID, signature) in draft.signatures.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                    let member = AuthorisationMemberRecord()
                    member.authorisationID = try authorisation.requireID()
                    member.personID = personID
                    member.signer = signature.signer.rawValue
                    member.guardianName = signature.signer == .guardian ? signature.guardianName : nil
                    try await member.create(on: tx)
                }
                authorisationID = authorisation.id
            }
            guard let authorisationID else {
                let text = Bilingual(zh: "没有授权书，不能发起核对", en: "No verification starts without an authorisation")
                throw UserError("authorisation.missing", field: "authorisation", zh: text.zh, en: text.en)
            }

            let request = VerificationRequestRecord()
            request.id = UUID()
            request.applicationID = applicationID
            request.householdID = application.householdID
            request.regionCode = application.regionCode
            request.authorisationID = authorisationID
            request.kind = plan.kind.rawValue
            request.parentID = plan.parentID
            request.reason = plan.reason
            request.asOf = plan.asOf.description
            request.deadline = plan.deadline.description
            request.deadlineRuleZh = plan.deadlineRule.zh
            request.deadlineRuleEn = plan.deadlineRule.en
            request.policyRegion = plan.policy.region.value
            request.policyFrom = plan.policy.effectiveFrom.description
            request.status = VerificationRequestStatus.collecting.rawValue
            request.createdBy = actor
            request.createdMillis = now.millis
            request.updatedMillis = now.millis
            try await request.create(on: tx)
            for source in plan.sources {
                let job = VerificationJobRecord()
                job.requestID = try request.requireID()
                job.source = source
                job.status = SourceStatus.pending.rawValue
                job.attempts = 0
                job.nextAttemptMillis = now.millis
                job.records = 0
                job.updatedMillis = now.millis
                try await job.create(on: tx)
            }
            var entry = audit
            entry.objectType = "verification_request"
            entry.objectID = try request.requireID().uuidString
            try await auditChain.append(entry, on: tx, now: now)
            return request
        }
    }

    /// The requests in the scope, the open ones first by deadline, then the reported, newest first.
    public func queue(in scope: RegionScope, status: VerificationRequestStatus? = nil, limit: Int = 200) async throws -> [VerificationRequestRecord] {
        var query = VerificationRequestRecord.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
        if let status { query = query.filter(\.$status == status.rawValue) }
        let rows = try await query.sort(\.$createdMillis, .descending).limit(limit).all()
        return rows.sorted { a, b in
            if a.status != b.status { return a.requestStatus == .collecting }
            return a.requestStatus == .collecting ? a.deadline < b.deadline : a.createdMillis > b.createdMillis
        }
    }

    public func request(id: UUID, in scope: RegionScope) async throws -> VerificationRequestRecord? {
        guard let request = try await VerificationRequestRecord.find(id, on: db) else { return nil }
        let region = try RegionCode(request.regionCode)
        guard scope.allows(region) else { throw RegionAccess.outOfScope(region) }
        return request
    }

    /// For the job runner, which acts for no user.
    public func request(id: UUID) async throws -> VerificationRequestRecord? {
        try await VerificationRequestRecord.find(id, on: db)
    }

    public func requests(applicationID: UUID) async throws -> [VerificationRequestRecord] {
        try await VerificationRequestRecord.query(on: db).filter(\.$applicationID == applicationID)
            .sort(\.$createdMillis).all()
    }

    public func jobs(requestID: UUID) async throws -> [VerificationJobRecord] {
        try await VerificationJobRecord.query(on: db).filter(\.$requestID == requestID).sort(\.$source).all()
    }

    public func authorisation(id: UUID) async throws -> (AuthorisationRecord, [AuthorisationMemberRecord])? {
        guard let authorisation = try await AuthorisationRecord.find(id, on: db) else { return nil }
        let members = try await AuthorisationMemberRecord.query(on: db).filter(\.$authorisationID == id).all()
        return (authorisation, members)
    }

    public func authorisationScan(_ authorisation: AuthorisationRecord) async throws -> ScannedFile? {
        try await DocumentRecord.find(authorisation.documentID, on: db)?.open(keys: keys)
    }

    // MARK: Jobs

    /// Claims up to `limit` due jobs with a lease: the conditional update
    /// decides, so two instances never run one job at once.
    public func claimDueJobs(now: Date, lease: TimeInterval = 120, limit: Int = 20) async throws -> [VerificationJobRecord] {
        let candidates = try await VerificationJobRecord.query(on: db)
            .filter(\.$status == SourceStatus.pending.rawValue)
            .filter(\.$nextAttemptMillis <= now.millis)
            .sort(\.$nextAttemptMillis).limit(limit).all()
        var claimed: [VerificationJobRecord] = []
        let until = now.addingTimeInterval(lease).millis
        for job in candidates {
            guard let id = job.id, let due = job.nextAttemptMillis else { continue }
            let rows = try await db.sql.update(VerificationJobRecord.schema)
                .set("next_attempt_ms", to: SQLBind(until))
                .where("id", .equal, SQLBind(id))
                .where("next_attempt_ms", .equal, SQLBind(due))
                .where("status", .equal, SQLBind(SourceStatus.pending.rawValue))
                .returning("id").all()
            if !rows.isEmpty {
                job.nextAttemptMillis = until
                claimed.append(job)
            }
        }
        return claimed
    }

    /// Saves an attempt's result: the job's new state and the records the
    /// source returned (stored once, whichever way they came), together.
    public func saveAttempt(job: VerificationJobRecord, status: SourceStatus, retryAt: Date?, error: String?,
                            answeredAt: Date?, departmentTimestamp: String?, records: [PreparedDepartmentRecord],
                            now: Date) async throws {
        try await db.transaction { tx in
            if !records.isEmpty {
                try await DepartmentRecordStore(db: tx).insert(records, batchID: "pull:\(try job.requireID().uuidString)",
                                                              receivedAt: now)
            }
            job.status = status.rawValue
            job.attempts += 1
            job.nextAttemptMillis = retryAt?.millis
            job.lastError = error
            if let answeredAt { job.answeredAt = ISO8601DateFormatter().string(from: answeredAt) }
            if let departmentTimestamp { job.departmentTimestamp = departmentTimestamp }
            job.records = status == .returned ? records.count : job.records
            job.updatedMillis = now.millis
            try await job.update(on: tx)
        }
    }

    /// Sends failed jobs back to the queue (an officer's "retry now").
    public func retryFailedJobs(requestID: UUID, now: Date) async throws -> Int {
        let jobs = try await VerificationJobRecord.query(on: db).filter(\.$requestID == requestID)
            .filter(\.$status == SourceStatus.failed.rawValue).all()
        for job in jobs {
            job.status = SourceStatus.pending.rawValue
            job.nextAttemptMillis = now.millis
            job.updatedMillis = now.millis
            try await job.update(on: db)
        }
        return jobs.count
    }

    /// Requests still collecting whose report may be due: those with a job
    /// that has changed since `sinceMillis`, or whose deadline is before `today`.
    public func collectingRequests(limit: Int = 200) async throws -> [VerificationRequestRecord] {
        try await VerificationRequestRecord.query(on: db).filter(\.$status == VerificationRequestStatus.collecting.rawValue)
            .sort(\.$deadline).limit(limit).all()
    }

    // MARK: Reports

    public func reports(requestID: UUID) async throws -> [VerificationReportRecord] {
        try await VerificationReportRecord.query(on: db).filter(\.$requestID == requestID).sort(\.$version).all()
    }

    public func report(id: UUID, in scope: RegionScope) async throws -> VerificationReportRecord? {
        guard let report = try await VerificationReportRecord.find(id, on: db) else { return nil }
        let region = try RegionCode(report.regionCode)
        guard scope.allows(region) else { throw RegionAccess.outOfScope(region) }
        return report
    }

    /// Stores a new version and marks the request reported, with the audit
    /// event, in one transaction. A version number already taken (two
    /// officers at once) fails on the unique key: versions are never overwritten.
    public func saveReport(_ draft: ReportVersionDraft, request: VerificationRequestRecord, actor: String,
                           audit: AuditEntry, auditChain: AuditChain, now: Date) async throws -> VerificationReportRecord {
        try await db.transaction { tx in
            let report = VerificationReportRecord()
            report.id = UUID()
            report.requestID = try request.requireID()
            report.regionCode = request.regionCode
            report.version = draft.version
            report.signedSealed = try keys.fieldCipher.seal(draft.signedText, context: VerificationReportRecord.context(report.id, "signed_sealed"))
            report.inputSealed = try keys.fieldCipher.seal(draft.inputJSON, context: VerificationReportRecord.context(report.id, "input_sealed"))
            report.recordKeys = JSONValue.array(draft.recordKeys.map { .string($0) }).rendered(pretty: false)
            report.exemptions = JSONValue.object(draft.exemptions.mapValues { .string($0) }).rendered(pretty: false)
            report.conclusion = draft.conclusion.rawValue
            report.monthlyBenefit = draft.monthlyBenefit.fen
            report.digest = draft.digest
            report.keyID = draft.keyID
            report.createdBy = actor
            report.createdMillis = now.millis
            do {
                try await report.create(on: tx)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                let text = Bilingual(zh: "报告已被他人更新，请刷新后重试", en: "Someone else has just issued a new version; reload and try again")
                throw UserError("verification.report_version", field: "version", zh: text.zh, en: text.en)
            }
            request.status = VerificationRequestStatus.reported.rawValue
            request.updatedMillis = now.millis
            try await request.update(on: tx)
            var entry = audit
            entry.objectType = "verification_report"
            entry.objectID = try report.requireID().uuidString
            try await auditChain.append(entry, on: tx, now: now)
            return report
        }
    }

    public func open(_ report: VerificationReportRecord) throws -> OpenedReport {
        let signed = try keys.fieldCipher.open(report.signedSealed, context: VerificationReportRecord.context(report.id, "signed_sealed"))
        let input = try keys.fieldCipher.open(report.inputSealed, context: VerificationReportRecord.context(report.id, "input_sealed"))
        var recordKeys: [String] = []
        if case .array(let items) = try JSONValue.parse(report.recordKeys) {
            recordKeys = items.compactMap { if case .string(let key) = $0 { key } else { nil } }
        }
        var exemptions: [String: String] = [:]
        if case .object(let members) = try JSONValue.parse(report.exemptions) {
            for (key, value) in members { if case .string(let reason) = value { exemptions[key] = reason } }
        }
        return OpenedReport(record: report, signedText: signed, inputJSON: input, recordKeys: recordKeys, exemptions: exemptions)
    }
}

import FluentKit
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import Plot
import Vapor

/// 核对: the caseworker records the family's authorisation and requests a
/// verification; the verification centre works the queue; both read the
/// signed report, version by version. Every view of a result is audited.
struct VerificationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("applications", ":id", "verification", "new", access: .permission(.requestVerification), use: newForm)
        routes.post("applications", ":id", "verification", access: .permission(.requestVerification), use: create)
        routes.get("verification", access: .permission(.viewVerification), use: queue)
        routes.get("verification", ":id", access: .permission(.viewVerification), use: show)
        routes.get("verification", ":id", "authorisation-scan", access: .permission(.viewVerification), use: authorisationScan)
        routes.post("verification", ":id", "collect", access: .permission(.runVerification), use: collect)
        routes.post("verification", ":id", "retry", access: .permission(.runVerification), use: retry)
        routes.post("verification", ":id", "exemptions", access: .permission(.requestVerification), use: exempt)
        routes.post("verification", ":id", "recheck", access: .permission(.requestVerification), use: recheck)
        routes.get("verification", "reports", ":id", access: .permission(.viewVerification), use: printable)
        routes.get("verification", "reports", ":id", "signed.json", access: .permission(.viewVerification), use: signedFile)
    }

    // MARK: Requesting

    struct AuthorisationForm: Content {
        var number: String?
        var signedOn: String?
        var scan: File?
    }

    private func loadApplication(_ req: Request) async throws -> (ApplicationRecord, [MemberRow]) {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let staff = try req.staff
        guard let application = try await IntakeRepository(db: req.db, keys: req.options.keys).application(id: id, in: staff.scope),
              let household = try await HouseholdRecord.find(application.householdID, on: req.db)
        else { throw Abort(.notFound) }
        let members = try await PeopleRepository(db: req.db, keys: req.options.keys).members(of: household)
        return (application, members)
    }

    func newForm(_ req: Request) async throws -> Response {
        let (application, members) = try await loadApplication(req)
        return try await renderForm(req, application: application, members: members, values: [:], error: nil)
    }

    private func renderForm(_ req: Request, application: ApplicationRecord, members: [MemberRow], values: [String: String],
                            error: UserError?, status: HTTPStatus = .ok) async throws -> Response {
        let today = LocalDate.today(now: req.now)
        return try await req.page(V.requestNew, status: status) { c in
            [.h1(.text(c.t(V.requestNew))),
             .p(.text(c.t(V.authorisationHint))),
             AuthorisationFormView(application: application, members: members, values: values, error: error,
                                   today: today, c: c).render()]
        }
    }

    func create(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let (application, members) = try await loadApplication(req)
        let form = try req.content.decode(AuthorisationForm.self)
        var values: [String: String] = ["number": form.number ?? "", "signedOn": form.signedOn ?? ""]
        var signatures: [UUID: AuthorisationSignature] = [:]
        for row in members {
            guard let id = row.person.id else { continue }
            let signer = (try? req.content.get(String.self, at: "signer-\(id.uuidString)")) ?? ""
            let guardian = (try? req.content.get(String.self, at: "guardian-\(id.uuidString)")) ?? ""
            values["signer-\(id.uuidString)"] = signer
            values["guardian-\(id.uuidString)"] = guardian
            if let kind = AuthorisationSigner(rawValue: signer) {
                signatures[id] = AuthorisationSignature(signer: kind, guardianName: guardian.isEmpty ? nil : guardian)
            }
        }
        let fail = { (error: UserError) in
            try await self.renderForm(req, application: application, members: members, values: values, error: error,
                                      status: .badRequest)
        }
        guard let signedOn = try? LocalDate(parsing: form.signedOn ?? "", field: "signedOn") else {
            return try await fail(UserError("date.format", field: "signedOn", zh: "请填写签署日期（年-月-日）",
                                            en: "Enter the signing date (YYYY-MM-DD)"))
        }
        var scan: ScannedFile?
        if let file = form.scan, file.data.readableBytes > 0 {
            let bytes = Array(file.data.readableBytesView)
            switch Result(catching: { () throws(UserError) in try ScannedDocument.kind(of: bytes, field: "scan") }) {
            case .success(let kind): scan = ScannedFile(kind: kind, bytes: bytes)
            case .failure(let error): return try await fail(error)
            }
        }
        let draft = AuthorisationDraft(number: form.number ?? "", signedOn: signedOn, signatures: signatures, scan: scan)
        do {
            let request = try await req.verification.request(
                application: application, authorisation: draft, scope: staff.scope, audit: req.auditEntry(""),
                today: LocalDate.today(now: req.now), now: req.now)
            req.verification.kick(req)
            return req.redirect(to: "/verification/\(try request.requireID())")
        } catch let error as UserError {
            return try await fail(error)
        }
    }

    // MARK: The queue and a request

    func queue(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let showAll = (try? req.query.get(String.self, at: "status")) == "all"
        let repository = VerificationRepository(db: req.db, keys: req.options.keys)
        let requests = try await repository.queue(in: staff.scope, status: showAll ? nil : .collecting)
        var rows: [VerificationQueueView.Row] = []
        for request in requests {
            let id = try request.requireID()
            let jobs = try await repository.jobs(requestID: id)
            let latest = try await repository.reports(requestID: id).last
            let head = try await headName(request, req)
            rows.append(.init(request: request, head: head, returned: jobs.filter { $0.sourceStatus == .returned }.count,
                              total: jobs.count, conclusion: latest.flatMap { VerificationConclusion(rawValue: $0.conclusion) }))
        }
        let regionNames = try await regionNames(Set(requests.map(\.regionCode)), req)
        try await req.audit("verification.queue", detail: "rows=\(rows.count) reported=\(rows.filter { $0.conclusion != nil }.count)")
        return try await req.page(V.queue) { c in
            [.h1(.text(c.t(V.queue))),
             .p(.class("filters"),
                .a(.id("filter-open"), .href("/verification"), .class(showAll ? "" : "current"), .text(c.t(V.filterOpen))), .text(" · "),
                .a(.id("filter-all"), .href("/verification?status=all"), .class(showAll ? "current" : ""), .text(c.t(V.filterAll)))),
             VerificationQueueView(rows: rows, regionNames: regionNames, today: LocalDate.today(now: req.now), c: c).render()]
        }
    }

    private func loadRequest(_ req: Request) async throws -> VerificationRequestRecord {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let request = try await VerificationRepository(db: req.db, keys: req.options.keys).request(id: id, in: try req.staff.scope)
        else { throw Abort(.notFound) }
        return request
    }

    func show(_ req: Request) async throws -> Response {
        try await renderRequest(req, request: try await loadRequest(req), message: req.query[String.self, at: "done"], error: nil)
    }

    private func renderRequest(_ req: Request, request: VerificationRequestRecord, message: String?, error: UserError?,
                               status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let repository = VerificationRepository(db: req.db, keys: req.options.keys)
        let id = try request.requireID()
        let jobs = try await repository.jobs(requestID: id)
        let versions = try await repository.reports(requestID: id)
        let latest = try versions.last.map { try repository.open($0) }
        let report = try latest.map { try SignedReport(fileBytes: Array($0.signedText.utf8)) }
        let application = try await ApplicationRecord.find(request.applicationID, on: req.db)
        let authorisation = try await repository.authorisation(id: request.authorisationID)?.0
        let head = try await headName(request, req)
        let policyPlace = try await RegionRepository(db: req.db).fullName(try RegionCode(request.policyRegion))
        try await req.audit("verification.view", objectType: "verification_request", objectID: id.uuidString,
                            detail: latest.map { "version=\($0.record.version)" } ?? "no report")
        let done: Bilingual? = switch message {
        case "requested": V.requested
        case "collected": V.collected
        case "retried": V.retried
        default: nil
        }
        return try await req.page(V.request, status: status) { c in
            VerificationRequestView(request: request, application: application, authorisation: authorisation, head: head,
                                    policyPlace: policyPlace, jobs: jobs, versions: versions, latest: latest, report: report,
                                    role: staff.role, message: done, error: error, c: c).render()
        }
    }

    func authorisationScan(_ req: Request) async throws -> Response {
        let request = try await loadRequest(req)
        let repository = VerificationRepository(db: req.db, keys: req.options.keys)
        guard let (authorisation, _) = try await repository.authorisation(id: request.authorisationID),
              let scan = try await repository.authorisationScan(authorisation)
        else { throw Abort(.notFound) }
        try await req.audit("document.view", objectType: "authorisation", objectID: authorisation.number)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: scan.kind.mediaType)
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"authorisation.\(scan.kind.rawValue)\"")
        return Response(status: .ok, headers: headers, body: .init(data: Data(scan.bytes)))
    }

    // MARK: The centre's actions

    func collect(_ req: Request) async throws -> Response {
        let request = try await loadRequest(req)
        try await req.verification.runDueJobs(now: req.now, today: LocalDate.today(now: req.now))
        return req.redirect(to: "/verification/\(try request.requireID())?done=collected")
    }

    func retry(_ req: Request) async throws -> Response {
        let request = try await loadRequest(req)
        let count = try await VerificationRepository(db: req.db, keys: req.options.keys)
            .retryFailedJobs(requestID: try request.requireID(), now: req.now)
        try await req.audit("verification.retry", objectType: "verification_request", objectID: try request.requireID().uuidString,
                            detail: "jobs=\(count)")
        try await req.verification.runDueJobs(now: req.now, today: LocalDate.today(now: req.now))
        return req.redirect(to: "/verification/\(try request.requireID())?done=retried")
    }

    // MARK: The caseworker's actions

    struct ExemptionForm: Content {
        var record: String?
        var reason: String?
    }

    func exempt(_ req: Request) async throws -> Response {
        let request = try await loadRequest(req)
        let form = try req.content.decode(ExemptionForm.self)
        do {
            _ = try await req.verification.exempt(request: request, recordKey: form.record ?? "", reason: form.reason ?? "",
                                                  audit: req.auditEntry(""), now: req.now)
            return req.redirect(to: "/verification/\(try request.requireID())")
        } catch let error as UserError {
            return try await renderRequest(req, request: request, message: nil, error: error, status: .badRequest)
        }
    }

    struct RecheckForm: Content {
        var reason: String?
    }

    func recheck(_ req: Request) async throws -> Response {
        let request = try await loadRequest(req)
        let form = try req.content.decode(RecheckForm.self)
        do {
            let child = try await req.verification.recheck(request, reason: form.reason ?? "", scope: try req.staff.scope,
                                                           audit: req.auditEntry(""), today: LocalDate.today(now: req.now),
                                                           now: req.now)
            req.verification.kick(req)
            return req.redirect(to: "/verification/\(try child.requireID())?done=requested")
        } catch let error as UserError {
            return try await renderRequest(req, request: request, message: nil, error: error, status: .badRequest)
        }
    }

    // MARK: A report version

    private func loadReport(_ req: Request) async throws -> (OpenedReport, SignedReport) {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let repository = VerificationRepository(db: req.db, keys: req.options.keys)
        guard let record = try await repository.report(id: id, in: try req.staff.scope) else { throw Abort(.notFound) }
        let opened = try repository.open(record)
        return (opened, try SignedReport(fileBytes: Array(opened.signedText.utf8)))
    }

    func printable(_ req: Request) async throws -> Response {
        let (opened, signed) = try await loadReport(req)
        try await req.audit("verification.report_view", objectType: "verification_report",
                            objectID: try opened.record.requireID().uuidString, detail: "version=\(opened.record.version)")
        return try await req.page(V.report) { c in
            [ReportView(signed: signed, reportID: opened.record.id, exemptionAction: nil, c: c).render(),
             .p(.class("no-print"), .text(c.t(T.print) + "：Ctrl+P"))]
        }
    }

    func signedFile(_ req: Request) async throws -> Response {
        let (opened, signed) = try await loadReport(req)
        try await req.audit("verification.report_download", objectType: "verification_report",
                            objectID: try opened.record.requireID().uuidString, detail: "version=\(opened.record.version)")
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .contentDisposition,
                             value: "attachment; filename=\"verification-\(signed.report.requestID.prefix(8))-v\(signed.report.version).json\"")
        return Response(status: .ok, headers: headers, body: .init(string: opened.signedText))
    }

    // MARK: Helpers

    private func headName(_ request: VerificationRequestRecord, _ req: Request) async throws -> String {
        guard let household = try await HouseholdRecord.find(request.householdID, on: req.db),
              let head = try await PersonRecord.find(household.headPersonID, on: req.db) else { return "" }
        return "\(head.name)（\(head.idMasked)）"
    }
}

extension Request {
    /// The audit entry for this request's staff member; the service fills in action and detail.
    func auditEntry(_ action: String) -> AuditEntry {
        let user = staffIfPresent?.user
        return AuditEntry(actor: user?.username ?? "-", role: user?.roleCode ?? "", region: user?.regionCode ?? "",
                          action: action, client: clientAddress)
    }

    var verification: VerificationService {
        VerificationService(db: db, keys: options.keys, adapters: application.departmentAdapters)
    }
}

extension VerificationService {
    /// Starts the new request's jobs at once, in the background, so that the
    /// caseworker does not wait for slow departments; the worker loop picks up
    /// whatever this leaves.
    func kick(_ req: Request) {
        guard req.application.storage[VerificationWorkerKey.self] != nil else { return }
        let service = VerificationService(db: req.application.db, keys: req.options.keys, adapters: req.application.departmentAdapters)
        let clock = req.options.clock
        let logger = req.logger
        Task {
            do {
                try await service.runDueJobs(now: clock(), today: LocalDate.today(now: clock()))
            } catch {
                logger.warning("verification jobs: \(String(describing: error))")
            }
        }
    }
}

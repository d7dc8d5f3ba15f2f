import FluentKit
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 一门受理: registering an application at the window or in the village,
/// the application page and its printable one-time notice.
struct IntakeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("intake", "new", access: .permission(.registerApplications), use: newForm)
        routes.post("intake", access: .permission(.registerApplications), use: register)
        routes.get("applications", ":id", access: .permission(.viewPeople), use: show)
        routes.get("applications", ":id", "notice", access: .permission(.viewPeople), use: notice)
        routes.get("applications", ":id", "entrustment-scan", access: .permission(.viewPeople), use: entrustmentScan)
    }

    func newForm(_ req: Request) async throws -> Response {
        try await render(req, form: IntakeForm(), errors: [:])
    }

    /// The townships and villages a user may register for.
    static func regionOptions(_ req: Request, scope: RegionScope) async throws -> [(String, String)] {
        let rows = try await RegionRepository(db: req.db).subtree(scope)
        let today = LocalDate.today(now: req.now)
        return rows.filter { $0.level >= RegionLevel.township.rawValue && $0.isValid(on: today) }
            .map { ($0.id ?? "", ($0.level == RegionLevel.village.rawValue ? "　" : "") + $0.name) }
    }

    private func render(_ req: Request, form: IntakeForm, errors: [String: UserError], status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let regions = try await Self.regionOptions(req, scope: staff.scope)
        let checklist = try await IntakeRepository(db: req.db, keys: req.options.keys).checklist(for: staff.region)
        return try await req.page(T.newApplication, status: status) { c in
            [.h1(.text(c.t(T.newApplication))),
             IntakeFormView(form: form, errors: errors, regions: regions, checklist: checklist, staffRole: staff.role,
                            action: "/intake", c: c).render()]
        }
    }

    func register(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(IntakeForm.self)
        if form.action == "add_rows" {
            var more = form
            more.rows = min(IntakeForm.maxRows, max(form.rows ?? 4, form.memberRows.count) + 2)
            return try await render(req, form: more, errors: [:])
        }
        let today = LocalDate.today(now: req.now)
        let draft: IntakeDraft
        switch form.validate(channelFor: staff.role, today: today) {
        case .success(let value): draft = value
        case .failure(let errors): return try await render(req, form: form, errors: Self.keyed(errors), status: .badRequest)
        }
        do {
            let result = try await IntakeRepository(db: req.db, keys: req.options.keys).register(
                draft, scope: staff.scope,
                audit: AuditEntry(actor: staff.user.username, role: staff.role.rawValue, region: staff.region.value,
                                  action: "application.register", client: req.clientAddress,
                                  detail: draft.programmes.map(\.rawValue).sorted().joined(separator: ",")),
                today: today, now: req.now, calendar: try await CalendarStore(db: req.db).calendar())
            return req.redirect(to: "/applications/\(try result.application.requireID())")
        } catch let errors as HouseholdRules.Errors {
            return try await render(req, form: form, errors: Self.keyed(errors), status: .badRequest)
        }
    }

    /// The first error of each field.
    static func keyed(_ errors: HouseholdRules.Errors) -> [String: UserError] {
        var keyed: [String: UserError] = [:]
        for error in errors.all where keyed[error.field ?? "form"] == nil { keyed[error.field ?? "form"] = error }
        return keyed
    }

    private func load(_ req: Request) async throws -> (ApplicationRecord, HouseholdRecord, [MemberRow]) {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let staff = try req.staff
        guard let application = try await IntakeRepository(db: req.db, keys: req.options.keys).application(id: id, in: staff.scope),
              let household = try await HouseholdRecord.find(application.householdID, on: req.db)
        else { throw Abort(.notFound) }
        let members = try await PeopleRepository(db: req.db, keys: req.options.keys).members(of: household)
        return (application, household, members)
    }

    func show(_ req: Request) async throws -> Response {
        let (application, household, members) = try await load(req)
        let repository = IntakeRepository(db: req.db, keys: req.options.keys)
        let events = try await repository.events(applicationID: application.requireID())
        let referrals = try await ReferralRecord.query(on: req.db).filter(\.$applicationID == application.requireID()).all()
        let missing = try await repository.checklist(for: try RegionCode(application.regionCode))
            .missing(provided: application.materialSet, for: application.programmeSet)
        let code = (try? TrackingCode(parsing: application.trackingCode))?.description ?? application.trackingCode
        let staff = try req.staff
        let verification = VerificationRepository(db: req.db, keys: req.options.keys)
        let requests = staff.role.has(.viewVerification) ? try await verification.requests(applicationID: application.requireID()) : []
        var conclusions: [UUID: VerificationConclusion] = [:]
        for request in requests {
            if let id = request.id, let latest = try await verification.reports(requestID: id).last {
                conclusions[id] = VerificationConclusion(rawValue: latest.conclusion)
            }
        }
        if !conclusions.isEmpty {
            try await req.audit("verification.summary_view", objectType: "application", objectID: application.trackingCode)
        }
        let cases = staff.role.has(.viewCases) ? try await CaseRepository(db: req.db, keys: req.options.keys).cases(application: application.requireID()) : []
        let acceptable = staff.role.has(.workCases) && (application.applicationStatus?.next.contains(.accepted) ?? false)
        let accepted = req.query[String.self, at: "done"] == "accepted"
        return try await req.page(T.application) { c in
            let acceptance: PageNode = acceptable
                ? actionButton("/applications/\(application.id!)/accept", label: CT.accept, c, id: "application-accept") : .empty
            let casesNode = applicationCases(cases, c)
            let done: PageNode = accepted ? JiuzhuWeb.notice(c.t(CT.accepted)) : .empty
            return [.h1(.text(c.t(T.application)), .small(.text(" \(code)"))),
             done,
             .dl(.class("facts"),
                 .dt(.text(c.t(T.trackingCode))), .dd(.strong(.id("tracking-code"), .text(code))),
                 .dt(.text(c.t(T.status))), .dd(.span(.id("application-status"), .text(application.applicationStatus.map { c.t($0.name) } ?? application.status))),
                 .dt(.text(c.t(T.acceptedOn))), .dd(.text(application.acceptedOn)),
                 .dt(.text(c.t(T.programmes))), .dd(.text(Programme.allCases.filter(application.programmeSet.contains).map { c.t($0.name) }.joined(separator: "、"))),
                 .dt(.text(c.t(T.channel))), .dd(.text(IntakeChannel(rawValue: application.channel).map { c.t($0.name) } ?? application.channel))),
             .if(application.separateRegister, .p(.class("warning"), .text(c.t(T.separateRegister)))),
             .if(application.channel == IntakeChannel.proxy.rawValue,
                 .p(.a(.id("entrustment-scan"), .href("/applications/\(application.id!)/entrustment-scan"), .text(c.t(T.proxyScan))))),
             .if(!missing.isEmpty, .p(.class("warning"), .a(.id("notice-link"), .href("/applications/\(application.id!)/notice"), .text(c.t(T.notice))))),
             acceptance,
             casesNode,
             .h2(.text(c.t(T.members))),
             memberTable(members, c),
             .p(.a(.href("/households/\(household.id!)"), .text(c.t(T.chain)))),
             verificationSection(requests, conclusions: conclusions, applicationID: application.id!, role: staff.role, c),
             .h2(.text(c.t(T.referrals))),
             referralTable(referrals, c),
             .h2(.text(c.t(T.chain))),
             timeline(events.map { ($0.atMillis, Bilingual(zh: $0.textZh, en: $0.textEn)) }, c)]
        }
    }

    private func applicationCases(_ cases: [CaseRecord], _ c: ViewContext) -> PageNode {
        guard !cases.isEmpty else { return .empty }
        let items: [Node<HTML.ListContext>] = cases.map { record in
            let programme = record.programmeValue.map { c.t($0.name) } ?? record.programme
            let state = record.caseState.map { c.t($0.name) } ?? record.state
            return .li(.a(.href("/cases/\(record.id?.uuidString ?? "")"), .text("\(programme) · \(state)")))
        }
        return .group([.h2(.text(c.t(CT.cases))), .ul(.id("application-cases"), .group(items))])
    }

    /// The proxy's scanned entrustment; opening it is audited.
    func entrustmentScan(_ req: Request) async throws -> Response {
        let (application, _, _) = try await load(req)
        guard let scan = try await IntakeRepository(db: req.db, keys: req.options.keys).entrustmentScan(of: application) else {
            throw Abort(.notFound)
        }
        try await req.audit("document.view", objectType: "entrustment", objectID: application.trackingCode)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: scan.kind.mediaType)
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"entrustment-\(application.trackingCode).\(scan.kind.rawValue)\"")
        return Response(status: .ok, headers: headers, body: .init(data: Data(scan.bytes)))
    }

    func notice(_ req: Request) async throws -> Response {
        let (application, _, members) = try await load(req)
        let region = try RegionCode(application.regionCode)
        let missing = try await IntakeRepository(db: req.db, keys: req.options.keys).checklist(for: region)
            .missing(provided: application.materialSet, for: application.programmeSet)
        let place = try await RegionRepository(db: req.db).fullName(region)
        let head = members.first { $0.member.relation == Relationship.head.rawValue }?.person.name ?? ""
        let code = (try? TrackingCode(parsing: application.trackingCode))?.description ?? application.trackingCode
        try await req.audit("application.notice", objectType: "application", objectID: application.trackingCode)
        return try await req.page(T.notice) { c in
            [.article(.id("one-time-notice"), .class("notice-sheet"),
                .h1(.text("社会救助申请一次性告知书")),
                .p(.class("en"), .text("One-time notice of missing materials")),
                .p(.text("\(head)：")),
                .p(.text(T.noticeIntro.zh)), .p(.class("en"), .text(T.noticeIntro.en)),
                .if(missing.isEmpty, .p(.text(c.t(T.noticeNothingMissing)))),
                .ol(.id("missing-materials"), .forEach(missing) { item in
                    .li(.text(item.name.zh), .span(.class("en"), .text(" / " + item.name.en)))
                }),
                .p(.text("\(T.trackingCode.zh) / \(T.trackingCode.en)：\(code)")),
                .p(.text("\(T.acceptedOn.zh) / \(T.acceptedOn.en)：\(application.acceptedOn)")),
                .p(.text(place + " 社会救助窗口"))),
             .p(.class("no-print"), .text(c.t(T.print) + "：Ctrl+P"))]
        }
    }
}

func memberTable(_ members: [MemberRow], _ c: ViewContext) -> PageNode {
    .div(.class("scroll"), .table(.id("member-list"),
        .tr(.th(.text(c.t(T.name))), .th(.text(c.t(T.idNumber))), .th(.text(c.t(T.relation))), .th(.text(c.t(T.coResident))),
            .th(.text(c.t(T.memberStatus)))),
        .forEach(members) { row in
            .tr(.td(.a(.href("/people/\(row.person.id!)"), .text(row.person.name))),
                .td(.text(row.person.idMasked)),
                .td(.text(Relationship(rawValue: row.member.relation).map { c.t($0.name) } ?? row.member.relation)),
                .td(.text(row.member.coResident ? "✓" : "—")),
                .td(.text(MemberStatus(rawValue: row.member.status).map { c.t($0.name) } ?? row.member.status)))
        }))
}

func referralTable(_ referrals: [ReferralRecord], _ c: ViewContext) -> PageNode {
    .div(.class("scroll"), .table(.class("referrals"),
        .tr(.th(.text(c.t(T.needs))), .th(.text(c.t(T.deadline))), .th(.text(c.t(T.status))), .th(.text(c.t(T.outcome)))),
        .forEach(referrals) { r in
            .tr(.td(.text(ReferralNeed(rawValue: r.need).map { "\(c.t($0.name))（\(c.t($0.department.name))）" } ?? r.need)),
                .td(.text(r.deadline)),
                .td(.text(c.t(r.referralStatus.name))),
                .td(.text(r.outcome ?? "")))
        }))
}

func timeline(_ items: [(Int64, Bilingual)], _ c: ViewContext) -> PageNode {
    .ol(.class("timeline"), .forEach(items) { item in
        .li(.element(named: "time", text: chinaTime(Date(timeIntervalSince1970: Double(item.0) / 1000))), .text(" " + c.t(item.1)))
    })
}

/// A timestamp as China reads it (UTC+8), to the minute or the second.
func chinaTime(_ date: Date, seconds withSeconds: Bool = false) -> String {
    let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + 8 * 3600
    let day = LocalDate(dayNumber: Int((Double(seconds) / 86400).rounded(.down)))
    let rest = ((seconds % 86400) + 86400) % 86400
    return "\(day) " + (withSeconds ? String(format: "%02d:%02d:%02d", rest / 3600, rest / 60 % 60, rest % 60)
                                     : String(format: "%02d:%02d", rest / 3600, rest / 60 % 60))
}

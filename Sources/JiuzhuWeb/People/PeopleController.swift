import FluentKit
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// Search and records of persons and households, inside the user's region.
struct PeopleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("people", access: .permission(.viewPeople), use: search)
        routes.get("people", ":id", access: .permission(.viewPeople), use: person)
        routes.get("households", ":id", access: .permission(.viewPeople), use: household)
    }

    /// One box: an ID number (exact, blind index), a tracking code, or the start of a name.
    func search(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let q = String(((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces).prefix(40))
        let people = PeopleRepository(db: req.db, keys: req.options.keys)
        var persons: [PersonRecord] = []
        var applications: [ApplicationRecord] = []
        if !q.isEmpty {
            if let id = try? ResidentID(q, today: LocalDate.today(now: req.now)) {
                persons = try await people.person(idNumber: id, in: staff.scope).map { [$0] } ?? []
            } else if let code = try? TrackingCode(parsing: q),
                      let application = try await IntakeRepository(db: req.db, keys: req.options.keys).application(trackingCode: code),
                      let region = try? RegionCode(application.regionCode), staff.scope.allows(region) {
                applications = [application]
            } else {
                persons = try await people.search(namePrefix: q, in: staff.scope)
            }
            try await req.audit("people.search", objectType: "search", detail: q.count == 18 ? String(q.prefix(6)) + "…" : q)
        }
        return try await req.page(T.people) { c in
            [.h1(.text(c.t(T.people))),
             .form(.id("people-search"), .method(.get), .action("/people"),
                   field("q", label: T.searchHint, value: q, errors: [:], c, required: false),
                   .button(.type(.submit), .class("primary"), .text(c.t(S.search)))),
             .if(!q.isEmpty && persons.isEmpty && applications.isEmpty, .p(.class("muted"), .text(c.t(T.noResults)))),
             .if(!persons.isEmpty, .div(.class("scroll"), .table(.id("people-results"),
                 .tr(.th(.text(c.t(T.name))), .th(.text(c.t(T.idNumber))), .th(.text(c.t(T.residenceRegion)))),
                 .forEach(persons) { p in
                     .tr(.td(.a(.href("/people/\(p.id!)"), .text(p.name))), .td(.text(p.idMasked)), .td(.text(p.regionCode)))
                 }))),
             .forEach(applications) { a in
                 .p(.a(.href("/applications/\(a.id!)"), .text("\(c.t(T.application)) \(a.trackingCode)")))
             }]
        }
    }

    /// The full record: sealed fields opened, and the view audited.
    func person(_ req: Request) async throws -> Response {
        let staff = try req.staff
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let people = PeopleRepository(db: req.db, keys: req.options.keys)
        guard let record = try await people.person(id: id, in: staff.scope) else { throw Abort(.notFound) }
        let details = try people.details(record, today: LocalDate.today(now: req.now))
        let households = try await people.households(of: record, in: staff.scope)
        try await req.audit("person.view", objectType: "person", objectID: record.idMasked)
        return try await req.page(Bilingual(zh: record.name, en: record.name)) { c in
            [.h1(.text(record.name)),
             .p(.class("muted"), .text(c.t(T.fullRecord))),
             .dl(.class("facts"),
                 .dt(.text(c.t(T.idNumber))), .dd(.text(details.id?.value ?? "")),
                 .dt(.text(c.t(T.sex))), .dd(.text(c.t(record.sex == Sex.male.rawValue ? T.male : T.female))),
                 .dt(.text(c.t(T.birthDate))), .dd(.text(record.birthDate)),
                 .dt(.text(c.t(T.phone))), .dd(.text(details.phone ?? "—")),
                 .dt(.text(c.t(T.address))), .dd(.text(details.address ?? "—")),
                 .dt(.text(c.t(T.disability))), .dd(.text(details.disability.map { "\(c.t($0.type.name)) \($0.grade)" } ?? "—")),
                 .dt(.text(c.t(T.disabilityCard))), .dd(.text(details.disability.flatMap { d in details.id.map { d.cardNumber(for: $0) } } ?? "—")),
                 .dt(.text(c.t(T.seriousIllness))), .dd(.text(details.seriousIllness ? "✓" : "—")),
                 .dt(.text(c.t(T.employment))), .dd(.text(EmploymentStatus(rawValue: record.employment).map { c.t($0.name) } ?? record.employment)),
                 .dt(.text(c.t(T.student))), .dd(.text(StudentStatus(rawValue: record.student).map { c.t($0.name) } ?? record.student)),
                 .dt(.text(c.t(T.hukou))), .dd(.text(record.hukouRegion ?? "—")),
                 .dt(.text(c.t(T.residenceKind))), .dd(.text(ResidenceKind(rawValue: record.residence).map { c.t($0.name) } ?? record.residence))),
             .h2(.text(c.t(T.households))),
             .ul(.forEach(households) { h in .li(.a(.href("/households/\(h.id!)"), .text(c.t(T.chain)))) })]
        }
    }

    /// 一户一条救助链: members, then every application, event and referral in time order.
    func household(_ req: Request) async throws -> Response {
        let staff = try req.staff
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let people = PeopleRepository(db: req.db, keys: req.options.keys)
        guard let household = try await people.household(id: id, in: staff.scope) else { throw Abort(.notFound) }
        let members = try await people.members(of: household)
        let chain = try await IntakeRepository(db: req.db, keys: req.options.keys).chain(householdID: id)
        let head = members.first { $0.member.relation == Relationship.head.rawValue }?.person.name ?? ""
        return try await req.page(T.chain) { c in
            [.h1(.text("\(head) · \(c.t(T.chain))")),
             .h2(.text(c.t(T.members))),
             memberTable(members, c),
             .h2(.text(c.t(T.application))),
             .ul(.forEach(chain.applications) { a in
                 .li(.a(.href("/applications/\(a.id!)"), .text(a.trackingCode)),
                     .text(" · \(a.acceptedOn) · " + Programme.allCases.filter(a.programmeSet.contains).map { c.t($0.name) }.joined(separator: "、")
                           + " · " + (a.applicationStatus.map { c.t($0.name) } ?? a.status)))
             }),
             .h2(.text(c.t(T.referrals))),
             referralTable(chain.referrals, c),
             .h2(.text(c.t(T.chain))),
             timeline(chain.events.map { ($0.atMillis, Bilingual(zh: $0.textZh, en: $0.textEn)) }, c)]
        }
    }
}

/// 转介: a department officer's queue and the outcome they report.
struct ReferralsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("referrals", access: .permission(.handleReferrals), use: queue)
        routes.post("referrals", ":id", access: .permission(.handleReferrals), use: update)
    }

    struct UpdateForm: Content {
        var status: String?
        var outcome: String?
    }

    private func department(_ staff: StaffContext) throws -> Department {
        guard let department = staff.user.department.flatMap(Department.init(rawValue:)) else {
            throw UserError("referral.no_department", zh: "账号未设置所属部门", en: "This account has no department")
        }
        return department
    }

    func queue(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let department = try department(staff)
        let referrals = try await IntakeRepository(db: req.db, keys: req.options.keys).referralQueue(department: department, in: staff.scope)
        let today = LocalDate.today(now: req.now)
        let statuses = ReferralStatus.allCases.filter { $0 != .open }
        return try await req.page(T.referralQueue) { c in
            [.h1(.text("\(c.t(T.referralQueue)) · \(c.t(department.name))")),
             .if(referrals.isEmpty, .div(.class("empty-state"), .p(.text(c.t(S.noTasks))))),
             .ul(.id("referral-queue"), .class("queue"), .forEach(referrals) { r in
                 let overdue = (try? LocalDate(parsing: r.deadline)).map { r.referralStatus.isOverdue(deadline: $0, today: today) } ?? false
                 return .li(.class(overdue ? "overdue" : ""),
                     .strong(.text(ReferralNeed(rawValue: r.need).map { c.t($0.name) } ?? r.need)),
                     .text(" · \(r.regionCode) · \(c.t(T.deadline)) \(r.deadline) · \(c.t(r.referralStatus.name))"),
                     .p(.a(.href("/households/\(r.householdID)"), .text(c.t(T.chain)))),
                     .form(.method(.post), .action("/referrals/\(r.id!)"), csrfField(c),
                           selectField("status", label: T.status, options: statuses.map { ($0.rawValue, c.t($0.name)) }, selected: ReferralStatus.inProgress.rawValue, errors: [:], c),
                           field("outcome", label: T.outcome, value: r.outcome ?? "", errors: [:], c, required: false),
                           .button(.type(.submit), .text(c.t(T.update)))))
             })]
        }
    }

    func update(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let department = try department(staff)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let referral = try await ReferralRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        try req.requireInScope(try RegionCode(referral.regionCode))
        guard referral.department == department.rawValue else {
            throw AccessDenied(reason: "referral of another department")
        }
        let form = try req.content.decode(UpdateForm.self)
        guard let status = ReferralStatus(rawValue: form.status ?? "") else {
            throw UserError("referral.status", field: "status", zh: "请选择办理状态", en: "Choose a status")
        }
        let outcome = try TextRules.optionalFreeText(form.outcome ?? "", field: "outcome", max: 200)
        if (status == .done || status == .declined) && outcome == nil {
            throw UserError("referral.outcome_missing", field: "outcome", zh: "办结或不予受理时须填写办理结果",
                            en: "Say what was done (or why not) when closing a referral")
        }
        try await IntakeRepository(db: req.db, keys: req.options.keys).update(
            referral: referral, status: status, outcome: outcome, owner: staff.user.username,
            audit: AuditEntry(actor: staff.user.username, role: staff.role.rawValue, region: referral.regionCode,
                              action: "referral.update", objectType: "referral", objectID: id.uuidString,
                              client: req.clientAddress, detail: status.rawValue),
            now: req.now)
        return req.redirect(to: "/referrals")
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 走访计划 — the plans of a region: who is visited, by whom, how often, and
/// what the visits found. Opening a check-in's photo or notes is audited.
struct VisitPlansController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("visits", "plans", access: .permission(.viewVisits), use: list)
        routes.post("visits", "plans", access: .permission(.manageVisitPlans), use: enrol)
        routes.get("visits", "plans", ":id", access: .permission(.viewVisits), use: show)
        routes.post("visits", "plans", ":id", access: .permission(.manageVisitPlans), use: update)
        routes.get("visits", "check-ins", ":id", "photo", access: .permission(.viewVisits), use: photo)
        routes.post("visits", "check-ins", ":id", "needs", access: .permission(.manageVisitPlans), use: settleNeeds)
    }

    // MARK: The list

    struct Row {
        let plan: VisitPlanRecord
        let name: String
        let responsible: String
        let schedule: VisitSchedule?
        let status: VisitStatus?
    }

    func list(_ req: Request) async throws -> Response {
        try await renderList(req, error: nil, values: [:])
    }

    private func renderList(_ req: Request, error: UserError?, values: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let plans = try await VisitRepository(db: req.db, keys: req.options.keys).plans(in: staff.scope)
        let names = try await personNames(plans.map(\.personID), req)
        let workers = try await responsibleCandidates(req)
        let workerNames = try await staffNames(Set(plans.map(\.responsibleID)), req)
        let calendar = try await CalendarStore(db: req.db).calendar()
        let policies = VisitPolicyCache(store: VisitPolicyStore(db: req.db))
        let today = LocalDate.today(now: req.now)
        var rows: [Row] = []
        for plan in plans {
            let schedule = VisitRepository.schedule(plan, policy: try await policies.policy(for: plan.regionCode), calendar: calendar)
            rows.append(Row(plan: plan, name: names[plan.personID] ?? "-", responsible: workerNames[plan.responsibleID] ?? "-",
                            schedule: schedule, status: schedule?.status(on: today)))
        }
        let regionNames = try await regionNames(Set(plans.map(\.regionCode)), req)
        let canManage = staff.role.has(.manageVisitPlans)
        return try await req.page(VT.plans, status: status) { c in
            [.h1(.text(c.t(VT.plans))),
             .if(canManage, .details(.class("enrol"), .attribute(named: "open", value: error == nil ? nil : "open"),
                .summary(.text(c.t(VT.enrol))),
                .form(.id("plan-enrol"), .method(.post), .action("/visits/plans"), csrfField(c), formError(error),
                      field("idNumber", label: VT.idNumber, value: values["idNumber"] ?? "", errors: [:], c),
                      selectField("responsible", label: VT.responsible, options: workers.map { ($0.0.uuidString, $0.1) },
                                  selected: values["responsible"] ?? "", errors: [:], c),
                      selectField("selfCare", label: VT.selfCare, options: SelfCareClass.allCases.map { ($0.rawValue, c.t($0.name)) },
                                  selected: values["selfCare"] ?? "", errors: [:], c),
                      field("homeLatitude", label: VT.homeLatitude, value: values["homeLatitude"] ?? "", errors: [:], c, required: false),
                      field("homeLongitude", label: VT.homeLongitude, value: values["homeLongitude"] ?? "", errors: [:], c, required: false),
                      .button(.type(.submit), .id("plan-enrol-submit"), .text(c.t(VT.enrol)))))),
             .div(.class("scroll"), .table(.id("visit-plans"),
                .thead(.tr(.th(.text(c.t(VT.person))), .th(.text(c.t(VT.region))), .th(.text(c.t(VT.responsible))),
                           .th(.text(c.t(VT.selfCare))), .th(.text(c.t(VT.lastVisit))), .th(.text(c.t(VT.nextVisit))),
                           .th(.text(c.t(VT.status))))),
                .tbody(.forEach(rows) { row in
                    .tr(.class(row.status?.isLate == true ? "overdue" : ""),
                        .td(.a(.href("/visits/plans/\(row.plan.id?.uuidString ?? "")"), .text(row.name))),
                        .td(.text(regionNames[row.plan.regionCode] ?? row.plan.regionCode)),
                        .td(.text(row.responsible)),
                        .td(.text(row.plan.selfCareClass.map { c.t($0.name) } ?? row.plan.selfCare)),
                        .td(.text(row.plan.lastVisitOn ?? "-")),
                        .td(.text(row.schedule?.dueDate.description ?? "-")),
                        .td(.text(row.status.map { c.t($0.name) } ?? "-")))
                })))]
        }
    }

    struct PlanForm: Content {
        var idNumber: String?
        var responsible: String?
        var selfCare: String?
        var homeLatitude: String?
        var homeLongitude: String?
    }

    func enrol(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(PlanForm.self)
        let values = ["idNumber": form.idNumber ?? "", "responsible": form.responsible ?? "", "selfCare": form.selfCare ?? "",
                      "homeLatitude": form.homeLatitude ?? "", "homeLongitude": form.homeLongitude ?? ""]
        do {
            let today = LocalDate.today(now: req.now)
            let resident = try ResidentID((form.idNumber ?? "").trimmingCharacters(in: .whitespaces), today: today)
            guard let person = try await PeopleRepository(db: req.db, keys: req.options.keys).person(idNumber: resident, in: staff.scope),
                  let personID = person.id
            else {
                throw UserError("plan.person", field: "idNumber", zh: "本辖区没有此身份证号的人员", en: "No person with this ID number in your region")
            }
            let (responsible, selfCare, home) = try await planFields(form, req)
            let plan = try await VisitRepository(db: req.db, keys: req.options.keys).enrol(
                person: personID, region: try RegionCode(person.regionCode), responsible: responsible, selfCare: selfCare, on: today,
                home: home, audit: (req.auditChain, req.auditEntry("visit_plan.enrol")), now: req.now)
            return req.redirect(to: "/visits/plans/\(try plan.requireID())?done=saved")
        } catch let error as UserError {
            return try await renderList(req, error: error, values: values, status: .badRequest)
        }
    }

    /// The responsible person (an account in the user's region that checks
    /// in), the self-care class and the optional home location of a form.
    private func planFields(_ form: PlanForm, _ req: Request) async throws -> (UUID, SelfCareClass, GeoPoint?) {
        guard let responsible = form.responsible.flatMap(UUID.init(uuidString:)),
              try await responsibleCandidates(req).contains(where: { $0.0 == responsible })
        else {
            throw UserError("plan.responsible", field: "responsible", zh: "请选择本辖区的包保责任人",
                            en: "Choose a responsible person in your region")
        }
        guard let selfCare = form.selfCare.flatMap(SelfCareClass.init(rawValue:)) else {
            throw UserError("plan.self_care", field: "selfCare", zh: "请选择生活自理能力", en: "Choose the self-care class")
        }
        let (lat, lon) = ((form.homeLatitude ?? "").trimmingCharacters(in: .whitespaces),
                          (form.homeLongitude ?? "").trimmingCharacters(in: .whitespaces))
        guard !lat.isEmpty || !lon.isEmpty else { return (responsible, selfCare, nil) }
        guard let latitude = Double(lat), let longitude = Double(lon), (-90...90).contains(latitude), (-180...180).contains(longitude)
        else {
            throw UserError("plan.home", field: "homeLatitude", zh: "住址坐标须同时填写纬度（-90～90）和经度（-180～180）",
                            en: "Give both the latitude (−90 to 90) and the longitude (−180 to 180) of the home")
        }
        return (responsible, selfCare, GeoPoint(latitude: latitude, longitude: longitude))
    }

    // MARK: One plan

    private func loadPlan(_ req: Request) async throws -> VisitPlanRecord {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let plan = try await VisitRepository(db: req.db, keys: req.options.keys).plan(id: id, in: try req.staff.scope)
        else { throw Abort(.notFound) }
        return plan
    }

    func show(_ req: Request) async throws -> Response {
        let message: Bilingual? = switch req.query[String.self, at: "done"] {
        case "saved": VT.saved
        case "referred": VT.referred
        default: nil
        }
        return try await renderPlan(req, plan: try await loadPlan(req), message: message, error: nil)
    }

    private func renderPlan(_ req: Request, plan: VisitPlanRecord, message: Bilingual?, error: UserError?,
                            status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let repository = VisitRepository(db: req.db, keys: req.options.keys)
        let planID = try plan.requireID()
        let name = try await personNames([plan.personID], req)[plan.personID] ?? "-"
        let checkIns = try await repository.checkIns(plan: planID, in: staff.scope)
        let workerNames = try await staffNames(Set(checkIns.map(\.workerID) + [plan.responsibleID]), req)
        let opened = try checkIns.map { try repository.opened($0) }
        let openNeeds = Set(try await TaskRecord.query(on: req.db).filter(\.$kind == TaskKind.visitNeeds.rawValue)
            .filter(\.$subjectID ~~ checkIns.compactMap { $0.id?.uuidString }).filter(\.$closedMillis == nil).all().map(\.subjectID))
        let policy = try await VisitPolicyStore(db: req.db).policy(for: try RegionCode(plan.regionCode)).policy
        let schedule = VisitRepository.schedule(plan, policy: policy, calendar: try await CalendarStore(db: req.db).calendar())
        let workers = try await responsibleCandidates(req)
        try await req.audit("visit_plan.view", objectType: "visit_plan", objectID: planID.uuidString, detail: "checkins=\(checkIns.count)")
        let canManage = staff.role.has(.manageVisitPlans)
        return try await req.page(VT.plan, status: status) { c in
            [.h1(.text("\(c.t(VT.plan)) · \(name)")),
             notice(message.map(c.t)),
             formError(error),
             .dl(.class("facts"),
                 .dt(.text(c.t(VT.responsible))), .dd(.id("plan-responsible"), .text(workerNames[plan.responsibleID] ?? "-")),
                 .dt(.text(c.t(VT.selfCare))), .dd(.id("plan-self-care"), .text(plan.selfCareClass.map { c.t($0.name) } ?? plan.selfCare)),
                 .dt(.text(c.t(VT.enrolledOn))), .dd(.text(plan.enrolledOn)),
                 .dt(.text(c.t(VT.lastVisit))), .dd(.text(plan.lastVisitOn ?? "-")),
                 .dt(.text(c.t(VT.nextVisit))),
                 .dd(.id("plan-next"), .text(schedule.map { "\($0.dueDate) · \(c.t($0.status(on: LocalDate.today(now: req.now)).name))" } ?? "-"),
                     .unwrap(schedule) { .small(.class("rule"), .text(c.t($0.rule))) })),
             .if(canManage, .form(.id("plan-update"), .method(.post), .action("/visits/plans/\(planID.uuidString)"), csrfField(c),
                 .p(.class("hint"), .text(c.t(VT.reassessHint))),
                 selectField("responsible", label: VT.responsible, options: workers.map { ($0.0.uuidString, $0.1) },
                             selected: plan.responsibleID.uuidString, errors: [:], c),
                 selectField("selfCare", label: VT.selfCare, options: SelfCareClass.allCases.map { ($0.rawValue, c.t($0.name)) },
                             selected: plan.selfCare, errors: [:], c),
                 field("homeLatitude", label: VT.homeLatitude, value: plan.homeLatitude.map { String($0) } ?? "", errors: [:], c, required: false),
                 field("homeLongitude", label: VT.homeLongitude, value: plan.homeLongitude.map { String($0) } ?? "", errors: [:], c, required: false),
                 .button(.type(.submit), .id("plan-update-submit"), .text(c.t(VT.save))))),
             .h2(.text(c.t(VT.checkIns))),
             .if(checkIns.isEmpty, .p(.class("empty-state"), .text(c.t(VT.noCheckIns)))),
             .div(.class("scroll"), .table(.id("plan-checkins"),
                .thead(.tr(.th(.text(c.t(VT.time))), .th(.text(c.t(VT.worker))), .th(.text(c.t(VT.place))),
                           .th(.text(c.t(VT.activities))), .th(.text(c.t(VT.needs))), .th(.text(c.t(VT.notes))), .th())),
                .tbody(.forEach(Array(zip(checkIns, opened))) { record, open in
                    let id = record.id?.uuidString ?? ""
                    let needs = open.needs.map { ReferralNeed(rawValue: $0).map { c.t($0.name) } ?? $0 }
                    return .tr(.data(named: "checkin", value: attr(id)),
                        .td(.text(chinaTime(record.atUnix))),
                        .td(.text(workerNames[record.workerID] ?? "-")),
                        .td(.text(String(format: "%.5f, %.5f (±%.0f m)", record.latitude, record.longitude, record.accuracyMetres))),
                        .td(.text(activitiesText(record.failedActivities, c))),
                        .td(.text(needs.isEmpty ? c.t(VT.none) : needs.joined(separator: "、")),
                            .if(canManage && openNeeds.contains(id), needsForm(id: id, needs: open.needs, c))),
                        .td(.text(open.notes)),
                        .td(.a(.href("/visits/check-ins/\(id)/photo"), .text(c.t(VT.viewPhoto)))))
                })))]
        }
    }

    private func needsForm(id: String, needs: [String], _ c: ViewContext) -> Node<HTML.BodyContext> {
        .form(.class("needs-settle"), .method(.post), .action("/visits/check-ins/\(id)/needs"), csrfField(c),
              .forEach(needs.compactMap(ReferralNeed.init(rawValue:))) { need in
                  .label(.class("check"), .input(.type(.checkbox), .name("refer[]"), .value(need.rawValue), .checked(true)),
                         .text("\(c.t(need.name)) → \(c.t(need.department.name))"))
              },
              .label(.for("note-\(id)"), .text(c.t(VT.noteNeeds))),
              .input(.type(.text), .name("note"), .id(attr("note-\(id)"))),
              .button(.type(.submit), .text(c.t(VT.refer))))
    }

    private func activitiesText(_ failed: String?, _ c: ViewContext) -> String {
        guard let failed else { return c.t(VT.notChecked) }
        let names = failed.split(separator: ",").compactMap { DailyActivity(rawValue: String($0)) }.sorted().map { c.t($0.name) }
        return names.isEmpty ? c.t(VT.none) : names.joined(separator: "、")
    }

    func update(_ req: Request) async throws -> Response {
        let plan = try await loadPlan(req)
        let form = try req.content.decode(PlanForm.self)
        do {
            let (responsible, selfCare, home) = try await planFields(form, req)
            try await VisitRepository(db: req.db, keys: req.options.keys).update(
                plan: plan, responsible: responsible, selfCare: selfCare, home: home, actor: try req.staff.user.username,
                audit: (req.auditChain, req.auditEntry("visit_plan.update")), now: req.now)
            return req.redirect(to: "/visits/plans/\(try plan.requireID())?done=saved")
        } catch let error as UserError {
            return try await renderPlan(req, plan: plan, message: nil, error: error, status: .badRequest)
        }
    }

    // MARK: A check-in's photo and needs

    private func loadCheckIn(_ req: Request) async throws -> VisitCheckInRecord {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let record = try await VisitCheckInRecord.find(id, on: req.db),
              let region = try? RegionCode(record.regionCode), try req.staff.scope.allows(region)
        else { throw Abort(.notFound) }
        return record
    }

    func photo(_ req: Request) async throws -> Response {
        let record = try await loadCheckIn(req)
        let data = try VisitRepository(db: req.db, keys: req.options.keys).photo(of: record)
        try await req.audit("document.view", objectType: "visit_checkin", objectID: try record.requireID().uuidString, detail: "photo")
        var headers = HTTPHeaders()
        headers.contentType = data.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? .png : .jpeg
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    struct NeedsForm: Content {
        var refer: [String]?
        var note: String?
    }

    func settleNeeds(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let record = try await loadCheckIn(req)
        guard let plan = try await VisitRepository(db: req.db, keys: req.options.keys).plan(id: record.planID, in: staff.scope)
        else { throw Abort(.notFound) }
        let form = try req.content.decode(NeedsForm.self)
        do {
            var needs: [ReferralNeed] = []
            for raw in form.refer ?? [] {
                guard let need = ReferralNeed(rawValue: raw) else {
                    throw UserError("needs.unknown", field: "needs", zh: "未知的需求：\(raw)", en: "Unknown need: \(raw)")
                }
                needs.append(need)
            }
            _ = try await VisitRepository(db: req.db, keys: req.options.keys).settleNeeds(
                of: record, refer: needs, note: form.note ?? "", actor: staff.user.username,
                calendar: try await CalendarStore(db: req.db).calendar(),
                audit: (req.auditChain, req.auditEntry("visit.needs")), now: req.now)
            return req.redirect(to: "/visits/plans/\(try plan.requireID())?done=referred")
        } catch let error as UserError {
            return try await renderPlan(req, plan: plan, message: nil, error: error, status: .badRequest)
        }
    }

    // MARK: Lookups

    /// Accounts in the user's region that may check in, as (id, "name (role)").
    private func responsibleCandidates(_ req: Request) async throws -> [(UUID, String)] {
        let scope = try req.staff.scope
        let roles = StaffRole.allCases.filter { $0.has(.checkInVisits) }.map(\.rawValue)
        let users = try await StaffUser.query(on: req.db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .filter(\.$roleCode ~~ roles).sort(\.$displayName).all()
        let language = req.language
        return users.compactMap { user in
            user.id.map { ($0, "\(user.displayName)（\(user.role.map { $0.name.text(language) } ?? user.roleCode)）") }
        }
    }
}

func personNames(_ ids: [UUID], _ req: Request) async throws -> [UUID: String] {
    guard !ids.isEmpty else { return [:] }
    let people = try await PersonRecord.query(on: req.db).filter(\.$id ~~ ids).all()
    return Dictionary(uniqueKeysWithValues: people.compactMap { p in p.id.map { ($0, p.name) } })
}

func staffNames(_ ids: Set<UUID>, _ req: Request) async throws -> [UUID: String] {
    guard !ids.isEmpty else { return [:] }
    let users = try await StaffUser.query(on: req.db).filter(\.$id ~~ Array(ids)).all()
    return Dictionary(uniqueKeysWithValues: users.compactMap { u in u.id.map { ($0, u.displayName) } })
}

func regionNames(_ codes: Set<String>, _ req: Request) async throws -> [String: String] {
    var names: [String: String] = [:]
    let repository = RegionRepository(db: req.db)
    for code in codes { names[code] = (try? await repository.fullName(try RegionCode(code))) ?? code }
    return names
}

/// A Unix time as China time, "2026-05-29 14:05".
func chinaTime(_ unix: Int64) -> String {
    let date = LocalDate.today(now: Date(timeIntervalSince1970: TimeInterval(unix)))
    let seconds = Int((unix + 8 * 3600) % 86_400 + 86_400) % 86_400
    return String(format: "%@ %02d:%02d", date.description, seconds / 3600, seconds % 3600 / 60)
}

import FluentKit
import Foundation
import JiuzhuCore
import Plot
import JiuzhuStore
import Vapor

/// 我的待办: the start page. Administrators see their duty's pages instead.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(access: .staff, use: home)
    }

    func home(_ req: Request) async throws -> Response {
        let staff = try req.staff
        if staff.role.adminDuty != nil {
            let links: [(Permission, String, Bilingual)] = [
                (.manageRegions, "/admin/regions", S.regionAdmin), (.manageCalendar, "/admin/calendar", S.calendar),
                (.manageUsers, "/admin/users", S.users), (.viewAudit, "/audit", S.audit),
            ]
            return try await req.page(S.adminHome) { c in
                [.h1(.text(c.t(S.adminHome))),
                .ul(.class("tiles"), .forEach(links.filter { staff.role.has($0.0) }) { link in
                    .li(.a(.href(link.1), .text(c.t(link.2))))
                })]
            }
        }
        let today = LocalDate.today(now: req.now)
        let tasks = try await TaskRepository.inbox(role: staff.role, scope: staff.scope, on: req.db)
        // The plan each task is about, for the person's name and the link.
        let planIDs = tasks.compactMap { task -> UUID? in
            UUID(uuidString: task.subjectType == "visit_plan" ? task.subjectID : task.details["plan"] ?? "")
        }
        let plans = try await VisitPlanRecord.query(on: req.db).filter(\.$id ~~ planIDs).all()
        let personByPlan = Dictionary(uniqueKeysWithValues: plans.compactMap { p in p.id.map { ($0, p.personID) } })
        let names = try await personNames(Array(Set(plans.map(\.personID))), req)
        let counts = staff.role.has(.viewVisits) && staff.region.level < .township
            ? try await TaskRepository.counts(in: staff.scope, today: today, on: req.db) : []
        let regionNames = try await regionNames(Set(counts.map(\.region.value)), req)
        return try await req.page(S.myTasks) { c in
            [.h1(.text(c.t(S.myTasks))),
             tasks.isEmpty ? .div(.id("tasks"), .class("empty-state"), .p(.text(c.t(S.noTasks))))
                : .div(.class("scroll"), .table(.id("tasks"),
                    .thead(.tr(.th(.text(c.t(VT.kind))), .th(.text(c.t(VT.subject))), .th(.text(c.t(VT.dueDate))),
                               .th(.text(c.t(VT.status))))),
                    .tbody(.forEach(tasks) { task in
                        let urgency = task.due.map { TaskUrgency(due: $0, on: today) }
                        let plan = UUID(uuidString: task.subjectType == "visit_plan" ? task.subjectID : task.details["plan"] ?? "")
                        let isCase = task.subjectType == "case"
                        let name = isCase ? caseLabel(task, c) : plan.flatMap { personByPlan[$0] }.flatMap { names[$0] } ?? "-"
                        let link = isCase ? "/cases/\(task.subjectID)" : plan.map { "/visits/plans/\($0.uuidString)" }
                        return .tr(.class(urgency?.isOverdue == true ? "task overdue" : "task"),
                                   .data(named: "kind", value: attr(task.kind)),
                            .td(.text(task.taskKind.map { c.t($0.name) } ?? task.kind),
                                .small(.class("rule"), .text(c.t(task.rule)))),
                            .td(link.map { .a(.href(attr($0)), .text(name)) } ?? .text(name)),
                            .td(.text(task.dueOn)),
                            .td(.class("urgency"), .text(urgency.map { c.t($0.name) } ?? "")))
                    }))),
             .if(!counts.isEmpty, .group([
                .h2(.text(c.t(VT.overdueByRegion))),
                .div(.class("scroll"), .table(.id("task-counts"),
                    .thead(.tr(.th(.text(c.t(VT.region))), .th(.text(c.t(VT.open))), .th(.text(c.t(VT.overdue))))),
                    .tbody(.forEach(counts) { row in
                        .tr(.data(named: "region", value: attr(row.region.value)),
                            .td(.text(regionNames[row.region.value] ?? row.region.value)), .td(.text("\(row.open)")),
                            .td(.class(row.overdue > 0 ? "overdue" : ""), .text("\(row.overdue)")))
                    })))])),
             .unwrap(req.options.demoClock) { DemoClockController.form(c, shift: $0.shiftDays) }]
        }
    }
}

/// A case task's label: the programme and the step(s) it waits for.
private func caseLabel(_ task: TaskRecord, _ c: ViewContext) -> String {
    let programme = task.details["programme"].flatMap(Programme.init(rawValue:)).map { c.t($0.name) } ?? ""
    let actions = (task.details["actions"] ?? "").split(separator: ",").compactMap { CaseAction(rawValue: String($0)) }
        .map { c.t($0.name) }.joined(separator: " / ")
    return actions.isEmpty ? programme : "\(programme)：\(actions)"
}

/// The stylesheet and the health check.
struct StaticController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("static", ":file", access: .open, use: asset)
        routes.get("healthz", access: .open, use: health)
    }

    private static let types: [String: HTTPMediaType] = [
        "css": .css, "svg": .svg, "png": .png, "js": HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"]),
    ]

    func asset(_ req: Request) async throws -> Response {
        let name = req.parameters.get("file") ?? ""
        // Only plain file names from our own Public folder.
        guard name.range(of: "^[a-z0-9-]+\\.(css|svg|png|js)$", options: .regularExpression) != nil,
              let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Public"),
              let data = try? Data(contentsOf: url)
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = Self.types[String(name.split(separator: ".").last ?? "")] ?? .plainText
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        headers.responseCompression = .enable
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    func health(_ req: Request) async throws -> Response {
        try await DatabaseHealth.check(req.db)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: #"{"status":"ok"}"#))
    }
}

import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// The holiday and make-up working day calendar behind every deadline.
struct CalendarController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "calendar", access: .permission(.manageCalendar), use: show)
        routes.post("admin", "calendar", access: .permission(.manageCalendar), use: set)
        routes.post("admin", "calendar", ":date", "remove", access: .permission(.manageCalendar), use: remove)
    }

    struct DayForm: Content {
        var date: String?
        var kind: String?
        var name: String?
    }

    func show(_ req: Request) async throws -> Response {
        let year = (try? req.query.get(Int.self, at: "year")) ?? LocalDate.today(now: req.now).year
        return try await render(req, year: year, form: nil, errors: [:])
    }

    private func render(_ req: Request, year: Int, form: DayForm?, errors: [String: UserError],
                        status: HTTPStatus = .ok) async throws -> Response {
        let store = CalendarStore(db: req.db)
        let days = try await store.overrides(year: year)
        let kinds = [(CalendarOverride.Kind.holiday.rawValue, S.holiday), (CalendarOverride.Kind.workday.rawValue, S.workday)]
        return try await req.page(S.calendar, status: status) { c in
            [.h1(.text("\(c.t(S.calendar)) \(year)")),
            .nav(.class("pager"),
                 .a(.href("/admin/calendar?year=\(year - 1)"), .text("\(year - 1)")),
                 .a(.href("/admin/calendar?year=\(year + 1)"), .text("\(year + 1)"))),
            .if(days.isEmpty, .p(.class("warning"), .text(c.t(S.noCalendarData)))),
            .section(.class("card"),
                     formError(errors.isEmpty ? nil : UserError("form", zh: S.fixErrors.zh, en: S.fixErrors.en)),
                     .form(.id("calendar-set"), .method(.post), .action("/admin/calendar"), csrfField(c),
                           field("date", label: S.date, value: form?.date ?? "", type: .date, errors: errors, c),
                           selectField("kind", label: S.kind, options: kinds.map { ($0.0, c.t($0.1)) },
                                       selected: form?.kind ?? "holiday", errors: errors, c),
                           field("name", label: S.name, value: form?.name ?? "", errors: errors, c),
                           .button(.type(.submit), .class("primary"), .text(c.t(S.save))))),
            .div(.class("scroll"), .table(.id("calendar-days"),
                .tr(.th(.text(c.t(S.date))), .th(.text(c.t(S.kind))), .th(.text(c.t(S.name))), .th(.text(c.t(S.actions)))),
                .forEach(days) { day in
                    .tr(.data(named: "date", value: attr(day.date.description)),
                        .td(.text(day.date.description)),
                        .td(.text(c.t(day.kind == .holiday ? S.holiday : S.workday))),
                        .td(.text(day.name)),
                        .td(actionButton("/admin/calendar/\(day.date)/remove", label: S.remove, c)))
                }))]
        }
    }

    func set(_ req: Request) async throws -> Response {
        let form = try req.content.decode(DayForm.self)
        do {
            let date = try LocalDate(parsing: form.date ?? "", field: "date")
            guard let kind = CalendarOverride.Kind(rawValue: form.kind ?? "") else {
                throw UserError("calendar.kind", field: "kind", zh: "请选择类型", en: "Choose a kind")
            }
            let day = CalendarOverride(date: date, kind: kind, name: form.name ?? "")
            try await req.db.transaction { tx in
                try await CalendarStore(db: tx).set(day)
                try await req.audit("calendar.set", objectType: "calendar_day", objectID: date.description,
                                    detail: "\(kind.rawValue) \(day.name)", on: tx)
            }
            return req.redirect(to: "/admin/calendar?year=\(date.year)")
        } catch let error as UserError {
            let year = (try? LocalDate(parsing: form.date ?? "").year) ?? LocalDate.today(now: req.now).year
            return try await render(req, year: year, form: form, errors: [error.field ?? "date": error], status: .badRequest)
        }
    }

    func remove(_ req: Request) async throws -> Response {
        let date = try LocalDate(parsing: req.parameters.get("date") ?? "", field: "date")
        try await req.db.transaction { tx in
            try await CalendarStore(db: tx).remove(date)
            try await req.audit("calendar.remove", objectType: "calendar_day", objectID: date.description, on: tx)
        }
        return req.redirect(to: "/admin/calendar?year=\(date.year)")
    }
}

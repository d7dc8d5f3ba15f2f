import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 走访监管 — compliance figures per region (table, chart, CSV) and the
/// review of anomaly flags.
struct VisitSupervisionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("visits", "compliance", access: .permission(.viewVisits), use: compliance)
        routes.get("visits", "compliance.csv", access: .permission(.viewVisits), use: complianceCSV)
        routes.get("visits", "anomalies", access: .permission(.reviewVisitAnomalies), use: anomalies)
        routes.post("visits", "anomalies", "detect", access: .permission(.reviewVisitAnomalies), use: detect)
        routes.post("visits", "anomalies", ":id", access: .permission(.reviewVisitAnomalies), use: review)
    }

    // MARK: Compliance

    struct Period {
        let from: LocalDate
        let through: LocalDate
    }

    /// The period asked for; by default this month up to today. At most a year.
    private func period(_ req: Request) throws -> Period {
        let today = LocalDate.today(now: req.now)
        let from = try (req.query[String.self, at: "from"]).flatMap { $0.isEmpty ? nil : $0 }
            .map { try LocalDate(parsing: $0, field: "from") } ?? LocalDate(year: today.year, month: today.month, day: 1)!
        let through = try (req.query[String.self, at: "through"]).flatMap { $0.isEmpty ? nil : $0 }
            .map { try LocalDate(parsing: $0, field: "through") } ?? today
        guard from <= through else {
            throw UserError("compliance.period", field: "from", zh: "起始日期不能晚于截止日期", en: "The start date is after the end date")
        }
        guard from.days(until: through) <= 366 else {
            throw UserError("compliance.period_length", field: "from", zh: "期间不能超过一年", en: "The period is limited to one year")
        }
        return Period(from: from, through: through)
    }

    private func figures(_ req: Request, _ period: Period) async throws
        -> (rows: [(region: RegionCode, figures: VisitCompliance)], total: VisitCompliance, names: [String: String]) {
        let staff = try req.staff
        let obligations = try await VisitRepository(db: req.db, keys: req.options.keys).obligations(
            in: staff.scope, through: period.through, policies: VisitPolicyStore(db: req.db),
            calendar: try await CalendarStore(db: req.db).calendar())
        let today = LocalDate.today(now: req.now)
        let level = RegionLevel(rawValue: staff.region.level.rawValue + 1) ?? staff.region.level
        let rows = VisitCompliance.byRegion(obligations, level: level, from: period.from, through: period.through, asOf: today)
        let total = VisitCompliance(obligations, from: period.from, through: period.through, asOf: today)
        let names = try await regionNames(Set(rows.map(\.region.value)), req)
        return (rows, total, names)
    }

    func compliance(_ req: Request) async throws -> Response {
        let today = LocalDate.today(now: req.now)
        let asked = (req.query[String.self, at: "from"] ?? "", req.query[String.self, at: "through"] ?? "")
        var error: UserError?
        var chosen: Period
        do {
            chosen = try period(req)
        } catch let e as UserError {
            error = e
            chosen = Period(from: LocalDate(year: today.year, month: today.month, day: 1)!, through: today)
        }
        let period = chosen
        let (rows, total, names) = try await figures(req, period)
        try await req.audit("visit.compliance", detail: "from=\(period.from) through=\(period.through)")
        let query = "from=\(period.from)&through=\(period.through)"
        return try await req.page(VT.compliance, status: error == nil ? .ok : .badRequest) { c in
            let chart = BarChart(
                title: "\(c.t(VT.compliance)) \(period.from) – \(period.through)",
                series: [.init(label: c.t(VT.due), cssClass: "due"), .init(label: c.t(VT.onTime), cssClass: "done"),
                         .init(label: c.t(VT.overdue), cssClass: "overdue")],
                rows: rows.map { row in
                    .init(label: names[row.region.value] ?? row.region.value,
                          values: [row.figures.due, row.figures.doneOnTime, row.figures.overdue],
                          note: "\(c.t(VT.shareOnTime)) \(row.figures.shareOnTime.percentText)")
                })
            return [.h1(.text(c.t(VT.compliance))),
                    formError(error),
                    .form(.id("compliance-period"), .method(.get), .action("/visits/compliance"), .class("inline-fields"),
                          field("from", label: VT.from, value: error == nil ? period.from.description : asked.0, type: .date, errors: [:], c),
                          field("through", label: VT.through, value: error == nil ? period.through.description : asked.1, type: .date,
                                errors: [:], c),
                          .button(.type(.submit), .text(c.t(VT.show)))),
                    .p(.class("hint"), .text(c.t(VT.complianceHint))),
                    .div(.id("compliance-chart"), .class("chart"), .raw(chart.svg())),
                    .div(.class("scroll"), .table(.id("compliance"),
                        .thead(.tr(.th(.text(c.t(VT.region))), .th(.text(c.t(VT.due))), .th(.text(c.t(VT.done))),
                                   .th(.text(c.t(VT.onTime))), .th(.text(c.t(VT.overdue))), .th(.text(c.t(VT.dueToday))),
                                   .th(.text(c.t(VT.shareOnTime))))),
                        .tbody(.forEach(rows) { row in
                            complianceRow(names[row.region.value] ?? row.region.value, row.figures, code: row.region.value)
                        }),
                        .tfoot(complianceRow(c.t(VT.total), total, code: "total")))),
                    .p(.a(.id("compliance-csv"), .href("/visits/compliance.csv?\(query)"), .text(c.t(VT.csv))))]
        }
    }

    private func complianceRow(_ label: String, _ f: VisitCompliance, code: String) -> Node<HTML.TableContext> {
        .tr(.data(named: "region", value: attr(code)), .class(f.overdue > 0 ? "has-overdue" : ""),
            .td(.text(label)), .td(.text("\(f.due)")), .td(.text("\(f.done)")), .td(.text("\(f.doneOnTime)")),
            .td(.class(f.overdue > 0 ? "overdue" : ""), .text("\(f.overdue)")), .td(.text("\(f.dueToday)")),
            .td(.text(f.shareOnTime.percentText)))
    }

    func complianceCSV(_ req: Request) async throws -> Response {
        let period = try period(req)
        let (rows, total, names) = try await figures(req, period)
        var text = "\u{FEFF}"  // so that spreadsheet programs read UTF-8
        text += CSVText.row(["region_code", "region", "due", "done", "done_on_time", "overdue", "due_today", "share_on_time",
                             "from", "through"])
        func line(_ code: String, _ name: String, _ f: VisitCompliance) -> String {
            CSVText.row([code, name, "\(f.due)", "\(f.done)", "\(f.doneOnTime)", "\(f.overdue)", "\(f.dueToday)",
                         f.shareOnTime.percentText, period.from.description, period.through.description])
        }
        for row in rows { text += line(row.region.value, names[row.region.value] ?? "", row.figures) }
        text += line(try req.staff.region.value, "合计 / Total", total)
        try await req.audit("visit.compliance.export", detail: "from=\(period.from) through=\(period.through) rows=\(rows.count)")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition,
                             value: "attachment; filename=\"visit-compliance-\(period.from)-\(period.through).csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    // MARK: Anomalies

    func anomalies(_ req: Request) async throws -> Response {
        try await renderAnomalies(req, message: req.query[String.self, at: "done"] == "detected" ? VT.detected : nil, error: nil)
    }

    private func renderAnomalies(_ req: Request, message: Bilingual?, error: UserError?, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let supervision = VisitSupervision(db: req.db)
        let open = try await supervision.anomalies(in: staff.scope, reviewed: false)
        let reviewed = try await supervision.anomalies(in: staff.scope, reviewed: true, limit: 50)
        let ids = Set((open + reviewed).flatMap(\.checkInIDList))
        let checkIns = try await VisitCheckInRecord.query(on: req.db).filter(\.$id ~~ Array(ids)).all()
        let byID = Dictionary(uniqueKeysWithValues: checkIns.compactMap { r in r.id.map { ($0, r) } })
        let people = try await personNames(Array(Set(checkIns.map(\.personID))), req)
        let workers = try await staffNames(Set(checkIns.map(\.workerID)), req)
        try await req.audit("visit.anomalies", detail: "open=\(open.count)")
        return try await req.page(VT.anomalies, status: status) { c in
            func involved(_ flag: VisitAnomalyRecord) -> Node<HTML.BodyContext> {
                .ul(.class("involved"), .forEach(flag.checkInIDList) { id in
                    guard let r = byID[id] else { return .li(.text(id.uuidString)) }
                    return .li(.text("\(chinaTime(r.atUnix)) · \(people[r.personID] ?? "-") · \(workers[r.workerID] ?? "-") · "),
                               .a(.href("/visits/plans/\(r.planID.uuidString)"), .text(c.t(VT.plan))), .text(" · "),
                               .a(.href("/visits/check-ins/\(id.uuidString)/photo"), .text(c.t(VT.viewPhoto))))
                })
            }
            return [.h1(.text(c.t(VT.anomalies))),
                    notice(message.map(c.t)), formError(error),
                    .form(.class("inline"), .method(.post), .action("/visits/anomalies/detect"), csrfField(c),
                          .button(.type(.submit), .id("anomalies-detect"), .text(c.t(VT.detect)))),
                    .h2(.text("\(c.t(VT.toReview))（\(open.count)）")),
                    .if(open.isEmpty, .p(.class("empty-state"), .text(c.t(VT.noAnomalies)))),
                    .ul(.id("anomalies-open"), .class("cards"), .forEach(open) { flag in
                        let id = flag.id?.uuidString ?? ""
                        return .li(.class("card anomaly"), .data(named: "kind", value: attr(flag.kind)),
                            .h3(.text(flag.anomalyKind.map { c.t(VT.anomalyName($0)) } ?? flag.kind)),
                            .p(.class("evidence"), .text(c.t(flag.evidence))),
                            involved(flag),
                            .form(.method(.post), .action("/visits/anomalies/\(id)"), csrfField(c),
                                  selectField("verdict", label: VT.verdict, options: AnomalyVerdict.allCases.map { ($0.rawValue, c.t($0.name)) },
                                              selected: AnomalyVerdict.dismissed.rawValue, errors: [:], c),
                                  field("note", label: VT.reviewNote, errors: [:], c),
                                  .button(.type(.submit), .text(c.t(VT.review)))))
                    }),
                    .h2(.text(c.t(VT.reviewedList))),
                    .div(.class("scroll"), .table(.id("anomalies-reviewed"),
                        .thead(.tr(.th(.text(c.t(VT.rule))), .th(.text(c.t(VT.evidence))), .th(.text(c.t(VT.verdict))),
                                   .th(.text(c.t(VT.reviewNote))), .th(.text(c.t(VT.reviewer))))),
                        .tbody(.forEach(reviewed) { flag in
                            .tr(.td(.text(flag.anomalyKind.map { c.t(VT.anomalyName($0)) } ?? flag.kind)),
                                .td(.text(c.t(flag.evidence))),
                                .td(.text(flag.verdict.flatMap(AnomalyVerdict.init(rawValue:)).map { c.t($0.name) } ?? "-")),
                                .td(.text(flag.reviewNote ?? "")), .td(.text(flag.reviewer ?? "")))
                        })))]
        }
    }

    func detect(_ req: Request) async throws -> Response {
        let found = try await VisitSupervision(db: req.db).detectAnomalies(now: req.now, policies: VisitPolicyStore(db: req.db))
        try await req.audit("visit.anomalies.detect", detail: "new=\(found)")
        return req.redirect(to: "/visits/anomalies?done=detected")
    }

    struct ReviewForm: Content {
        var verdict: String?
        var note: String?
    }

    func review(_ req: Request) async throws -> Response {
        let staff = try req.staff
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let flag = try await VisitSupervision(db: req.db).anomaly(id: id, in: staff.scope)
        else { throw Abort(.notFound) }
        let form = try req.content.decode(ReviewForm.self)
        do {
            guard let verdict = form.verdict.flatMap(AnomalyVerdict.init(rawValue:)) else {
                throw UserError("anomaly.verdict", field: "verdict", zh: "请选择核查结论", en: "Choose a verdict")
            }
            try await VisitSupervision(db: req.db).review(flag, verdict: verdict, note: form.note ?? "", reviewer: staff.user.username,
                                                          audit: (req.auditChain, req.auditEntry("visit.anomaly.review")), now: req.now)
            return req.redirect(to: "/visits/anomalies")
        } catch let error as UserError {
            return try await renderAnomalies(req, message: nil, error: error, status: .badRequest)
        }
    }
}

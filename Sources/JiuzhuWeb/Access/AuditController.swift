import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 审计管理员: browse and filter the audit log, and check the chain.
struct AuditController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("audit", access: .permission(.viewAudit), use: list)
        routes.post("audit", "verify", access: .permission(.viewAudit), use: verify)
    }

    struct Filter: Content {
        var actor: String?
        var action: String?
        var outcome: String?
        var region: String?
        var from: String?
        var until: String?
        var page: Int?
    }

    func list(_ req: Request) async throws -> Response {
        try await render(req, verification: nil)
    }

    private func render(_ req: Request, verification: AuditVerification?) async throws -> Response {
        let staff = try req.staff
        let filter = (try? req.query.decode(Filter.self)) ?? Filter()
        var errors: [String: UserError] = [:]
        var query = AuditQuery()
        switch Self.query(from: filter) {
        case .success(let parsed): query = parsed
        case .failure(let error): errors[error.field ?? "from"] = error
        }
        let result = errors.isEmpty ? try await query.run(on: req.db, scope: staff.scope) : ([], 0)
        try await req.audit("audit.search", objectType: "audit", detail: req.url.query ?? "")
        let outcomes = [("", S.any.text(req.language))] + AuditEntry.Outcome.allCases.map { ($0.rawValue, $0.rawValue) }
        let language = req.language
        return try await req.page(S.audit, status: errors.isEmpty ? .ok : .badRequest) { c in
            [.h1(.text(c.t(S.audit))),
            .unwrap(verification) { v in
                .p(.id("chain-status"), .class(v.isIntact ? "notice" : "form-error"),
                   .text(v.message.text(language)))
            },
            .form(.id("audit-filter"), .class("filters"), .method(.get), .action("/audit"),
                  field("actor", label: S.actor, value: filter.actor ?? "", errors: errors, c, required: false),
                  field("action", label: S.action, value: filter.action ?? "", errors: errors, c, required: false),
                  selectField("outcome", label: S.outcome, options: outcomes, selected: filter.outcome ?? "", errors: errors, c),
                  field("region", label: S.region, value: filter.region ?? "", errors: errors, c, required: false),
                  field("from", label: S.from, value: filter.from ?? "", type: .date, errors: errors, c, required: false),
                  field("until", label: S.until, value: filter.until ?? "", type: .date, errors: errors, c, required: false),
                  .button(.type(.submit), .class("primary"), .text(c.t(S.search)))),
            .form(.class("inline"), .method(.post), .action("/audit/verify"), csrfField(c),
                  .button(.id("chain-verify"), .type(.submit), .text(c.t(S.chainIntact)))),
            .div(.class("scroll"), .table(.id("audit-events"),
                .tr(.th(.text("#")), .th(.text(c.t(S.time))), .th(.text(c.t(S.actor))), .th(.text(c.t(S.role))),
                    .th(.text(c.t(S.region))), .th(.text(c.t(S.action))), .th(.text(c.t(S.object))),
                    .th(.text(c.t(S.outcome))), .th(.text(c.t(S.client)))),
                .forEach(result.0) { row in
                    .tr(.class("outcome-\(row.outcome)"),
                        .td(.text(String(row.id ?? 0))), .td(.text(chinaTime(row.at, seconds: true))), .td(.text(row.actor)),
                        .td(.text(StaffRole(rawValue: row.role).map { c.t($0.name) } ?? row.role)),
                        .td(.text(row.region)), .td(.text(row.action)),
                        .td(.text([row.objectType, row.objectID].filter { !$0.isEmpty }.joined(separator: " "))),
                        .td(.text(row.outcome)), .td(.text(row.client)))
                })),
            pager(page: query.page, total: result.1, perPage: query.perPage, path: "/audit",
                  query: ["actor": filter.actor ?? "", "action": filter.action ?? "", "outcome": filter.outcome ?? "",
                          "region": filter.region ?? "", "from": filter.from ?? "", "until": filter.until ?? ""], c)]
        }
    }

    func verify(_ req: Request) async throws -> Response {
        let result = try await req.auditChain.verify(on: req.db)
        if case .intact = result {
            try await req.audit("audit.verify", objectType: "audit", detail: "intact")
        } else {
            try await req.audit("audit.verify", objectType: "audit", outcome: .failure, detail: result.message.en)
        }
        return try await render(req, verification: result)
    }

    private static func query(from filter: Filter) -> Result<AuditQuery, UserError> {
        var query = AuditQuery()
        query.actor = filter.actor?.trimmingCharacters(in: .whitespaces)
        query.action = filter.action?.trimmingCharacters(in: .whitespaces)
        query.outcome = filter.outcome.flatMap(AuditEntry.Outcome.init(rawValue:))
        query.page = max(1, filter.page ?? 1)
        return Result { () throws(UserError) -> AuditQuery in
            if let text = filter.region, !text.isEmpty { query.region = try RegionCode(text, field: "region") }
            // Days are China days: from 00:00 of `from` to 24:00 of `until`, UTC+8.
            if let text = filter.from, !text.isEmpty { query.from = chinaMidnight(try LocalDate(parsing: text, field: "from")) }
            if let text = filter.until, !text.isEmpty { query.until = chinaMidnight(try LocalDate(parsing: text, field: "until").adding(days: 1)) }
            return query
        }
    }

    private static func chinaMidnight(_ date: LocalDate) -> Date {
        Date(timeIntervalSince1970: Double(date.dayNumber) * 86400 - 8 * 3600)
    }

}

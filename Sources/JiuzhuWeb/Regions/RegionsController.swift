import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// The region tree as the user's scope allows: browsing for all staff, editing
/// for the system administrator.
struct RegionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("regions", access: .permission(.viewRegions), use: ownRegion)
        routes.get("regions", ":code", access: .permission(.viewRegions), use: region)
        routes.get("admin", "regions", access: .permission(.manageRegions), use: adminRoot)
        routes.post("admin", "regions", ":code", access: .permission(.manageRegions), use: update)
        routes.post("admin", "regions", ":code", "children", access: .permission(.manageRegions), use: addChild)
    }

    func ownRegion(_ req: Request) async throws -> Response {
        try await show(req, code: try req.staff.region)
    }

    func region(_ req: Request) async throws -> Response {
        try await show(req, code: try RegionCode(req.parameters.get("code") ?? ""))
    }

    func adminRoot(_ req: Request) async throws -> Response {
        req.redirect(to: "/regions/\(try req.staff.region.value)")
    }

    struct RegionForm: Content {
        var name: String?
        var validFrom: String?
        var validTo: String?
        var suffix: String?
    }

    /// A region with two levels below it; deeper levels are a click away, so
    /// a province-wide page stays small on a slow connection.
    private func show(_ req: Request, code: RegionCode, errors: [String: UserError] = [:], form: RegionForm? = nil,
                      notice text: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let repository = RegionRepository(db: req.db)
        guard let region = try await repository.find(code, in: staff.scope) else { throw Abort(.notFound) }
        let depth = RegionLevel(rawValue: min(code.level.rawValue + 2, RegionLevel.village.rawValue)) ?? .village
        let tree = try await repository.subtree(RegionScope(root: code), depth: depth)
        let lineage = try await repository.lineageNames(code).filter { staff.scope.allows($0.0) }
        let canEdit = staff.role.has(.manageRegions)
        let today = LocalDate.today(now: req.now)
        return try await req.page(Bilingual(zh: region.name, en: region.name), status: status) { c in
            [.nav(.class("crumbs"), .forEach(lineage) { item in
                .a(.href("/regions/\(item.0.value)"), .text(item.1))
            }),
            .h1(.text(region.name), .small(.text(" \(code.gb2260) · \(c.t(code.level.name))"))),
            notice(text),
            .if(!region.isValid(on: today), .p(.class("warning"), .text(
                c.t(Bilingual(zh: "该区划已失效（\(region.validTo ?? "")）", en: "This division is no longer valid (\(region.validTo ?? ""))"))))),
            .h2(.text(c.t(S.children))),
            .ul(.id("region-tree"), .class("tree"), .forEach(tree) { row in
                .li(.data(named: "code", value: attr(row.id ?? "")), .class("level-\(row.level - code.level.rawValue)"),
                    .a(.href("/regions/\(row.id ?? "")"), .text(row.name)),
                    .small(.text(" \(row.id ?? "")")),
                    .if(!row.isValid(on: today), .small(.class("muted"), .text(" · \(c.t(Bilingual(zh: "已失效", en: "expired")))"))))
            }),
            .group(canEdit ? editForms(code: code, region: region, errors: errors, form: form, c) : [])]
        }
    }

    private func editForms(code: RegionCode, region: RegionRecord, errors: [String: UserError], form: RegionForm?,
                           _ c: ViewContext) -> [PageNode] {
        [
            .section(.class("card"),
                     .h2(.text(c.t(S.edit))),
                     .form(.id("region-edit"), .method(.post), .action("/admin/regions/\(code.value)"), csrfField(c),
                           field("name", label: S.name, value: form?.name ?? region.name, errors: errors, c),
                           field("validFrom", label: S.validFrom, value: form?.validFrom ?? region.validFrom, type: .date, errors: errors, c),
                           field("validTo", label: S.validTo, value: form?.validTo ?? region.validTo ?? "", type: .date, errors: errors, c, required: false),
                           .button(.type(.submit), .text(c.t(S.save))))),
            .if(code.level != .village, .section(.class("card"),
                     .h2(.text(c.t(S.addChild))),
                     .form(.id("region-add"), .method(.post), .action("/admin/regions/\(code.value)/children"), csrfField(c),
                           field("suffix", label: S.codeSuffix, value: form?.suffix ?? "", errors: errors, c),
                           field("name", label: S.name, value: "", errors: [:], c),
                           field("validFrom", label: S.validFrom, value: LocalDate(year: 2026, month: 1, day: 1)?.description ?? "", type: .date, errors: [:], c),
                           .button(.type(.submit), .text(c.t(S.addChild)))))),
        ]
    }

    func update(_ req: Request) async throws -> Response {
        let code = try RegionCode(req.parameters.get("code") ?? "")
        try req.requireInScope(code)
        let form = try req.content.decode(RegionForm.self)
        do {
            let from = try LocalDate(parsing: form.validFrom ?? "", field: "validFrom")
            let to = try (form.validTo ?? "").isEmpty ? nil : LocalDate(parsing: form.validTo ?? "", field: "validTo")
            try await save(req, code: code, name: form.name ?? "", from: from, to: to, action: "region.update")
        } catch let error as UserError {
            return try await show(req, code: code, errors: [error.field ?? "name": error], form: form, status: .badRequest)
        }
        return req.redirect(to: "/regions/\(code.value)")
    }

    func addChild(_ req: Request) async throws -> Response {
        let parent = try RegionCode(req.parameters.get("code") ?? "")
        try req.requireInScope(parent)
        let form = try req.content.decode(RegionForm.self)
        let child: RegionCode
        do {
            child = try RegionCode(parent.value + (form.suffix ?? "").trimmingCharacters(in: .whitespaces), field: "suffix")
            guard child.parent == parent else {
                throw UserError("region.suffix", field: "suffix", zh: "下级代码位数不对：\(parent.level.name.zh)下一级需要 \(childDigits(parent)) 位数字",
                                en: "Wrong number of digits: the level below \(parent.level.name.en) needs \(childDigits(parent)) digits")
            }
            let from = try LocalDate(parsing: form.validFrom ?? "", field: "validFrom")
            if try await RegionRecord.find(child.value, on: req.db) != nil {
                throw UserError("region.exists", field: "suffix", zh: "该代码已存在", en: "This code already exists")
            }
            try await save(req, code: child, name: form.name ?? "", from: from, to: nil, action: "region.create")
        } catch let error as UserError {
            var kept = form
            kept.name = nil
            return try await show(req, code: parent, errors: [error.field ?? "suffix": error], form: kept, status: .badRequest)
        }
        return req.redirect(to: "/regions/\(child.value)")
    }

    private func childDigits(_ parent: RegionCode) -> Int {
        guard let next = RegionLevel(rawValue: parent.level.rawValue + 1) else { return 0 }
        return next.codeLength - parent.level.codeLength
    }

    private func save(_ req: Request, code: RegionCode, name: String, from: LocalDate, to: LocalDate?, action: String) async throws {
        let scope = try req.staff.scope
        try await req.db.transaction { tx in
            try await RegionRepository(db: tx).save(code: code, name: name, validFrom: from, validTo: to, in: scope)
            try await req.audit(action, objectType: "region", objectID: code.value,
                                detail: "\(name) \(from)–\(to?.description ?? "")", on: tx)
        }
    }
}

import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 材料清单: the system administrator sets, per region, which materials the
/// window asks for (a region inherits its nearest ancestor's list, else the
/// national one) and may add local items.
struct ChecklistController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "checklists", access: .permission(.manageRegions), use: show)
        routes.post("admin", "checklists", access: .permission(.manageRegions), use: save)
    }

    struct ChecklistForm: Content {
        var region: String?
        var items: [String]?
        var reset: String?
        var newCode: String?
        var newNameZh: String?
        var newNameEn: String?
        var newProgrammes: [String]?
    }

    func show(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let region = try (try? req.query.get(String.self, at: "region")).map { try RegionCode($0) } ?? staff.region
        return try await render(req, region: region, errors: [:])
    }

    private func render(_ req: Request, region: RegionCode, errors: [String: UserError], status: HTTPStatus = .ok) async throws -> Response {
        try req.requireInScope(region)
        let repository = IntakeRepository(db: req.db, keys: req.options.keys)
        let current = try await repository.checklist(for: region)
        let own = try await repository.hasOwnChecklist(region)
        let name = try await RegionRepository(db: req.db).fullName(region)
        // Every item that could be chosen: the national list plus this list's local items.
        let all = MaterialChecklist.national.items + current.items.filter { item in !MaterialChecklist.national.items.contains { $0.code == item.code } }
        let active = Set(current.items.map(\.code))
        return try await req.page(T.materials, status: status) { c in
            [.h1(.text("\(c.t(T.materials)) · \(name)")),
             .p(.class("muted"), .text(c.t(own ? Bilingual(zh: "本区划使用自己的清单", en: "This region has its own list")
                                                 : Bilingual(zh: "本区划沿用上级或全国清单", en: "This region uses its ancestor's or the national list")))),
             .form(.id("checklist-form"), .method(.post), .action("/admin/checklists"), csrfField(c),
                   .input(.type(.hidden), .name("region"), .value(attr(region.value))),
                   formError(errors.isEmpty ? nil : UserError("form", zh: S.fixErrors.zh, en: S.fixErrors.en)),
                   .fieldset(.element(named: "legend", text: c.t(T.materials)),
                       .forEach(all) { item in
                           .label(.class("check"),
                                  .input(.type(.checkbox), .attribute(named: "name", value: "items[]"), .value(attr(item.code)),
                                         .checked(active.contains(item.code)), .disabled(item.heldByGovernment)),
                                  .text(" \(c.t(item.name))（" + Programme.allCases.filter(item.programmes.contains).map { c.t($0.name) }.joined(separator: "、")
                                        + (item.heldByGovernment ? " · " + c.t(Bilingual(zh: "政府已掌握，不收取", en: "held by government, never asked")) : "") + "）"))
                       }),
                   .fieldset(.element(named: "legend", text: c.t(Bilingual(zh: "新增本地材料", en: "Add a local item"))),
                       field("newCode", label: Bilingual(zh: "代码（小写字母、数字、-）", en: "Code (lowercase letters, digits, -)"), errors: errors, c, required: false),
                       field("newNameZh", label: Bilingual(zh: "名称（中文）", en: "Name (Chinese)"), errors: errors, c, required: false),
                       field("newNameEn", label: Bilingual(zh: "名称（英文）", en: "Name (English)"), errors: errors, c, required: false),
                       .forEach(Programme.allCases) { p in
                           .label(.class("check"), .input(.type(.checkbox), .attribute(named: "name", value: "newProgrammes[]"), .value(p.rawValue)),
                                  .text(" " + c.t(p.name)))
                       }),
                   .button(.id("checklist-save"), .type(.submit), .class("primary"), .text(c.t(S.save))),
                   .if(own, .button(.type(.submit), .attribute(named: "name", value: "reset"), .attribute(named: "value", value: "1"),
                                    .text(c.t(Bilingual(zh: "恢复沿用上级清单", en: "Use the ancestor's list again"))))))]
        }
    }

    func save(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(ChecklistForm.self)
        let region = try RegionCode(form.region ?? "", field: "region")
        try req.requireInScope(region)
        let repository = IntakeRepository(db: req.db, keys: req.options.keys)
        let audit = AuditEntry(actor: staff.user.username, role: staff.role.rawValue, region: region.value, action: "checklist.set",
                               objectType: "checklist", objectID: region.value, client: req.clientAddress)
        if form.reset == "1" {
            try await repository.setChecklist(nil, for: region, audit: audit, now: req.now)
            return req.redirect(to: "/admin/checklists?region=\(region.value)")
        }
        let current = try await repository.checklist(for: region)
        let known = MaterialChecklist.national.items + current.items
        let chosen = Set(form.items ?? [])
        var items: [MaterialItem] = []
        for item in known where !items.contains(where: { $0.code == item.code }) && (chosen.contains(item.code) || item.heldByGovernment) {
            items.append(item)
        }
        let code = (form.newCode ?? "").trimmingCharacters(in: .whitespaces)
        if !code.isEmpty {
            var errors: [String: UserError] = [:]
            if code.range(of: "^[a-z0-9-]{2,40}$", options: .regularExpression) == nil || known.contains(where: { $0.code == code }) {
                errors["newCode"] = UserError("materials.code", field: "newCode", zh: "代码须为 2–40 位小写字母、数字或 -，且不能重复",
                                              en: "The code must be 2–40 lowercase letters, digits or -, and new")
            }
            let zh = (try? TextRules.freeText(form.newNameZh ?? "", field: "newNameZh", max: 60)) ?? ""
            let en = (try? TextRules.freeText(form.newNameEn ?? "", field: "newNameEn", max: 80)) ?? ""
            if zh.isEmpty { errors["newNameZh"] = UserError("materials.name", field: "newNameZh", zh: "请填写中文名称", en: "Enter the Chinese name") }
            if en.isEmpty { errors["newNameEn"] = UserError("materials.name", field: "newNameEn", zh: "请填写英文名称", en: "Enter the English name") }
            let programmes = Set((form.newProgrammes ?? []).compactMap(Programme.init(rawValue:)))
            if programmes.isEmpty { errors["newCode"] = errors["newCode"] ?? UserError("materials.programmes", field: "newCode", zh: "请选择适用的救助项目", en: "Choose the programmes it applies to") }
            if !errors.isEmpty { return try await render(req, region: region, errors: errors, status: .badRequest) }
            items.append(MaterialItem(code: code, name: Bilingual(zh: zh, en: en), programmes: programmes))
        }
        try await repository.setChecklist(MaterialChecklist(items: items), for: region, audit: audit, now: req.now)
        return req.redirect(to: "/admin/checklists?region=\(region.value)")
    }
}

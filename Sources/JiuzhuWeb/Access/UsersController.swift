import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 安全管理员: staff accounts inside the administrator's region.
struct UsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("admin", "users")
        users.get(access: .permission(.manageUsers), use: list)
        users.post(access: .permission(.manageUsers), use: create)
        users.post(":id", ":action", access: .permission(.manageUsers), use: act)
    }

    struct NewUserForm: Content {
        var username: String?
        var displayName: String?
        var role: String?
        var region: String?
        var password: String?
        var department: String?
    }

    func list(_ req: Request) async throws -> Response {
        try await render(req, form: nil, errors: [:], notice: nil)
    }

    private func render(_ req: Request, form: NewUserForm?, errors: [String: UserError], notice text: String?,
                        status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let all = try await req.staffRepository.list(in: staff.scope)
        let perPage = 50
        let rows = Array(all.dropFirst((page - 1) * perPage).prefix(perPage))
        let now = req.now
        let roles = StaffRole.allCases.map { ($0.rawValue, $0.name.zh + " / " + $0.name.en) }
        return try await req.page(S.users, status: status) { c in
            [.h1(.text(c.t(S.users))),
            notice(text),
            .section(.class("card"),
                     .h2(.text(c.t(S.newUser))),
                     formError(errors.isEmpty ? nil : UserError("form", zh: S.fixErrors.zh, en: S.fixErrors.en)),
                     .form(.id("user-create"), .method(.post), .action("/admin/users"), csrfField(c),
                           field("username", label: S.username, value: form?.username ?? "", errors: errors, c, autocomplete: "off"),
                           field("displayName", label: S.displayName, value: form?.displayName ?? "", errors: errors, c),
                           selectField("role", label: S.role, options: roles, selected: form?.role ?? StaffRole.townshipCaseworker.rawValue, errors: errors, c),
                           field("region", label: S.region, value: form?.region ?? staff.region.value, errors: errors, c),
                           selectField("department", label: S.department, options: [("", "—")] + Department.allCases.map { ($0.rawValue, c.t($0.name)) },
                                       selected: form?.department ?? "", errors: errors, c),
                           field("password", label: S.initialPassword, type: .password, errors: errors, c, autocomplete: "new-password"),
                           .button(.type(.submit), .class("primary"), .text(c.t(S.newUser))))),
            .div(.class("scroll"), .table(.id("user-list"),
                .tr(.th(.text(c.t(S.username))), .th(.text(c.t(S.displayName))), .th(.text(c.t(S.role))),
                    .th(.text(c.t(S.region))), .th(.text(c.t(S.status))), .th(.text(c.t(S.actions)))),
                .forEach(rows) { user in
                    let id = user.id?.uuidString ?? ""
                    let locked = req.options.policy.isLocked(until: user.lockedUntil, now: now)
                    return .tr(.data(named: "username", value: attr(user.username)),
                        .td(.text(user.username)), .td(.text(user.displayName)),
                        .td(.text(user.role.map { c.t($0.name) } ?? user.roleCode)), .td(.text(user.regionCode)),
                        .td(.text([user.disabled ? c.t(S.disabled) : c.t(S.active), locked ? c.t(S.locked) : nil,
                                   c.t(user.totpEnrolled ? S.totpEnrolled : S.totpPending)].compactMap { $0 }.joined(separator: " · "))),
                        .td(
                            user.disabled ? actionButton("/admin/users/\(id)/enable", label: S.enable, c)
                                          : actionButton("/admin/users/\(id)/disable", label: S.disable, c),
                            actionButton("/admin/users/\(id)/reset-totp", label: S.resetTOTP, c),
                            .if(locked, actionButton("/admin/users/\(id)/unlock", label: S.unlock, c))))
                })),
            pager(page: page, total: all.count, perPage: perPage, path: "/admin/users", query: [:], c)]
        }
    }

    func create(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form = try req.content.decode(NewUserForm.self)
        do {
            let role = try StaffRole(code: form.role ?? "")
            let region = try RegionCode(form.region ?? "", field: "region")
            let input = NewStaff(username: form.username ?? "", displayName: form.displayName ?? "", role: role,
                                 region: region, password: form.password ?? "",
                                 department: Department(rawValue: form.department ?? ""))
            try await req.db.transaction { tx in
                let user = try await StaffRepository(db: tx, keys: req.options.keys, policy: req.options.policy,
                                                     bcryptCost: req.options.bcryptCost)
                    .create(input, in: staff.scope, now: req.now)
                try await req.audit("staff.create", objectType: "staff", objectID: user.username,
                                    detail: "\(role.rawValue) @ \(region.value)", on: tx)
            }
        } catch let error as UserError {
            return try await render(req, form: form, errors: [error.field ?? "username": error], notice: nil, status: .badRequest)
        }
        return req.redirect(to: "/admin/users")
    }

    func act(_ req: Request) async throws -> Response {
        let staff = try req.staff
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        guard let user = try await req.staffRepository.find(id: id, in: staff.scope) else { throw Abort(.notFound) }
        let action = req.parameters.get("action") ?? ""
        if user.id == staff.user.id, action == "disable" {
            throw UserError("staff.self_disable", zh: "不能停用自己的账号", en: "You cannot disable your own account")
        }
        try await req.db.transaction { tx in
            let repository = StaffRepository(db: tx, keys: req.options.keys)
            switch action {
            case "disable": try await repository.setDisabled(user, true)
            case "enable": try await repository.setDisabled(user, false)
            case "reset-totp": try await repository.resetTOTP(user)
            case "unlock":
                user.failedAttempts = 0
                user.lockedUntilMillis = nil
                try await user.update(on: tx)
            default: throw Abort(.notFound)
            }
            try await req.audit("staff.\(action.replacingOccurrences(of: "-", with: "_"))", objectType: "staff",
                                objectID: user.username, on: tx)
        }
        return req.redirect(to: "/admin/users")
    }
}

/// Page links for long lists.
func pager(page: Int, total: Int, perPage: Int, path: String, query: [String: String], _ c: ViewContext) -> PageNode {
    let pages = max(1, (total + perPage - 1) / perPage)
    func link(_ p: Int) -> String {
        var items = query.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.sorted()
        items.append("page=\(p)")
        return path + "?" + items.joined(separator: "&")
    }
    return .nav(.class("pager"),
                .span(.text("\(c.t(S.total)) \(total) · \(page)/\(pages)")),
                .if(page > 1, .a(.href(link(page - 1)), .text(c.t(S.previous)))),
                .if(page < pages, .a(.href(link(page + 1)), .text(c.t(S.next)))))
}

import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// Password + TOTP login, first-login TOTP enrolment, logout, language switch.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", access: .open, use: loginPage)
        routes.post("login", access: .open, use: login)
        routes.get("login", "enrol", access: .enrolling, use: enrolPage)
        routes.post("login", "enrol", access: .enrolling, use: enrol)
        routes.post("logout", access: .open, use: logout)
        routes.get("lang", ":code", access: .open, use: switchLanguage)
    }

    struct LoginForm: Content {
        var username: String?
        var password: String?
        var totp: String?
        var next: String?
    }

    func loginPage(_ req: Request) async throws -> Response {
        if req.staffIfPresent?.stage == .active { return req.redirect(to: "/") }
        return try await renderLogin(req, username: "", error: nil, next: try? req.query.get(String.self, at: "next"))
    }

    private func renderLogin(_ req: Request, username: String, error: UserError?, next: String?,
                             status: HTTPStatus = .ok) async throws -> Response {
        try await req.page(S.login, status: status) { c in
            [.div(.class("card narrow"),
                 .h1(.text(c.t(S.login))),
                 formError(error),
                 .form(.id("login-form"), .method(.post), .action("/login"),
                       csrfField(c),
                       .input(.type(.hidden), .name("next"), .value(attr(req.localPath(next)))),
                       field("username", label: S.username, value: username, errors: [:], c, autocomplete: "username"),
                       field("password", label: S.password, type: .password, errors: [:], c, autocomplete: "current-password"),
                       field("totp", label: S.totpCode, errors: [:], c, required: false, autocomplete: "one-time-code", hint: S.totpHint),
                       .button(.id("login-submit"), .type(.submit), .class("primary"), .text(c.t(S.login)))))]
        }
    }

    func login(_ req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let username = String((form.username ?? "").prefix(64))
        let outcome = try await req.staffRepository.login(username: username, password: form.password ?? "",
                                                          code: form.totp ?? "", now: req.now)
        switch outcome {
        case .failure(let error, let user):
            let locked = error == LoginPolicy.lockedError
            try await req.audit(locked ? "login.locked" : "login.failure", objectType: "staff",
                                objectID: user?.username ?? username, outcome: .failure,
                                detail: user == nil ? "unknown username" : "", actor: user)
            return try await renderLogin(req, username: username, error: error, next: form.next, status: .unauthorized)
        case .needsEnrolment(let user):
            let response = try await startSession(req, user: user, stage: .enrolling, to: "/login/enrol")
            try await req.audit("login.password_ok_enrolment_needed", objectType: "staff", objectID: user.username, actor: user)
            return response
        case .success(let user):
            let response = try await startSession(req, user: user, stage: .active, to: req.localPath(form.next))
            try await req.audit("login.success", objectType: "staff", objectID: user.username, actor: user)
            return response
        }
    }

    /// A fresh session id on every login, so a planted cookie is worthless.
    private func startSession(_ req: Request, user: StaffUser, stage: StaffSession.Stage, to path: String) async throws -> Response {
        if let old = req.staffIfPresent { try await req.sessions.end(old.session) }
        // Sessions abandoned without logging out would otherwise stay forever.
        try await req.sessions.purgeIdle(now: req.now)
        let (token, _) = try await req.sessions.start(user: user, stage: stage, language: req.language,
                                                      client: req.clientAddress, now: req.now)
        let response = req.redirect(to: path)
        response.cookies[Cookies.session] = Cookies.value(token, secure: req.options.secureCookies)
        return response
    }

    // MARK: Enrolment

    struct EnrolForm: Content {
        var code: String?
    }

    /// The pending secret lives in a short-lived cookie until confirmed, sealed
    /// so that it cannot be read or swapped.
    private static let pendingCookie = "jz_totp_pending"

    func enrolPage(_ req: Request) async throws -> Response {
        try await renderEnrol(req, error: nil)
    }

    private func pendingSecret(_ req: Request, staff: StaffContext) -> (secret: String, sealed: String?) {
        let context = FieldContext(table: "pending_totp", column: "secret", row: staff.session.id?.uuidString ?? "")
        if let sealed = req.cookies[Self.pendingCookie]?.string,
           let secret = try? req.options.keys.fieldCipher.open(sealed, context: context) {
            return (secret, nil)
        }
        let secret = StaffRepository.newTOTPSecret()
        return (secret, try? req.options.keys.fieldCipher.seal(secret, context: context))
    }

    private func renderEnrol(_ req: Request, error: UserError?) async throws -> Response {
        guard let staff = req.staffIfPresent else { return req.redirect(to: "/login") }
        let (secret, newSealed) = pendingSecret(req, staff: staff)
        let uri = StaffRepository.otpauthURI(secret: secret, username: staff.user.username)
        let grouped = stride(from: 0, to: secret.count, by: 4).map { i -> String in
            let start = secret.index(secret.startIndex, offsetBy: i)
            return String(secret[start..<(secret.index(start, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
        let response = try await req.page(S.enrolTitle, status: error == nil ? .ok : .badRequest) { c in
            [.div(.class("card narrow"),
                 .h1(.text(c.t(S.enrolTitle))),
                 .p(.text(c.t(S.enrolIntro))),
                 .p(.text(c.t(S.secretKey) + "："), .code(.id("totp-secret"), .text(grouped))),
                 .p(.a(.id("totp-uri"), .href(attr(uri)), .text(uri))),
                 formError(error),
                 .form(.id("enrol-form"), .method(.post), .action("/login/enrol"),
                       csrfField(c),
                       field("code", label: S.totpCode, errors: [:], c, autocomplete: "one-time-code"),
                       .button(.id("enrol-submit"), .type(.submit), .class("primary"), .text(c.t(S.confirm)))))]
        }
        if let newSealed {
            response.cookies[Self.pendingCookie] = Cookies.value(newSealed, secure: req.options.secureCookies, maxAge: 900)
        }
        return response
    }

    func enrol(_ req: Request) async throws -> Response {
        guard let staff = req.staffIfPresent, staff.stage == .enrolling else { return req.redirect(to: "/login") }
        let form = try req.content.decode(EnrolForm.self)
        let (secret, newSealed) = pendingSecret(req, staff: staff)
        guard newSealed == nil,
              try await req.staffRepository.enrol(staff.user, secret: secret, code: form.code ?? "", now: req.now)
        else {
            try await req.audit("totp.enrol", objectType: "staff", objectID: staff.user.username, outcome: .failure)
            return try await renderEnrol(req, error: UserError("totp.code", field: "code",
                                                              zh: "验证码不正确，请核对手机时间后重试",
                                                              en: "The code is not right; check your phone's clock and try again"))
        }
        try await req.audit("totp.enrol", objectType: "staff", objectID: staff.user.username)
        let response = try await startSession(req, user: staff.user, stage: .active, to: "/")
        response.cookies[Self.pendingCookie] = .expired
        return response
    }

    // MARK: Logout and language

    func logout(_ req: Request) async throws -> Response {
        if let staff = req.staffIfPresent {
            try await req.sessions.end(staff.session)
            try await req.audit("logout", objectType: "staff", objectID: staff.user.username)
        }
        let response = req.redirect(to: "/login")
        response.cookies[Cookies.session] = .expired
        return response
    }

    func switchLanguage(_ req: Request) async throws -> Response {
        let language = JiuzhuCore.Language(rawValue: req.parameters.get("code") ?? "") ?? .zh
        if let staff = req.staffIfPresent {
            staff.session.language = language.rawValue
            try await staff.session.update(on: req.db)
        }
        let response = req.redirect(to: req.localPath(try? req.query.get(String.self, at: "back")))
        response.cookies[Cookies.language] = HTTPCookies.Value(string: language.rawValue, maxAge: 365 * 86400, path: "/",
                                                               isSecure: req.options.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }
}

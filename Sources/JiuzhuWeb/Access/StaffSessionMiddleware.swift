import JiuzhuCore
import JiuzhuStore
import Vapor

enum Cookies {
    static let session = "jz_session"
    static let csrf = "jz_csrf"
    static let language = "jz_lang"

    static func value(_ string: String, secure: Bool, maxAge: Int? = nil) -> HTTPCookies.Value {
        HTTPCookies.Value(string: string, expires: nil, maxAge: maxAge, domain: nil, path: "/",
                          isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Restores the staff session from its cookie (idle sessions end here).
struct StaffSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var hadStaleCookie = false
        if let token = request.cookies[Cookies.session]?.string, !token.isEmpty {
            if let (session, user) = try await request.sessions.resume(token: token, now: request.now),
               let role = user.role, let region = user.region {
                request.storage[StaffContextKey.self] = StaffContext(user: user, session: session, role: role, region: region)
            } else {
                hadStaleCookie = true
            }
        }
        let response = try await next.respond(to: request)
        if hadStaleCookie, response.cookies[Cookies.session] == nil {
            response.cookies[Cookies.session] = .expired
        }
        return response
    }
}

/// Every state-changing request carries the form's CSRF token: the session's
/// token once logged in, a cookie-bound token before (the login form).
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.GET, .HEAD, .OPTIONS].contains(request.method) || request.route?.accessRule == nil {
            return try await next.respond(to: request)
        }
        // Bearer-token API calls carry no cookies, so a forged cross-site request has nothing to ride on.
        if case .apiToken = request.route?.accessRule {
            return try await next.respond(to: request)
        }
        // A signed department message carries no cookies either; its signature is its proof.
        if case .signedDepartmentMessage = request.route?.accessRule {
            return try await next.respond(to: request)
        }
        // Routing collects a large body only after the middleware has run; collect it
        // here (within the same limit) so the token can be read from any form.
        _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
        let expected = request.staffIfPresent?.session.csrfToken ?? request.cookies[Cookies.csrf]?.string
        let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.get(String.self, at: Self.field))
        guard let expected, let sent, !expected.isEmpty,
              Data(expected.utf8).secureCompare(to: Data(sent.utf8))
        else {
            throw CSRFRejected()
        }
        return try await next.respond(to: request)
    }
}

struct CSRFRejected: Error {}

extension Request {
    /// The token to put in this request's forms; sets the pre-login cookie when needed.
    func csrfToken(for response: Response? = nil) -> String {
        if let staff = staffIfPresent { return staff.session.csrfToken }
        if let existing = cookies[Cookies.csrf]?.string, !existing.isEmpty { return existing }
        let token = SecureToken.make()
        storage[NewCSRFCookieKey.self] = token
        return token
    }
}

struct NewCSRFCookieKey: StorageKey {
    typealias Value = String
}

/// Security headers on every response: a strict CSP (no inline script or
/// style), no framing, no sniffing, no referrer, no caching of pages.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let hsts: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let h = response.headers
        var headers = h
        headers.replaceOrAdd(name: "Content-Security-Policy", value:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        headers.replaceOrAdd(name: "Permissions-Policy", value: "geolocation=(self), camera=(self), microphone=()")
        headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        if hsts { headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
        if !request.url.path.hasPrefix("/static/") {
            headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        response.headers = headers
        if let token = request.storage[NewCSRFCookieKey.self] {
            response.cookies[Cookies.csrf] = Cookies.value(token, secure: request.options.secureCookies)
        }
        return response
    }
}

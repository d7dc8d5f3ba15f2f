import JiuzhuCore
import JiuzhuStore
import Vapor

/// Who may call a route. Every route declares one when it is registered
/// (`get(_:access:use:)`); a route without one is refused at run time and
/// fails the route-audit test.
public enum AccessRule: Sendable, Equatable {
    /// Anyone, logged in or not (login page, public assets, health check).
    case open
    /// A user who has passed the password but still has to enrol TOTP.
    case enrolling
    /// Any logged-in staff member; the handler applies the region scope.
    case staff
    /// A logged-in staff member whose role has the permission.
    case permission(Permission)
    /// An API client with a bearer token that grants the permission (no
    /// cookies, so no CSRF token); the token's region scope applies.
    case apiToken(Permission)
    /// A department system pushing records (`POST /api/v1/departments/{source}/messages`):
    /// no session, no token, no cookies. The handler verifies the Ed25519
    /// signature of the message against a registered, active key of that
    /// department source, and audits every acceptance and refusal.
    case signedDepartmentMessage

    static let key = "jiuzhu.access"
}

extension Route {
    public var accessRule: AccessRule? { userInfo[AccessRule.key] as? AccessRule }
}

extension RoutesBuilder {
    @discardableResult
    func get<R: AsyncResponseEncodable>(_ path: PathComponent..., access: AccessRule,
                                        use handler: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.GET, path, access: access, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ path: PathComponent..., access: AccessRule,
                                         use handler: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.POST, path, access: access, use: handler)
    }

    @discardableResult
    func on<R: AsyncResponseEncodable>(_ method: HTTPMethod, _ path: [PathComponent], access: AccessRule,
                                       use handler: @Sendable @escaping (Request) async throws -> R) -> Route {
        let route = on(method, path, use: handler)
        route.userInfo[AccessRule.key] = access
        return route
    }
}

/// The logged-in staff member of a request.
public struct StaffContext: Sendable {
    public let user: StaffUser
    public let session: StaffSession
    public let role: StaffRole
    public let region: RegionCode

    public var scope: RegionScope { RegionScope(root: region) }
    public var stage: StaffSession.Stage { session.stage }
}

struct StaffContextKey: StorageKey {
    typealias Value = StaffContext
}

/// A refusal, audited and shown as a 403 page.
struct AccessDenied: Error {
    let reason: String
}

extension Request {
    var staffIfPresent: StaffContext? { storage[StaffContextKey.self] }

    /// The logged-in staff member; routes with a staff rule always have one.
    var staff: StaffContext {
        get throws {
            guard let staff = staffIfPresent, staff.stage == .active else { throw Abort(.unauthorized) }
            return staff
        }
    }

    /// Throws unless `code` lies in the user's region subtree.
    func requireInScope(_ code: RegionCode) throws {
        guard try staff.scope.allows(code) else { throw RegionAccess.outOfScope(code) }
    }
}

/// The one place that decides whether a request may reach its route.
struct AccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let route = request.route else { return try await next.respond(to: request) }
        guard let rule = route.accessRule else {
            // Fail closed: a route someone forgot to classify is not served.
            throw AccessDenied(reason: "route without access rule: \(route.description)")
        }
        let staff = request.staffIfPresent
        switch rule {
        case .open:
            break
        case .enrolling:
            guard staff?.stage == .enrolling else { return request.redirect(to: "/login") }
        case .staff:
            guard let staff, staff.stage == .active else { return loginRedirect(request) }
        case .permission(let permission):
            guard let staff, staff.stage == .active else { return loginRedirect(request) }
            guard staff.role.has(permission) else {
                throw AccessDenied(reason: "\(staff.role.rawValue) lacks \(permission.rawValue)")
            }
        case .apiToken(let permission):
            guard let client = try await APIClientAuthenticator.authenticate(request) else {
                return Response(status: .unauthorized, headers: ["WWW-Authenticate": "Bearer"])
            }
            guard client.permissions.contains(permission) else {
                throw AccessDenied(reason: "API token \(client.name) lacks \(permission.rawValue)")
            }
            request.storage[APIClientKey.self] = client
        case .signedDepartmentMessage:
            break  // the handler checks the signature: it needs the message body
        }
        return try await next.respond(to: request)
    }

    private func loginRedirect(_ request: Request) -> Response {
        if request.staffIfPresent?.stage == .enrolling { return request.redirect(to: "/login/enrol") }
        if request.method == .GET {
            return request.redirect(to: "/login?next=" + (request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        return Response(status: .unauthorized)
    }
}

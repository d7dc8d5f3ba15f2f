import JiuzhuCore
import OpenAPIRuntime
import OpenAPIVapor
import Vapor

/// The JSON API under `/api/v1`: the routes are generated from `openapi.yaml`
/// (swift-openapi-generator's build plugin), registered through
/// swift-openapi-vapor, and each given its access rule here.
enum JSONAPI {
    /// The path prefix, as in the spec's `servers`.
    static let prefix: [PathComponent] = ["api", "v1"]

    /// Who may call each operation, by method and path as `openapi.yaml` writes them.
    /// An operation added to the spec without an entry here stops the server at start.
    static let rules: [String: AccessRule] = [
        "GET /persons": .apiToken(.viewPeople),
        "GET /persons/{id}": .apiToken(.viewPeople),
        "GET /households/{id}": .apiToken(.viewPeople),
        "POST /applications": .apiToken(.registerApplications),
        "GET /applications/{id}": .apiToken(.viewPeople),
        "POST /departments/{source}/messages": .signedDepartmentMessage,
    ]

    struct UnclassifiedRoute: Error, CustomStringConvertible {
        let routes: [String]
        var description: String { "API routes without an access rule (add them to JSONAPI.rules): \(routes.joined(separator: ", "))" }
    }

    /// Registers the generated handlers and `GET /api/openapi.yaml`; throws if
    /// any route under `/api/v1` is left without an access rule.
    static func register(on app: Application, rules: [String: AccessRule] = rules) throws {
        let existing = Set(app.routes.all.map(ObjectIdentifier.init))
        let transport = VaporTransport(routesBuilder: app.grouped(APIRequestMiddleware()))
        try APIHandler().registerHandlers(on: transport, serverURL: Servers.Server1.url())

        var unclassified: [String] = []
        var used: Set<String> = []
        for route in app.routes.all where !existing.contains(ObjectIdentifier(route)) {
            if let key = operationKey(route), let rule = rules[key] {
                route.userInfo[AccessRule.key] = rule
                used.insert(key)
            } else {
                unclassified.append(route.description)
            }
        }
        // Anything else under /api/v1 (a route added by hand) must carry a rule as well.
        for route in app.routes.all where route.path.starts(with: prefix) && route.accessRule == nil
            && !unclassified.contains(route.description) {
            unclassified.append(route.description)
        }
        if !unclassified.isEmpty { throw UnclassifiedRoute(routes: unclassified) }
        // A rule whose operation is gone from the spec is a stale entry, and a sign the two drifted.
        let stale = Set(rules.keys).subtracting(used)
        if !stale.isEmpty { throw UnclassifiedRoute(routes: stale.sorted().map { "no operation for rule \($0)" }) }

        app.get("api", "openapi.yaml", access: .open, use: spec)
    }

    /// `GET /persons/{id}` for the route `GET /api/v1/persons/:id`.
    static func operationKey(_ route: Route) -> String? {
        guard route.path.starts(with: prefix) else { return nil }
        let rest = route.path.dropFirst(prefix.count).map { component -> String in
            switch component {
            case .parameter(let name): "{\(name)}"
            default: component.description
            }
        }
        return "\(route.method.rawValue) /" + rest.joined(separator: "/")
    }

    /// The contract itself, byte for byte the file the server was generated from.
    static func spec(_ req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: Data(PackageResources.openapi_yaml)))
    }
}

/// The Vapor request of the API call being handled, for the generated
/// handlers, which see only the operation's input.
enum APIRequest {
    @TaskLocal static var current: Request?

    static var request: Request {
        get throws {
            guard let current else { throw Abort(.internalServerError, reason: "API handler called outside APIRequestMiddleware") }
            return current
        }
    }
}

/// On the API's routes (inside the access check): bounds the body, which the
/// transport would otherwise stream without limit, and makes the request
/// reachable from the handlers.
struct APIRequestMiddleware: AsyncMiddleware {
    static let maxBody = 1 << 20

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST || request.method == .PUT || request.method == .PATCH {
            // A body already in memory (the in-process tester's) skips collect's own limit.
            let body = try await request.body.collect(max: Self.maxBody).get()
            if (body?.readableBytes ?? 0) > Self.maxBody { throw Abort(.payloadTooLarge) }
        }
        return try await APIRequest.$current.withValue(request) {
            try await next.respond(to: request)
        }
    }
}

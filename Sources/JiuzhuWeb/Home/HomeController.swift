import JiuzhuCore
import Plot
import JiuzhuStore
import Vapor

/// 我的待办: the start page. Administrators see their duty's pages instead.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(access: .staff, use: home)
    }

    func home(_ req: Request) async throws -> Response {
        let staff = try req.staff
        if staff.role.adminDuty != nil {
            let links: [(Permission, String, Bilingual)] = [
                (.manageRegions, "/admin/regions", S.regionAdmin), (.manageCalendar, "/admin/calendar", S.calendar),
                (.manageUsers, "/admin/users", S.users), (.viewAudit, "/audit", S.audit),
            ]
            return try await req.page(S.adminHome) { c in
                [.h1(.text(c.t(S.adminHome))),
                .ul(.class("tiles"), .forEach(links.filter { staff.role.has($0.0) }) { link in
                    .li(.a(.href(link.1), .text(c.t(link.2))))
                })]
            }
        }
        return try await req.page(S.myTasks) { c in
            [.h1(.text(c.t(S.myTasks))),
             .div(.id("tasks"), .class("empty-state"), .p(.text(c.t(S.noTasks))))]
        }
    }
}

/// The stylesheet and the health check.
struct StaticController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("static", ":file", access: .open, use: asset)
        routes.get("healthz", access: .open, use: health)
    }

    private static let types: [String: HTTPMediaType] = ["css": .css, "svg": .svg, "png": .png]

    func asset(_ req: Request) async throws -> Response {
        let name = req.parameters.get("file") ?? ""
        // Only plain file names from our own Public folder.
        guard name.range(of: "^[a-z0-9-]+\\.(css|svg|png)$", options: .regularExpression) != nil,
              let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Public"),
              let data = try? Data(contentsOf: url)
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = Self.types[String(name.split(separator: ".").last ?? "")] ?? .plainText
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    func health(_ req: Request) async throws -> Response {
        try await DatabaseHealth.check(req.db)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: #"{"status":"ok"}"#))
    }
}

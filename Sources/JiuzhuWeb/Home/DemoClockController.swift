import JiuzhuCore
import Plot
import Vapor

/// 演示时钟 — in the demo only: move the clock forward by whole days, so that
/// a case can be walked through its 7-day publicity and working-day limits.
/// Every session then times out (its idle time is measured on the same
/// clock): log in again.
struct DemoClockController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("demo", "clock", access: .staff, use: advance)
    }

    struct Form: Content {
        var days: String?
    }

    func advance(_ req: Request) async throws -> Response {
        guard let clock = req.options.demoClock else { throw Abort(.notFound) }
        let days = Int((try req.content.decode(Form.self).days ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        switch Result(catching: { () throws(UserError) in try clock.advance(days: days) }) {
        case .success:
            try await req.audit("demo.clock", detail: "days=\(days) shift=\(clock.shiftDays)")
            return req.redirect(to: "/login")
        case .failure(let error):
            return try await req.page(S.demoClock, status: .badRequest) { c in [.h1(.text(c.t(S.demoClock))), formError(error)] }
        }
    }

    /// The home page's form (demo only).
    static func form(_ c: ViewContext, shift: Int) -> PageNode {
        .form(.id("demo-clock"), .class("inline-fields"), .method(.post), .action("/demo/clock"), csrfField(c),
              .p(.class("hint"), .text(c.t(S.demoClockHint(shift)))),
              field("days", label: S.demoClockDays, value: "7", type: .number, errors: [:], c),
              .button(.type(.submit), .text(c.t(S.demoClock))))
    }
}

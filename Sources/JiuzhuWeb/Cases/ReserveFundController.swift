import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 备用金台账 — a township's reserve fund for emergency help paid first:
/// its balance, the limit per case, every top-up and draw. The county's
/// payment officer tops it up; a draw happens with a case's "pay first".
struct ReserveFundController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("reserve-fund", access: .permission(.viewCases), use: index)
        routes.get("reserve-fund", ":township", access: .permission(.viewCases), use: show)
        routes.post("reserve-fund", ":township", "top-up", access: .permission(.managePayments), use: topUp)
    }

    struct TopUpForm: Content {
        var amount: String?
        var date: String?
    }

    /// A township's staff go to their fund; a county's see its townships' balances.
    func index(_ req: Request) async throws -> Response {
        let staff = try req.staff
        // A village account does not see its township's fund (nor is it offered the link).
        if let township = staff.region.ancestor(at: .township), staff.scope.allows(township) {
            return req.redirect(to: "/reserve-fund/\(township.value)")
        }
        let townships = try await RegionRepository(db: req.db).subtree(staff.scope, depth: .township)
            .filter { $0.level == RegionLevel.township.rawValue }
        let funds = try await ReserveFundRecord.query(on: req.db).filter(\.$id ~~ townships.compactMap(\.id)).all()
        let balances = Dictionary(uniqueKeysWithValues: funds.compactMap { f in f.id.map { ($0, f.balanceFen) } })
        return try await req.page(CT.reserveFund) { c in
            [.h1(.text(c.t(CT.reserveFund))),
             townships.isEmpty ? .p(.class("empty-state"), .text(c.t(CT.noTownships))) :
             .div(.class("scroll"), .table(.id("funds"),
                .thead(.tr(.th(.text(c.t(CT.region))), .th(.text(c.t(CT.balance))))),
                .tbody(.forEach(townships) { township in
                    let code = township.id ?? ""
                    return .tr(.td(.a(.href("/reserve-fund/\(code)"), .text(township.name))),
                               .td(.text(Money(fen: balances[code] ?? 0).formatted)))
                })))]
        }
    }

    func show(_ req: Request) async throws -> Response {
        try await render(req, try township(req), message: req.query[String.self, at: "done"] == "topped-up" ? CT.toppedUp : nil, error: nil)
    }

    private func township(_ req: Request) throws -> RegionCode {
        guard let raw = req.parameters.get("township"), let code = try? RegionCode(raw), code.level == .township,
              try req.staff.scope.allows(code) else { throw Abort(.notFound) }
        return code
    }

    private func render(_ req: Request, _ township: RegionCode, message: Bilingual?, error: UserError?,
                        status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let repository = ReserveFundRepository(db: req.db)
        let ledger = try await repository.ledger(township: township)
        let entries = try await repository.entries(township: township)
        let name = try await RegionRepository(db: req.db).fullName(township)
        let today = LocalDate.today(now: req.now)
        let canTopUp = staff.role.has(.managePayments) && staff.region.level <= .county
        return try await req.page(CT.reserveFund, status: status) { c in
            [.h1(.text("\(c.t(CT.reserveFund)) · \(name)")),
             notice(message.map(c.t)),
             formError(error),
             .dl(.class("facts"),
                 .dt(.text(c.t(CT.balance))), .dd(.id("fund-balance"), .text(ledger.balance.formatted)),
                 .dt(.text(c.t(CT.limitPerCase))), .dd(.id("fund-limit"), .text(ledger.townshipLimit.formatted))),
             .if(canTopUp, .form(.id("top-up-form"), .method(.post), .action("/reserve-fund/\(township.value)/top-up"), csrfField(c),
                 field("amount", label: CT.topUpAmount, errors: [:], c),
                 field("date", label: CT.date, value: today.description, type: .date, errors: [:], c),
                 .button(.type(.submit), .class("primary"), .text(c.t(CT.topUp))))),
             .h2(.text(c.t(CT.fundEntries))),
             entries.isEmpty ? .p(.class("empty-state"), .text(c.t(CT.noEntries))) :
             .div(.class("scroll"), .table(.id("fund-entries"),
                .thead(.tr(.th(.text(c.t(CT.date))), .th(.text(c.t(CT.entryKind))), .th(.text(c.t(CT.amount))),
                           .th(.text(c.t(CT.caseTitle))), .th(.text(c.t(CT.actor))))),
                .tbody(.forEach(entries) { entry in
                    .tr(.data(named: "kind", value: entry.kind),
                        .td(.text(entry.onDate)),
                        .td(.text(c.t(entry.entryKind == .topUp ? CT.topUpKind : CT.drawKind))),
                        .td(.text(Money(fen: entry.amountFen).formatted)),
                        .td(.unwrap(entry.caseID) { id in .a(.href("/cases/\(id.uuidString)"), .text(c.t(CT.openCase))) }),
                        .td(.text(entry.actor)))
                })))]
        }
    }

    func topUp(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let township = try township(req)
        let form = try req.content.decode(TopUpForm.self)
        do {
            guard staff.region.level <= .county else {
                throw UserError("reserve_fund.county", field: "township", zh: "备用金由县级拨付", en: "The county tops up reserve funds")
            }
            let amount = try Money(parsingYuan: (form.amount ?? "").trimmingCharacters(in: .whitespaces), field: "amount")
            let date = try LocalDate(parsing: form.date ?? "", field: "date")
            guard date <= LocalDate.today(now: req.now) else {
                throw UserError("reserve_fund.date", field: "date", zh: "日期不能晚于今天", en: "The date cannot be in the future")
            }
            try await ReserveFundRepository(db: req.db).topUp(township: township, amount: amount, on: date, actor: staff.user.username,
                                                              audit: (req.auditChain, req.auditEntry("reserve_fund.top_up")), now: req.now)
            return req.redirect(to: "/reserve-fund/\(township.value)?done=topped-up")
        } catch let error as UserError {
            return try await render(req, township, message: nil, error: error, status: .badRequest)
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 资金发放 — the payment officer freezes the county's monthly roll from the
/// approved cases, downloads the bank file in the bank's columns, and
/// imports the bank's results; the caseworker records each case's payee;
/// anyone who sees cases reads a household's statement.
struct PaymentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("payments", access: .permission(.managePayments), use: index)
        routes.post("payments", "rolls", access: .permission(.managePayments), use: freeze)
        routes.get("payments", "rolls", ":id", access: .permission(.managePayments), use: roll)
        routes.get("payments", "rolls", ":id", "bank.csv", access: .permission(.managePayments), use: bankFile)
        routes.post("payments", "rolls", ":id", "results", access: .permission(.managePayments), use: results)
        routes.post("cases", ":id", "payee", access: .permission(.workCases), use: payee)
        routes.get("households", ":id", "payments", access: .permission(.viewCases), use: statement)
    }

    private func repository(_ req: Request) -> PaymentRepository { PaymentRepository(db: req.db, keys: req.options.keys) }

    /// The staff member's region: a payment officer is homed at a county (the store refuses any other).
    private func county(_ req: Request) throws -> RegionCode { try req.staff.region }

    func index(_ req: Request) async throws -> Response {
        try await renderIndex(req, error: nil)
    }

    private func renderIndex(_ req: Request, error: UserError?, status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let rolls = try await repository(req).rolls(in: staff.scope)
        let next = YearMonth(LocalDate.today(now: req.now))
        var waiting = 0
        if staff.region.level == .county { waiting = try await repository(req).due(county: staff.region, month: next).withoutPayee.count }
        return try await req.page(PayT.title, status: status) { c in
            [.h1(.text(c.t(PayT.title))),
             formError(error),
             .form(.id("roll-freeze"), .method(.post), .action("/payments/rolls"), .class("inline-fields"), csrfField(c),
                   field("month", label: PayT.month, value: next.description, errors: [:], c),
                   .button(.type(.submit), .class("primary"), .text(c.t(PayT.freeze)))),
             .p(.class("hint"), .text(c.t(PayT.freezeHint))),
             .if(waiting > 0, .p(.class("warning"), .id("without-payee"), .text(c.t(PayT.withoutPayee(waiting))))),
             .div(.class("scroll"), .table(.id("rolls"),
                .thead(.tr(.th(.text(c.t(PayT.month))), .th(.text(c.t(CT.region))), .th(.text(c.t(PayT.lines))), .th(.text(c.t(PayT.total))))),
                .tbody(.forEach(rolls) { roll in
                    .tr(.td(.a(.href("/payments/rolls/\(roll.id?.uuidString ?? "")"), .text(roll.month))), .td(.text(roll.countyCode)),
                        .td(.text("\(roll.lineCount)")), .td(.text(Money(fen: roll.totalFen).formatted)))
                })))]
        }
    }

    struct FreezeForm: Content {
        var month: String?
    }

    func freeze(_ req: Request) async throws -> Response {
        do {
            let text = (try req.content.decode(FreezeForm.self).month ?? "").trimmingCharacters(in: .whitespaces)
            let month = try Result(catching: { () throws(UserError) in try YearMonth(parsing: text) }).get()
            let roll = try await repository(req).freeze(county: try county(req), month: month, actor: try req.staff.user.username,
                                                        audit: (req.auditChain, req.auditEntry("payment.freeze")), now: req.now)
            return req.redirect(to: "/payments/rolls/\(try roll.requireID().uuidString)")
        } catch let error as UserError {
            return try await renderIndex(req, error: error, status: .badRequest)
        }
    }

    private func loadRoll(_ req: Request) async throws -> PaymentRollRecord {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let roll = try await repository(req).roll(id: id, in: try req.staff.scope) else { throw Abort(.notFound) }
        return roll
    }

    func roll(_ req: Request) async throws -> Response {
        try await renderRoll(req, try await loadRoll(req), summary: nil)
    }

    private func renderRoll(_ req: Request, _ roll: PaymentRollRecord, summary: BankResultSummary?) async throws -> Response {
        let lines = try await repository(req).lines(of: roll)
        let payees = try lines.map { try repository(req).payee(of: $0) }
        try await req.audit("payment.roll_view", objectType: "payment_roll", objectID: try roll.requireID().uuidString)
        let counts = Dictionary(grouping: lines, by: \.status).mapValues(\.count)
        let id = try roll.requireID().uuidString
        return try await req.page(PayT.roll) { c in
            [.h1(.text("\(c.t(PayT.roll)) · \(roll.countyCode) · \(roll.month)")),
             .unwrap(summary) { s in
                .div(.id("result-summary"), .class("notice"),
                     .p(.text(c.t(PayT.summary(s)))),
                     .ul(.forEach(s.problems) { .li(.class("form-error"), .text("\($0.message.zh) / \($0.message.en)")) }))
             },
             .dl(.class("facts"),
                 .dt(.text(c.t(PayT.lines))), .dd(.id("roll-lines"), .text("\(roll.lineCount)")),
                 .dt(.text(c.t(PayT.total))), .dd(.id("roll-total"), .text(Money(fen: roll.totalFen).formatted)),
                 .dt(.text(c.t(PayT.status))),
                 .dd(.text("\(c.t(PayT.pending)) \(counts["pending"] ?? 0) · \(c.t(PayT.paid)) \(counts["paid"] ?? 0) · \(c.t(PayT.failed)) \(counts["failed"] ?? 0)"))),
             .form(.id("bank-file"), .method(.get), .action("/payments/rolls/\(id)/bank.csv"), .class("inline-fields"),
                   field("columns", label: PayT.columns, value: BankFileFormat.standard.columns.map(\.rawValue).joined(separator: ","),
                         errors: [:], c, hint: Bilingual(zh: BankFileColumn.allCases.map(\.rawValue).joined(separator: ", "),
                                                         en: BankFileColumn.allCases.map(\.rawValue).joined(separator: ", "))),
                   .button(.type(.submit), .text(c.t(PayT.download)))),
             .form(.id("bank-results"), .method(.post), .action("/payments/rolls/\(id)/results"), .enctype(.multipartData), csrfField(c),
                   .div(.class("field"), .label(.for("results-file"), .text(c.t(PayT.results))),
                        .input(.type(.file), .name("file"), .id("results-file"), .attribute(named: "accept", value: ".csv,text/csv,text/plain"))),
                   .button(.type(.submit), .text(c.t(PayT.importResults)))),
             .div(.class("scroll"), .table(.id("roll"),
                .thead(.tr(.th(.text(c.t(PayT.reference))), .th(.text(c.t(PayT.payee))), .th(.text(c.t(PayT.account))),
                           .th(.text(c.t(PayT.amount))), .th(.text(c.t(PayT.status))))),
                .tbody(.forEach(Array(zip(lines, payees))) { line, payee in
                    .tr(.class(line.status == "failed" ? "overdue" : ""), .data(named: "status", value: attr(line.status)),
                        .td(.text(line.reference)), .td(.text(payee.name)), .td(.text(BankAccountNumber.masked(payee.account))),
                        .td(.text(Money(fen: line.amountFen).formatted)),
                        .td(.text(PayT.status(line.status).text(c.language) + (line.reason.map { "（\($0)）" } ?? ""))))
                })))]
        }
    }

    func bankFile(_ req: Request) async throws -> Response {
        let roll = try await loadRoll(req)
        let columns = req.query[String.self, at: "columns"] ?? ""
        let format: BankFileFormat
        switch Result(catching: { () throws(UserError) in columns.isEmpty ? .standard : try BankFileFormat(parsing: columns) }) {
        case .success(let value): format = value
        case .failure(let error): throw Abort(.badRequest, reason: "\(error.message.zh) / \(error.message.en)")
        }
        let text = "\u{FEFF}" + BankFile.render(try await repository(req).bankLines(of: roll), format: format)
        try await req.audit("payment.bank_file", objectType: "payment_roll", objectID: try roll.requireID().uuidString,
                            detail: "columns=\(format.columns.map(\.rawValue).joined(separator: ","))")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"payments-\(roll.countyCode)-\(roll.month).csv\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    struct ResultsForm: Content {
        var file: File?
    }

    func results(_ req: Request) async throws -> Response {
        let roll = try await loadRoll(req)
        let form = try req.content.decode(ResultsForm.self)
        guard let file = form.file, file.data.readableBytes > 0, file.data.readableBytes <= 5_000_000,
              let text = String(data: Data(file.data.readableBytesView), encoding: .utf8)
        else {
            var summary = BankResultSummary()
            summary.problems = [UserError("bank_result.file", field: "file", zh: "请选择银行回盘文件（UTF-8 文本，5 MB 以内）",
                                          en: "Choose the bank's result file (UTF-8 text, up to 5 MB)")]
            return try await renderRoll(req, roll, summary: summary)
        }
        let summary = try await repository(req).applyResults(text, to: roll, audit: (req.auditChain, req.auditEntry("payment.results")),
                                                             now: req.now)
        let fresh = try await PaymentRollRecord.find(try roll.requireID(), on: req.db) ?? roll
        return try await renderRoll(req, fresh, summary: summary)
    }

    struct PayeeForm: Content {
        var payeeName: String?
        var payeeAccount: String?
    }

    func payee(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let record = try await CaseRepository(db: req.db, keys: req.options.keys).caseRecord(id: id, in: try req.staff.scope)
        else { throw Abort(.notFound) }
        // A receiving county sees a transferring case but does not pay it until it has accepted it.
        guard try req.staff.scope.allows(try RegionCode(record.regionCode)) else { throw Abort(.forbidden) }
        let form = try req.content.decode(PayeeForm.self)
        do {
            try await repository(req).setPayee(record, name: form.payeeName ?? "", account: form.payeeAccount ?? "",
                                               audit: (req.auditChain, req.auditEntry("case.payee")), now: req.now)
            return req.redirect(to: "/cases/\(id.uuidString)?done=payee")
        } catch let error as UserError {
            return try await req.page(PayT.payee, status: .badRequest) { c in
                [.h1(.text(c.t(PayT.payee))), formError(error), .p(.a(.href("/cases/\(id.uuidString)"), .text(c.t(CT.openCase))))]
            }
        }
    }

    func statement(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let household = try await PeopleRepository(db: req.db, keys: req.options.keys).household(id: id, in: try req.staff.scope)
        else { throw Abort(.notFound) }
        let lines = try await repository(req).statement(household: try household.requireID())
        try await req.audit("payment.statement", objectType: "household", objectID: id.uuidString)
        return try await req.page(PayT.statement) { c in
            [.h1(.text(c.t(PayT.statement))),
             lines.isEmpty ? .p(.class("empty-state"), .text(c.t(PayT.noPayments))) :
             .div(.class("scroll"), .table(.id("statement"),
                .thead(.tr(.th(.text(c.t(PayT.month))), .th(.text(c.t(CT.programme))), .th(.text(c.t(PayT.amount))), .th(.text(c.t(PayT.status))))),
                .tbody(.forEach(lines) { line in
                    .tr(.td(.text(line.month)), .td(.text(Programme(rawValue: line.programme).map { c.t($0.name) } ?? line.programme)),
                        .td(.text(Money(fen: line.amountFen).formatted)),
                        .td(.text(PayT.status(line.status).text(c.language) + (line.reason.map { "（\($0)）" } ?? ""))))
                })))]
        }
    }
}

/// Words of the payment pages.
enum PayT {
    static let title = Bilingual(zh: "资金发放", en: "Payments")
    static let roll = Bilingual(zh: "发放名册", en: "Payment roll")
    static let month = Bilingual(zh: "发放月份", en: "Month")
    static let freeze = Bilingual(zh: "生成并冻结名册", en: "Make and freeze the roll")
    static let freezeHint = Bilingual(zh: "名册按月冻结：之后对案件的修改不影响已冻结的名册；同一月份再次生成不会重复发放。",
                                      en: "A roll is frozen when made: later changes to cases do not alter it, and making the same month again never pays twice.")
    static let lines = Bilingual(zh: "笔数", en: "Lines")
    static let total = Bilingual(zh: "合计", en: "Total")
    static let status = Bilingual(zh: "状态", en: "Status")
    static let pending = Bilingual(zh: "待回盘", en: "Pending")
    static let paid = Bilingual(zh: "已发放", en: "Paid")
    static let failed = Bilingual(zh: "失败", en: "Failed")
    static let columns = Bilingual(zh: "银行文件列（逗号分隔）", en: "Bank file columns (comma-separated)")
    static let download = Bilingual(zh: "下载银行代发文件", en: "Download the bank file")
    static let results = Bilingual(zh: "银行回盘文件（流水号,状态,原因）", en: "The bank's result file (reference,status,reason)")
    static let importResults = Bilingual(zh: "导入回盘", en: "Import the results")
    static let reference = Bilingual(zh: "流水号", en: "Reference")
    static let payee = Bilingual(zh: "收款人", en: "Payee")
    static let account = Bilingual(zh: "账号", en: "Account")
    static let amount = Bilingual(zh: "金额", en: "Amount")
    static let statement = Bilingual(zh: "发放明细", en: "Payment statement")
    static let noPayments = Bilingual(zh: "尚无发放记录。", en: "No payments yet.")
    static let payeeName = Bilingual(zh: "户名", en: "Account holder")
    static let payeeAccount = Bilingual(zh: "银行账号", en: "Bank account number")
    static let savePayee = Bilingual(zh: "保存收款账户", en: "Save the payee")

    static func withoutPayee(_ n: Int) -> Bilingual {
        Bilingual(zh: "有 \(n) 个已批准案件尚未登记收款账户，不会进入名册。", en: "\(n) approved cases have no payee recorded and will not be in the roll.")
    }

    static func summary(_ s: BankResultSummary) -> Bilingual {
        Bilingual(zh: "成功 \(s.paid) 笔，失败 \(s.failed) 笔，未变 \(s.unchanged) 笔，问题 \(s.problems.count) 条",
                  en: "\(s.paid) paid, \(s.failed) failed, \(s.unchanged) unchanged, \(s.problems.count) problems")
    }

    static func status(_ code: String) -> Bilingual {
        switch code {
        case "paid": paid
        case "failed": failed
        default: pending
        }
    }
}

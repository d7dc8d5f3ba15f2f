import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 村务公示 — the village notice of the cases in publicity: the household
/// head's name, the household size and the proposed amount, nothing else;
/// anyone may object online during the 7 days (the township takes
/// objections at the window too, on the case page).
struct PublicityController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("publicity", ":village", access: .open, use: notice)
        routes.post("publicity", ":village", ":case", "objections", access: .open, use: object)
    }

    static let objectionLimit = 10

    private func village(_ req: Request) async throws -> (RegionCode, String) {
        guard let code = try? RegionCode(req.parameters.get("village") ?? ""), code.level == .village,
              let name = try? await RegionRepository(db: req.db).fullName(code)
        else { throw Abort(.notFound) }
        return (code, name)
    }

    func notice(_ req: Request) async throws -> Response {
        try await render(req, message: req.query[String.self, at: "done"] == "received" ? PT.received : nil, error: nil)
    }

    struct Row {
        let id: String
        let head: String
        let size: Int
        let programme: Programme?
        let amount: Money?
        let from: String
        let until: String
    }

    private func render(_ req: Request, message: Bilingual?, error: UserError?, status: HTTPStatus = .ok) async throws -> Response {
        let (code, name) = try await village(req)
        let repository = CaseRepository(db: req.db, keys: req.options.keys)
        let today = LocalDate.today(now: req.now)
        var rows: [Row] = []
        for record in try await repository.inPublicity(village: code, today: today) {
            if let row = try await row(record, from: record.publicityStartedOn, end: .publicityEnd,
                                       amount: try repository.inputs(of: record).amount, req) { rows.append(row) }
        }
        // 终止公示: the name, household size and the notice's period, nothing else.
        var stops: [Row] = []
        for record in try await repository.inTerminationNotice(village: code, today: today) {
            if let row = try await row(record, from: record.terminationPostedOn, end: .terminationNoticeEnd, amount: nil, req) {
                stops.append(row)
            }
        }
        return try await req.page(PT.title, status: status) { c in
            [.h1(.text("\(c.t(PT.title)) · \(name)")),
             .p(.class("hint"), .text(c.t(PT.hint))),
             JiuzhuWeb.notice(message.map(c.t)), formError(error),
             rows.isEmpty ? .p(.class("empty-state"), .text(c.t(PT.none))) :
             .ul(.id("publicity"), .class("cards"), .forEach(rows) { row in
                .li(.class("card"), .data(named: "case", value: attr(row.id)),
                    .h2(.text(row.head)),
                    .dl(.class("facts"),
                        .dt(.text(c.t(CT.programme))), .dd(.text(row.programme.map { c.t($0.name) } ?? "")),
                        .dt(.text(c.t(PT.size))), .dd(.class("size"), .text("\(row.size)")),
                        .dt(.text(c.t(PT.amount))), .dd(.class("amount"), .text(row.amount?.formatted ?? "-")),
                        .dt(.text(c.t(PT.period))), .dd(.text("\(row.from) – \(row.until)"))),
                    .details(.summary(.text(c.t(PT.object))),
                        .form(.method(.post), .action("/publicity/\(code.value)/\(row.id)/objections"), csrfField(c),
                              .div(.class("field"), .label(.for(attr("objection-\(row.id)")), .text(c.t(PT.objectionText))),
                                   .textarea(.id(attr("objection-\(row.id)")), .name("text"), .attribute(named: "maxlength", value: "1000"))),
                              .button(.type(.submit), .text(c.t(PT.send))))))
             }),
             .if(!stops.isEmpty, .group([
                .h2(.text(c.t(PT.terminations))),
                .ul(.id("termination-notice"), .class("cards"), .forEach(stops) { row in
                    .li(.class("card"), .data(named: "case", value: attr(row.id)),
                        .h2(.text(row.head)),
                        .dl(.class("facts"),
                            .dt(.text(c.t(CT.programme))), .dd(.text(row.programme.map { c.t($0.name) } ?? "")),
                            .dt(.text(c.t(PT.size))), .dd(.class("size"), .text("\(row.size)")),
                            .dt(.text(c.t(PT.period))), .dd(.text("\(row.from) – \(row.until)"))))
                })]))]
        }
    }

    struct ObjectionForm: Content {
        var text: String?
    }

    /// One card: the head's name and the household's current size, and the notice's period.
    private func row(_ record: CaseRecord, from: String?, end kind: CaseDeadlineKind, amount: Money?, _ req: Request) async throws -> Row? {
        guard let household = try await HouseholdRecord.find(record.householdID, on: req.db),
              let head = try await PersonRecord.find(household.headPersonID, on: req.db) else { return nil }
        let size = try await MemberRecord.query(on: req.db).filter(\.$householdID == record.householdID)
            .filter(\.$leftMillis == nil).count()
        let end = record.deadlineList.first { $0.kind == kind }
        return Row(id: record.id?.uuidString ?? "", head: head.name, size: size, programme: record.programmeValue,
                   amount: amount, from: from ?? "", until: end?.date.description ?? "")
    }

    func object(_ req: Request) async throws -> Response {
        let (code, _) = try await village(req)
        guard let id = req.parameters.get("case").flatMap(UUID.init(uuidString:)),
              let record = try await CaseRepository(db: req.db, keys: req.options.keys).caseRecord(id: id, in: RegionScope(root: code))
        else { throw Abort(.notFound) }
        do {
            guard try await RateLimiter(db: req.db).allow("objection:\(req.clientAddress)", limit: Self.objectionLimit, window: 3600,
                                                          now: req.now) else {
                throw UserError("rate.limited", zh: T.tooMany.zh, en: T.tooMany.en)
            }
            let form = try req.content.decode(ObjectionForm.self)
            try await CaseRepository(db: req.db, keys: req.options.keys).receiveObjection(to: record, text: form.text ?? "", channel: "online",
                                                                                         now: req.now)
            return req.redirect(to: "/publicity/\(code.value)?done=received")
        } catch let error as UserError {
            return try await render(req, message: nil, error: error, status: error.code == "rate.limited" ? .tooManyRequests : .badRequest)
        }
    }
}

/// Words of the village notice.
enum PT {
    static let title = Bilingual(zh: "社会救助公示", en: "Social assistance notice")
    static let hint = Bilingual(zh: "以下家庭的救助申请正在公示，公示期 7 天。如有异议，可在公示期内在线提出或到乡镇（街道）窗口反映。",
                                en: "The applications below are on public notice for 7 days. Objections may be sent online or made at the township office during that time.")
    static let none = Bilingual(zh: "目前没有公示中的申请。", en: "Nothing is on notice now.")
    static let size = Bilingual(zh: "家庭人口", en: "Household size")
    static let amount = Bilingual(zh: "拟月救助金额", en: "Proposed monthly amount")
    static let period = Bilingual(zh: "公示期", en: "Notice period")
    static let object = Bilingual(zh: "提出异议", en: "Object")
    static let objectionText = Bilingual(zh: "异议内容（5 至 1000 字）", en: "Your objection (5 to 1,000 characters)")
    static let send = Bilingual(zh: "提交异议", en: "Send")
    static let terminations = Bilingual(zh: "特困人员终止供养公示", en: "Notice of tekun support ending")
    static let received = Bilingual(zh: "异议已收到，乡镇（街道）将核实处理。", en: "Your objection has been received; the township office will look into it.")
}

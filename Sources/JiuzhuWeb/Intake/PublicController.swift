import FluentKit
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// Pages for families, without login: apply online, and follow an
/// application with its tracking code. Rate-limited in the database so the
/// limits hold across instances; failed look-ups are audited.
struct PublicController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("apply", access: .open, use: chooseCounty)
        routes.get("apply", ":county", access: .open, use: applyForm)
        routes.post("apply", ":county", access: .open, use: apply)
        routes.get("track", access: .open, use: trackForm)
        routes.post("track", access: .open, use: track)
    }

    static let applyLimit = 5          // per client address and hour
    static let trackLimit = 20         // per client address and 10 minutes
    static let trackCodeLimit = 10     // wrong tries per tracking code and hour

    func chooseCounty(_ req: Request) async throws -> Response {
        let province = try RegionCode("34")
        let counties = try await RegionRepository(db: req.db).subtree(RegionScope(root: province), depth: .county)
        let today = LocalDate.today(now: req.now)
        let byCity = Dictionary(grouping: counties.filter { $0.level == RegionLevel.county.rawValue && $0.isValid(on: today) }) { $0.parentCode ?? "" }
        let cities = counties.filter { $0.level == RegionLevel.city.rawValue }
        return try await req.page(T.onlineApply) { c in
            [.h1(.text(c.t(T.onlineApply))),
             .p(.text(c.t(T.onlineIntro))),
             .forEach(cities) { city in
                 .section(.h2(.text(city.name)), .ul(.class("tiles"), .forEach(byCity[city.id ?? ""] ?? []) { county in
                     .li(.a(.href("/apply/\(county.id ?? "")"), .text(county.name)))
                 }))
             },
             .p(.a(.href("/track"), .text(c.t(T.track))))]
        }
    }

    private func county(_ req: Request) async throws -> (RegionCode, String) {
        let code = try RegionCode(req.parameters.get("county") ?? "", field: "county")
        guard code.level == .county, let record = try await RegionRecord.find(code.value, on: req.db) else { throw Abort(.notFound) }
        return (code, record.name)
    }

    func applyForm(_ req: Request) async throws -> Response {
        let (code, name) = try await county(req)
        return try await renderApply(req, county: code, countyName: name, form: IntakeForm(), errors: [:])
    }

    private func renderApply(_ req: Request, county: RegionCode, countyName: String, form: IntakeForm,
                             errors: [String: UserError], status: HTTPStatus = .ok) async throws -> Response {
        let regions = try await IntakeController.regionOptions(req, scope: RegionScope(root: county))
        return try await req.page(T.onlineApply, status: status) { c in
            [.h1(.text("\(c.t(T.onlineApply)) · \(countyName)")),
             IntakeFormView(form: form, errors: errors, regions: regions, checklist: .national, staffRole: nil,
                            action: "/apply/\(county.value)", c: c).render()]
        }
    }

    func apply(_ req: Request) async throws -> Response {
        let (county, name) = try await county(req)
        let form = try req.content.decode(IntakeForm.self)
        if form.action == "add_rows" {
            var more = form
            more.rows = min(IntakeForm.maxRows, max(form.rows ?? 3, form.memberRows.count) + 2)
            return try await renderApply(req, county: county, countyName: name, form: more, errors: [:])
        }
        guard try await RateLimiter(db: req.db).allow("apply:\(req.clientAddress)", limit: Self.applyLimit, window: 3600, now: req.now) else {
            throw UserError("rate.limited", zh: T.tooMany.zh, en: T.tooMany.en)
        }
        let today = LocalDate.today(now: req.now)
        let draft: IntakeDraft
        switch form.validate(channelFor: nil, today: today) {
        case .success(let value) where RegionScope(root: county).allows(value.region): draft = value
        case .success:
            return try await renderApply(req, county: county, countyName: name, form: form,
                                         errors: ["region": UserError("intake.region_level", field: "region", zh: "请选择本县的乡镇或村", en: "Choose a township or village of this county")],
                                         status: .badRequest)
        case .failure(let errors):
            return try await renderApply(req, county: county, countyName: name, form: form, errors: IntakeController.keyed(errors), status: .badRequest)
        }
        let result: IntakeResult
        do {
            result = try await IntakeRepository(db: req.db, keys: req.options.keys).register(
                draft, scope: nil,
                audit: AuditEntry(actor: "-", role: "", region: draft.region.value, action: "application.online",
                                  client: req.clientAddress),
                today: today, now: req.now, calendar: try await CalendarStore(db: req.db).calendar())
        } catch let errors as HouseholdRules.Errors {
            return try await renderApply(req, county: county, countyName: name, form: form, errors: IntakeController.keyed(errors), status: .badRequest)
        }
        let code = (try? TrackingCode(parsing: result.application.trackingCode))?.description ?? result.application.trackingCode
        return try await req.page(T.onlineApply) { c in
            [.h1(.text(c.t(T.onlineApply))),
             .p(.class("notice"), .text(c.t(T.onlineDone))),
             .p(.text(c.t(T.trackingCode) + "："), .strong(.id("tracking-code"), .text(code))),
             .p(.a(.href("/track"), .text(c.t(T.track))))]
        }
    }

    struct TrackForm: Content {
        var code: String?
        var last4: String?
    }

    func trackForm(_ req: Request) async throws -> Response {
        try await renderTrack(req, form: TrackForm(), error: nil, timeline: nil)
    }

    private func renderTrack(_ req: Request, form: TrackForm, error: UserError?, timeline items: (String, [(Int64, Bilingual)])?,
                             status: HTTPStatus = .ok) async throws -> Response {
        try await req.page(T.track, status: status) { c in
            [.h1(.text(c.t(T.track))),
             .p(.text(c.t(T.trackIntro))),
             formError(error),
             .form(.id("track-form"), .method(.post), .action("/track"), csrfField(c),
                   field("code", label: T.trackingCode, value: form.code ?? "", errors: [:], c, autocomplete: "off"),
                   field("last4", label: T.last4, value: "", errors: [:], c, autocomplete: "off"),
                   .button(.id("track-submit"), .type(.submit), .class("primary"), .text(c.t(S.search)))),
             .unwrap(items) { item in
                 .section(.id("track-result"), .class("card"),
                          .p(.text("\(c.t(T.applicant))：\(item.0)")),
                          timeline(item.1, c))
             }]
        }
    }

    /// Shows the status timeline, with no personal data beyond the masked name.
    func track(_ req: Request) async throws -> Response {
        let form = try req.content.decode(TrackForm.self)
        let limiter = RateLimiter(db: req.db)
        guard try await limiter.allow("track:\(req.clientAddress)", limit: Self.trackLimit, window: 600, now: req.now) else {
            try await req.audit("track.limited", objectType: "tracking", outcome: .denied)
            return try await renderTrack(req, form: form, error: UserError("rate.limited", zh: T.tooMany.zh, en: T.tooMany.en),
                                         timeline: nil, status: .tooManyRequests)
        }
        let failure = UserError("track.failed", zh: T.trackFailed.zh, en: T.trackFailed.en)
        guard let code = try? TrackingCode(parsing: form.code ?? "") else {
            return try await renderTrack(req, form: form, error: failure, timeline: nil, status: .badRequest)
        }
        let codeBucket = "track-code:\(code.value)"
        let repository = IntakeRepository(db: req.db, keys: req.options.keys)
        let application = try await repository.application(trackingCode: code)
        let head: PersonRecord?
        if let application, let household = try await HouseholdRecord.find(application.householdID, on: req.db) {
            head = try await PersonRecord.find(household.headPersonID, on: req.db)
        } else {
            head = nil
        }
        let typed = (form.last4 ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let matches = head.map { typed.count == 4 && $0.idMasked.hasSuffix(typed) } ?? false
        // Wrong tries on one code are limited too, so the last 4 cannot be guessed from many addresses.
        let codeAllowed = try await limiter.allow(codeBucket, limit: Self.trackCodeLimit, window: 3600, now: req.now)
        guard matches, codeAllowed, let application, let head else {
            try await req.audit("track.failure", objectType: "tracking", objectID: code.value, outcome: .failure)
            return try await renderTrack(req, form: form, error: codeAllowed ? failure : UserError("rate.limited", zh: T.tooMany.zh, en: T.tooMany.en),
                                         timeline: nil, status: codeAllowed ? .badRequest : .tooManyRequests)
        }
        let events = try await repository.events(applicationID: application.requireID())
        return try await renderTrack(req, form: form, error: nil, timeline: (maskName(head.name), events.map { ($0.atMillis, Bilingual(zh: $0.textZh, en: $0.textEn)) }))
    }
}

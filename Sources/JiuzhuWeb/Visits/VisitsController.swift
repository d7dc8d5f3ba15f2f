import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 走访打卡 — the responsible person's phone page: their people with the next
/// due visit, and one check-in form. With script the form is queued on the
/// phone (IndexedDB) and sent when there is a connection, each check-in under
/// its own id (`clientID`, the idempotency key); without script it posts as a
/// normal form.
struct VisitsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("visits", access: .permission(.checkInVisits), use: myVisits)
        routes.post("visits", "check-ins", access: .permission(.checkInVisits), use: submit)
    }

    struct PersonRow {
        let plan: VisitPlanRecord
        let name: String
        let schedule: VisitSchedule?
        let status: VisitStatus?
    }

    /// The responsible person's plans, most pressing first.
    private func rows(_ req: Request) async throws -> [PersonRow] {
        let staff = try req.staff
        let plans = try await VisitRepository(db: req.db, keys: req.options.keys).plans(responsible: try staff.user.requireID())
        let people = try await PersonRecord.query(on: req.db).filter(\.$id ~~ plans.map(\.personID)).all()
        let names = Dictionary(uniqueKeysWithValues: people.compactMap { p in p.id.map { ($0, p.name) } })
        let calendar = try await CalendarStore(db: req.db).calendar()
        let policies = VisitPolicyCache(store: VisitPolicyStore(db: req.db))
        let today = LocalDate.today(now: req.now)
        var rows: [PersonRow] = []
        for plan in plans {
            let schedule = VisitRepository.schedule(plan, policy: try await policies.policy(for: plan.regionCode), calendar: calendar)
            rows.append(PersonRow(plan: plan, name: names[plan.personID] ?? "-", schedule: schedule,
                                  status: schedule?.status(on: today)))
        }
        return rows.sorted { ($0.schedule?.dueDate ?? today, $0.name) < ($1.schedule?.dueDate ?? today, $1.name) }
    }

    func myVisits(_ req: Request) async throws -> Response {
        let done: Bilingual? = switch req.query[String.self, at: "done"] {
        case "stored": VT.stored
        case "replayed": VT.replayed
        default: nil
        }
        return try await render(req, message: done, error: nil, values: [:])
    }

    private func render(_ req: Request, message: Bilingual?, error: UserError?, values: [String: String],
                        status: HTTPStatus = .ok) async throws -> Response {
        let rows = try await rows(req)
        return try await req.page(VT.myVisits, status: status, scripts: ["visits.js"]) { c in
            [.h1(.text(c.t(VT.myVisits))),
             notice(message.map(c.t)),
             CheckInPage(rows: rows, error: error, values: values, clientID: UUID().uuidString,
                         userID: (try? req.staff.user.requireID().uuidString) ?? "", c: c).render()]
        }
    }

    // MARK: Taking a check-in

    struct CheckInForm: Content {
        var clientID: String?
        var plan: String?
        var takenAt: String?
        var latitude: String?
        var longitude: String?
        var accuracy: String?
        var photo: File?
        var photoSHA256: String?
        var notes: String?
        var assessed: String?
        var failed: [String]?
        var needs: [String]?
    }

    private var wantsJSON: (Request) -> Bool {
        { req in req.headers.accept.contains { $0.mediaType == .json } }
    }

    func submit(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let form: CheckInForm
        do {
            form = try req.content.decode(CheckInForm.self)
        } catch {
            return try await refuse(req, UserError("checkin.form", zh: "打卡表单无法读取", en: "The check-in form could not be read"),
                                    values: [:])
        }
        let values = ["plan": form.plan ?? "", "notes": form.notes ?? "", "latitude": form.latitude ?? "",
                      "longitude": form.longitude ?? "", "accuracy": form.accuracy ?? ""]
        do {
            let (submission, plan) = try await checkIn(from: form, req: req, worker: try staff.user.requireID())
            let policy = try await VisitPolicyStore(db: req.db).policy(for: try RegionCode(plan.regionCode)).policy
            let receipt = try await VisitRepository(db: req.db, keys: req.options.keys).submit(
                submission, policy: policy, calendar: try await CalendarStore(db: req.db).calendar(), now: req.now,
                audit: (req.auditChain, req.auditEntry("visit.checkin")))
            let (word, status): (String, HTTPStatus) = switch receipt {
            case .stored: ("stored", .created)
            case .replayed: ("replayed", .ok)
            }
            guard wantsJSON(req) else { return req.redirect(to: "/visits?done=\(word)") }
            return try jsonResponse(status, .object(["status": .string(word), "id": .string(receipt.id.uuidString)]))
        } catch let error as UserError {
            try await req.audit("visit.checkin", objectType: "visit_plan", objectID: form.plan ?? "", outcome: .failure,
                                detail: error.code)
            return try await refuse(req, error, values: values)
        }
    }

    /// The Core check-in from the form; every field checked with its own message.
    private func checkIn(from form: CheckInForm, req: Request, worker: UUID) async throws -> (CheckInSubmission, VisitPlanRecord) {
        let clientID = (form.clientID ?? "").trimmingCharacters(in: .whitespaces)
        guard clientID.range(of: "^[A-Za-z0-9-]{8,64}$", options: .regularExpression) != nil else {
            throw UserError("checkin.client_id", field: "clientID", zh: "打卡编号无效，请刷新页面后重试",
                            en: "The check-in id is invalid; reload the page and try again")
        }
        if let key = req.headers.first(name: "Idempotency-Key"), key != clientID {
            throw UserError("checkin.idempotency_key", field: "clientID", zh: "幂等键与打卡编号不一致",
                            en: "The Idempotency-Key header differs from the check-in id")
        }
        guard let planID = form.plan.flatMap(UUID.init(uuidString:)),
              let plan = try await VisitRepository(db: req.db, keys: req.options.keys).plan(id: planID, in: try req.staff.scope)
        else {
            throw UserError("checkin.person", field: "plan", zh: "请选择走访对象", en: "Choose the person you visited")
        }
        guard let latitude = Double(form.latitude ?? ""), let longitude = Double(form.longitude ?? ""),
              let accuracy = Double(form.accuracy ?? "")
        else {
            throw UserError("checkin.location", field: "latitude", zh: "请先获取位置", en: "Get the location first")
        }
        let now = Int64(req.now.timeIntervalSince1970)
        var takenAt = now
        if let text = form.takenAt, !text.isEmpty {
            guard let value = Int64(text) else {
                throw UserError("checkin.time", field: "takenAt", zh: "打卡时间无效", en: "The check-in time is invalid")
            }
            takenAt = value
        }
        guard let file = form.photo, file.data.readableBytes > 0 else {
            throw UserError("checkin.photo_missing", field: "photo", zh: "请拍摄现场照片", en: "Take a photo at the visit")
        }
        let photo = Data(file.data.readableBytesView)
        let digest = hexString(SHA256.hash(data: photo))
        let sentDigest = (form.photoSHA256 ?? "").lowercased()
        var failed: Set<DailyActivity>?
        if form.assessed == "1" {
            var set = Set<DailyActivity>()
            for raw in form.failed ?? [] {
                guard let activity = DailyActivity(rawValue: raw) else {
                    throw UserError("checkin.activity", field: "failed", zh: "未知的自理项目：\(raw)", en: "Unknown daily activity: \(raw)")
                }
                set.insert(activity)
            }
            failed = set
        }
        var needs: [String] = []
        for raw in form.needs ?? [] {
            guard ReferralNeed(rawValue: raw) != nil else {
                throw UserError("checkin.need", field: "needs", zh: "未知的需求：\(raw)", en: "Unknown need: \(raw)")
            }
            if !needs.contains(raw) { needs.append(raw) }
        }
        let checkIn = CheckIn(id: clientID, visitID: clientID, workerID: worker.uuidString, personID: plan.personID.uuidString,
                              unixSeconds: takenAt, location: GeoPoint(latitude: latitude, longitude: longitude),
                              accuracyMetres: accuracy, photoSHA256: sentDigest.isEmpty ? digest : sentDigest,
                              observedFailedActivities: failed, needs: needs)
        return (CheckInSubmission(checkIn: checkIn, photo: photo, notes: form.notes ?? ""), plan)
    }

    private func refuse(_ req: Request, _ error: UserError, values: [String: String]) async throws -> Response {
        let status: HTTPStatus = switch error.code {
        case "checkin.id_reused": .conflict
        case "checkin.photo_size": .payloadTooLarge
        default: .unprocessableEntity
        }
        guard wantsJSON(req) else { return try await render(req, message: nil, error: error, values: values, status: .badRequest) }
        var fields: [String: JSONValue] = ["code": .string(error.code), "zh": .string(error.message.zh), "en": .string(error.message.en)]
        if let field = error.field { fields["field"] = .string(field) }
        return try jsonResponse(status, .object(["error": .object(fields)]))
    }

    private func jsonResponse(_ status: HTTPStatus, _ value: JSONValue) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string: value.rendered(pretty: false)))
    }
}

/// The phone page's body: the list and the form (ids and names are the
/// contract with visits.js and the browser test).
struct CheckInPage {
    let rows: [VisitsController.PersonRow]
    let error: UserError?
    let values: [String: String]
    let clientID: String
    /// The signed-in account: the phone's queue keeps each account's check-ins apart.
    let userID: String
    let c: ViewContext

    func statusCode(_ status: VisitStatus?) -> String {
        switch status {
        case .upcoming, nil: "upcoming"
        case .due: "due"
        case .overdue: "overdue"
        case .escalated: "escalated"
        }
    }

    func render() -> PageNode {
        .div(.class("visits"),
            .if(rows.isEmpty, .p(.class("empty-state"), .text(c.t(VT.noPeople)))),
            .form(.id("checkin-form"), .method(.post), .action("/visits/check-ins"), .enctype(.multipartData),
                  .data(named: "user-id", value: attr(userID)),
                csrfField(c),
                .input(.type(.hidden), .name("clientID"), .value(attr(clientID))),
                .input(.type(.hidden), .name("takenAt"), .value("")),
                formError(error),
                .div(.id("checkin-error"), .class("form-error"), .attribute(named: "hidden", value: "hidden"),
                     .attribute(named: "role", value: "alert")),
                .fieldset(.id("checkin-person"),
                    .element(named: "legend", text: c.t(VT.myPeople)),
                    .ul(.id("visit-people"), .forEach(rows) { row in
                        let id = row.plan.id?.uuidString ?? ""
                        return .li(.class("visit-person " + statusCode(row.status)), .data(named: "plan", value: attr(id)),
                                   .data(named: "status", value: statusCode(row.status)),
                            .input(.type(.radio), .name("plan"), .id(attr("plan-" + id)), .value(attr(id)),
                                   .attribute(named: "checked", value: values["plan"] == id ? "checked" : nil)),
                            .label(.for(attr("plan-" + id)),
                                .span(.class("person-name"), .text(row.name)),
                                .span(.class("due"), .text(dueText(row)))))
                    })),
                .fieldset(.id("checkin-location"),
                    .element(named: "legend", text: c.t(VT.locate)),
                    .input(.type(.hidden), .name("latitude"), .value(attr(values["latitude"] ?? ""))),
                    .input(.type(.hidden), .name("longitude"), .value(attr(values["longitude"] ?? ""))),
                    .input(.type(.hidden), .name("accuracy"), .value(attr(values["accuracy"] ?? ""))),
                    .button(.type(.button), .id("locate"), .text(c.t(VT.locate))),
                    .p(.id("location-status"), .attribute(named: "aria-live", value: "polite"), .text(c.t(VT.locationHint)))),
                .div(.class("field"),
                    .label(.for("photo"), .text(c.t(VT.photo))),
                    .input(.type(.file), .name("photo"), .id("photo"), .attribute(named: "accept", value: "image/*"),
                           .attribute(named: "capture", value: "environment")),
                    .input(.type(.hidden), .name("photoSHA256"), .value("")),
                    .img(.id("photo-preview"), .alt(""), .attribute(named: "hidden", value: "hidden")),
                    .small(.class("hint"), .text(c.t(VT.photoHint)))),
                .fieldset(.id("checkin-selfcare"),
                    .element(named: "legend", text: c.t(SelfCareText.title)),
                    .label(.class("check"), .input(.type(.checkbox), .name("assessed"), .id("assessed"), .value("1")),
                           .text(c.t(VT.assessed))),
                    .p(.class("hint"), .text(c.t(VT.failedHint))),
                    .forEach(DailyActivity.allCases.sorted()) { activity in
                        .label(.class("check"), .input(.type(.checkbox), .name("failed[]"), .value(activity.rawValue)),
                               .text(c.t(activity.name)))
                    }),
                .fieldset(.id("checkin-needs"),
                    .element(named: "legend", text: c.t(VT.needs)),
                    .forEach(ReferralNeed.allCases) { need in
                        .label(.class("check"), .input(.type(.checkbox), .name("needs[]"), .value(need.rawValue)),
                               .text(c.t(need.name)))
                    }),
                .div(.class("field"),
                    .label(.for("f-notes"), .text(c.t(VT.notes))),
                    .textarea(.id("f-notes"), .name("notes"), .attribute(named: "maxlength", value: "2000"),
                              .text(values["notes"] ?? ""))),
                .button(.type(.submit), .id("checkin-submit"), .class("primary"), .text(c.t(VT.submit))),
                .element(named: "noscript", nodes: [.p(.class("hint"), .text(c.t(VT.noScript)))])
            ),
            .section(.id("queue"), .attribute(named: "hidden", value: "hidden"),
                .h2(.text(c.t(VT.queue))),
                .p(.id("queue-status"), .data(named: "count", value: "0"), .attribute(named: "aria-live", value: "polite")),
                .ul(.id("queue-items")))
        )
    }

    private func dueText(_ row: VisitsController.PersonRow) -> String {
        guard let schedule = row.schedule, let status = row.status else { return "" }
        return "\(c.t(VT.nextVisit)) \(schedule.dueDate) · \(c.t(status.name))"
    }
}

/// The self-care wording shared by the phone form and the plan page.
enum SelfCareText {
    static let title = Bilingual(zh: "生活自理能力（六项）", en: "Self-care (six activities)")
}

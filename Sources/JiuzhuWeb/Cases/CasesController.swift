import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// 案件办理 — the cases of a region, one case's page with the steps the
/// user's role may take (the Core workflow decides), decision letters.
/// Every action names the case version it was decided on: of two people
/// acting at once one wins, the other is told to reload.
struct CasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", access: .permission(.viewCases), use: list)
        routes.get("cases", ":id", access: .permission(.viewCases), use: show)
        routes.post("cases", ":id", "actions", access: .permission(.workCases), use: act)
        routes.get("cases", ":id", "letter", access: .permission(.viewCases), use: letter)
        routes.post("cases", ":id", "letter", "delivered", access: .permission(.workCases), use: delivered)
        routes.post("applications", ":id", "accept", access: .permission(.workCases), use: accept)
    }

    private var repository: (Request) -> CaseRepository {
        { req in CaseRepository(db: req.db, keys: req.options.keys) }
    }

    // MARK: The list

    func list(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let all = req.query[String.self, at: "status"] == "all"
        let cases = try await repository(req).cases(in: staff.scope, pendingOnly: !all)
        let heads = try await headNames(cases.map(\.householdID), req)
        let tasks = try await TaskRecord.query(on: req.db).filter(\.$kind == TaskKind.caseStep.rawValue)
            .filter(\.$subjectID ~~ cases.compactMap { $0.id?.uuidString }).filter(\.$closedMillis == nil).all()
        let taskByCase = Dictionary(tasks.map { ($0.subjectID, $0) }, uniquingKeysWith: { a, _ in a })
        let regionNames = try await regionNames(Set(cases.map(\.regionCode)), req)
        let today = LocalDate.today(now: req.now)
        return try await req.page(CT.cases) { c in
            [.h1(.text(c.t(CT.cases))),
             .p(.class("filters"),
                .a(.id("filter-pending"), .href("/cases"), .class(all ? "" : "current"), .text(c.t(CT.pendingOnly))), .text(" · "),
                .a(.id("filter-all"), .href("/cases?status=all"), .class(all ? "current" : ""), .text(c.t(CT.all)))),
             cases.isEmpty ? .p(.class("empty-state"), .text(c.t(CT.noCases))) :
             .div(.class("scroll"), .table(.id("cases"),
                .thead(.tr(.th(.text(c.t(CT.programme))), .th(.text(c.t(CT.household))), .th(.text(c.t(CT.region))),
                           .th(.text(c.t(CT.state))), .th(.text(c.t(CT.acceptedOn))), .th(.text(c.t(CT.nextStep))), .th(.text(c.t(CT.due))))),
                .tbody(.forEach(cases) { record in
                    let id = record.id?.uuidString ?? ""
                    let task = taskByCase[id]
                    let overdue = task?.due.map { TaskUrgency(due: $0, on: today).isOverdue } ?? false
                    return .tr(.class(overdue ? "overdue" : ""), .data(named: "case", value: attr(id)),
                        .td(.a(.href("/cases/\(id)"), .text(record.programmeValue.map { c.t($0.name) } ?? record.programme))),
                        .td(.text(heads[record.householdID] ?? "-")),
                        .td(.text(regionNames[record.regionCode] ?? record.regionCode)),
                        .td(.class("state"), .text(record.caseState.map { c.t($0.name) } ?? record.state)),
                        .td(.text(record.acceptedOn)),
                        .td(.text(task.map { nextActions($0, c) } ?? "-")),
                        .td(.text(task?.dueOn ?? "-")))
                })))]
        }
    }

    private func nextActions(_ task: TaskRecord, _ c: ViewContext) -> String {
        (task.details["actions"] ?? "").split(separator: ",").compactMap { CaseAction(rawValue: String($0)) }.map { c.t($0.name) }
            .joined(separator: " / ")
    }

    // MARK: One case

    private func load(_ req: Request) async throws -> CaseRecord {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let record = try await repository(req).caseRecord(id: id, in: try req.staff.scope)
        else { throw Abort(.notFound) }
        return record
    }

    func show(_ req: Request) async throws -> Response {
        let message: Bilingual? = switch req.query[String.self, at: "done"] {
        case "acted": CT.done
        case "delivered": CT.deliveredDone
        case "payee": VT.saved
        default: nil
        }
        return try await render(req, try await load(req), message: message, error: nil)
    }

    private func render(_ req: Request, _ record: CaseRecord, message: Bilingual?, error: UserError?,
                        status: HTTPStatus = .ok) async throws -> Response {
        let staff = try req.staff
        let repository = repository(req)
        let id = try record.requireID()
        guard let programme = record.programmeValue, let state = record.caseState else { throw Abort(.internalServerError) }
        let calendar = try await CalendarStore(db: req.db).calendar()
        let region = try RegionCode(record.regionCode)
        let options = try await WorkflowPolicyStore(db: req.db).options(for: region).options
        let workflow = CaseWorkflow(programme: programme, options: options, calendar: calendar)
        let transferTo = record.transferTo.flatMap { try? RegionCode($0) }
        let actor = CaseActor(role: staff.role, home: staff.region, caseRegion: region, transferTo: transferTo)
        let steps = staff.role.has(.workCases) ? workflow.steps(from: state).filter { $0.actors.contains { $0.allows(actor) } } : []
        // The main-path step opens first (submit after publicity, not "record an objection").
        let progress = try repository.progress(of: record)
        let main = CaseAgenda.next(workflow, progress: progress, deadlines: record.deadlineList)?.actions
            .first { action in steps.contains { $0.action == action } } ?? steps.first?.action
        let events = try await repository.events(caseID: id)
        let inputs = try repository.inputs(of: record)
        let reportedOn = events.last { $0.caseAction == .reportChange }.flatMap { try? LocalDate(parsing: $0.onDate) }
        var lateReport = false
        if let report = inputs.changeReport, let reportedOn { lateReport = report.isLate(reportedOn: reportedOn) }
        var destinationName: String?
        if let transferTo { destinationName = try await RegionRepository(db: req.db).fullName(transferTo) }
        let objections = try await repository.objections(of: record)
        let sample = programme == .tekun ? try await TekunSamplingRepository(db: req.db).membership(caseID: id) : nil
        let payee = try PaymentRepository(db: req.db, keys: req.options.keys).payee(of: record)
        let head = try await headNames([record.householdID], req)[record.householdID] ?? "-"
        let today = LocalDate.today(now: req.now)
        let letterOpen = try await TaskRecord.query(on: req.db).filter(\.$subjectID == id.uuidString)
            .filter(\.$kind == TaskKind.decisionLetter.rawValue).filter(\.$closedMillis == nil).count() > 0
        try await req.audit("case.view", objectType: "case", objectID: id.uuidString, detail: "v\(record.version)")
        return try await req.page(CT.caseTitle, status: status) { c in
            [.h1(.text("\(c.t(programme.name)) · \(head)")),
             notice(message.map(c.t)),
             formError(error),
             .dl(.class("facts"),
                 .dt(.text(c.t(CT.state))), .dd(.id("case-state"), .data(named: "state", value: state.rawValue), .text(c.t(state.name))),
                 .dt(.text(c.t(CT.acceptedOn))), .dd(.text(record.acceptedOn)),
                 .dt(.text(c.t(CT.version))), .dd(.id("case-version"), .text("\(record.version)")),
                 .unwrap(record.monthlyFen) { fen in .group([.dt(.text(c.t(CT.monthlyAmount))), .dd(.id("case-amount"), .text(Money(fen: fen).formatted))]) },
                 .unwrap(inputs.reviewClass) { value in .group([.dt(.text(c.t(CT.reviewClass))), .dd(.id("case-class"), .text(c.t(value.name)))]) },
                 .unwrap(record.nextReviewOn) { day in .group([.dt(.text(c.t(CT.nextReview))), .dd(.id("case-next-review"), .text(day))]) },
                 .unwrap(record.lastMonth) { month in .group([.dt(.text(c.t(CT.lastPaidMonth))), .dd(.id("case-last-month"), .text(month))]) },
                 .unwrap(destinationName) { name in .group([.dt(.text(c.t(CT.transferringTo))), .dd(.id("case-transfer"), .text(name))]) },
                 .dt(.text(c.t(CT.household))), .dd(.a(.href("/applications/\(record.applicationID.uuidString)"), .text(head)))),
             .h2(.text(c.t(CT.deadlines))),
             .ul(.id("case-deadlines"), .forEach(record.deadlineList) { deadline in
                 .li(.class(deadline.isOverdue(today: today) && state.isPending ? "overdue" : ""),
                     .strong(.text("\(c.t(deadline.kind.name))：\(deadline.date)")), .text(" "), .small(.class("rule"), .text(c.t(deadline.rule))))
             }),
             .if(lateReport, .p(.id("late-report"), .class("warning"), .text(c.t(CT.lateReport)))),
             .unwrap(programme == .temporaryEmergency ? region.ancestor(at: .township).flatMap { staff.scope.allows($0) ? $0 : nil } : nil) { township in
                 .p(.a(.id("case-reserve-fund"), .href("/reserve-fund/\(township.value)"), .text(c.t(CT.reserveFund))))
             },
             .if(state == .approved || state == .rejected || state == .terminated, .p(
                .a(.id("case-letter"), .href("/cases/\(id.uuidString)/letter"), .text(c.t(CT.letter))),
                .if(letterOpen && staff.role.has(.workCases), .text(" ")),
                .if(letterOpen && staff.role.has(.workCases), actionButton("/cases/\(id.uuidString)/letter/delivered", label: CT.delivered, c,
                                                                           id: "letter-delivered")))),
             .if(state == .approved || state == .transferring, .group([
                .h2(.text(c.t(PayT.payee))),
                .p(.id("case-payee"), .text(payee.map { "\($0.name) · \(BankAccountNumber.masked($0.account))" } ?? "-"), .text(" · "),
                   .a(.href("/households/\(record.householdID.uuidString)/payments"), .text(c.t(PayT.statement)))),
                .if(staff.role.has(.workCases) && staff.scope.allows(region), .form(.id("payee-form"), .method(.post), .action("/cases/\(id.uuidString)/payee"), csrfField(c),
                    field("payeeName", label: PayT.payeeName, value: payee?.name ?? "", errors: [:], c),
                    field("payeeAccount", label: PayT.payeeAccount, errors: [:], c, autocomplete: "off"),
                    .button(.type(.submit), .text(c.t(PayT.savePayee)))))])),
             .h2(.text(c.t(CT.actions))),
             .if(steps.isEmpty, .p(.class("empty-state"), .text(c.t(CT.noActions)))),
             .div(.id("case-actions"), .forEach(steps) { step in
                .details(.class("case-action"), .data(named: "action", value: step.action.rawValue),
                    .attribute(named: "open", value: step.action == main ? "open" : nil),
                    .summary(.text(c.t(step.action.name))),
                    .form(.method(.post), .action("/cases/\(id.uuidString)/actions"), .id(attr("action-\(step.action.rawValue)")),
                          csrfField(c),
                          .input(.type(.hidden), .name("action"), .value(step.action.rawValue)),
                          .input(.type(.hidden), .name("version"), .value("\(record.version)")),
                          .group(CaseFormFields.fields(for: step, today: today, sample: sample, c)),
                          .button(.type(.submit), .class("primary"), .text(c.t(step.action.name)))))
             }),
             .if(!objections.isEmpty, .group([
                .h2(.text(c.t(PT.object))),
                .ul(.id("case-objections"), .forEach(objections) { objection in
                    .li(.text("\(chinaTime(objection.receivedMillis / 1000)) · \(objection.channel) · \(objection.text)"))
                })])),
             .h2(.text(c.t(CT.recorded))),
             recordedInputs(inputs, c),
             .h2(.text(c.t(CT.timeline))),
             .ol(.id("case-timeline"), .forEach(events) { event in
                 .li(.text("\(event.onDate) · \(event.caseAction.map { c.t($0.name) } ?? event.action) · "
                          + "\(CaseState(rawValue: event.fromState).map { c.t($0.name) } ?? "") → \(CaseState(rawValue: event.toState).map { c.t($0.name) } ?? "") · \(event.actor)"))
             })]
        }
    }

    private func recordedInputs(_ inputs: CaseInputs, _ c: ViewContext) -> PageNode {
        var rows: [(Bilingual, String)] = []
        if let visit = inputs.homeVisit {
            rows.append((CaseRequirement.homeVisit.name, "\(visit.visitedOn) · \(visit.investigators.joined(separator: "、"))"))
        }
        if let value = inputs.neighbourVisits { rows.append((CaseRequirement.neighbourVisits.name, value)) }
        if let value = inputs.inquiryLetters { rows.append((CaseRequirement.inquiryLetters.name, value)) }
        if let value = inputs.verificationReportNumber { rows.append((CT.reportNumber, value)) }
        if let value = inputs.selfCare { rows.append((SelfCareText.title, c.t(value.selfCareClass.name))) }
        if let value = inputs.opinion { rows.append((CaseRequirement.initialOpinion.name, value)) }
        if let value = inputs.objection { rows.append((CaseRequirement.objection.name, value)) }
        if let value = inputs.objectionDisposition { rows.append((CaseRequirement.objectionDisposition.name, value)) }
        if let value = inputs.appraisalMinutes { rows.append((CaseRequirement.democraticAppraisal.name, value)) }
        if let value = inputs.confirmationOpinion { rows.append((CaseRequirement.confirmationOpinion.name, value)) }
        if let value = inputs.amount { rows.append((CT.amount, value.formatted)) }
        if !inputs.rejectionReasons.isEmpty { rows.append((CaseRequirement.rejectionReasons.name, inputs.rejectionReasons.joined(separator: "；"))) }
        if let value = inputs.extensionReason { rows.append((CaseRequirement.extensionReason.name, value)) }
        if let value = inputs.reviewConclusion { rows.append((CaseRequirement.reviewConclusion.name, value)) }
        if let value = inputs.changeReport {
            rows.append((CT.changeKind, "\(c.t(value.kind.name)) · \(value.occurredOn) · \(value.detail)"))
        }
        if let value = inputs.taper { rows.append((CaseRequirement.taperPlan.name, c.t(CT.months(value.months)))) }
        if let value = inputs.changeReason { rows.append((CaseRequirement.changeReason.name, value)) }
        if let value = inputs.transfer { rows.append((CT.transferReason, "\(value.destination.value) · \(value.reason)")) }
        if let value = inputs.transferOpinion { rows.append((CaseRequirement.transferOpinion.name, value)) }
        return .dl(.id("case-inputs"), .class("facts"), .forEach(rows) { row in .group([.dt(.text(c.t(row.0))), .dd(.text(row.1))]) })
    }

    func act(_ req: Request) async throws -> Response {
        let staff = try req.staff
        let record = try await load(req)
        let form = try req.content.decode(CaseActionForm.self)
        do {
            guard let action = form.action.flatMap(CaseAction.init(rawValue:)), let programme = record.programmeValue else {
                throw UserError("case.action", field: "action", zh: "未知的办理事项", en: "Unknown action")
            }
            guard let version = form.version.flatMap(Int.init) else { throw CaseRepository.stale }
            let date = try LocalDate(parsing: form.date ?? "", field: "date")
            let calendar = try await CalendarStore(db: req.db).calendar()
            // The requirements (which fields to read) are the same under every region's options.
            let step = CaseWorkflow.definition(for: programme, options: .standard).first { $0.action == action && $0.from == record.caseState }
                ?? CaseWorkflow.definition(for: programme, options: .standard).first { $0.action == action }
            let inputs = try step.map { try form.inputs(for: $0) } ?? CaseInputs()
            _ = try await repository(req).act(
                on: record, expectedVersion: version, action: action, inputs: inputs,
                actor: CaseActorIdentity(username: staff.user.username, role: staff.role, home: staff.region),
                on: date, calendar: calendar, audit: (req.auditChain, req.auditEntry("case.\(action.rawValue)")), now: req.now)
            return req.redirect(to: "/cases/\(try record.requireID().uuidString)?done=acted")
        } catch let error as UserError {
            let fresh = try await CaseRecord.find(try record.requireID(), on: req.db) ?? record
            return try await render(req, fresh, message: nil, error: error, status: error.code == "case.stale" ? .conflict : .badRequest)
        }
    }

    // MARK: Letters

    func letter(_ req: Request) async throws -> Response {
        let record = try await load(req)
        guard let programme = record.programmeValue, let state = record.caseState, [.approved, .rejected, .terminated].contains(state)
        else { throw Abort(.notFound) }
        let inputs = try repository(req).inputs(of: record)
        // The amounts decided so far (approval, then each change), for a change notice.
        var amounts: [(Money, String?)] = []
        for event in try await repository(req).events(caseID: try record.requireID())
        where event.caseAction == .approve || event.caseAction == .changeAmount {
            let given = try repository(req).inputs(of: event)
            if let amount = given.amount { amounts.append((amount, given.changeReason)) }
        }
        let head = try await headNames([record.householdID], req, masked: false)[record.householdID] ?? "-"
        let place = (try? await RegionRepository(db: req.db).fullName(try RegionCode(record.regionCode))) ?? record.regionCode
        try await req.audit("case.letter", objectType: "case", objectID: try record.requireID().uuidString, detail: state.rawValue)
        // The latest written decision: approval, a change, a taper, a stop or a rejection.
        let decisions: Set<CaseAction> = [.approve, .reject, .changeAmount, .startTaper, .terminate]
        let decision = try await repository(req).events(caseID: try record.requireID()).last { $0.caseAction.map(decisions.contains) ?? false }
        let tapered = decision?.caseAction == .startTaper
        let changed = state == .approved && !tapered && amounts.count > 1
        let title: Bilingual = switch state {
        case .approved: tapered ? CT.taperLetter : changed ? CT.changeLetter : CT.approvalLetter
        case .terminated: CT.terminationLetter
        default: CT.rejectionLetter
        }
        let date = decision?.onDate ?? record.decidedOn ?? ""
        return try await req.page(title) { c in
            let body: PageNode
            switch state {
            case .approved where tapered:
                body = .group([.p(.id("letter-body"), .text(c.t(CT.taperText(head, programme, record.lastMonth ?? "-")))),
                               .p(.id("letter-reason"), .text(inputs.changeReason ?? ""))])
            case .approved where changed:
                let (old, new) = (amounts[amounts.count - 2].0, amounts[amounts.count - 1])
                body = .group([.p(.id("letter-body"), .text(c.t(CT.changeText(head, programme, old.formatted, new.0.formatted)))),
                               .p(.id("letter-reason"), .text(new.1 ?? ""))])
            case .approved:
                body = .p(.id("letter-body"), .text(c.t(CT.approvalText(head, programme, record.monthlyFen.map { Money(fen: $0).formatted } ?? "-",
                                                                        record.startMonth ?? "-"))))
            case .terminated:
                body = .group([.p(.id("letter-body"), .text(c.t(CT.terminationText(head, programme)))),
                               .ol(.id("letter-reasons"), .forEach(inputs.terminationReasons) { .li(.text($0)) })])
            default:
                body = .group([.p(.id("letter-body"), .text(c.t(CT.rejectionText(head, programme)))),
                               .ol(.id("letter-reasons"), .forEach(inputs.rejectionReasons) { .li(.text($0)) })])
            }
            return [.article(.id("decision-letter"), .class("letter printable"),
                .h1(.text(c.t(title))),
                .p(.class("letter-meta"), .text("\(place) · \(date)")),
                body,
                .p(.class("letter-sign"), .text(place)))]
        }
    }

    func delivered(_ req: Request) async throws -> Response {
        let record = try await load(req)
        do {
            try await repository(req).letterDelivered(record, by: try req.staff.user.username,
                                                      audit: (req.auditChain, req.auditEntry("case.letter_delivered")), now: req.now)
            return req.redirect(to: "/cases/\(try record.requireID().uuidString)?done=delivered")
        } catch let error as UserError {
            return try await render(req, record, message: nil, error: error, status: .badRequest)
        }
    }

    // MARK: Acceptance

    func accept(_ req: Request) async throws -> Response {
        let staff = try req.staff
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let application = try await IntakeRepository(db: req.db, keys: req.options.keys).application(id: id, in: staff.scope)
        else { throw Abort(.notFound) }
        do {
            try await IntakeRepository(db: req.db, keys: req.options.keys).accept(
                application, today: LocalDate.today(now: req.now), calendar: try await CalendarStore(db: req.db).calendar(),
                audit: req.auditEntry("application.accept"), now: req.now)
            return req.redirect(to: "/applications/\(id.uuidString)?done=accepted")
        } catch let error as UserError {
            return try await req.page(CT.cases, status: .conflict) { c in
                [.h1(.text(c.t(CT.accept))), formError(error),
                 .p(.a(.href("/applications/\(id.uuidString)"), .text(c.t(CT.openCase))))]
            }
        }
    }

    /// Household heads as "name（masked ID）" (or the name alone for a letter).
    private func headNames(_ households: [UUID], _ req: Request, masked: Bool = true) async throws -> [UUID: String] {
        guard !households.isEmpty else { return [:] }
        let rows = try await HouseholdRecord.query(on: req.db).filter(\.$id ~~ households).all()
        let people = try await PersonRecord.query(on: req.db).filter(\.$id ~~ rows.map(\.headPersonID)).all()
        let byID = Dictionary(uniqueKeysWithValues: people.compactMap { p in p.id.map { ($0, p) } })
        var out: [UUID: String] = [:]
        for row in rows {
            guard let id = row.id, let head = byID[row.headPersonID] else { continue }
            out[id] = masked ? "\(head.name)（\(head.idMasked)）" : head.name
        }
        return out
    }
}

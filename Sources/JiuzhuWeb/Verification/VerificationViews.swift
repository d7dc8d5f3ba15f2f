import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import Plot

/// The authorisation form: number, date, one signature row per member, the scan.
struct AuthorisationFormView {
    let application: ApplicationRecord
    let members: [MemberRow]
    let values: [String: String]
    let error: UserError?
    let today: LocalDate
    let c: ViewContext

    func render() -> PageNode {
        let errors: [String: UserError] = error.flatMap { e in e.field.map { [$0: e] } } ?? [:]
        return .form(
            .id("authorisation-form"), .method(.post), .action("/applications/\(application.id!)/verification"),
            .enctype(.multipartData),
            csrfField(c),
            formError(error),
            field("number", label: V.authorisationNumber, value: values["number"] ?? "", errors: errors, c),
            field("signedOn", label: V.signedOn, value: values["signedOn"] ?? today.description, type: .date, errors: errors, c),
            .div(
                .h3(.text(c.t(V.signature))),
                .div(.class("scroll"), .table(.id("signatures"),
                    .tr(.th(.text(c.t(T.name))), .th(.text(c.t(T.idNumber))), .th(.text(c.t(V.signature))), .th(.text(c.t(V.guardianName)))),
                    .forEach(members) { row in
                        let key = row.person.id?.uuidString ?? ""
                        let chosen = values["signer-\(key)"] ?? ""
                        let options: [(String, Bilingual)] = [("", V.unsigned), (AuthorisationSigner.member.rawValue, AuthorisationSigner.member.name),
                                                              (AuthorisationSigner.guardian.rawValue, AuthorisationSigner.guardian.name)]
                        return .tr(
                            .class(errors["signatures[\(key)]"] == nil ? "" : "invalid"),
                            .td(.text(row.person.name)), .td(.text(row.person.idMasked)),
                            .td(.select(.attribute(named: "name", value: attr("signer-\(key)")),
                                        .attribute(named: "aria-label", value: attr(c.t(V.signature) + " " + row.person.name)),
                                        .forEach(options) { option in
                                .element(named: "option", nodes: [.attribute(named: "value", value: attr(option.0), ignoreIfValueIsEmpty: false),
                                                                  .attribute(named: "selected", value: option.0 == chosen ? "selected" : nil),
                                                                  .text(c.t(option.1))])
                            })),
                            .td(.input(.type(.text), .attribute(named: "name", value: attr("guardian-\(key)")),
                                       .attribute(named: "aria-label", value: attr(c.t(V.guardianName) + " " + row.person.name)),
                                       .value(attr(values["guardian-\(key)"] ?? "")))))
                    }))),
            .div(.class(errors["scan"] == nil ? "field" : "field invalid"),
                 .label(.for("f-scan"), .text(c.t(V.scan))),
                 .input(.id("f-scan"), .type(.file), .name("scan"), .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png"))),
            .button(.id("request-submit"), .type(.submit), .text(c.t(V.submitRequest)))
        )
    }
}

/// The request queue.
struct VerificationQueueView {
    struct Row {
        let request: VerificationRequestRecord
        let head: String
        let returned: Int
        let total: Int
        let conclusion: VerificationConclusion?
    }

    let rows: [Row]
    let regionNames: [String: String]
    let today: LocalDate
    let c: ViewContext

    func render() -> PageNode {
        guard !rows.isEmpty else { return .p(.id("queue-empty"), .text(c.t(V.none))) }
        return .div(.class("scroll"), .table(.id("verification-queue"),
            .tr(.th(.text(c.t(V.household))), .th(.text(c.t(V.region))), .th(.text(c.t(V.kind))), .th(.text(c.t(V.deadline))),
                .th(.text(c.t(V.progress))), .th(.text(c.t(V.status)))),
            .forEach(rows) { row in
                let overdue = row.request.requestStatus == .collecting && row.request.deadline < today.description
                return .tr(
                    .td(.a(.href("/verification/\(row.request.id!)"), .text(row.head))),
                    .td(.text(regionNames[row.request.regionCode] ?? row.request.regionCode)),
                    .td(.text(c.t(row.request.requestKind.name))),
                    .td(.class(overdue ? "overdue" : ""), .text(row.request.deadline)),
                    .td(.text("\(row.returned)/\(row.total)")),
                    .td(.text(row.conclusion.map { c.t($0.name) } ?? c.t(row.request.requestStatus.name))))
            }))
    }
}

func yuan(_ money: Money) -> String {
    let sign = money.fen < 0 ? "-" : ""
    let fen = abs(money.fen)
    return "\(sign)¥\(fen / 100).\(String(format: "%02d", fen % 100))"
}

/// One request: facts, sources, versions, the latest report with its actions.
struct VerificationRequestView {
    let request: VerificationRequestRecord
    let application: ApplicationRecord?
    let authorisation: AuthorisationRecord?
    let head: String
    let policyPlace: String
    let jobs: [VerificationJobRecord]
    let versions: [VerificationReportRecord]
    let latest: OpenedReport?
    let report: SignedReport?
    let role: StaffRole
    let message: Bilingual?
    let error: UserError?
    let c: ViewContext

    func render() -> [PageNode] {
        let id = request.id!
        let canRun = role.has(.runVerification)
        let canAct = role.has(.requestVerification)
        return [
            .h1(.text(c.t(request.requestKind == .recheck ? VerificationRequestKind.recheck.name : V.request))),
            notice(message.map { c.t($0) }),
            formError(error),
            .p(.class("hint"), .text(c.t(V.viewAudited))),
            .dl(.class("facts"),
                .dt(.text(c.t(V.household))), .dd(.text(head)),
                .dt(.text(c.t(V.application))),
                .dd(.unwrap(application) { app in .a(.href("/applications/\(app.id!)"), .text(app.trackingCode)) }),
                .dt(.text(c.t(V.authorisation))),
                .dd(.unwrap(authorisation) { a in
                    .group(.text("\(a.number)（\(a.signedOn)）"), .text(" "),
                           .a(.id("authorisation-scan"), .href("/verification/\(id)/authorisation-scan"), .text(c.t(V.scanLink))))
                }),
                .dt(.text(c.t(V.asOf))), .dd(.text(request.asOf)),
                .dt(.text(c.t(V.deadline))), .dd(.text(request.deadline), .small(.class("hint"), .text(" " + (c.language == .zh ? request.deadlineRuleZh : request.deadlineRuleEn)))),
                .dt(.text(c.t(V.policy))), .dd(.text("\(policyPlace) · \(request.policyFrom)")),
                .dt(.text(c.t(V.status))), .dd(.span(.id("request-status"), .text(c.t(request.requestStatus.name)))),
                .if(request.parentID != nil, .group(
                    .dt(.text(c.t(V.parent))),
                    .dd(.a(.href("/verification/\(request.parentID?.uuidString ?? "")"), .text(request.reason ?? "")))))),
            .h2(.text(c.t(V.sources))),
            .div(.class("scroll"), .table(.id("source-jobs"),
                .tr(.th(.text(c.t(V.source))), .th(.text(c.t(V.status))), .th(.text(c.t(V.attempts))), .th(.text(c.t(V.answeredAt))),
                    .th(.text(c.t(V.departmentTime))), .th(.text(c.t(V.records))), .th(.text(c.t(V.lastError)))),
                .forEach(jobs) { job in
                    .tr(.attribute(named: "data-source", value: attr(job.source)),
                        .td(.text(DepartmentSourceCatalog.info(job.source).map { c.t($0.name) } ?? job.source)),
                        .td(.class("job-status " + job.status), .text(c.t(job.sourceStatus.name))),
                        .td(.text(String(job.attempts))),
                        .td(.text(job.answeredAt ?? "")),
                        .td(.text(job.departmentTimestamp ?? "")),
                        .td(.text(String(job.records))),
                        .td(.text(job.lastError ?? "")))
                })),
            .if(canRun && request.requestStatus == .collecting, .div(.class("actions"),
                actionButton("/verification/\(id)/collect", label: V.collectNow, c, id: "collect-now"),
                actionButton("/verification/\(id)/retry", label: V.retryFailed, c, id: "retry-failed"))),
            .h2(.text(c.t(V.versions))),
            .if(versions.isEmpty, .p(.id("no-report"), .text(c.t(V.noReport)))),
            .ol(.id("report-versions"), .forEach(versions) { version in
                .li(.a(.href("/verification/reports/\(version.id!)"),
                       .text("\(c.t(V.version)) \(version.version) · \(c.t((VerificationConclusion(rawValue: version.conclusion) ?? .undetermined).name)) · \(chinaTime(Date(timeIntervalSince1970: Double(version.createdMillis) / 1000)))")))
            }),
            .unwrap(report) { signed in
                .group(
                    ReportView(signed: signed, reportID: latest?.record.id,
                               exemptionAction: canAct ? "/verification/\(id)/exemptions" : nil, c: c).render(),
                    .if(canAct, .form(.id("recheck-form"), .method(.post), .action("/verification/\(id)/recheck"),
                        csrfField(c),
                        .h3(.text(c.t(V.recheck))),
                        .div(.class("field"), .label(.for("f-recheck"), .text(c.t(V.recheckReason))),
                             .textarea(.id("f-recheck"), .name("reason"), .required(true))),
                        .button(.id("recheck-submit"), .type(.submit), .text(c.t(V.recheck))))))
            },
        ]
    }
}

/// 核对报告 — the signed document as a page; printable as it is.
struct ReportView {
    let signed: SignedReport
    let reportID: UUID?
    /// Where exemption forms post; nil shows no forms (print, or a reader without the permission).
    let exemptionAction: String?
    let c: ViewContext

    func render() -> PageNode {
        let report = signed.report
        let figures = report.figures
        return .article(.id("verification-report"), .class("report-sheet"),
            .h2(.text("\(c.t(V.report)) · \(c.t(V.version)) \(report.version)")),
            .p(.class("conclusion"), .strong(.text(c.t(V.conclusion) + "：")),
               .span(.id("report-conclusion"), .text(c.t(report.conclusionLabel))),
               .text(report.conclusion == .dibao ? " · \(c.t(V.benefit))：" : ""),
               .if(report.conclusion == .dibao, .span(.id("report-benefit"), .text(yuan(report.monthlyBenefit))))),
            .dl(.class("facts"),
                .dt(.text(c.t(V.authorisationNumber))), .dd(.text(report.authorisationNumber)),
                .dt(.text(c.t(V.asOf))), .dd(.text("\(report.asOf)（\(report.window.first) – \(report.window.last)）")),
                .dt(.text(c.t(V.policy))), .dd(.text("\(report.policy.region) · \(report.policy.effectiveFrom)")),
                .dt(.text(c.t(V.verifier))), .dd(.text(report.verifier)),
                .dt(.text(c.t(V.issuedAt))), .dd(.text(report.issuedAt))),
            .h3(.text(c.t(V.members))),
            .div(.class("scroll"), .table(.class("report-members"),
                .tr(.th(.text(c.t(T.name))), .th(.text(c.t(T.idNumber))), .th(.text(c.t(V.counted)))),
                .forEach(report.members) { m in
                    .tr(.td(.text(m.name)), .td(.text(m.idMasked)), .td(.text(m.counted ? "✓" : "—")))
                })),
            .h3(.text(c.t(V.figures))),
            .div(.class("scroll"), .table(.id("report-figures"),
                .tr(.td(.text(c.t(V.householdIncome))), .td(.text(yuan(figures.householdIncome)))),
                .tr(.td(.text(c.t(V.perCapitaIncome))), .td(.id("per-capita-income"), .text(yuan(figures.perCapitaIncome)))),
                .tr(.td(.text(c.t(V.standard))), .td(.text(yuan(figures.standard)))),
                .tr(.td(.text(c.t(V.edgeThreshold))), .td(.text(figures.edgeThreshold + " " + (c.language == .zh ? "分" : "fen")))),
                .tr(.td(.text(c.t(V.perCapitaAssets))), .td(.text(yuan(figures.perCapitaFinancialAssets)))),
                .tr(.td(.text(c.t(V.assetCap))), .td(.text(figures.financialAssetCap.map(yuan) ?? "—"))),
                .tr(.td(.text(c.t(V.flags))), .td(.id("report-flags"), .text(report.flags.isEmpty ? c.t(V.none) : report.flags.map { c.t($0.name) }.joined(separator: "、")))),
                .tr(.td(.text(c.t(V.missing))), .td(.id("report-missing"), .text(report.missingSources.isEmpty ? c.t(V.none) : report.missingSources.joined(separator: ", ")))))),
            .h3(.text(c.t(V.sources))),
            .div(.class("scroll"), .table(.class("report-sources"),
                .tr(.th(.text(c.t(V.source))), .th(.text(c.t(V.status))), .th(.text(c.t(V.answeredAt))), .th(.text(c.t(V.departmentTime)))),
                .forEach(report.sources) { s in
                    .tr(.td(.text(DepartmentSourceCatalog.info(s.source).map { c.t($0.name) } ?? s.source)),
                        .td(.text(s.status.map { c.t($0.name) } ?? "")), .td(.text(s.answeredAt ?? "")),
                        .td(.text(s.departmentTimestamp ?? "")))
                })),
            .h3(.text(c.t(V.lines))),
            .div(.class("scroll"), .table(.id("report-lines"),
                .tr(.th(.text(c.t(V.rule))), .th(.text(c.t(V.source))), .th(.text(c.t(V.member))), .th(.text(c.t(V.effect))),
                    .if(exemptionAction != nil, .th(.text(c.t(V.exempt))))),
                .forEach(report.lines) { line in
                    .tr(.class(line.flag != nil ? "flagged" : (line.exemption != nil ? "exempted" : "")),
                        .td(.text("\(line.rule) \(c.language == .zh ? line.ruleNameZh : line.ruleNameEn)")),
                        .td(.text(line.source ?? "")),
                        .td(.text(line.memberMasked ?? "")),
                        .td(.text(c.language == .zh ? line.effectZh : line.effectEn)),
                        .if(exemptionAction != nil, .td(exemptionCell(line))))
                })),
            .p(.class("signature"), .text("\(c.t(V.signatureKey))：\(signed.keyID) · SHA-256 \(ReportSigner.digest(report).prefix(16))…")),
            .p(.class("hint"), .text(c.t(V.printedNote))),
            .unwrap(reportID) { id in
                .p(.class("no-print"),
                   .a(.id("report-print"), .href("/verification/reports/\(id)"), .text(c.t(V.print))), .text(" · "),
                   .a(.id("report-download"), .href("/verification/reports/\(id)/signed.json"), .text(c.t(V.download))))
            })
    }

    private func exemptionCell(_ line: ReportLine) -> PageNode {
        if let exemption = line.exemption { return .span(.class("exemption"), .text(c.t(V.exemptedBecause) + exemption)) }
        guard let key = line.recordKey, let action = exemptionAction else { return .text("") }
        return .form(.class("exemption-form"), .method(.post), .action(attr(action)),
                     csrfField(c),
                     .input(.type(.hidden), .name("record"), .value(attr(key))),
                     .input(.type(.text), .name("reason"), .required(true),
                            .attribute(named: "aria-label", value: attr(c.t(V.exemptionReason))),
                            .attribute(named: "placeholder", value: attr(c.t(V.exemptionReason)))),
                     .button(.type(.submit), .class("exempt-submit"), .text(c.t(V.exempt))))
    }
}

/// The application page's verification section.
func verificationSection(_ requests: [VerificationRequestRecord], conclusions: [UUID: VerificationConclusion],
                         applicationID: UUID, role: StaffRole, _ c: ViewContext) -> PageNode {
    guard role.has(.viewVerification) else { return .text("") }
    return .section(.id("verification"),
        .h2(.text(c.t(V.centre))),
        .ul(.forEach(requests) { r in
            .li(.a(.href("/verification/\(r.id!)"),
                   .text("\(c.t(r.requestKind.name)) · \(r.asOf) · " + (conclusions[r.id!].map { c.t($0.name) } ?? c.t(r.requestStatus.name)))))
        }),
        .if(role.has(.requestVerification) && !requests.contains { $0.requestStatus == .collecting },
            .p(.a(.id("request-verification"), .class("button"), .href("/applications/\(applicationID)/verification/new"),
                  .text(c.t(V.requestNew))))))
}

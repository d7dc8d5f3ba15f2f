import Foundation
import JiuzhuCore
import Plot
import Vapor

/// What a case step's form sends; only the fields of the step's requirements
/// are shown, and only those are read.
struct CaseActionForm: Content {
    var action: String?
    var version: String?
    var date: String?
    var investigators: String?
    var visitedOn: String?
    var signedByFamily: String?
    var signedByInvestigators: String?
    var neighbourVisits: String?
    var inquiryLetters: String?
    var verificationReportNumber: String?
    var failed: [String]?
    var assessed: String?
    var opinion: String?
    var objection: String?
    var objectionDisposition: String?
    var appraisalMinutes: String?
    var onSiteCheckKind: String?
    var onSiteCheckText: String?
    var confirmationOpinion: String?
    var amount: String?
    var rejectionReasons: String?
    var caseByCaseMinutes: String?
    var escalationReason: String?
    var emergencyReason: String?
    var recipient: String?
    var recordReason: String?
    var recordAmount: String?
    var signatures: String?
    var extensionReason: String?
    var withdrawalRequest: String?
    var terminationReasons: String?
    var changeReason: String?
    var reviewClass: String?
    var reviewConclusion: String?
    var changeKind: String?
    var changeOccurredOn: String?
    var changeDetail: String?
    var taperMonths: String?
    var transferDestination: String?
    var transferReason: String?
    var transferOpinion: String?

    static func list(_ text: String?, separators: CharacterSet = CharacterSet(charactersIn: ",，、\n")) -> [String] {
        (text ?? "").components(separatedBy: separators).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    static func ticked(_ box: String?) -> Bool { box == "on" || box == "1" }

    static func optional(_ text: String?) -> String? {
        let value = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The Core inputs of `step`, from the fields of its requirements (and
    /// the proposed amount of an initial opinion). A malformed date or amount
    /// is refused with its field named.
    func inputs(for step: CaseStep) throws -> CaseInputs {
        var inputs = CaseInputs()
        for requirement in step.requirements + step.optionalInputs {
            switch requirement {
            case .homeVisit:
                if let day = Self.optional(visitedOn) {
                    inputs.homeVisit = HomeVisitRecord(investigators: Self.list(investigators),
                                                       visitedOn: try LocalDate(parsing: day, field: "visitedOn"),
                                                       signedByFamily: Self.ticked(signedByFamily),
                                                       signedByInvestigators: Self.ticked(signedByInvestigators))
                }
            case .neighbourVisits: inputs.neighbourVisits = Self.optional(neighbourVisits)
            case .inquiryLetters: inputs.inquiryLetters = Self.optional(inquiryLetters)
            case .verificationReport: inputs.verificationReportNumber = Self.optional(verificationReportNumber)
            case .selfCareAssessment:
                if assessed == "1" {
                    var set = Set<DailyActivity>()
                    for raw in failed ?? [] {
                        guard let activity = DailyActivity(rawValue: raw) else {
                            throw UserError("case.activity", field: "selfCare", zh: "未知的自理项目：\(raw)", en: "Unknown daily activity: \(raw)")
                        }
                        set.insert(activity)
                    }
                    inputs.selfCare = SelfCareAssessment(failed: set)
                }
            case .initialOpinion: inputs.opinion = Self.optional(opinion)
            case .publicityEnded: break
            case .objection: inputs.objection = Self.optional(objection)
            case .objectionDisposition: inputs.objectionDisposition = Self.optional(objectionDisposition)
            case .democraticAppraisal: inputs.appraisalMinutes = Self.optional(appraisalMinutes)
            case .onSiteCheck:
                if let text = Self.optional(onSiteCheckText) {
                    inputs.onSiteCheck = onSiteCheckKind == "not_sampled" ? .notSampled(batch: text) : .checked(record: text)
                }
            case .confirmationOpinion: inputs.confirmationOpinion = Self.optional(confirmationOpinion)
            case .monthlyAmount, .amountWithinTownshipLimit: inputs.amount = try money(amount, field: "amount")
            case .rejectionReasons: inputs.rejectionReasons = Self.list(rejectionReasons, separators: .newlines)
            case .caseByCaseMinutes: inputs.caseByCaseMinutes = Self.optional(caseByCaseMinutes)
            case .escalationReason: inputs.escalationReason = Self.optional(escalationReason)
            case .emergencyReason: inputs.emergencyReason = Self.optional(emergencyReason)
            case .emergencyRecord:
                if let amount = try money(recordAmount, field: "recordAmount") {
                    inputs.emergencyRecord = EmergencyRecord(recipient: recipient ?? "", reason: recordReason ?? "", amount: amount,
                                                             signatures: Self.list(signatures))
                }
            case .extensionReason: inputs.extensionReason = Self.optional(extensionReason)
            case .withdrawalRequest: inputs.withdrawalRequest = Self.optional(withdrawalRequest)
            case .terminationReasons: inputs.terminationReasons = Self.list(terminationReasons, separators: .newlines)
            case .changeReason: inputs.changeReason = Self.optional(changeReason)
            case .terminationPublicityEnded: break
            case .reviewClass:
                inputs.reviewClass = try Self.optional(reviewClass).map { raw in
                    guard let value = ReviewClass(rawValue: raw) else {
                        throw UserError("case.review_class", field: "reviewClass", zh: "未知的分类：\(raw)", en: "Unknown review class: \(raw)")
                    }
                    return value
                }
            case .reviewConclusion: inputs.reviewConclusion = Self.optional(reviewConclusion)
            case .changeReport:
                if let raw = Self.optional(changeKind) {
                    guard let kind = ChangeKind(rawValue: raw) else {
                        throw UserError("case.change_kind", field: "changeKind", zh: "未知的变化类别：\(raw)", en: "Unknown kind of change: \(raw)")
                    }
                    inputs.changeReport = ChangeReport(kind: kind, occurredOn: try LocalDate(parsing: changeOccurredOn ?? "", field: "changeOccurredOn"),
                                                       detail: changeDetail ?? "")
                }
            case .taperPlan:
                if let raw = Self.optional(taperMonths) {
                    guard let months = Int(raw) else {
                        throw UserError("taper.months", field: "taperMonths", zh: "渐退期应为 1 至 6 个月", en: "A taper lasts 1 to 6 months")
                    }
                    inputs.taper = try TaperPlan(months: months)
                }
            case .transferDestination:
                if let raw = Self.optional(transferDestination) {
                    inputs.transfer = TransferRequest(destination: try RegionCode(raw, field: "transferDestination"),
                                                      reason: transferReason ?? "")
                }
            case .transferOpinion: inputs.transferOpinion = Self.optional(transferOpinion)
            }
        }
        if step.action == .proposeInitialOpinion { inputs.amount = try money(amount, field: "amount") }
        return inputs
    }

    private func money(_ text: String?, field: String) throws -> Money? {
        guard let text = Self.optional(text) else { return nil }
        return try Money(parsingYuan: text, field: field)
    }
}

/// The fields a step's form shows, one group per requirement.
enum CaseFormFields {
    /// `sample`: a tekun case's place in the county's draw, to fill the on-site record's kind and batch.
    static func fields(for step: CaseStep, today: LocalDate, sample: TekunSampleMembership? = nil,
                       _ c: ViewContext) -> [Node<HTML.FormContext>] {
        var nodes: [Node<HTML.FormContext>] = [field("date", label: CT.date, value: today.description, type: .date, errors: [:], c)]
        func text(_ name: String, _ label: Bilingual) -> Node<HTML.FormContext> {
            .div(.class("field"), .label(.for(attr("f-\(step.action.rawValue)-\(name)")), .text(c.t(label))),
                 .textarea(.id(attr("f-\(step.action.rawValue)-\(name)")), .name(name), .attribute(named: "rows", value: "2")))
        }
        for requirement in step.requirements + step.optionalInputs {
            switch requirement {
            case .homeVisit:
                nodes += [field("investigators", label: CT.investigators, errors: [:], c),
                          field("visitedOn", label: CT.visitedOn, value: today.description, type: .date, errors: [:], c),
                          .label(.class("check"), .input(.type(.checkbox), .name("signedByInvestigators"), .value("on")),
                                 .text(c.t(CT.signedByInvestigators))),
                          .label(.class("check"), .input(.type(.checkbox), .name("signedByFamily"), .value("on")), .text(c.t(CT.signedByFamily)))]
            case .neighbourVisits, .inquiryLetters: nodes.append(text(requirement.field, requirement.name))
            case .verificationReport: nodes.append(field("verificationReportNumber", label: CT.reportNumber, errors: [:], c))
            case .selfCareAssessment:
                nodes.append(.fieldset(.element(named: "legend", text: c.t(SelfCareText.title)),
                    .input(.type(.hidden), .name("assessed"), .value("1")),
                    .p(.class("hint"), .text(c.t(VT.failedHint))),
                    .forEach(DailyActivity.allCases.sorted()) { activity in
                        .label(.class("check"), .input(.type(.checkbox), .name("failed[]"), .value(activity.rawValue)), .text(c.t(activity.name)))
                    }))
            case .initialOpinion: nodes.append(text("opinion", requirement.name))
            case .publicityEnded: nodes.append(.p(.class("hint"), .text(c.t(requirement.name))))
            case .objection, .objectionDisposition, .democraticAppraisal, .confirmationOpinion, .caseByCaseMinutes,
                 .escalationReason, .emergencyReason, .extensionReason, .withdrawalRequest, .changeReason:
                nodes.append(text(requirement.field, requirement.name))
            case .onSiteCheck:
                let leftOut = sample.map { !$0.sampled } ?? false
                if let sample {
                    nodes.append(.p(.class("hint"), .id(attr("sample-\(step.action.rawValue)")),
                                    .text(c.t(sample.sampled ? CT.inSample : CT.notInSample) + sample.batch)))
                }
                nodes += [selectField("onSiteCheckKind", label: requirement.name,
                                      options: [("checked", c.t(CT.checked)), ("not_sampled", c.t(CT.notSampled))],
                                      selected: leftOut ? "not_sampled" : "checked", errors: [:], c),
                          field("onSiteCheckText", label: requirement.name, value: leftOut ? (sample?.batch ?? "") : "", errors: [:], c,
                                required: false)]
            case .monthlyAmount: nodes.append(field("amount", label: CT.monthlyAmount, errors: [:], c))
            case .amountWithinTownshipLimit: nodes.append(field("amount", label: requirement.name, errors: [:], c))
            case .rejectionReasons, .terminationReasons:
                nodes.append(text(requirement.field, Bilingual(zh: "\(requirement.name.zh)（\(CT.onePerLine.zh)）",
                                                               en: "\(requirement.name.en) (\(CT.onePerLine.en))")))
            case .emergencyRecord:
                nodes += [field("recipient", label: CT.recipient, errors: [:], c),
                          field("recordReason", label: requirement.name, errors: [:], c),
                          field("recordAmount", label: CT.amount, errors: [:], c),
                          field("signatures", label: CT.signatures, errors: [:], c)]
            case .terminationPublicityEnded: nodes.append(.p(.class("hint"), .text(c.t(requirement.name))))
            case .reviewClass:
                nodes.append(selectField("reviewClass", label: requirement.name,
                                         options: [("", c.t(CT.choose))] + ReviewClass.allCases.map { ($0.rawValue, c.t($0.name)) },
                                         selected: "", errors: [:], c))
            case .reviewConclusion, .transferOpinion: nodes.append(text(requirement.field, requirement.name))
            case .changeReport:
                nodes += [selectField("changeKind", label: CT.changeKind,
                                      options: ChangeKind.allCases.map { ($0.rawValue, c.t($0.name)) }, selected: ChangeKind.income.rawValue,
                                      errors: [:], c),
                          field("changeOccurredOn", label: CT.changeOccurredOn, value: today.description, type: .date, errors: [:], c),
                          text("changeDetail", CT.changeDetail)]
            case .taperPlan:
                nodes.append(selectField("taperMonths", label: requirement.name,
                                         options: (1...TaperPlan.maxMonths).map { ("\($0)", c.t(CT.months($0))) },
                                         selected: "\(TaperPlan.maxMonths)", errors: [:], c))
            case .transferDestination:
                nodes += [field("transferDestination", label: CT.transferDestination, errors: [:], c),
                          text("transferReason", CT.transferReason)]
            }
        }
        if step.action == .proposeInitialOpinion {
            nodes.append(field("amount", label: CT.proposedAmount, errors: [:], c, required: false))
        }
        return nodes
    }
}

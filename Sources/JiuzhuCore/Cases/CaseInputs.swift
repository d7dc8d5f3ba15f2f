/// 入户调查记录 — the home visit: at least two investigators, the form signed
/// by both the investigators and the family.
public struct HomeVisitRecord: Sendable, Hashable, Codable {
    public var investigators: [String]
    public var visitedOn: LocalDate
    /// 调查表经申请人签字确认.
    public var signedByFamily: Bool
    /// 调查人员签字.
    public var signedByInvestigators: Bool

    public static let minimumInvestigators = 2

    public init(investigators: [String], visitedOn: LocalDate, signedByFamily: Bool, signedByInvestigators: Bool) {
        self.investigators = investigators
        self.visitedOn = visitedOn
        self.signedByFamily = signedByFamily
        self.signedByInvestigators = signedByInvestigators
    }

    /// Records stored before the investigators' signature was recorded apart
    /// read it as not recorded.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(investigators: try c.decode([String].self, forKey: .investigators),
                  visitedOn: try c.decode(LocalDate.self, forKey: .visitedOn),
                  signedByFamily: try c.decode(Bool.self, forKey: .signedByFamily),
                  signedByInvestigators: try c.decodeIfPresent(Bool.self, forKey: .signedByInvestigators) ?? false)
    }

    /// Distinct, non-blank investigator names.
    public var distinctInvestigators: Set<String> {
        Set(investigators.compactMap(nonBlankText))
    }
}

/// 特困抽查情况 — for each tekun case the county either checked it on site
/// or recorded that the batch's sample did not include it.
public enum TekunSiteCheck: Sendable, Hashable, Codable {
    /// 已实地核查 — the on-site check record.
    case checked(record: String)
    /// 未被抽中 — the sampling batch it was left out of.
    case notSampled(batch: String)
}

/// 补齐手续 — the record completed after emergency help: recipient, reason,
/// amount and the signatures.
public struct EmergencyRecord: Sendable, Hashable, Codable {
    public var recipient: String
    public var reason: String
    public var amount: Money
    public var signatures: [String]

    public init(recipient: String, reason: String, amount: Money, signatures: [String]) {
        self.recipient = recipient
        self.reason = reason
        self.amount = amount
        self.signatures = signatures
    }

    var isComplete: Bool {
        nonBlankText(recipient) != nil && nonBlankText(reason) != nil && amount > .zero
            && signatures.contains { nonBlankText($0) != nil }
    }
}

/// What the acting member of staff supplies with an action. Each step of a
/// programme says which of these it needs (`CaseRequirement`).
public struct CaseInputs: Sendable, Hashable, Codable {
    public var homeVisit: HomeVisitRecord?
    /// 核对报告编号.
    public var verificationReportNumber: String?
    public var selfCare: SelfCareAssessment?
    /// 初审意见.
    public var opinion: String?
    /// 异议内容.
    public var objection: String?
    /// 异议处理结果.
    public var objectionDisposition: String?
    /// 民主评议记录.
    public var appraisalMinutes: String?
    public var onSiteCheck: TekunSiteCheck?
    /// 审核确认意见.
    public var confirmationOpinion: String?
    /// 不予批准理由.
    public var rejectionReasons: [String]
    /// 一事一议会议纪要.
    public var caseByCaseMinutes: String?
    public var escalationReason: String?
    /// 急难情形.
    public var emergencyReason: String?
    /// 先行救助金额.
    public var amount: Money?
    public var emergencyRecord: EmergencyRecord?
    public var extensionReason: String?
    /// 申请人撤回申请的书面材料.
    public var withdrawalRequest: String?
    /// 终止理由.
    public var terminationReasons: [String]
    /// 调整原因 — why the amount changes, as the family is told in writing.
    public var changeReason: String?
    /// 分类管理类别 (dibao), set at approval and at each review.
    public var reviewClass: ReviewClass?
    /// 复核结论.
    public var reviewConclusion: String?
    public var changeReport: ChangeReport?
    public var taper: TaperPlan?
    public var transfer: TransferRequest?
    /// 迁入地审核意见.
    public var transferOpinion: String?
    /// 邻里访问 — whom the investigators asked about the family, and what they said.
    public var neighbourVisits: String?
    /// 信函索证 — letters sent to employers, banks or others, and their answers.
    public var inquiryLetters: String?

    public init(homeVisit: HomeVisitRecord? = nil, verificationReportNumber: String? = nil,
                selfCare: SelfCareAssessment? = nil, opinion: String? = nil, objection: String? = nil,
                objectionDisposition: String? = nil, appraisalMinutes: String? = nil,
                onSiteCheck: TekunSiteCheck? = nil, confirmationOpinion: String? = nil,
                rejectionReasons: [String] = [], caseByCaseMinutes: String? = nil,
                escalationReason: String? = nil, emergencyReason: String? = nil, amount: Money? = nil,
                emergencyRecord: EmergencyRecord? = nil, extensionReason: String? = nil,
                withdrawalRequest: String? = nil, terminationReasons: [String] = [], changeReason: String? = nil,
                reviewClass: ReviewClass? = nil, reviewConclusion: String? = nil, changeReport: ChangeReport? = nil,
                taper: TaperPlan? = nil, transfer: TransferRequest? = nil, transferOpinion: String? = nil,
                neighbourVisits: String? = nil, inquiryLetters: String? = nil) {
        self.neighbourVisits = neighbourVisits
        self.inquiryLetters = inquiryLetters
        self.homeVisit = homeVisit
        self.verificationReportNumber = verificationReportNumber
        self.selfCare = selfCare
        self.opinion = opinion
        self.objection = objection
        self.objectionDisposition = objectionDisposition
        self.appraisalMinutes = appraisalMinutes
        self.onSiteCheck = onSiteCheck
        self.confirmationOpinion = confirmationOpinion
        self.rejectionReasons = rejectionReasons
        self.caseByCaseMinutes = caseByCaseMinutes
        self.escalationReason = escalationReason
        self.emergencyReason = emergencyReason
        self.amount = amount
        self.emergencyRecord = emergencyRecord
        self.extensionReason = extensionReason
        self.withdrawalRequest = withdrawalRequest
        self.terminationReasons = terminationReasons
        self.changeReason = changeReason
        self.reviewClass = reviewClass
        self.reviewConclusion = reviewConclusion
        self.changeReport = changeReport
        self.taper = taper
        self.transfer = transfer
        self.transferOpinion = transferOpinion
    }
}

/// 办理要件 — a named thing a step cannot go without.
public enum CaseRequirement: String, Sendable, Codable, CaseIterable {
    case homeVisit = "home_visit"
    case verificationReport = "verification_report"
    case selfCareAssessment = "self_care_assessment"
    case initialOpinion = "initial_opinion"
    case publicityEnded = "publicity_ended"
    case objection
    case objectionDisposition = "objection_disposition"
    case democraticAppraisal = "democratic_appraisal"
    case onSiteCheck = "on_site_check"
    case confirmationOpinion = "confirmation_opinion"
    /// 月救助金额 — dibao and tekun are paid monthly from the month after approval.
    case monthlyAmount = "monthly_amount"
    case rejectionReasons = "rejection_reasons"
    case caseByCaseMinutes = "case_by_case_minutes"
    case escalationReason = "escalation_reason"
    case emergencyReason = "emergency_reason"
    case amountWithinTownshipLimit = "amount_within_township_limit"
    case emergencyRecord = "emergency_record"
    case extensionReason = "extension_reason"
    case withdrawalRequest = "withdrawal_request"
    case terminationReasons = "termination_reasons"
    case terminationPublicityEnded = "termination_publicity_ended"
    case changeReason = "change_reason"
    case reviewClass = "review_class"
    case reviewConclusion = "review_conclusion"
    case changeReport = "change_report"
    case taperPlan = "taper_plan"
    case transferDestination = "transfer_destination"
    case transferOpinion = "transfer_opinion"
    /// Optional records of an investigation (a step lists them as optional inputs).
    case neighbourVisits = "neighbour_visits"
    case inquiryLetters = "inquiry_letters"

    public var name: Bilingual {
        switch self {
        case .homeVisit: Bilingual(zh: "入户调查记录（不少于 2 名调查人员，双方签字）",
                                   en: "Home-visit record (at least 2 investigators, signed by both sides)")
        case .verificationReport: Bilingual(zh: "家庭经济状况核对报告", en: "Household economic verification report")
        case .selfCareAssessment: Bilingual(zh: "生活自理能力评估（6 项）", en: "Self-care assessment (6 activities)")
        case .initialOpinion: Bilingual(zh: "初审意见", en: "Initial opinion")
        case .publicityEnded: Bilingual(zh: "7 天公示期已满", en: "The 7-day publicity period has ended")
        case .objection: Bilingual(zh: "异议内容", en: "The objection")
        case .objectionDisposition: Bilingual(zh: "异议处理结果", en: "How the objection was resolved")
        case .democraticAppraisal: Bilingual(zh: "民主评议记录", en: "Minutes of the democratic appraisal")
        case .onSiteCheck: Bilingual(zh: "县级抽查情况（实地核查记录或未抽中）",
                                     en: "County sampling (on-site check record, or not sampled)")
        case .confirmationOpinion: Bilingual(zh: "审核确认意见", en: "Confirmation opinion")
        case .monthlyAmount: Bilingual(zh: "月救助金额", en: "Monthly amount")
        case .rejectionReasons: Bilingual(zh: "不予批准的理由", en: "Reasons for the rejection")
        case .caseByCaseMinutes: Bilingual(zh: "一事一议会议纪要", en: "Minutes of the case-by-case meeting")
        case .escalationReason: Bilingual(zh: "报请一事一议的理由", en: "Reason for escalating")
        case .emergencyReason: Bilingual(zh: "急难情形", en: "The emergency")
        case .amountWithinTownshipLimit: Bilingual(zh: "先行救助金额（不超过乡镇审批额度）",
                                                   en: "Amount paid first (within the township's limit)")
        case .emergencyRecord: Bilingual(zh: "补齐的手续（救助对象、事由、金额、签字）",
                                         en: "The completed record (recipient, reason, amount, signatures)")
        case .extensionReason: Bilingual(zh: "延期理由", en: "Reason for the extension")
        case .withdrawalRequest: Bilingual(zh: "申请人撤回申请的书面材料", en: "The applicant's written withdrawal")
        case .terminationReasons: Bilingual(zh: "终止理由", en: "Reasons for terminating")
        case .terminationPublicityEnded: Bilingual(zh: "终止公示 7 天已满（先“张榜公示终止”）",
                                                   en: "The 7-day termination notice has ended (post it first)")
        case .changeReason: Bilingual(zh: "调整原因（书面告知家庭）", en: "Reason for the change (told to the family in writing)")
        case .reviewClass: Bilingual(zh: "分类管理类别", en: "Review class")
        case .reviewConclusion: Bilingual(zh: "复核结论", en: "Conclusion of the review")
        case .changeReport: Bilingual(zh: "家庭情况变化（类别、发生日期、情况）", en: "The change (kind, date, what happened)")
        case .taperPlan: Bilingual(zh: "渐退期（1–6 个月）", en: "Taper (1–6 months)")
        case .transferDestination: Bilingual(zh: "迁入地（村、社区区划代码）及迁移原因", en: "Destination (village code) and reason for the move")
        case .transferOpinion: Bilingual(zh: "迁入地审核意见", en: "Opinion of the receiving county")
        case .neighbourVisits: Bilingual(zh: "邻里访问情况（可选）", en: "Neighbours asked (optional)")
        case .inquiryLetters: Bilingual(zh: "信函索证情况（可选）", en: "Letters of inquiry and their answers (optional)")
        }
    }

    /// The form field the requirement is entered in.
    public var field: String {
        switch self {
        case .homeVisit: "homeVisit"
        case .verificationReport: "verificationReportNumber"
        case .selfCareAssessment: "selfCare"
        case .initialOpinion: "opinion"
        case .publicityEnded: "publicity"
        case .objection: "objection"
        case .objectionDisposition: "objectionDisposition"
        case .democraticAppraisal: "appraisalMinutes"
        case .onSiteCheck: "onSiteCheck"
        case .confirmationOpinion: "confirmationOpinion"
        case .monthlyAmount: "amount"
        case .rejectionReasons: "rejectionReasons"
        case .caseByCaseMinutes: "caseByCaseMinutes"
        case .escalationReason: "escalationReason"
        case .emergencyReason: "emergencyReason"
        case .amountWithinTownshipLimit: "amount"
        case .emergencyRecord: "emergencyRecord"
        case .extensionReason: "extensionReason"
        case .withdrawalRequest: "withdrawalRequest"
        case .terminationReasons: "terminationReasons"
        case .terminationPublicityEnded: "terminationNotice"
        case .changeReason: "changeReason"
        case .reviewClass: "reviewClass"
        case .reviewConclusion: "reviewConclusion"
        case .changeReport: "changeKind"
        case .taperPlan: "taperMonths"
        case .transferDestination: "transferDestination"
        case .transferOpinion: "transferOpinion"
        case .neighbourVisits: "neighbourVisits"
        case .inquiryLetters: "inquiryLetters"
        }
    }
}

func nonBlankText(_ raw: String?) -> String? {
    guard let raw else { return nil }
    let text = raw.trimmingWhitespace
    return text.isEmpty ? nil : String(text)
}

extension CaseInputs {
    /// These inputs with every value `newer` gives laid over them (lists
    /// replace lists when `newer` has any): the case's latest record of each.
    public func merged(with newer: CaseInputs) -> CaseInputs {
        var out = self
        out.homeVisit = newer.homeVisit ?? homeVisit
        out.verificationReportNumber = newer.verificationReportNumber ?? verificationReportNumber
        out.selfCare = newer.selfCare ?? selfCare
        out.opinion = newer.opinion ?? opinion
        out.objection = newer.objection ?? objection
        out.objectionDisposition = newer.objectionDisposition ?? objectionDisposition
        out.appraisalMinutes = newer.appraisalMinutes ?? appraisalMinutes
        out.onSiteCheck = newer.onSiteCheck ?? onSiteCheck
        out.confirmationOpinion = newer.confirmationOpinion ?? confirmationOpinion
        out.rejectionReasons = newer.rejectionReasons.isEmpty ? rejectionReasons : newer.rejectionReasons
        out.caseByCaseMinutes = newer.caseByCaseMinutes ?? caseByCaseMinutes
        out.escalationReason = newer.escalationReason ?? escalationReason
        out.emergencyReason = newer.emergencyReason ?? emergencyReason
        out.amount = newer.amount ?? amount
        out.emergencyRecord = newer.emergencyRecord ?? emergencyRecord
        out.extensionReason = newer.extensionReason ?? extensionReason
        out.withdrawalRequest = newer.withdrawalRequest ?? withdrawalRequest
        out.terminationReasons = newer.terminationReasons.isEmpty ? terminationReasons : newer.terminationReasons
        out.changeReason = newer.changeReason ?? changeReason
        out.reviewClass = newer.reviewClass ?? reviewClass
        out.reviewConclusion = newer.reviewConclusion ?? reviewConclusion
        out.changeReport = newer.changeReport ?? changeReport
        out.taper = newer.taper ?? taper
        out.transfer = newer.transfer ?? transfer
        out.transferOpinion = newer.transferOpinion ?? transferOpinion
        out.neighbourVisits = newer.neighbourVisits ?? neighbourVisits
        out.inquiryLetters = newer.inquiryLetters ?? inquiryLetters
        return out
    }
}

/// 救助项目 — the assistance a household can apply for at the window.
/// Temporary assistance has two kinds with different procedures, so each
/// kind is a programme of its own here.
public enum Programme: String, Sendable, Codable, CaseIterable {
    /// 最低生活保障.
    case dibao
    /// 特困人员救助供养.
    case tekun
    /// 临时救助（急难型）: help first, record afterwards.
    case temporaryEmergency = "temporary_emergency"
    /// 临时救助（支出型）: full procedure.
    case temporaryExpenditure = "temporary_expenditure"
    /// 低保边缘家庭.
    case edge
    /// 刚性支出困难家庭.
    case rigid

    public var name: Bilingual {
        switch self {
        case .dibao: Bilingual(zh: "最低生活保障", en: "Minimum living guarantee (dibao)")
        case .tekun: Bilingual(zh: "特困人员救助供养", en: "Support for people in extreme poverty (tekun)")
        case .temporaryEmergency: Bilingual(zh: "临时救助（急难型）", en: "Temporary assistance (emergency)")
        case .temporaryExpenditure: Bilingual(zh: "临时救助（支出型）", en: "Temporary assistance (expenditure)")
        case .edge: Bilingual(zh: "低保边缘家庭认定", en: "Recognition as a dibao-edge family")
        case .rigid: Bilingual(zh: "刚性支出困难家庭认定", en: "Recognition as a rigid-expenditure family")
        }
    }

    public var isTemporary: Bool {
        self == .temporaryEmergency || self == .temporaryExpenditure
    }

    public init(code: String, field: String = "programme") throws(UserError) {
        guard let programme = Programme(rawValue: String(code.trimmingWhitespace)) else {
            throw UserError("programme.unknown", field: field,
                            zh: "未知的救助项目", en: "Unknown assistance programme")
        }
        self = programme
    }
}

/// 协同部门 — a department the one window refers needs to (一门受理、协同办理).
public enum Department: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case medicalInsurance = "medical_insurance"
    case education
    case housing
    case humanResources = "human_resources"
    case disabledPersons = "disabled_persons"
    case charity
    case emergencyManagement = "emergency_management"

    public var name: Bilingual {
        switch self {
        case .medicalInsurance: Bilingual(zh: "医疗保障局", en: "Medical Insurance Bureau")
        case .education: Bilingual(zh: "教育局", en: "Education Bureau")
        case .housing: Bilingual(zh: "住房和城乡建设局", en: "Housing and Urban-Rural Development Bureau")
        case .humanResources: Bilingual(zh: "人力资源和社会保障局", en: "Human Resources and Social Security Bureau")
        case .disabledPersons: Bilingual(zh: "残疾人联合会", en: "Disabled Persons' Federation")
        case .charity: Bilingual(zh: "慈善组织", en: "Charity organisations")
        case .emergencyManagement: Bilingual(zh: "应急管理局", en: "Emergency Management Bureau")
        }
    }
}

/// 转介需求 — a need the township cannot decide itself; each belongs to one department.
public enum ReferralNeed: String, Sendable, Codable, CaseIterable {
    case medical, education, housing, employment, disability, charity, disaster

    public var name: Bilingual {
        switch self {
        case .medical: Bilingual(zh: "医疗救助", en: "Medical assistance")
        case .education: Bilingual(zh: "教育救助", en: "Education assistance")
        case .housing: Bilingual(zh: "住房救助", en: "Housing assistance")
        case .employment: Bilingual(zh: "就业救助", en: "Employment assistance")
        case .disability: Bilingual(zh: "残疾人两项补贴", en: "Disability subsidies")
        case .charity: Bilingual(zh: "慈善帮扶", en: "Charity help")
        case .disaster: Bilingual(zh: "受灾人员救助", en: "Disaster relief")
        }
    }

    public var department: Department {
        switch self {
        case .medical: .medicalInsurance
        case .education: .education
        case .housing: .housing
        case .employment: .humanResources
        case .disability: .disabledPersons
        case .charity: .charity
        case .disaster: .emergencyManagement
        }
    }
}

/// 申请渠道 — how an application reached the township.
public enum IntakeChannel: String, Sendable, Codable, CaseIterable {
    case window
    case villageAssistant = "village_assistant"
    case proxy
    case online

    public var name: Bilingual {
        switch self {
        case .window: Bilingual(zh: "窗口受理", en: "At the township window")
        case .villageAssistant: Bilingual(zh: "村（社区）协理员代为申请", en: "Through the village assistant")
        case .proxy: Bilingual(zh: "委托他人代为申请", en: "By an entrusted proxy")
        case .online: Bilingual(zh: "网上申请", en: "Online")
        }
    }
}

/// 委托书 — the written entrustment a proxy applies under (《最低生活保障审核确认办法》:
/// an applicant who cannot apply in person may entrust someone in writing).
public struct Entrustment: Sendable, Hashable, Codable {
    /// 受托人姓名.
    public let proxyName: String
    /// 与申请人关系.
    public let relation: String
    /// 委托事项.
    public let scope: String
    /// 委托日期.
    public let date: LocalDate
    /// 委托书编号或扫描件编号 — where the signed paper can be found.
    public let documentReference: String

    public static let maxRelationLength = 20
    public static let maxScopeLength = 200
    public static let maxDocumentReferenceLength = 100

    public init(proxyName: String, relation: String, scope: String, date: LocalDate, documentReference: String) {
        self.proxyName = proxyName
        self.relation = relation
        self.scope = scope
        self.date = date
        self.documentReference = documentReference
    }

    /// Validates the entrustment fields of the intake form; all are required
    /// and the entrustment cannot be dated after `today`.
    public static func validate(proxyName: String?, relation: String?, scope: String?, date: String?,
                                documentReference: String?, today: LocalDate) -> Result<Entrustment, HouseholdRules.Errors> {
        var errors: [UserError] = []
        func collect<T>(_ body: () throws(UserError) -> T) -> T? {
            switch Result(catching: body) {
            case .success(let value): return value
            case .failure(let error): errors.append(error); return nil
            }
        }
        let name = collect { () throws(UserError) in try TextRules.name(proxyName ?? "", field: "proxyName") }
        let relation = collect { () throws(UserError) in
            try TextRules.freeText(relation ?? "", field: "proxyRelation", max: maxRelationLength)
        }
        let scope = collect { () throws(UserError) in
            try TextRules.freeText(scope ?? "", field: "proxyScope", max: maxScopeLength)
        }
        let day = collect { () throws(UserError) -> LocalDate in
            guard let text = HouseholdRules.nonBlank(date) else {
                throw UserError("entrustment.date_required", field: "proxyDate",
                                zh: "请填写委托日期", en: "Enter the date of the entrustment")
            }
            let day = try LocalDate(parsing: text, field: "proxyDate")
            try checkNotFuture(day, today: today)
            return day
        }
        let document = collect { () throws(UserError) in
            try TextRules.freeText(documentReference ?? "", field: "proxyDocument", max: maxDocumentReferenceLength)
        }
        guard errors.isEmpty, let name, let relation, let scope, let day, let document else {
            return .failure(HouseholdRules.Errors(errors))
        }
        return .success(Entrustment(proxyName: name, relation: relation, scope: scope, date: day,
                                    documentReference: document))
    }

    /// As the form version, for a caller that already holds the date.
    public static func validate(proxyName: String?, relation: String?, scope: String?, date: LocalDate,
                                documentReference: String?, today: LocalDate) -> Result<Entrustment, HouseholdRules.Errors> {
        validate(proxyName: proxyName, relation: relation, scope: scope, date: date.description,
                 documentReference: documentReference, today: today)
    }

    private static func checkNotFuture(_ day: LocalDate, today: LocalDate) throws(UserError) {
        guard day <= today else {
            throw UserError("entrustment.date_future", field: "proxyDate",
                            zh: "委托日期不能晚于今天", en: "The entrustment cannot be dated in the future")
        }
    }
}

/// 利益关联 — the applicant's close relation to someone who handles or
/// influences the case; such applications are registered separately
/// (单独登记备案) and the county must visit.
public enum ConflictOfInterest: String, Sendable, Codable, CaseIterable {
    case none
    case relativeOfCaseworker = "relative_of_caseworker"
    case relativeOfVillageCadre = "relative_of_village_cadre"

    public var name: Bilingual {
        switch self {
        case .none: Bilingual(zh: "无", en: "None")
        case .relativeOfCaseworker: Bilingual(zh: "经办人员近亲属", en: "Close relative of a caseworker")
        case .relativeOfVillageCadre: Bilingual(zh: "村（居）委会成员近亲属", en: "Close relative of a village committee member")
        }
    }

    public var requiresSeparateRegister: Bool { self != .none }
}

/// 转介办理时限 — how many working days a department has, from the day the
/// township accepted the application, to report back on a referred need.
///
/// No national text sets these limits, so they are a regional parameter and
/// `standard` is this project's default: 10 working days, the same span the
/// county has to confirm a dibao case; shorter where the need cannot wait —
/// disaster relief (help first, 先行救助) 3 days, charity matching 5 days.
public struct ReferralPolicy: Sendable, Hashable, Codable {
    public var workingDays: [Department: Int]
    /// The limit for a department the table does not list (a region's table
    /// written before a department was added).
    public var fallbackWorkingDays: Int

    public init(workingDays: [Department: Int], fallbackWorkingDays: Int = 10) {
        self.workingDays = workingDays
        self.fallbackWorkingDays = fallbackWorkingDays
    }

    public static let standard = ReferralPolicy(workingDays: [
        .medicalInsurance: 10,
        .education: 10,
        .housing: 10,
        .humanResources: 10,
        .disabledPersons: 10,
        .charity: 5,
        .emergencyManagement: 3,
    ])

    public func workingDays(for need: ReferralNeed) -> Int {
        workingDays[need.department] ?? fallbackWorkingDays
    }

    /// The last working day on which the department's answer is on time.
    public func deadline(for need: ReferralNeed, from accepted: LocalDate, calendar: WorkingCalendar) -> LocalDate {
        calendar.adding(workingDays: workingDays(for: need), to: accepted)
    }
}

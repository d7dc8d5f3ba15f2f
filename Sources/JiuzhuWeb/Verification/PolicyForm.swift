import FluentKit
import JiuzhuCore
import JiuzhuStore
import Vapor

/// The words of the policy page and of `jiuzhu policy`, Chinese first.
enum PolicyText {
    static let title = Bilingual(zh: "政策参数", en: "Policy parameters")
    static let region = Bilingual(zh: "区划", en: "Region")
    static let show = Bilingual(zh: "查看", en: "Show")
    static let inForceToday = Bilingual(zh: "今日适用的版本", en: "Version in force today")
    static let ownVersions = Bilingual(zh: "本区划自己的版本（新的在前）", en: "This region's own versions (newest first)")
    static let noOwnVersions = Bilingual(zh: "本区划尚无自己的版本，沿用上级的政策参数。", en: "This region has no version of its own; its ancestors' parameters apply.")
    static let nothingInForce = Bilingual(zh: "本区划及其上级今日都没有适用的政策参数：家庭经济状况核对无法进行。",
                                          en: "Neither this region nor any ancestor has a policy in force today: verification cannot run.")
    static let addVersion = Bilingual(zh: "新增版本", en: "Add a version")
    static let addHint = Bilingual(zh: "已有版本不可修改；更正请以更晚的生效日期新增一版。表单已按今日适用的版本预先填写。",
                                   en: "Versions are never changed; to correct one, add a new version with a later date. The form starts from the version in force today.")
    static let effectiveFrom = Bilingual(zh: "生效日期", en: "Effective from")
    static let setBy = Bilingual(zh: "设置人", en: "Set by")
    static let standardUrban = Bilingual(zh: "城市低保标准（元/人·月）", en: "Urban standard (yuan per person per month)")
    static let standardRural = Bilingual(zh: "农村低保标准（元/人·月）", en: "Rural standard (yuan per person per month)")
    static let urbanShort = Bilingual(zh: "城市标准", en: "Urban")
    static let ruralShort = Bilingual(zh: "农村标准", en: "Rural")
    static let edgeMultiplier = Bilingual(zh: "低保边缘倍数（如 1.5）", en: "Edge-band multiplier (e.g. 1.5)")
    static let edgeShort = Bilingual(zh: "边缘倍数", en: "Edge ×")
    static let referenceMonths = Bilingual(zh: "收入核算期（月）", en: "Income reference period (months)")
    static let monthsShort = Bilingual(zh: "核算月数", en: "Months")
    static let financialAssetMonths = Bilingual(zh: "人均金融资产上限（标准的月数）", en: "Financial assets cap per person (months of the standard)")
    static let assetShort = Bilingual(zh: "资产上限（月）", en: "Assets cap (months)")
    static let vehicleValueCap = Bilingual(zh: "车辆价值上限（元）", en: "Vehicle value cap (yuan)")
    static let vehicleShort = Bilingual(zh: "车辆上限", en: "Vehicle cap")
    static let maxHomes = Bilingual(zh: "住房套数上限", en: "Most homes allowed")
    static let homesShort = Bilingual(zh: "住房套数", en: "Homes")
    static let nonResidentialDisqualifies = Bilingual(zh: "拥有非住宅房产即不符合", en: "Owning non-residential property disqualifies")
    static let companyRoleDisqualifies = Bilingual(zh: "担任企业法定代表人、董事或股东即不符合", en: "An active company role (legal representative, director, shareholder) disqualifies")
    static let rules = Bilingual(zh: "资产规则", en: "Asset rules")
    static let exemptVehicleTypes = Bilingual(zh: "不计入的车辆类型", en: "Exempt vehicle types")
    static let excludedIncomeKinds = Bilingual(zh: "不计入收入的项目", en: "Income kinds not counted")
    static let deductibleKinds = Bilingual(zh: "可扣减的支出", en: "Deductible expenses")
    static let requiredSources = Bilingual(zh: "必须反馈的核对数据源", en: "Sources that must answer")
    static let topUps = Bilingual(zh: "分类施保（按标准的百分比，留空为不增发）", en: "Top-ups (percent of the standard; empty for none)")
    static let own = Bilingual(zh: "本区划自己的版本", en: "this region's own version")
    static let saved = Bilingual(zh: "已新增政策参数版本", en: "The policy version was added")
    static let required = Bilingual(zh: "请填写此项", en: "This field is required")
    static let wholeNumber = Bilingual(zh: "请填写整数", en: "Enter a whole number")
    static let notDefined = Bilingual(zh: "未设置", en: "none")

    static func inherited(from name: String, code: String) -> Bilingual {
        Bilingual(zh: "继承自上级：\(name)（\(code)）", en: "inherited from \(name) (\(code))")
    }

    static func versionFrom(_ date: String) -> Bilingual {
        Bilingual(zh: "\(date) 起施行", en: "in force from \(date)")
    }

    static func vehicleType(_ type: VehicleType) -> Bilingual { type.name }

    static func incomeKind(_ kind: String) -> Bilingual { IncomeTreatment.name(ofKind: kind) }

    static func expenseKind(_ kind: String) -> Bilingual { ExpenseKinds.name(ofKind: kind) }

    static func group(_ group: TopUpGroup) -> Bilingual {
        Bilingual(zh: group.name.zh + "（%）", en: group.name.en + " (%)")
    }

    static func source(_ code: String) -> Bilingual {
        DepartmentSourceCatalog.info(code)?.name ?? Bilingual(zh: code, en: code)
    }
}

/// What a stored policy must satisfy beyond what the `policy` object's reader
/// (JiuzhuCore) checks: used by `jiuzhu policy set` and the policy page alike.
enum PolicyRules {
    /// Policy parameters are set by a province, a city or a county (domain.md §1).
    static let levels: Set<RegionLevel> = [.province, .city, .county]

    /// The region exists and is a province, a city or a county.
    static func checkRegion(_ region: RegionCode, on db: any Database) async throws {
        guard levels.contains(region.level) else {
            throw UserError("policy.region_level", field: "region", zh: "政策参数只能设在省、市、县级区划",
                            en: "Policy parameters are set for a province, a city or a county")
        }
        guard try await RegionRecord.find(region.value, on: db) != nil else {
            throw UserError("policy.region_unknown", field: "region", zh: "区划 \(region.value) 不存在",
                            en: "The region \(region.value) does not exist")
        }
    }

    /// Standards above zero, known department sources listed once, one top-up per group.
    /// Fields are named as in the `policy` object (`policy.requiredSources[2]`).
    static func check(_ policy: VerificationPolicy) throws(UserError) {
        for (key, value) in [("standardUrban", policy.standardUrban), ("standardRural", policy.standardRural)] where value.fen <= 0 {
            throw UserError("policy.standard", field: "policy.\(key)", zh: "低保标准应大于零", en: "The standard must be more than zero")
        }
        var seen: Set<String> = []
        for (index, code) in policy.requiredSources.enumerated() {
            let field = "policy.requiredSources[\(index)]"
            try DepartmentSourceCatalog.require(code, field: field)
            guard seen.insert(code).inserted else {
                throw UserError("policy.source_twice", field: field, zh: "数据源 \(code) 列出了两次", en: "The source \(code) is listed twice")
            }
        }
        var groups: Set<TopUpGroup> = []
        for (index, topUp) in policy.topUps.enumerated() where !groups.insert(topUp.group).inserted {
            throw UserError("policy.topup_twice", field: "policy.topUps[\(index)].group",
                            zh: "同一类人员只能有一项分类施保", en: "A group can have only one top-up")
        }
    }

    /// Reads a `policy` object (the text of a file or a form) and checks it.
    static func policy(json text: String) throws(UserError) -> VerificationPolicy {
        let policy = try VerificationPolicy(json: text)
        try check(policy)
        return policy
    }
}

/// The policy page's form: one field per parameter, named as in the `policy`
/// object, kept as typed so that nothing is lost when it is shown again.
struct PolicyFormValues: Content {
    var region: String?
    var effectiveFrom: String?
    var standardUrban: String?
    var standardRural: String?
    var edgeMultiplier: String?
    var referenceMonths: String?
    var financialAssetMonths: String?
    var vehicleValueCap: String?
    var exemptVehicleTypes: [String]?
    var maxHomes: String?
    var nonResidentialDisqualifies: String?
    var companyRoleDisqualifies: String?
    var excludedIncomeKinds: [String]?
    var deductibleKinds: [String]?
    var requiredSources: [String]?
    /// Percent of the standard by group (`topUp[elderly]`).
    var topUp: [String: String]?

    init() {}

    /// The form filled from a policy (standards in yuan with two decimals).
    init(policy: VerificationPolicy, region: RegionCode, effectiveFrom: LocalDate) {
        self.region = region.value
        self.effectiveFrom = effectiveFrom.description
        standardUrban = policy.standardUrban.plainYuan
        standardRural = policy.standardRural.plainYuan
        edgeMultiplier = policy.edgeMultiplier.text
        referenceMonths = String(policy.referenceMonths)
        financialAssetMonths = String(policy.financialAssetMonths)
        vehicleValueCap = policy.vehicleValueCap.plainYuan
        exemptVehicleTypes = VehicleType.allCases.filter(policy.exemptVehicleTypes.contains).map(\.rawValue)
        maxHomes = String(policy.maxHomes)
        nonResidentialDisqualifies = policy.nonResidentialDisqualifies ? "1" : nil
        companyRoleDisqualifies = policy.companyRoleDisqualifies ? "1" : nil
        excludedIncomeKinds = policy.excludedIncomeKinds.sorted()
        deductibleKinds = policy.deductibleKinds.sorted()
        requiredSources = policy.requiredSources
        var topUp: [String: String] = [:]
        for item in policy.topUps { topUp[item.group.rawValue] = String(item.percentOfStandard) }
        self.topUp = topUp
    }

    /// The form's error key of a field of the `policy` object: the parameter
    /// (`policy.exemptVehicleTypes[1]` → `exemptVehicleTypes`), or the top-up
    /// field of the group at that index.
    static func formKey(of field: String?, topUpGroups: [TopUpGroup]) -> String {
        var path = Substring(field ?? "")
        if path.hasPrefix("policy.") { path = path.dropFirst("policy.".count) }
        if path.hasPrefix("topUps["), let close = path.firstIndex(of: "]"),
           let index = Int(path[path.index(path.startIndex, offsetBy: "topUps[".count)..<close]),
           topUpGroups.indices.contains(index) {
            return "topUp.\(topUpGroups[index].rawValue)"
        }
        let end = path.firstIndex { $0 == "[" || $0 == "." } ?? path.endIndex
        return path.isEmpty ? "form" : String(path[..<end])
    }

    /// The version the form describes, or the errors by form key.
    func version() -> Result<PolicyVersion, PolicyFormErrors> {
        var errors: [String: UserError] = [:]
        var object: [String: JSONValue] = [:]
        func text(_ value: String?) -> String { (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func requiredError(_ key: String) -> UserError {
            UserError("policy.required", field: key, zh: PolicyText.required.zh, en: PolicyText.required.en)
        }

        let regionResult = Result { () throws(UserError) in try RegionCode(text(region), field: "region") }
        if case .failure(let error) = regionResult { errors["region"] = error }
        let dateResult = Result { () throws(UserError) in try LocalDate(parsing: text(effectiveFrom), field: "effectiveFrom") }
        if case .failure(let error) = dateResult {
            errors["effectiveFrom"] = text(effectiveFrom).isEmpty ? requiredError("effectiveFrom") : error
        }
        for (key, value) in [("standardUrban", standardUrban), ("standardRural", standardRural), ("vehicleValueCap", vehicleValueCap)] {
            let typed = text(value)
            guard !typed.isEmpty else { errors[key] = requiredError(key); continue }
            switch Result(catching: { () throws(UserError) in try Money(parsingYuan: typed, field: key) }) {
            case .success(let money): object[key] = .integer(money.fen)
            case .failure(let error): errors[key] = error
            }
        }
        for (key, value) in [("referenceMonths", referenceMonths), ("financialAssetMonths", financialAssetMonths), ("maxHomes", maxHomes)] {
            let typed = text(value)
            if typed.isEmpty { errors[key] = requiredError(key); continue }
            guard let number = Self.wholeNumber(typed) else {
                errors[key] = UserError("policy.whole_number", field: key, zh: PolicyText.wholeNumber.zh, en: PolicyText.wholeNumber.en)
                continue
            }
            object[key] = number
        }
        let edge = text(edgeMultiplier)
        if edge.isEmpty { errors["edgeMultiplier"] = requiredError("edgeMultiplier") } else { object["edgeMultiplier"] = .string(edge) }
        object["nonResidentialDisqualifies"] = .bool(nonResidentialDisqualifies == "1")
        object["companyRoleDisqualifies"] = .bool(companyRoleDisqualifies == "1")
        object["exemptVehicleTypes"] = .array((exemptVehicleTypes ?? []).map { .string($0) })
        object["excludedIncomeKinds"] = .array((excludedIncomeKinds ?? []).map { .string($0) })
        object["deductibleKinds"] = .array((deductibleKinds ?? []).map { .string($0) })
        object["requiredSources"] = .array((requiredSources ?? []).map { .string($0) })
        var groups: [TopUpGroup] = []
        var topUps: [JSONValue] = []
        for group in TopUpGroup.allCases {
            let typed = text(topUp?[group.rawValue])
            if typed.isEmpty { continue }
            guard let number = Self.wholeNumber(typed) else {
                errors["topUp.\(group.rawValue)"] = UserError("policy.whole_number", field: "topUp.\(group.rawValue)",
                                                              zh: PolicyText.wholeNumber.zh, en: PolicyText.wholeNumber.en)
                continue
            }
            groups.append(group)
            topUps.append(.object(["group": .string(group.rawValue), "percentOfStandard": number]))
        }
        object["topUps"] = .array(topUps)

        guard errors.isEmpty, case .success(let code) = regionResult, case .success(let date) = dateResult else {
            return .failure(PolicyFormErrors(errors))
        }
        // The rest of the checks are the `policy` object's: the same as for a file.
        let read = Result { () throws(UserError) -> VerificationPolicy in
            try PolicyRules.policy(json: JSONValue.object(object).rendered(pretty: false))
        }
        switch read {
        case .success(let policy):
            return .success(PolicyVersion(region: code, effectiveFrom: date, policy: policy))
        case .failure(let error):
            let key = Self.formKey(of: error.field, topUpGroups: groups)
            return .failure(PolicyFormErrors([key: error.on(field: key)]))
        }
    }

    /// Digits only (leading zeros dropped) as a JSON number, else nil.
    private static func wholeNumber(_ text: String) -> JSONValue? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let digits = text.drop { $0 == "0" }
        return .number(digits.isEmpty ? "0" : String(digits))
    }
}

/// A form's errors by field key.
struct PolicyFormErrors: Error {
    let byField: [String: UserError]
    init(_ byField: [String: UserError]) { self.byField = byField }
}

// The department sources of the household economic verification (domain.md
// §4): the codes that records, imports, push messages and pull adapters use.

/// 核对数据源 — one department that answers about members by ID number.
public struct DepartmentSourceInfo: Sendable, Hashable {
    /// The code used in records and on the command line (`tax`, `bank`, …).
    public let code: String
    public let name: Bilingual

    public init(code: String, name: Bilingual) {
        self.code = code
        self.name = name
    }
}

/// 数据源目录 — every department source the platform knows.
public enum DepartmentSourceCatalog {
    /// In the order of domain.md §4.
    public static let all: [DepartmentSourceInfo] = [
        DepartmentSourceInfo(code: "householdRegistration", name: Bilingual(zh: "公安户籍", en: "Household registration (public security)")),
        DepartmentSourceInfo(code: "vehicle", name: Bilingual(zh: "车辆船舶", en: "Vehicles and vessels")),
        DepartmentSourceInfo(code: "tax", name: Bilingual(zh: "税务", en: "Tax")),
        DepartmentSourceInfo(code: "socialInsurance", name: Bilingual(zh: "社会保险", en: "Social insurance")),
        DepartmentSourceInfo(code: "unemploymentInsurance", name: Bilingual(zh: "失业保险", en: "Unemployment insurance")),
        DepartmentSourceInfo(code: "realEstate", name: Bilingual(zh: "不动产登记", en: "Real estate")),
        DepartmentSourceInfo(code: "marketRegistration", name: Bilingual(zh: "市场主体登记", en: "Market entity registration")),
        DepartmentSourceInfo(code: "providentFund", name: Bilingual(zh: "住房公积金", en: "Housing provident fund")),
        DepartmentSourceInfo(code: "bank", name: Bilingual(zh: "银行存款", en: "Bank deposits")),
        DepartmentSourceInfo(code: "securities", name: Bilingual(zh: "证券", en: "Securities")),
        DepartmentSourceInfo(code: "commercialInsurance", name: Bilingual(zh: "商业保险", en: "Commercial insurance")),
        DepartmentSourceInfo(code: "internetFinance", name: Bilingual(zh: "互联网金融", en: "Internet finance")),
        DepartmentSourceInfo(code: "marriage", name: Bilingual(zh: "婚姻登记", en: "Marriage registration")),
        DepartmentSourceInfo(code: "deathCremation", name: Bilingual(zh: "死亡火化", en: "Death and cremation")),
        DepartmentSourceInfo(code: "payroll", name: Bilingual(zh: "财政供养人员工资", en: "Public payroll")),
    ]

    /// The eight sources the case files require (`requiredSources`): without
    /// their answer no conclusion is possible.
    public static let standard: [String] = ["householdRegistration", "tax", "socialInsurance", "realEstate", "vehicle",
                                            "marketRegistration", "providentFund", "bank"]

    private static let byCode: [String: DepartmentSourceInfo] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    public static func info(_ code: String) -> DepartmentSourceInfo? {
        byCode[code]
    }

    /// The source of `code`, or an error on `field` that lists the valid codes.
    @discardableResult
    public static func require(_ code: String, field: String = "source") throws(UserError) -> DepartmentSourceInfo {
        guard let found = byCode[code] else {
            let text = DepartmentText.unknownSource(code, known: all.map(\.code))
            throw UserError("department.unknown_source", field: field, zh: text.zh, en: text.en)
        }
        return found
    }
}

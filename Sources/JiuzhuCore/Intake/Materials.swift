import struct Foundation.Data
import class Foundation.JSONDecoder
import class Foundation.JSONEncoder

/// 申请材料 — one document an application may need.
public struct MaterialItem: Sendable, Hashable, Codable {
    /// Stable code, stored with the application's list of received materials.
    public let code: String
    public let name: Bilingual
    /// The programmes whose applications need it.
    public let programmes: Set<Programme>
    /// A government platform already holds it (ID card, household register,
    /// disability card …): the window looks it up and never asks the family.
    public let heldByGovernment: Bool

    public init(code: String, name: Bilingual, programmes: Set<Programme>, heldByGovernment: Bool = false) {
        self.code = code
        self.name = name
        self.programmes = programmes
        self.heldByGovernment = heldByGovernment
    }

    private enum CodingKeys: String, CodingKey { case code, name, programmes, heldByGovernment }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.code = try container.decode(String.self, forKey: .code)
        self.name = try container.decode(Bilingual.self, forKey: .name)
        self.programmes = try container.decode(Set<Programme>.self, forKey: .programmes)
        self.heldByGovernment = try container.decodeIfPresent(Bool.self, forKey: .heldByGovernment) ?? false
    }

    /// Programmes in declaration order, so that the stored JSON of a region's
    /// list is the same bytes every time it is saved.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(Programme.allCases.filter(programmes.contains), forKey: .programmes)
        try container.encode(heldByGovernment, forKey: .heldByGovernment)
    }
}

/// 申请材料清单 — what the window asks for, by programme, so that an
/// incomplete application gets one notice listing everything missing
/// (一次性告知). A region may replace the national list with its own.
public struct MaterialChecklist: Sendable, Hashable, Codable {
    public var items: [MaterialItem]

    public init(items: [MaterialItem]) {
        self.items = items
    }

    /// The national list (《最低生活保障审核确认办法》, 《特困人员认定办法》,
    /// the temporary-assistance and rigid-expenditure rules). The entrustment
    /// of a proxy application is checked with the entrustment itself, not here.
    public static let national: MaterialChecklist = {
        let all = Set(Programme.allCases)
        let verified: Set<Programme> = [.dibao, .tekun, .temporaryExpenditure, .edge, .rigid]
        return MaterialChecklist(items: [
            MaterialItem(code: "application",
                         name: Bilingual(zh: "书面申请书", en: "Written application"),
                         programmes: all),
            MaterialItem(code: "verification_authorisation",
                         name: Bilingual(zh: "家庭经济状况核对授权书（全体家庭成员签字）",
                                         en: "Verification authorisation signed by every household member"),
                         programmes: verified),
            MaterialItem(code: "income_declaration",
                         name: Bilingual(zh: "家庭收入和财产状况申报表", en: "Declaration of household income and property"),
                         programmes: verified),
            MaterialItem(code: "supporter_statement",
                         name: Bilingual(zh: "法定赡养、抚养、扶养义务人履行义务能力情况说明",
                                         en: "Statement on the ability of legally obliged supporters to support"),
                         programmes: [.tekun]),
            MaterialItem(code: "medical_bills",
                         name: Bilingual(zh: "医疗费用票据或结算单", en: "Medical bills or settlement statements"),
                         programmes: [.temporaryExpenditure, .rigid]),
            MaterialItem(code: "education_bills",
                         name: Bilingual(zh: "教育费用凭证", en: "Receipts for education fees"),
                         programmes: [.temporaryExpenditure, .rigid]),
            MaterialItem(code: "rehabilitation_bills",
                         name: Bilingual(zh: "康复费用凭证", en: "Receipts for rehabilitation costs"),
                         programmes: [.rigid]),
            MaterialItem(code: "emergency_proof",
                         name: Bilingual(zh: "事故、灾害或突发疾病情况证明", en: "Proof of the accident, disaster or sudden illness"),
                         programmes: [.temporaryEmergency]),
            MaterialItem(code: "bank_account",
                         name: Bilingual(zh: "社会保障卡或银行账户信息", en: "Social security card or bank account details"),
                         programmes: [.dibao, .tekun, .temporaryExpenditure]),
            MaterialItem(code: "id_card",
                         name: Bilingual(zh: "居民身份证", en: "Resident ID cards"),
                         programmes: all, heldByGovernment: true),
            MaterialItem(code: "hukou_register",
                         name: Bilingual(zh: "户口簿", en: "Household register"),
                         programmes: all, heldByGovernment: true),
            MaterialItem(code: "marriage_record",
                         name: Bilingual(zh: "婚姻登记证明", en: "Marriage registration"),
                         programmes: verified, heldByGovernment: true),
            MaterialItem(code: "disability_card",
                         name: Bilingual(zh: "残疾人证（残联数据共享）", en: "Disability card (shared by the disabled persons' federation)"),
                         programmes: all, heldByGovernment: true),
        ])
    }()

    /// The items to ask the family for: every item any of `programmes`
    /// needs, once, in list order — except what a government platform holds.
    public func required(for programmes: Set<Programme>) -> [MaterialItem] {
        items.filter { !$0.heldByGovernment && !$0.programmes.isDisjoint(with: programmes) }
    }

    /// The required items whose code is not in `provided`: the content of
    /// the one-time notice (一次性告知书).
    public func missing(provided: Set<String>, for programmes: Set<Programme>) -> [MaterialItem] {
        required(for: programmes).filter { !provided.contains($0.code) }
    }

    public func item(code: String) -> MaterialItem? {
        items.first { $0.code == code }
    }

    /// Reads a region's list: `{"items": [{"code": …, "name": {"zh": …, "en": …},
    /// "programmes": ["dibao", …], "heldByGovernment": false}, …]}`. Rejects a
    /// list an administrator edited wrongly: an empty or repeated code, an
    /// item with no name or no programme.
    public static func decode(_ data: Data) throws -> MaterialChecklist {
        let list: MaterialChecklist
        do {
            list = try JSONDecoder().decode(MaterialChecklist.self, from: data)
        } catch {
            throw UserError("materials.format", field: "materials",
                            zh: "材料清单格式不正确：\(error)", en: "The materials list is malformed: \(error)")
        }
        var codes = Set<String>()
        for item in list.items {
            guard !item.code.trimmingWhitespace.isEmpty, item.code.trimmingWhitespace.count == item.code.count else {
                throw UserError("materials.code", field: "materials",
                                zh: "材料清单中有空白或带空格的材料代码", en: "The materials list has an empty or padded code")
            }
            guard codes.insert(item.code).inserted else {
                throw UserError("materials.duplicate_code", field: "materials",
                                zh: "材料代码“\(item.code)”重复", en: "The material code \"\(item.code)\" appears twice")
            }
            guard !item.name.zh.trimmingWhitespace.isEmpty, !item.name.en.trimmingWhitespace.isEmpty else {
                throw UserError("materials.name", field: "materials",
                                zh: "材料“\(item.code)”缺少中文或英文名称",
                                en: "The material \"\(item.code)\" needs a Chinese and an English name")
            }
            guard !item.programmes.isEmpty else {
                throw UserError("materials.programmes", field: "materials",
                                zh: "材料“\(item.code)”未指定适用的救助项目",
                                en: "The material \"\(item.code)\" names no programme")
            }
        }
        return list
    }

    /// Deterministic JSON (sorted keys), so that an unchanged list stores the
    /// same bytes.
    public func encode() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

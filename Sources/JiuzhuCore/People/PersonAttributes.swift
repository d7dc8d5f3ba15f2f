// The attributes of a person that assistance rules look at, each with the
// national code it is exchanged in and a form parser that turns a user's slip
// into a `UserError` on the right field.

// MARK: - Disability

/// 残疾类别 (GB/T 26341). `digit` is the type digit on the disability card
/// (残疾人证) and in the disabled persons' federation's data.
public enum DisabilityType: String, Sendable, Codable, CaseIterable {
    case visual, hearing, speech, physical, intellectual, mental, multiple

    /// 1 视力 … 7 多重, as printed in the 19th place of the card number.
    public var digit: Int {
        switch self {
        case .visual: 1
        case .hearing: 2
        case .speech: 3
        case .physical: 4
        case .intellectual: 5
        case .mental: 6
        case .multiple: 7
        }
    }

    public init?(digit: Int) {
        guard let type = Self.allCases.first(where: { $0.digit == digit }) else { return nil }
        self = type
    }

    public var name: Bilingual {
        switch self {
        case .visual: Bilingual(zh: "视力残疾", en: "visual")
        case .hearing: Bilingual(zh: "听力残疾", en: "hearing")
        case .speech: Bilingual(zh: "言语残疾", en: "speech")
        case .physical: Bilingual(zh: "肢体残疾", en: "physical")
        case .intellectual: Bilingual(zh: "智力残疾", en: "intellectual")
        case .mental: Bilingual(zh: "精神残疾", en: "mental")
        case .multiple: Bilingual(zh: "多重残疾", en: "multiple")
        }
    }

    /// Parses a form value: the code (`physical`) or the card digit (`4`),
    /// because federation exports carry the digit.
    public init(code: String, field: String = "disabilityType") throws(UserError) {
        let text = code.trimmingWhitespace
        if let type = DisabilityType(rawValue: String(text)) {
            self = type
        } else if text.utf8.count == 1, text.isASCIIDigits,
                  let type = DisabilityType(digit: asciiDecimalValue(text.utf8)) {
            self = type
        } else {
            throw UserError("disability.type", field: field,
                            zh: "残疾类别不正确，应为视力、听力、言语、肢体、智力、精神或多重残疾",
                            en: "The disability type must be visual, hearing, speech, physical, intellectual, mental or multiple")
        }
    }
}

/// 残疾类别与等级 — a certified disability: type and grade 1–4, grade 1 the
/// most severe (GB/T 26341).
public struct Disability: Sendable, Hashable, Codable {
    public let type: DisabilityType
    public let grade: Int

    public static let grades = 1...4

    public init(type: DisabilityType, grade: Int, field: String = "disabilityGrade") throws(UserError) {
        guard Self.grades.contains(grade) else {
            throw Self.gradeError(field: field)
        }
        self.type = type
        self.grade = grade
    }

    /// 重度残疾 — grade 1–2, or grade 3 for intellectual and mental disability,
    /// which the dibao single-person rule and the top-ups treat as severe.
    public var isSevere: Bool {
        grade <= 2 || (grade == 3 && (type == .intellectual || type == .mental))
    }

    /// 残疾人证号 — the holder's 18-character ID number, then the type digit
    /// and the grade digit: 20 characters.
    public func cardNumber(for id: ResidentID) -> String {
        id.value + String(type.digit) + String(grade)
    }

    /// Reads a card number typed for the person `id`: a card that belongs to
    /// someone else is the most likely slip, so it is reported as such.
    public static func fromCardNumber(_ text: String, id: ResidentID,
                                      field: String = "disabilityCard") throws(UserError) -> Disability {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else {
            throw UserError("disability_card.empty", field: field,
                            zh: "请填写残疾人证号", en: "Enter the disability card number")
        }
        let bytes = Array(trimmed.utf8).map { $0 == UInt8(ascii: "x") ? UInt8(ascii: "X") : $0 }
        guard bytes.count == 20 else {
            throw UserError("disability_card.length", field: field,
                            zh: "残疾人证号应为20位：身份证号码加残疾类别和等级各一位",
                            en: "A disability card number has 20 characters: the ID number, then one digit each for type and grade")
        }
        guard bytes[0..<18].elementsEqual(id.value.utf8) else {
            throw UserError("disability_card.id_mismatch", field: field,
                            zh: "残疾人证号的前18位应与本人身份证号码一致",
                            en: "The first 18 characters of the disability card number must be the person's ID number")
        }
        let typeByte = bytes[18], gradeByte = bytes[19]
        guard typeByte >= 0x30, typeByte <= 0x39,
              let type = DisabilityType(digit: Int(typeByte - 0x30))
        else {
            throw UserError("disability_card.type", field: field,
                            zh: "残疾人证号第19位（残疾类别）应为1–7",
                            en: "The 19th character of the disability card number (the type) must be 1–7")
        }
        guard gradeByte >= 0x30, gradeByte <= 0x39, grades.contains(Int(gradeByte - 0x30)) else {
            throw UserError("disability_card.grade", field: field,
                            zh: "残疾人证号第20位（残疾等级）应为1–4",
                            en: "The 20th character of the disability card number (the grade) must be 1–4")
        }
        return Disability(checkedType: type, grade: Int(gradeByte - 0x30))
    }

    /// Parses a grade as written on forms and cards: `2`, `二`, `2级`, `二级`.
    public static func parseGrade(_ raw: String, field: String = "disabilityGrade") throws(UserError) -> Int {
        var text = raw.trimmingWhitespace
        if text.hasSuffix("级") { text = text.dropLast() }
        let chinese: [Substring: Int] = ["一": 1, "二": 2, "三": 3, "四": 4]
        if let grade = chinese[text] { return grade }
        guard text.utf8.count == 1, text.isASCIIDigits, grades.contains(asciiDecimalValue(text.utf8)) else {
            throw gradeError(field: field)
        }
        return asciiDecimalValue(text.utf8)
    }

    /// For a grade already known to be 1–4.
    init(checkedType: DisabilityType, grade: Int) {
        self.type = checkedType
        self.grade = grade
    }

    private static func gradeError(field: String) -> UserError {
        UserError("disability.grade", field: field,
                  zh: "残疾等级应为一级至四级（1–4）", en: "The disability grade must be 1–4")
    }

    private enum CodingKeys: String, CodingKey { case type, grade }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(DisabilityType.self, forKey: .type)
        let grade = try container.decode(Int.self, forKey: .grade)
        guard Self.grades.contains(grade) else {
            throw DecodingError.dataCorruptedError(forKey: .grade, in: container,
                                                   debugDescription: "disability.grade: \(grade) is not 1–4")
        }
        self.init(checkedType: type, grade: grade)
    }
}

// MARK: - Status, residence, work, school

/// 人员状态 — why a registered family member may not count in the household
/// (《最低生活保障审核确认办法》 lists those excluded from co-residing members).
public enum MemberStatus: String, Sendable, Codable, CaseIterable {
    case normal, prisoner, drugRehab, missing, religiousApart

    public var name: Bilingual {
        switch self {
        case .normal: Bilingual(zh: "正常", en: "normal")
        case .prisoner: Bilingual(zh: "服刑人员", en: "serving a prison sentence")
        case .drugRehab: Bilingual(zh: "强制隔离戒毒", en: "in compulsory drug rehabilitation")
        case .missing: Bilingual(zh: "宣告失踪", en: "declared missing")
        case .religiousApart: Bilingual(zh: "宗教教职人员（离家三年以上）", en: "religious personnel living apart (3+ years)")
        }
    }

    /// Only a member in normal status is a co-residing family member (共同生活的家庭成员).
    public var countsInHousehold: Bool { self == .normal }
}

/// 城乡类别 — which of the region's two dibao standards applies.
public enum ResidenceKind: String, Sendable, Codable, CaseIterable {
    case urban, rural

    public var name: Bilingual {
        switch self {
        case .urban: Bilingual(zh: "城镇", en: "urban")
        case .rural: Bilingual(zh: "农村", en: "rural")
        }
    }

    /// The kind a village-level code implies: in the statistical division
    /// codes, 001–199 are residents' committees (居委会, urban) and 200–399
    /// villagers' committees (村委会, rural). Nil above village level.
    public static func inferred(from region: RegionCode) -> ResidenceKind? {
        guard region.level == .village else { return nil }
        let tenth = region.value.utf8[region.value.utf8.index(region.value.utf8.startIndex, offsetBy: 9)]
        return tenth <= UInt8(ascii: "1") ? .urban : .rural
    }
}

/// 就业状况.
public enum EmploymentStatus: String, Sendable, Codable, CaseIterable {
    case employed, flexible, farming, unemployed, retired, unableToWork, notApplicable

    public var name: Bilingual {
        switch self {
        case .employed: Bilingual(zh: "就业", en: "employed")
        case .flexible: Bilingual(zh: "灵活就业", en: "flexible employment")
        case .farming: Bilingual(zh: "务农", en: "farming")
        case .unemployed: Bilingual(zh: "失业", en: "unemployed")
        case .retired: Bilingual(zh: "退休", en: "retired")
        case .unableToWork: Bilingual(zh: "丧失劳动能力", en: "unable to work")
        case .notApplicable: Bilingual(zh: "不适用（未成年或在校）", en: "not applicable (minor or student)")
        }
    }
}

/// 在学情况.
public enum StudentStatus: String, Sendable, Codable, CaseIterable {
    case none, preschool, primary, juniorSecondary, seniorSecondary, vocational, undergraduate, postgraduate

    public var name: Bilingual {
        switch self {
        case .none: Bilingual(zh: "非在校", en: "not in education")
        case .preschool: Bilingual(zh: "学前教育", en: "preschool")
        case .primary: Bilingual(zh: "小学", en: "primary school")
        case .juniorSecondary: Bilingual(zh: "初中", en: "junior secondary school")
        case .seniorSecondary: Bilingual(zh: "普通高中", en: "senior secondary school")
        case .vocational: Bilingual(zh: "中等或高等职业教育", en: "vocational education")
        case .undergraduate: Bilingual(zh: "大学本科或专科", en: "undergraduate")
        case .postgraduate: Bilingual(zh: "研究生", en: "postgraduate")
        }
    }

    /// 在校接受全日制本科及以下学历教育 — the students an adult child still
    /// counts as unable to live independently for; postgraduates are not.
    public var isFullTimeUpToBachelor: Bool {
        switch self {
        case .none, .postgraduate: false
        case .preschool, .primary, .juniorSecondary, .seniorSecondary, .vocational, .undergraduate: true
        }
    }
}

// MARK: - Relationship to the head

/// 与户主关系 (GB/T 4761). The raw values are the group codes; the finer
/// codes of the standard (`21` 长子, `52` 母亲, `72` 嫂 …) are read into
/// their group, because the rules only need the group.
public enum Relationship: String, Sendable, Codable, CaseIterable {
    case head = "02"
    case spouse = "10"
    case son = "20"
    case daughter = "30"
    case grandchild = "40"
    case parent = "50"
    case grandparent = "60"
    case sibling = "70"
    case otherRelative = "80"
    case nonRelative = "99"

    public var name: Bilingual {
        switch self {
        case .head: Bilingual(zh: "户主", en: "head of household")
        case .spouse: Bilingual(zh: "配偶", en: "spouse")
        case .son: Bilingual(zh: "子", en: "son")
        case .daughter: Bilingual(zh: "女", en: "daughter")
        case .grandchild: Bilingual(zh: "孙子女或外孙子女", en: "grandchild")
        case .parent: Bilingual(zh: "父母", en: "parent")
        case .grandparent: Bilingual(zh: "祖父母或外祖父母", en: "grandparent")
        case .sibling: Bilingual(zh: "兄弟姐妹", en: "sibling")
        case .otherRelative: Bilingual(zh: "其他亲属", en: "other relative")
        case .nonRelative: Bilingual(zh: "非亲属", en: "not related")
        }
    }

    /// The relation word of the verification case files (cases/FORMAT.md).
    public var caseRelation: String {
        switch self {
        case .head: "self"
        case .spouse: "spouse"
        case .son, .daughter: "child"
        case .parent: "parent"
        case .sibling: "sibling"
        case .grandchild: "grandchild"
        case .grandparent, .otherRelative, .nonRelative: "other"
        }
    }

    /// Accepts a GB/T 4761 code (`02`, `10`, `21` …; `01` 本人 is read as
    /// the head, since the relation is to the head) or the case name
    /// (`spouse`).
    public init(code: String, field: String = "relation") throws(UserError) {
        let text = String(code.trimmingWhitespace)
        if let relation = Relationship(rawValue: text) {
            self = relation
            return
        }
        if let relation = Self.byCaseName[text] {
            self = relation
            return
        }
        let bytes = Array(text.utf8)
        if bytes.count == 2, text.isASCIIDigits {
            switch (bytes[0], bytes[1]) {
            case (0x30, 0x31): self = .head; return
            case (0x31...0x38, 0x31...0x39):
                let group = String(decoding: [bytes[0], 0x30], as: UTF8.self)
                if let relation = Relationship(rawValue: group) { self = relation; return }
            default: break
            }
        }
        throw UserError("relation.unknown", field: field,
                        zh: "与户主关系不正确", en: "The relationship to the head of household is not valid")
    }

    private static let byCaseName: [String: Relationship] = [
        "head": .head, "spouse": .spouse, "son": .son, "daughter": .daughter, "grandchild": .grandchild,
        "parent": .parent, "grandparent": .grandparent, "sibling": .sibling,
        "otherRelative": .otherRelative, "nonRelative": .nonRelative,
    ]
}

// MARK: - Phone

/// 联系电话 — a mainland mobile number (`13812345678`) or a landline with its
/// area code (`0552-1234567`), held in one normalised form so that the same
/// number typed two ways is the same value.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Mobile: 11 digits. Landline: area code, `-`, local number.
    public let value: String

    /// Accepts what people type: spaces, dashes and brackets anywhere, a
    /// `+86`/`0086`/`86` country prefix, landlines with or without the dash.
    public init(_ raw: String, field: String = "phone") throws(UserError) {
        let text = raw.trimmingWhitespace
        guard !text.isEmpty else {
            throw UserError("phone.empty", field: field, zh: "请填写联系电话", en: "Enter the phone number")
        }
        var digits: [UInt8] = []
        var hasPlus = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.append(UInt8(scalar.value))
            case " ", "-", "(", ")", "\u{3000}", "\u{FF08}", "\u{FF09}", "\u{2010}", "\u{2013}", "\u{2014}": continue
            case "+" where digits.isEmpty && !hasPlus: hasPlus = true
            default:
                throw UserError("phone.characters", field: field,
                                zh: "电话号码只能包含数字、空格和连字符",
                                en: "A phone number may contain only digits, spaces and dashes")
            }
        }
        // A country prefix: "+86 …", "0086 …", or "86" before a full mobile number.
        let startsWith86 = digits.count > 2 && digits[0] == 0x38 && digits[1] == 0x36
        // Dialled from abroad a landline loses its trunk 0 (+86 552 1234567,
        // +86 10 12345678); mobile numbers keep their 1[3-9].
        func restoreTrunkZero() {
            let mobile = digits.count > 1 && digits[0] == 0x31 && digits[1] >= 0x33
            if !mobile { digits.insert(0x30, at: 0) }
        }
        if hasPlus {
            guard startsWith86 else { throw Self.formatError(field) }
            digits.removeFirst(2)
            restoreTrunkZero()
        } else if digits.starts(with: Array("0086".utf8)) {   // no area code starts with 00
            digits.removeFirst(4)
            restoreTrunkZero()
        } else if digits.count == 13, startsWith86, digits[2] == 0x31 {
            digits.removeFirst(2)
        }

        switch digits.first {
        case 0x31:
            guard digits.count == 11, (0x33...0x39).contains(digits[1]) else {
                throw UserError("phone.mobile", field: field,
                                zh: "手机号码应为以13–19开头的11位数字",
                                en: "A mobile number has 11 digits and starts with 13–19")
            }
            self.value = String(decoding: digits, as: UTF8.self)
        case 0x30:
            // 010 and 020–029 are the only three-digit area codes; all others have four.
            let areaLength = digits.count > 1 && (digits[1] == 0x31 || digits[1] == 0x32) ? 3 : 4
            let localLength = digits.count - areaLength
            guard digits.count > areaLength, digits[1] != 0x30,
                  digits[1] != 0x31 || digits[2] == 0x30,
                  (7...8).contains(localLength), digits[areaLength] != 0x30
            else {
                throw UserError("phone.landline", field: field,
                                zh: "固定电话应为区号加7–8位号码，例如 0552-1234567",
                                en: "A landline number is the area code and 7–8 digits, for example 0552-1234567")
            }
            self.value = String(decoding: digits[..<areaLength], as: UTF8.self) + "-"
                + String(decoding: digits[areaLength...], as: UTF8.self)
        default:
            throw Self.formatError(field)
        }
    }

    /// For numbers this package builds itself (synthetic data).
    init(trusted value: String) {
        self.value = value
    }

    private static func formatError(_ field: String) -> UserError {
        UserError("phone.format", field: field,
                  zh: "电话号码格式不正确：手机号码为11位，固定电话须带区号",
                  en: "The phone number is not valid: a mobile number has 11 digits, a landline needs its area code")
    }

    public var isMobile: Bool { !value.contains("-") }

    /// The middle hidden: `138****5678`, `0552-***4567`.
    public var masked: String {
        if isMobile {
            return String(value.prefix(3)) + "****" + String(value.suffix(4))
        }
        let parts = value.split(separator: "-")
        let local = parts.count == 2 ? parts[1] : Substring(value)
        return String(parts[0]) + "-" + String(repeating: "*", count: max(0, local.count - 4)) + String(local.suffix(4))
    }

    /// Masked, so that a number interpolated into a log line does not leak.
    public var description: String { masked }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error.code): \(error.message.en)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

// MARK: - Names and free text

/// 姓名脱敏 — the surname kept, every other character a `*`: `王建国` →
/// `王**`. A one-character name becomes `*`, so that it is not shown whole.
public func maskName(_ name: String) -> String {
    guard let first = name.first else { return "" }
    guard name.count > 1 else { return "*" }
    return String(first) + String(repeating: "*", count: name.count - 1)
}

/// Rules for the text fields of forms.
public enum TextRules {
    public static let maxNameLength = 30

    /// 姓名: 1–30 characters after trimming, no control characters, no digits.
    /// Chinese numerals (张三, 李四) are letters, not digits, and the middle
    /// dot of minority names (阿依古丽·买买提) is allowed.
    public static func name(_ raw: String, field: String) throws(UserError) -> String {
        let text = raw.trimmingWhitespace
        guard !text.isEmpty else {
            throw UserError("name.required", field: field, zh: "请填写姓名", en: "Enter the name")
        }
        guard text.count <= maxNameLength else {
            throw UserError("name.too_long", field: field,
                            zh: "姓名不能超过\(maxNameLength)个字", en: "The name may have at most \(maxNameLength) characters")
        }
        if text.unicodeScalars.contains(where: isControl) {
            throw UserError("name.control_characters", field: field,
                            zh: "姓名不能包含换行等控制字符", en: "The name may not contain line breaks or other control characters")
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .decimalNumber }) {
            throw UserError("name.digits", field: field,
                            zh: "姓名不能包含数字", en: "The name may not contain digits")
        }
        return String(text)
    }

    /// Required free text (an address, a reason): trimmed, line breaks kept
    /// (CR LF and CR become LF), at most `max` characters, no other control
    /// characters.
    public static func freeText(_ raw: String, field: String, max: Int) throws(UserError) -> String {
        guard let text = try optionalFreeText(raw, field: field, max: max) else {
            throw UserError("text.required", field: field, zh: "此项必填", en: "This field is required")
        }
        return text
    }

    /// As `freeText`, but blank or absent text is nil.
    public static func optionalFreeText(_ raw: String?, field: String, max: Int) throws(UserError) -> String? {
        guard let raw else { return nil }
        let trimmed = raw.trimmingWhitespace
        guard !trimmed.isEmpty else { return nil }
        var text = ""
        text.reserveCapacity(trimmed.utf8.count)
        for character in trimmed {
            text.append(character == "\r\n" || character == "\r" ? "\n" : character)
        }
        guard text.count <= max else {
            throw UserError("text.too_long", field: field,
                            zh: "不能超过\(max)个字", en: "At most \(max) characters")
        }
        if text.unicodeScalars.contains(where: { $0 != "\n" && isControl($0) }) {
            throw UserError("text.control_characters", field: field,
                            zh: "不能包含制表符等控制字符", en: "May not contain tabs or other control characters")
        }
        return text
    }

    /// C0/C1 controls and the Unicode line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}

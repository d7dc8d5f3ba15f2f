/// 性别 — sex as encoded in the resident ID number.
public enum Sex: String, Sendable, Codable {
    case male, female
}

/// 公民身份号码 — an 18-character resident ID number (GB 11643): 6-digit area
/// code, birth date YYYYMMDD, 3-digit sequence (odd = male) and a check
/// character (0–9 or X).
///
/// The area code is deliberately not checked against the division list:
/// abolished counties live on in the numbers of the people born there.
///
/// `description` is the masked form, so that interpolating an ID into a log
/// line or a message never leaks the full number; use `value` on purpose.
public struct ResidentID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 18 characters, check character `X` in upper case.
    public let value: String
    /// 出生日期, from characters 7–14.
    public let birthDate: LocalDate

    /// The earliest birth year accepted: no one alive was born before it, and
    /// it rejects typing slips such as `0980` for `1980`.
    static let earliestBirthYear = 1800

    /// Weights of the first 17 digits in the ISO 7064 MOD 11-2 check.
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character by S mod 11.
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Validates a number as typed: surrounding whitespace is ignored and a
    /// lower-case `x` accepted. The birth date must exist and not be after
    /// `today`.
    public init(_ raw: String, today: LocalDate, field: String = "idNumber") throws(UserError) {
        try self.init(validating: raw, today: today, field: field)
    }

    /// Validation shared by user input and decoding; decoding passes no
    /// `today` because a stored number was valid when it was entered.
    private init(validating raw: String, today: LocalDate?, field: String) throws(UserError) {
        let text = raw.trimmingWhitespace
        guard !text.isEmpty else {
            throw UserError("resident_id.empty", field: field,
                            zh: "请填写身份证号码", en: "Enter the ID number")
        }
        if text.count == 15, text.isASCIIDigits {
            throw UserError("resident_id.legacy15", field: field,
                            zh: "这是旧式15位身份证号码，请先转换为18位号码（在出生年份前加“19”并重新计算校验位）",
                            en: "This is an old 15-digit ID number; convert it to the 18-character number first (insert \"19\" before the birth year and recompute the check character)")
        }
        guard text.count == 18 else {
            throw UserError("resident_id.length", field: field,
                            zh: "身份证号码应为18位", en: "The ID number must have 18 characters")
        }
        let first17 = text.prefix(17)
        let typedLast = text[text.index(before: text.endIndex)]
        let last: Character = typedLast == "x" ? "X" : typedLast
        guard first17.isASCIIDigits, last == "X" || String(last).isASCIIDigits else {
            throw UserError("resident_id.characters", field: field,
                            zh: "身份证号码只能包含数字，最后一位可以是X",
                            en: "The ID number may contain only digits, and X as the last character")
        }
        let bytes = Array(first17.utf8)
        guard let birthDate = LocalDate(year: asciiDecimalValue(bytes[6..<10]),
                                        month: asciiDecimalValue(bytes[10..<12]),
                                        day: asciiDecimalValue(bytes[12..<14])),
              birthDate.year >= Self.earliestBirthYear
        else {
            throw UserError("resident_id.birth_date", field: field,
                            zh: "身份证号码中的出生日期不存在",
                            en: "The birth date in the ID number does not exist")
        }
        if let today, birthDate > today {
            throw UserError("resident_id.future_birth_date", field: field,
                            zh: "身份证号码中的出生日期晚于今天",
                            en: "The birth date in the ID number is in the future")
        }
        guard Self.checkCharacter(forFirst17: first17) == last else {
            throw UserError("resident_id.check_character", field: field,
                            zh: "身份证号码校验位错误，请核对号码是否输入正确",
                            en: "The ID number's check character is wrong; please check the number")
        }
        self.value = String(first17) + String(last)
        self.birthDate = birthDate
    }

    /// Converts an old 15-digit number (issued before 1999, birth year in two
    /// digits, no check character) to its 18-character form and validates it.
    public static func convertingLegacy(_ raw15: String, today: LocalDate,
                                        field: String = "idNumber") throws(UserError) -> ResidentID {
        let text = raw15.trimmingWhitespace
        guard !text.isEmpty else {
            throw UserError("resident_id.empty", field: field,
                            zh: "请填写身份证号码", en: "Enter the ID number")
        }
        guard text.count == 15 else {
            throw UserError("resident_id.length", field: field,
                            zh: "旧式身份证号码应为15位", en: "An old-style ID number must have 15 digits")
        }
        guard text.isASCIIDigits else {
            throw UserError("resident_id.characters", field: field,
                            zh: "旧式身份证号码只能包含数字",
                            en: "An old-style ID number may contain only digits")
        }
        // Every 15-digit number was issued to someone born in the 1900s.
        let first17 = String(text.prefix(6)) + "19" + String(text.dropFirst(6))
        guard let check = checkCharacter(forFirst17: first17) else {
            throw UserError("resident_id.characters", field: field,
                            zh: "旧式身份证号码只能包含数字",
                            en: "An old-style ID number may contain only digits")
        }
        return try ResidentID(first17 + String(check), today: today, field: field)
    }

    /// The GB 11643 check character for 17 ASCII digits, or nil if the text
    /// is not exactly 17 ASCII digits.
    public static func checkCharacter(forFirst17 digits: some StringProtocol) -> Character? {
        guard digits.utf8.count == 17, digits.isASCIIDigits else { return nil }
        var sum = 0
        for (byte, weight) in zip(digits.utf8, weights) {
            sum += Int(byte - 0x30) * weight
        }
        return checkCharacters[sum % 11]
    }

    /// 行政区划代码 at the time of issue (first 6 digits); may no longer exist.
    public var areaCode: String { String(value.prefix(6)) }

    /// Odd 17th digit: male; even: female.
    public var sex: Sex {
        let digit = value.utf8[value.utf8.index(value.utf8.startIndex, offsetBy: 16)] - 0x30
        return digit % 2 == 1 ? .male : .female
    }

    /// First 6 and last 4 characters, the birth date and most of the sequence
    /// hidden: `340524********001X`.
    public var masked: String {
        String(value.prefix(6)) + "********" + String(value.suffix(4))
    }

    /// 周岁 on `date`.
    public func age(at date: LocalDate) -> Int {
        birthDate.age(at: date)
    }

    public var description: String { masked }

    public static func == (lhs: ResidentID, rhs: ResidentID) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(validating: text, today: nil, field: "idNumber")
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(error.code): \(error.message.en)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The five administrative levels the system works at (五级).
public enum RegionLevel: Int, Sendable, Codable, CaseIterable, Comparable {
    case province = 1, city, county, township, village

    /// Digits of a code at this level in the compact prefix form.
    public var codeLength: Int {
        switch self {
        case .province: 2
        case .city: 4
        case .county: 6
        case .township: 9
        case .village: 12
        }
    }

    public init?(codeLength: Int) {
        guard let level = Self.allCases.first(where: { $0.codeLength == codeLength }) else { return nil }
        self = level
    }

    public var name: Bilingual {
        switch self {
        case .province: Bilingual(zh: "省", en: "province")
        case .city: Bilingual(zh: "市", en: "city")
        case .county: Bilingual(zh: "县（区）", en: "county")
        case .township: Bilingual(zh: "乡镇（街道）", en: "township")
        case .village: Bilingual(zh: "村（社区）", en: "village")
        }
    }

    public static func < (lhs: RegionLevel, rhs: RegionLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// 行政区划代码 — a division at any of the five levels, held in the compact
/// prefix form: province `34`, city `3403`, county `340302`, township
/// `340302001`, village `340302001001`. Each level only appends digits, so
/// "is inside" is a string prefix test, and region scope in queries is a
/// `LIKE '3403%'` on an index.
///
/// The padded forms people know (GB/T 2260 `340000`, `340300`; the statistics
/// bureau's 12-digit `340302001000`) are accepted and shown via `gb2260`.
public struct RegionCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    /// Accepts the compact form at any level, the 6-digit GB/T 2260 form of a
    /// province (`340000`) or city (`340300`), and the 12-digit statistical
    /// form of a township (`340302001000`) or higher level (`340300000000`).
    public init(_ raw: String, field: String = "region") throws(UserError) {
        let text = raw.trimmingWhitespace
        let formatError = UserError("region.format", field: field,
                                    zh: "行政区划代码格式不正确", en: "The region code is not valid")
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw formatError }
        var digits = String(text)
        // A trailing all-zero segment in a padded form means "this level and
        // no further"; a real segment is never all zeros.
        if digits.count == 12, digits.hasSuffix("000") { digits.removeLast(3) }
        if digits.count == 9, text.count == 12, digits.hasSuffix("000") { digits.removeLast(3) }
        if digits.count == 6, digits.hasSuffix("00") {
            digits.removeLast(2)
            if digits.hasSuffix("00") { digits.removeLast(2) }
        }
        guard let level = RegionLevel(codeLength: digits.count) else {
            throw UserError("region.length", field: field,
                            zh: "行政区划代码应为2、4、6、9或12位数字",
                            en: "A region code has 2, 4, 6, 9 or 12 digits")
        }
        let bytes = Array(digits.utf8)
        var start = 0
        for segmentLevel in RegionLevel.allCases where segmentLevel <= level {
            guard bytes[start..<segmentLevel.codeLength].contains(where: { $0 != 0x30 }) else { throw formatError }
            start = segmentLevel.codeLength
        }
        self.value = digits
    }

    /// For codes this package has already validated (parents, ancestors).
    private init(trusted value: Substring) {
        self.value = String(value)
    }

    public var level: RegionLevel {
        // The initialiser only admits lengths that name a level.
        RegionLevel(codeLength: value.utf8.count) ?? .village
    }

    /// The division one level up; nil for a province.
    public var parent: RegionCode? {
        guard let parentLevel = RegionLevel(rawValue: level.rawValue - 1) else { return nil }
        return RegionCode(trusted: value.prefix(parentLevel.codeLength))
    }

    /// The divisions above this one, province first, without this one.
    public var ancestors: [RegionCode] {
        RegionLevel.allCases.filter { $0 < level }.map { RegionCode(trusted: value.prefix($0.codeLength)) }
    }

    /// `ancestors` followed by this code.
    public var lineage: [RegionCode] { ancestors + [self] }

    /// The ancestor (or self) at `level`; nil if `level` is below this code's.
    public func ancestor(at level: RegionLevel) -> RegionCode? {
        level <= self.level ? RegionCode(trusted: value.prefix(level.codeLength)) : nil
    }

    /// True if `other` is this division or lies inside it.
    public func contains(_ other: RegionCode) -> Bool {
        other.value.hasPrefix(value)
    }

    /// The padded display form: `340000`, `340300`, `340302` for province,
    /// city and county (GB/T 2260); `340302001000` and `340302001001` for
    /// township and village (statistical 12-digit codes).
    public var gb2260: String {
        switch level {
        case .province: value + "0000"
        case .city: value + "00"
        case .county, .village: value
        case .township: value + "000"
        }
    }

    public var description: String { value }

    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
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

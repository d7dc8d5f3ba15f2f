/// A value of a case file together with its JSON path, so that every reading
/// of it that fails becomes a `UserError` naming the field (`records[3].month`).
///
/// An absent key and `null` are the same here: both are "not given".
public struct CaseField: Sendable {
    public let value: JSONValue?
    public let path: String

    public init(_ value: JSONValue?, path: String = "") {
        self.value = value
        self.path = path
    }

    /// Neither present nor anything but `null`.
    public var isAbsent: Bool {
        switch value {
        case nil, .null?: true
        default: false
        }
    }

    /// The member `key` of this object; absent if this field is absent.
    public func field(_ key: String) throws(UserError) -> CaseField {
        let childPath = JSONPath.key(key, in: path)
        if isAbsent { return CaseField(nil, path: childPath) }
        return CaseField(try objectMembers()[key], path: childPath)
    }

    /// The keys and values of a required object, keys in byte order so that
    /// errors come out the same on every run.
    public func object() throws(UserError) -> [(key: String, field: CaseField)] {
        let members = try objectMembers()
        return members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { (key: $0, field: CaseField(members[$0], path: JSONPath.key($0, in: path))) }
    }

    private func objectMembers() throws(UserError) -> [String: JSONValue] {
        let value = try required()
        guard case .object(let members) = value else { throw typeError(.object) }
        return members
    }

    public func array() throws(UserError) -> [CaseField] {
        guard case .array(let items) = try required() else { throw typeError(.array) }
        return items.enumerated().map { CaseField($1, path: JSONPath.index($0, in: path)) }
    }

    public func string() throws(UserError) -> String {
        guard case .string(let text) = try required() else { throw typeError(.string) }
        return text
    }

    public func bool() throws(UserError) -> Bool {
        guard case .bool(let flag) = try required() else { throw typeError(.bool) }
        return flag
    }

    /// A whole number written without fraction or exponent (`150000`, not
    /// `150000.0` or `1.5e5`): amounts are fen, and fen have no fractions.
    public func int64() throws(UserError) -> Int64 {
        guard case .number(let literal) = try required() else { throw typeError(.integer) }
        var bytes = Substring(literal).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw error("verification.not_integer", VerificationText.notInteger)
        }
        var magnitude: UInt64 = 0
        for byte in bytes {
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2 else { throw error("verification.integer_range", VerificationText.integerRange) }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else {
                throw error("verification.integer_range", VerificationText.integerRange)
            }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw error("verification.integer_range", VerificationText.integerRange) }
        return Int64(magnitude)
    }

    /// A whole number in `range`.
    public func int(in range: ClosedRange<Int>) throws(UserError) -> Int {
        let number = try int64()
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw error("verification.out_of_range", VerificationText.outOfRange(range))
        }
        return Int(number)
    }

    /// An amount in fen; negative only where the quantity can be (a net
    /// business loss).
    public func money(allowNegative: Bool = false) throws(UserError) -> Money {
        let fen = try int64()
        guard allowNegative || fen >= 0 else { throw error("verification.negative", VerificationText.negative) }
        return Money(fen: fen)
    }

    /// One of the codes of `T` (`"urban"`); the message lists the valid codes.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(UserError) -> T
    where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw error("verification.unknown_value",
                        VerificationText.unknownValue(text, allowed: T.allCases.map(\.rawValue)))
        }
        return value
    }

    /// `YYYY-MM-DD`, with the date errors of `LocalDate` on this field.
    public func date() throws(UserError) -> LocalDate {
        try LocalDate(parsing: try string(), field: path)
    }

    /// `YYYY-MM`.
    public func month() throws(UserError) -> YearMonth {
        try YearMonth(parsing: try string(), field: path)
    }

    /// An 18-character resident ID whose birth date is not after `asOf`.
    public func residentID(asOf: LocalDate) throws(UserError) -> ResidentID {
        try ResidentID(try string(), today: asOf, field: path)
    }

    /// A non-negative decimal written as a string (`"1.5"`).
    public func decimal() throws(UserError) -> ExactDecimal {
        try ExactDecimal(parsing: try string(), field: path)
    }

    /// The value, or the "required" error when it is not given.
    public func required() throws(UserError) -> JSONValue {
        guard let value, value != .null else {
            throw error("verification.required", VerificationText.required)
        }
        return value
    }

    /// An error on this field.
    public func error(_ code: String, _ message: Bilingual) -> UserError {
        UserError(code, field: path.isEmpty ? nil : path, zh: message.zh, en: message.en)
    }

    private func typeError(_ expected: JSONKind) -> UserError {
        error("verification.type", VerificationText.wrongType(expected: expected, found: value.map(JSONKind.init)))
    }
}

/// The kinds of JSON value, for "expected a … but found a …".
enum JSONKind: Sendable {
    case null, bool, integer, number, string, array, object

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .bool
        case .number: self = .number
        case .string: self = .string
        case .array: self = .array
        case .object: self = .object
        }
    }
}

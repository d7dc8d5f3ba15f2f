/// 查询码 — the code an applicant gets on submitting, to follow the
/// application on the public tracking page or by phone.
///
/// `JZ`, ten Crockford base32 symbols (50 random bits: guessing a valid code
/// is hopeless, so the code alone may show the public status), and a
/// Crockford mod-37 check symbol that catches every single-symbol slip and
/// every swap of two neighbouring data symbols. Crockford's alphabet leaves out I, L, O and U,
/// so that nothing read aloud or copied from paper is ambiguous; on input,
/// O is read as 0 and I, L as 1.
///
/// Compact form (`value`): `JZ4K7M2Q9XW37`. Display form (`description`):
/// `JZ-4K7M-2Q9X-W37` — groups of four, with the check symbol ending the last
/// group, short enough to read out over the phone in three breaths.
public struct TrackingCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `JZ` + 10 symbols + check symbol, upper case.
    public let value: String

    public static let prefix = "JZ"
    static let payloadLength = 10

    /// Crockford's 32 data symbols.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    /// The 37 check symbols: the data symbols, then `* ~ $ = U` for 32–36.
    static let checkAlphabet: [UInt8] = alphabet + Array("*~$=U".utf8)

    /// Symbol value by ASCII byte, after the O/I/L confusions are folded; -1 if none.
    private static let symbolValue: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in checkAlphabet.enumerated() { table[Int(byte)] = Int8(value) }
        table[Int(UInt8(ascii: "O"))] = 0
        table[Int(UInt8(ascii: "I"))] = 1
        table[Int(UInt8(ascii: "L"))] = 1
        return table
    }()

    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> TrackingCode {
        var bits = rng.next() & ((1 << 50) - 1)
        var payload = [UInt8](repeating: 0, count: payloadLength)
        for index in stride(from: payloadLength - 1, through: 0, by: -1) {
            payload[index] = UInt8(bits & 31)
            bits >>= 5
        }
        return TrackingCode(payload: payload)
    }

    /// `payload` holds ten symbol values 0–31.
    init(payload: [UInt8]) {
        precondition(payload.count == Self.payloadLength && payload.allSatisfy { $0 < 32 }, "ten base32 symbol values")
        var bytes = Array(Self.prefix.utf8)
        bytes += payload.map { Self.alphabet[Int($0)] }
        bytes.append(Self.checkAlphabet[Self.checkValue(payload)])
        self.value = String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a code as typed or spoken: any case, spaces and dashes anywhere,
    /// the `JZ` optional, O/I/L read as 0/1.
    public init(parsing raw: String, field: String = "trackingCode") throws(UserError) {
        switch Self.canonicalValue(parsing: raw) {
        case .success(let value):
            self.value = value
        case .failure(.empty):
            throw UserError("tracking.empty", field: field, zh: "请输入查询码", en: "Enter the tracking code")
        case .failure(.format):
            throw Self.formatError(field)
        case .failure(.check):
            throw UserError("tracking.check", field: field,
                            zh: "查询码有误，请核对每一位是否输入正确",
                            en: "The tracking code is not right; please check each character")
        }
    }

    enum ParseProblem: Error, Equatable { case empty, format, check }

    /// The parse without throwing: a thrown error is expensive where a test
    /// harness records a backtrace for each, and the property tests feed this
    /// hundreds of thousands of typos.
    static func canonicalValue(parsing raw: String) -> Result<String, ParseProblem> {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(16)
        guard appendSignificantSymbols(of: raw, to: &symbols) else { return .failure(.format) }
        guard !symbols.isEmpty else { return .failure(.empty) }
        var start = 0
        if symbols.count == payloadLength + 3, symbols[0] == 0x4A, symbols[1] == 0x5A {   // "JZ"
            start = 2
        }
        guard symbols.count - start == payloadLength + 1 else { return .failure(.format) }

        // Indexed loops rather than iterators, which are slow in debug builds.
        let table = symbolValue
        let alphabet = checkAlphabet
        var canonical = [UInt8](repeating: 0, count: payloadLength + 3)
        canonical[0] = 0x4A
        canonical[1] = 0x5A
        var number: UInt64 = 0
        var index = 0
        while index < payloadLength {
            let value = table[Int(symbols[start + index])]
            guard value >= 0, value < 32 else { return .failure(.format) }
            number = number << 5 | UInt64(value)
            canonical[2 + index] = alphabet[Int(value)]
            index += 1
        }
        let check = table[Int(symbols[start + payloadLength])]
        guard check >= 0 else { return .failure(.format) }
        guard UInt64(check) == number % 37 else { return .failure(.check) }
        canonical[payloadLength + 2] = alphabet[Int(check)]
        return .success(String(decoding: canonical, as: UTF8.self))
    }

    /// Appends the typed characters without separators, ASCII letters upper
    /// case; false if anything non-ASCII other than a separator was typed.
    private static func appendSignificantSymbols(of raw: String, to symbols: inout [UInt8]) -> Bool {
        let ascii: Bool? = raw.utf8.withContiguousStorageIfAvailable { buffer in
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                switch byte {
                case 0x20, 0x2D, 0x09, 0x0A, 0x0D: continue          // space, -, tab, LF, CR
                case 0x61...0x7A: symbols.append(byte - 0x20)       // a–z
                case 0x80...: return false
                default: symbols.append(byte)
                }
            }
            return true
        }
        if ascii == true { return true }
        symbols.removeAll(keepingCapacity: true)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case " ", "-", "\t", "\n", "\r", "\u{3000}", "\u{2010}", "\u{2013}", "\u{2014}", "\u{FF0D}": continue
            default:
                guard scalar.isASCII else { return false }
                let byte = UInt8(scalar.value)
                symbols.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
            }
        }
        return true
    }

    /// The 50-bit number the payload spells, mod 37.
    static func checkValue(_ payload: [UInt8]) -> Int {
        Int(payload.reduce(UInt64(0)) { $0 << 5 | UInt64($1) } % 37)
    }

    private static func formatError(_ field: String) -> UserError {
        UserError("tracking.format", field: field,
                  zh: "查询码格式不正确，应形如 JZ-4K7M-2Q9X-W37",
                  en: "The tracking code should look like JZ-4K7M-2Q9X-W37")
    }

    /// `JZ-XXXX-XXXX-XXC`.
    public var description: String {
        let body = Array(value.utf8.dropFirst(2))
        return Self.prefix + "-" + String(decoding: body[0..<4], as: UTF8.self) + "-"
            + String(decoding: body[4..<8], as: UTF8.self) + "-" + String(decoding: body[8...], as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error.code): \(error.message.en)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

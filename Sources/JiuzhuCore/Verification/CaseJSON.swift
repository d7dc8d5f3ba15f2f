// The JSON of verification case files and department records (cases/FORMAT.md).
//
// A small strict reader of its own rather than JSONDecoder, because the
// calculator needs three things JSONDecoder does not give: amounts in fen read
// from their digits (never through a Double), the JSON path of every bad value
// (`records[3].month`) for the Chinese and English message, and a parse that
// can never trap on hostile input (depth and size are bounded).

/// A JSON value. Numbers keep their literal text so that an integer of fen is
/// read exactly.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number as written, already checked against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a whole document (UTF-8, an optional byte-order mark, RFC 8259).
    /// A syntax error names the line and column, and as `field` the JSON path
    /// of the value being read.
    public static func parse(_ bytes: some Collection<UInt8>) throws(UserError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(UserError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// The number literal for an integer.
    public static func integer(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// The text of the value with object keys sorted (byte order of their
    /// UTF-8), so that the same value always prints the same. Pretty: two
    /// spaces per level, `"key": value`, empty containers as `[]` and `{}`.
    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        render(into: &out, pretty: pretty, level: 0)
        return out
    }

    private func render(into out: inout String, pretty: Bool, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let literal): out += literal
        case .string(let text): Self.appendQuoted(text, to: &out)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                if pretty { Self.newline(&out, level: level + 1) }
                item.render(into: &out, pretty: pretty, level: level + 1)
            }
            if pretty { Self.newline(&out, level: level) }
            out += "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            // Sorted by UTF-8 bytes: independent of locale and of Unicode normalisation.
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                if pretty { Self.newline(&out, level: level + 1) }
                Self.appendQuoted(key, to: &out)
                out += pretty ? ": " : ":"
                members[key]?.render(into: &out, pretty: pretty, level: level + 1)
            }
            if pretty { Self.newline(&out, level: level) }
            out += "}"
        }
    }

    private static func newline(_ out: inout String, level: Int) {
        out += "\n" + String(repeating: "  ", count: level)
    }

    private static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// Recursive descent over UTF-8 bytes.
struct JSONParser {
    /// Deeper nesting is refused rather than risking the stack; case files
    /// nest four levels.
    static let maxDepth = 128

    private let bytes: [UInt8]
    private var position: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A byte-order mark is what some Windows editors put before UTF-8.
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    mutating func parseDocument() throws(UserError) -> JSONValue {
        // Checked once for the whole text, so that the strings cut from it decode exactly.
        guard String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else {
            throw UserError("verification.json_encoding", field: nil,
                            zh: VerificationText.notUTF8.zh, en: VerificationText.notUTF8.en)
        }
        skipWhitespace()
        let value = try parseValue(path: "", depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw syntaxError(.trailingContent, path: "") }
        return value
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(path: String, depth: Int) throws(UserError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw syntaxError(.tooDeep, path: path) }
        guard position < bytes.count else { throw syntaxError(.unexpectedEnd, path: path) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(path: path, depth: depth)
        case UInt8(ascii: "["): return try parseArray(path: path, depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString(path: path))
        case UInt8(ascii: "t"): try expectLiteral("true", path: path); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false", path: path); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null", path: path); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber(path: path)
        default: throw syntaxError(.unexpectedCharacter, path: path)
        }
    }

    private mutating func parseObject(path: String, depth: Int) throws(UserError) -> JSONValue {
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw syntaxError(.unexpectedEnd, path: path) }
            guard bytes[position] == UInt8(ascii: "\"") else { throw syntaxError(.expectedKey, path: path) }
            let key = try parseString(path: path)
            let childPath = JSONPath.key(key, in: path)
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw syntaxError(.expectedColon, path: childPath)
            }
            position += 1
            skipWhitespace()
            // A repeated key would let two readers of the same file see different values.
            guard members[key] == nil else { throw syntaxError(.duplicateKey, path: childPath) }
            members[key] = try parseValue(path: childPath, depth: depth + 1)
            skipWhitespace()
            guard position < bytes.count else { throw syntaxError(.unexpectedEnd, path: path) }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw syntaxError(.expectedCommaOrEnd, path: path)
            }
        }
    }

    private mutating func parseArray(path: String, depth: Int) throws(UserError) -> JSONValue {
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(path: JSONPath.index(items.count, in: path), depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw syntaxError(.unexpectedEnd, path: path) }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw syntaxError(.expectedCommaOrEnd, path: path)
            }
        }
    }

    private mutating func parseString(path: String) throws(UserError) -> String {
        position += 1  // opening quote
        var buffer: [UInt8] = []
        while true {
            guard position < bytes.count else { throw syntaxError(.unterminatedString, path: path) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw syntaxError(.unterminatedString, path: path) }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escaped)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape(path: path)
                    buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    position -= 1
                    throw syntaxError(.invalidEscape, path: path)
                }
            case 0x00..<0x20:
                throw syntaxError(.controlCharacterInString, path: path)
            default:
                buffer.append(byte)
                position += 1
            }
        }
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` when the first is a
    /// high surrogate.
    private mutating func parseUnicodeEscape(path: String) throws(UserError) -> Unicode.Scalar {
        let first = try hexQuad(path: path)
        if (0xD800...0xDBFF).contains(first) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u")
            else { throw syntaxError(.invalidEscape, path: path) }
            position += 2
            let second = try hexQuad(path: path)
            guard (0xDC00...0xDFFF).contains(second),
                  let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            else { throw syntaxError(.invalidEscape, path: path) }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw syntaxError(.invalidEscape, path: path) }
        return scalar
    }

    private mutating func hexQuad(path: String) throws(UserError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw syntaxError(.invalidEscape, path: path) }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw syntaxError(.invalidEscape, path: path)
            }
            value = value << 4 | digit
        }
        position += 4
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    private mutating func parseNumber(path: String) throws(UserError) -> JSONValue {
        let start = position
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw syntaxError(.invalidNumber, path: path) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) { throw syntaxError(.invalidNumber, path: path) }
        } else {
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { throw syntaxError(.invalidNumber, path: path) }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard isDigit(position) else { throw syntaxError(.invalidNumber, path: path) }
            while isDigit(position) { position += 1 }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private mutating func expectLiteral(_ literal: String, path: String) throws(UserError) {
        let expected = Array(literal.utf8)
        guard position + expected.count <= bytes.count,
              bytes[position..<position + expected.count].elementsEqual(expected)
        else { throw syntaxError(.unexpectedCharacter, path: path) }
        position += expected.count
    }

    /// The error at the current position: line and column (in characters,
    /// from 1) for a person with an editor, the path for the `field`.
    private func syntaxError(_ problem: JSONSyntaxProblem, path: String) -> UserError {
        let end = min(position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        let text = VerificationText.jsonSyntax(problem, line: line, column: column)
        return UserError("verification.json_syntax", field: path.isEmpty ? nil : path, zh: text.zh, en: text.en)
    }
}

/// What is wrong at the position of a JSON syntax error.
enum JSONSyntaxProblem: Sendable {
    case unexpectedEnd, unexpectedCharacter, trailingContent, expectedKey, expectedColon, expectedCommaOrEnd
    case unterminatedString, invalidEscape, controlCharacterInString, invalidNumber, duplicateKey, tooDeep
}

/// JSON paths as the messages show them: `records[3].month`, `policy.topUps[0].group`.
public enum JSONPath {
    public static func key(_ key: String, in path: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    public static func index(_ index: Int, in path: String) -> String {
        path + "[\(index)]"
    }
}

/// Writing CSV for people who open it in a spreadsheet (RFC 4180 quoting,
/// CRLF line ends) without letting a cell run as a formula: a cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
/// (OWASP's advice against CSV injection), unless it is a plain number.
public enum CSVText {
    public static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    public static func cell(_ raw: String) -> String {
        var value = raw
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNumber(value) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `-12`, `+3.5`: signed decimals stay numbers.
    static func isNumber(_ value: String) -> Bool {
        var digits = value.dropFirst()
        if digits.isEmpty { return false }
        if let dot = digits.firstIndex(of: ".") { digits.remove(at: dot) }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

// Small text helpers shared by the value parsers. They work on ASCII bytes on
// purpose: `Character.isNumber` also accepts full-width and Arabic-Indic
// digits, which must never slip into an ID number, a region code or an amount.

extension StringProtocol {
    /// The text without leading and trailing whitespace (including the
    /// full-width space U+3000 that Chinese input methods produce).
    var trimmingWhitespace: Substring {
        let text = Substring(self)
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// True if the text is non-empty and every character is an ASCII digit 0–9.
    var isASCIIDigits: Bool {
        !isEmpty && utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// The value of ASCII digits read as a decimal number, for short runs whose
/// caller has already checked `isASCIIDigits` (no overflow for ≤ 18 digits).
func asciiDecimalValue(_ bytes: some Sequence<UInt8>) -> Int {
    bytes.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
}

/// `n` right-aligned with leading zeros to at least `width` digits.
func zeroPadded(_ n: Int, width: Int) -> String {
    let digits = String(n.magnitude)
    let padding = String(repeating: "0", count: max(0, width - digits.count))
    return (n < 0 ? "-" : "") + padding + digits
}

/// A horizontal grouped bar chart drawn as a self-contained SVG string, for pages such as
/// 走访合规 / Visit compliance: one group of bars per region (visits due, done, overdue), with an
/// optional note such as "按时 87.5%" under the region's name.
///
/// - The output obeys the page's CSP (`style-src 'self'`): no `style` attributes and no `<style>`
///   element. Colours come from `fill` presentation attributes (a fixed palette by series index),
///   and `class` attributes (`bar bar-<cssClass>`, `chart-label`, …) let the site's stylesheet
///   override them.
/// - Accessible: `role="img"`, with a `<title>` (the chart title) and a `<desc>` stating every
///   number in words, e.g. "城关镇：应访 12，已访 10，逾期 2，按时 87.5%；…".
/// - Every text and attribute value is XML-escaped (region names are user-entered); characters
///   XML 1.0 forbids (C0 controls other than tab/newline/return, U+FFFE, U+FFFF) are dropped.
/// - Deterministic and locale-free: the same input gives the same string; coordinates are
///   written as integers or with one decimal, never in exponent notation.
/// - Forgiving input: negative values are drawn and described as 0; a row with fewer values than
///   there are series has the missing ones treated as 0, and extra values are ignored. When every
///   value is 0 (or there are no rows or no series) no bars are drawn, only "无数据 / No data".
/// - Labels longer than 10 characters are cut to 9 plus "…"; the full label stays in the
///   row group's `<title>` (shown on hover) and in the `<desc>`.
/// - `width` (the viewBox width; height follows the row count) is kept within 226…10 000.
/// - Element ids derive from the title, so two charts on one page need different titles.
struct BarChart: Sendable {
    struct Series: Sendable { let label: String; let cssClass: String }
    struct Row: Sendable { let label: String; let values: [Int]; let note: String? }

    let title: String
    let series: [Series]
    let rows: [Row]
    var width: Int = 640

    private enum Layout {
        static let labelColumn = 130, valueGutter = 56, minimumPlot = 40
        static let legendHeight = 32, barHeight = 14, barGap = 3, rowGap = 12, minimumRowBody = 30
        static let emptyBody = 40, bottom = 8
        static let maxLabelCharacters = 10, maxNoteCharacters = 16
        static let palette = ["#8a94a6", "#2f855a", "#c53030", "#3182ce", "#d69e2e", "#805ad5"]
    }

    /// The drawn width: `width`, kept between a usable minimum and 10 000.
    private var totalWidth: Int {
        min(max(width, Layout.labelColumn + Layout.valueGutter + Layout.minimumPlot), 10_000)
    }

    /// Width of the bar area; the longest bar spans exactly this.
    var plotWidth: Int { totalWidth - Layout.labelColumn - Layout.valueGutter }

    func svg() -> String {
        let table = rows.map(normalisedValues)
        let maxValue = table.lazy.map { $0.max() ?? 0 }.max() ?? 0
        let bars = series.count
        let rowBody = max(bars * Layout.barHeight + max(bars - 1, 0) * Layout.barGap, Layout.minimumRowBody)
        let rowHeight = rowBody + Layout.rowGap
        let body = maxValue > 0 ? rows.count * rowHeight : Layout.emptyBody
        let height = Layout.legendHeight + body + Layout.bottom
        let id = Self.stableID(title)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(totalWidth) \(height)\""
        out += " role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"sans-serif\">"
        out += "<title id=\"\(id)-title\">\(Self.escape(title))</title>"
        out += "<desc id=\"\(id)-desc\">\(Self.escape(description(table)))</desc>"

        // Legend: one swatch and label per series, left to right.
        var x = 0
        for (index, item) in series.enumerated() {
            out += "<rect class=\"bar-\(Self.escape(item.cssClass))\" x=\"\(x)\" y=\"8\" width=\"10\""
            out += " height=\"10\" fill=\"\(Self.colour(index))\"/>"
            out += "<text class=\"chart-legend\" x=\"\(x + 14)\" y=\"17\" font-size=\"11\">"
            out += "\(Self.escape(item.label))</text>"
            x += 14 + item.label.count * 11 + 16
        }

        guard maxValue > 0 else {
            let y = Layout.legendHeight + Layout.emptyBody / 2
            out += "<text class=\"chart-empty\" x=\"\(totalWidth / 2)\" y=\"\(y)\" font-size=\"12\""
            out += " text-anchor=\"middle\">无数据 / No data</text>"
            return out + "</svg>"
        }

        for (rowIndex, row) in rows.enumerated() {
            let top = Layout.legendHeight + rowIndex * rowHeight
            out += "<g class=\"chart-row\"><title>\(Self.escape(row.label))</title>"
            out += "<text class=\"chart-label\" x=\"0\" y=\"\(top + 12)\" font-size=\"12\">"
            out += "\(Self.escape(Self.truncate(row.label, to: Layout.maxLabelCharacters)))</text>"
            if let note = row.note {
                out += "<text class=\"chart-note\" x=\"0\" y=\"\(top + 26)\" font-size=\"10\">"
                out += "\(Self.escape(Self.truncate(note, to: Layout.maxNoteCharacters)))</text>"
            }
            for (index, value) in table[rowIndex].enumerated() {
                let y = top + index * (Layout.barHeight + Layout.barGap)
                // value ≤ maxValue and maxValue > 0, so the ratio is in [0, 1]; tiny values get 1 unit.
                let length = value == 0 ? 0 : max(Double(value) / Double(maxValue) * Double(plotWidth), 1)
                if value > 0 {
                    let cssClass = Self.escape(series[index].cssClass)
                    out += "<rect class=\"bar bar-\(cssClass)\" x=\"\(Layout.labelColumn)\" y=\"\(y)\""
                    out += " width=\"\(Self.number(length))\" height=\"\(Layout.barHeight)\""
                    out += " fill=\"\(Self.colour(index))\" data-value=\"\(value)\"/>"
                }
                let textX = Self.number(Double(Layout.labelColumn) + length + 4)
                out += "<text class=\"chart-value\" x=\"\(textX)\" y=\"\(y + Layout.barHeight - 3)\""
                out += " font-size=\"11\">\(value)</text>"
            }
            out += "</g>"
        }
        return out + "</svg>"
    }

    /// Exactly one value per series, negatives as 0, missing as 0, extras dropped.
    private func normalisedValues(_ row: Row) -> [Int] {
        series.indices.map { $0 < row.values.count ? max(row.values[$0], 0) : 0 }
    }

    /// The data in words, for screen readers: "城关镇：应访 12，已访 10，逾期 2，按时 87.5%；…".
    private func description(_ table: [[Int]]) -> String {
        guard !rows.isEmpty else { return "无数据 / No data" }
        return zip(rows, table).map { row, values in
            var parts = zip(series, values).map { "\($0.label) \($1)" }
            if let note = row.note { parts.append(note) }
            return row.label + "：" + parts.joined(separator: "，")
        }.joined(separator: "；")
    }

    private static func colour(_ index: Int) -> String { Layout.palette[index % Layout.palette.count] }

    private static func truncate(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// An integer, or one decimal place; locale-free, never exponent notation.
    private static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : "", magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// FNV-1a of the title: the same title always gives the same id (Swift's `hashValue` is seeded per run).
    private static func stableID(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "chart-" + String(hash, radix: 16)
    }

    /// Escapes for XML text and attribute values alike; drops characters XML 1.0 forbids.
    private static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

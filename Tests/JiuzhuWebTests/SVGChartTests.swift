import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import JiuzhuWeb
import XCTest

/// Collects every element of a parsed document: its name, attributes and direct text.
private final class Collector: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text: String }
    var elements: [Element] = []
    private var open: [Int] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }
}

private let visitSeries = [
    BarChart.Series(label: "应访", cssClass: "due"),
    BarChart.Series(label: "已访", cssClass: "done"),
    BarChart.Series(label: "逾期", cssClass: "overdue"),
]

private func chart(_ rows: [BarChart.Row], series: [BarChart.Series] = visitSeries, width: Int = 640) -> BarChart {
    BarChart(title: "走访合规 / Visit compliance", series: series, rows: rows, width: width)
}

private func row(_ label: String, _ values: [Int], note: String? = nil) -> BarChart.Row {
    BarChart.Row(label: label, values: values, note: note)
}

final class SVGChartTests: XCTestCase {
    /// Parses `svg`, failing the test if it is not well-formed XML.
    private func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [Collector.Element] {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed: \(String(describing: parser.parserError))\n\(svg)", file: file, line: line)
        return collector.elements
    }

    private func bars(_ elements: [Collector.Element]) -> [Collector.Element] {
        elements.filter { $0.name == "rect" && ($0.attributes["class"] ?? "").hasPrefix("bar ") }
    }

    private func width(_ element: Collector.Element) -> Double {
        Double(element.attributes["width"] ?? "") ?? -1
    }

    private let sample = [
        row("城关镇", [12, 10, 2], note: "按时 87.5%"),
        row("河口乡", [8, 8, 0], note: "按时 100%"),
        row("石门镇", [5, 3, 2], note: nil),
    ]

    // MARK: Structure

    func testRootElementIsAccessibleSVG() {
        let svg = chart(sample).svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 "))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        let elements = parse(svg)
        let root = elements[0]
        XCTAssertEqual(root.name, "svg")
        XCTAssertEqual(root.attributes["role"], "img")
        let ids = (root.attributes["aria-labelledby"] ?? "").split(separator: " ").map(String.init)
        XCTAssertEqual(ids.count, 2)
        let title = elements.first { $0.attributes["id"] == ids.first }
        let desc = elements.first { $0.attributes["id"] == ids.last }
        XCTAssertEqual(title?.name, "title")
        XCTAssertEqual(title?.text, "走访合规 / Visit compliance")
        XCTAssertEqual(desc?.name, "desc")
    }

    func testOneBarPerPositiveValue() {
        let elements = parse(chart(sample).svg())
        XCTAssertEqual(bars(elements).count, 8)  // 3 + 2 + 3: zeros draw no bar
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "chart-row" }.count, 3)
    }

    func testBarsCarryClassFillAndDataValue() {
        let bars = bars(parse(chart([row("城关镇", [12, 10, 2])]).svg()))
        XCTAssertEqual(bars.map { $0.attributes["class"] }, ["bar bar-due", "bar bar-done", "bar bar-overdue"])
        XCTAssertEqual(bars.map { $0.attributes["data-value"] }, ["12", "10", "2"])
        XCTAssertTrue(bars.allSatisfy { ($0.attributes["fill"] ?? "").hasPrefix("#") })
        XCTAssertEqual(Set(bars.compactMap { $0.attributes["fill"] }).count, 3)
    }

    func testEveryValueIsWrittenAsText() {
        let elements = parse(chart([row("城关镇", [12, 0, 2])]).svg())
        let values = elements.filter { $0.attributes["class"] == "chart-value" }.map(\.text)
        XCTAssertEqual(values, ["12", "0", "2"])
    }

    func testLegendHasOneSwatchPerSeries() {
        let elements = parse(chart(sample).svg())
        let swatches = elements.filter { $0.name == "rect" && !($0.attributes["class"] ?? "").hasPrefix("bar ") }
        XCTAssertEqual(swatches.map { $0.attributes["class"] }, ["bar-due", "bar-done", "bar-overdue"])
        let legend = elements.filter { $0.attributes["class"] == "chart-legend" }.map(\.text)
        XCTAssertEqual(legend, ["应访", "已访", "逾期"])
    }

    func testNoteIsDrawnWhenGiven() {
        let elements = parse(chart(sample).svg())
        let notes = elements.filter { $0.attributes["class"] == "chart-note" }.map(\.text)
        XCTAssertEqual(notes, ["按时 87.5%", "按时 100%"])
    }

    func testSingleRow() {
        let elements = parse(chart([row("城关镇", [4, 3, 1])]).svg())
        XCTAssertEqual(bars(elements).count, 3)
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "chart-label" }.map(\.text), ["城关镇"])
    }

    func testHeightGrowsWithRows() {
        func height(_ rowCount: Int) -> Int {
            let rows = (0..<rowCount).map { row("乡\($0)", [1, 1, 1]) }
            let viewBox = parse(chart(rows).svg())[0].attributes["viewBox"] ?? ""
            return Int(viewBox.split(separator: " ").last ?? "") ?? 0
        }
        XCTAssertLessThan(height(1), height(2))
        XCTAssertLessThan(height(2), height(10))
        XCTAssertEqual(height(3) - height(2), height(2) - height(1))
    }

    // MARK: Escaping and CSP

    func testLabelsAreEscaped() {
        let nasty = "<script>&\"'"
        let series = [BarChart.Series(label: nasty, cssClass: "due")]
        let svg = BarChart(title: nasty, series: series, rows: [row(nasty, [3], note: nasty)]).svg()
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssertTrue(svg.contains("&lt;script&gt;&amp;&quot;&apos;"))
        let elements = parse(svg)
        let texts = elements.filter { ["title", "text"].contains($0.name) }.map(\.text)
        XCTAssertEqual(texts.filter { $0 == nasty }.count, 4)  // chart title, legend, row title, note
        // The 11-character label itself is cut to 10 characters, escaped after cutting.
        XCTAssertEqual(elements.first { $0.attributes["class"] == "chart-label" }?.text, "<script>&…")
        XCTAssertTrue(elements.first { $0.name == "desc" }?.text.contains(nasty) ?? false)
    }

    func testCSSClassIsEscaped() {
        let series = [BarChart.Series(label: "x", cssClass: "a\"b")]
        let elements = parse(BarChart(title: "t", series: series, rows: [row("r", [1])]).svg())
        XCTAssertEqual(bars(elements).first?.attributes["class"], "bar bar-a\"b")
    }

    func testForbiddenControlCharactersAreDropped() {
        let elements = parse(chart([row("城关\u{0}镇\u{1B}", [1, 1, 1])]).svg())
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "chart-label" }.map(\.text), ["城关镇"])
    }

    func testNoStyleAnywhere() {
        for rows in [sample, [], [row("a", [0, 0, 0])]] {
            let svg = chart(rows).svg()
            XCTAssertFalse(svg.contains("style"), svg)
        }
    }

    // MARK: Empty data

    func testAllZeroDrawsNoBarsButNoDataText() {
        let svg = chart([row("城关镇", [0, 0, 0]), row("河口乡", [0, 0, 0])]).svg()
        let elements = parse(svg)
        XCTAssertTrue(bars(elements).isEmpty)
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "chart-empty" }.map(\.text), ["无数据 / No data"])
        XCTAssertFalse(svg.contains("NaN"))
        XCTAssertFalse(svg.contains("nan"))
        XCTAssertFalse(svg.contains("inf"))
    }

    func testNoRows() {
        let elements = parse(chart([]).svg())
        XCTAssertTrue(bars(elements).isEmpty)
        XCTAssertTrue(elements.contains { $0.text == "无数据 / No data" })
        XCTAssertEqual(elements.first { $0.name == "desc" }?.text, "无数据 / No data")
    }

    func testNoSeries() {
        let elements = parse(chart([row("城关镇", [5])], series: []).svg())
        XCTAssertTrue(bars(elements).isEmpty)
        XCTAssertTrue(elements.contains { $0.text == "无数据 / No data" })
    }

    // MARK: Scale

    func testLongestBarSpansThePlotWidth() {
        let c = chart(sample)
        let widths = bars(parse(c.svg())).map(width)
        XCTAssertEqual(widths.max(), Double(c.plotWidth))
        XCTAssertEqual(c.plotWidth, 640 - 130 - 56)
    }

    func testHalfValueIsHalfWidth() {
        let c = chart([row("a", [10, 5, 0])])
        let widths = bars(parse(c.svg())).map(width)
        XCTAssertEqual(widths[0], Double(c.plotWidth))
        XCTAssertEqual(widths[1], Double(c.plotWidth) / 2, accuracy: 1)
    }

    func testScaleIsSharedAcrossRows() {
        let c = chart([row("a", [100, 0, 0]), row("b", [25, 0, 0])])
        let widths = bars(parse(c.svg())).map(width)
        XCTAssertEqual(widths[1], Double(c.plotWidth) / 4, accuracy: 1)
    }

    func testTinyValueGetsAtLeastOneUnit() {
        let widths = bars(parse(chart([row("a", [1_000_000, 1, 0])]).svg())).map(width)
        XCTAssertEqual(widths.count, 2)
        XCTAssertGreaterThanOrEqual(widths[1], 1)
    }

    func testHugeValuesStayFinite() {
        let svg = chart([row("a", [Int.max, Int.max / 3, 1])]).svg()
        let widths = bars(parse(svg)).map(width)
        XCTAssertEqual(widths.count, 3)
        XCTAssertTrue(widths.allSatisfy { $0 >= 1 && $0 <= 454 })
    }

    func testNarrowWidthStillHasAPlot() {
        let c = chart(sample, width: 0)
        XCTAssertGreaterThan(c.plotWidth, 0)
        let widths = bars(parse(c.svg())).map(width)
        XCTAssertTrue(widths.allSatisfy { $0 >= 1 })
    }

    func testNumericAttributesArePlainDecimals() {
        let svg = chart([row("a", [7, 3, 1]), row("b", [Int.max, 2, 13])], width: 777).svg()
        let numeric: Set<String> = ["x", "y", "width", "height", "data-value"]
        let pattern = try! NSRegularExpression(pattern: "^[0-9]+(\\.[0-9])?$")
        for element in parse(svg) {
            for (name, value) in element.attributes where numeric.contains(name) {
                let range = NSRange(value.startIndex..., in: value)
                XCTAssertNotNil(pattern.firstMatch(in: value, range: range), "\(name)=\(value)")
            }
        }
    }

    // MARK: Input clean-up

    func testNegativeValuesCountAsZero() {
        let svg = chart([row("a", [-5, 4, -1])]).svg()
        let elements = parse(svg)
        XCTAssertEqual(bars(elements).map { $0.attributes["data-value"] }, ["4"])
        let values = elements.filter { $0.attributes["class"] == "chart-value" }.map(\.text)
        XCTAssertEqual(values, ["0", "4", "0"])
        XCTAssertEqual(elements.first { $0.name == "desc" }?.text, "a：应访 0，已访 4，逾期 0")
    }

    func testAllNegativeIsNoData() {
        let elements = parse(chart([row("a", [-1, -2, -3])]).svg())
        XCTAssertTrue(bars(elements).isEmpty)
        XCTAssertTrue(elements.contains { $0.text == "无数据 / No data" })
    }

    func testMissingValuesCountAsZeroAndExtrasAreIgnored() {
        let elements = parse(chart([row("short", [3]), row("long", [1, 2, 3, 99])]).svg())
        XCTAssertEqual(bars(elements).map { $0.attributes["data-value"] }, ["3", "1", "2", "3"])
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "chart-value" }.count, 6)
        let desc = elements.first { $0.name == "desc" }?.text ?? ""
        XCTAssertEqual(desc, "short：应访 3，已访 0，逾期 0；long：应访 1，已访 2，逾期 3")
        XCTAssertFalse(desc.contains("99"))
    }

    // MARK: Labels

    func testLongLabelIsTruncatedButKeptInTitle() {
        let long = "某某自治县某某某某乡某某村民委员会"
        let elements = parse(chart([row(long, [1, 1, 1])]).svg())
        let label = elements.first { $0.attributes["class"] == "chart-label" }?.text ?? ""
        XCTAssertEqual(label.count, 10)
        XCTAssertTrue(label.hasSuffix("…"))
        XCTAssertTrue(long.hasPrefix(String(label.dropLast())))
        XCTAssertTrue(elements.contains { $0.name == "title" && $0.text == long })
    }

    func testShortLabelIsNotTruncated() {
        let exact = "一二三四五六七八九十"  // exactly at the limit
        let elements = parse(chart([row(exact, [1, 1, 1])]).svg())
        XCTAssertEqual(elements.first { $0.attributes["class"] == "chart-label" }?.text, exact)
    }

    func testTruncationKeepsEscapesWhole() {
        let label = "&&&&&&&&&&&&&&&"
        let elements = parse(chart([row(label, [1, 1, 1])]).svg())
        XCTAssertEqual(elements.first { $0.attributes["class"] == "chart-label" }?.text, "&&&&&&&&&…")
    }

    // MARK: Description and determinism

    func testDescriptionStatesEveryNumber() {
        let elements = parse(chart(sample).svg())
        let desc = elements.first { $0.name == "desc" }?.text ?? ""
        XCTAssertEqual(desc, "城关镇：应访 12，已访 10，逾期 2，按时 87.5%；河口乡：应访 8，已访 8，逾期 0，按时 100%；石门镇：应访 5，已访 3，逾期 2")
        for item in sample {
            XCTAssertTrue(desc.contains(item.label))
            for value in item.values { XCTAssertTrue(desc.contains(" \(value)")) }
        }
    }

    func testOutputIsDeterministic() {
        XCTAssertEqual(chart(sample).svg(), chart(sample).svg())
        let copy = BarChart(title: "走访合规 / Visit compliance", series: visitSeries, rows: sample)
        XCTAssertEqual(copy.svg(), chart(sample).svg())
    }

    func testIDsDependOnTitle() {
        let a = parse(BarChart(title: "A", series: visitSeries, rows: sample).svg())[0]
        let b = parse(BarChart(title: "B", series: visitSeries, rows: sample).svg())[0]
        XCTAssertNotEqual(a.attributes["aria-labelledby"], b.attributes["aria-labelledby"])
    }
}

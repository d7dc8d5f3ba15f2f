import Testing
@testable import JiuzhuCore

struct CSVTextTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("城关镇", "城关镇"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("@x", "'@x"),
        ("-1+2", "'-1+2"),
        ("-12", "-12"),
        ("+3.5", "+3.5"),
        ("-", "'-"),
        ("=a,b", "\"'=a,b\""),
        ("", ""),
    ])
    func cells(_ raw: String, _ written: String) {
        #expect(CSVText.cell(raw) == written)
    }

    @Test func rowsEndWithCRLF() {
        #expect(CSVText.row(["a", "b,c", "3"]) == "a,\"b,c\",3\r\n")
        #expect(CSVText.row([]) == "\r\n")
    }
}

import Testing
@testable import JiuzhuCore

struct CSVReaderTests {
    /// All records of `text`, fed in pieces of `piece` bytes.
    private func read(_ text: String, piece: Int = 1) -> [CSVReader.Record] {
        read(Array(text.utf8), piece: piece)
    }

    private func read(_ bytes: [UInt8], piece: Int = 1, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) -> [CSVReader.Record] {
        var reader = CSVReader(maxRecordBytes: maxRecordBytes)
        var records: [CSVReader.Record] = []
        var start = 0
        while start < bytes.count {
            records += reader.feed(bytes[start..<min(start + piece, bytes.count)])
            start += piece
        }
        return records + reader.finish()
    }

    @Test(arguments: [1, 3, 1_000])
    func quotedCommasNewlinesAndDoubledQuotes(piece: Int) {
        let records = read("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nlast,,\n", piece: piece)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\r\nlines"], ["last", "", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test func lastRecordWithoutLineBreakAndBlankLinesSkipped() {
        let records = read("h1,h2\n\n1,2\r\n\r\n3,4")
        #expect(records.map(\.fields) == [["h1", "h2"], ["1", "2"], ["3", "4"]])
        #expect(records.map(\.line) == [1, 3, 5])
    }

    @Test func byteOrderMarkIsSkippedOnlyAtTheStart() {
        let records = read([0xEF, 0xBB, 0xBF] + Array("member,type\n1,2\n".utf8))
        #expect(records.first?.fields == ["member", "type"])
        // A lone CR ends a line too.
        #expect(read("a\rb\r").map(\.fields) == [["a"], ["b"]])
    }

    @Test func quoteProblemsAreReportedOnTheirRecordAndReadingGoesOn() {
        let records = read("ok,1\nba\"d,2\n\"x\"y,3\nfine,4\n\"never closed,5\nmore\n")
        #expect(records.count == 5)
        #expect(records[0].problem == nil)
        #expect(records[1].problem?.code == "csv.syntax" && records[1].line == 2)
        #expect(records[2].problem?.code == "csv.syntax" && records[2].line == 3)
        #expect(records[3].fields == ["fine", "4"] && records[3].problem == nil)
        #expect(records[4].problem?.message.en.contains("never closed") == true && records[4].line == 5)
    }

    @Test func invalidUTF8AndOverlongRecordsAreProblems() {
        let bad = read(Array("a,b\n".utf8) + [0xC3, 0x28] + Array(",x\nc,d\n".utf8))
        #expect(bad.count == 3)
        #expect(bad[1].problem != nil && bad[2].problem == nil)
        let long = read(Array("short\n".utf8) + Array(repeating: UInt8(ascii: "z"), count: 100) + Array("\nafter\n".utf8),
                        piece: 7, maxRecordBytes: 50)
        #expect(long.map { $0.problem == nil } == [true, false, true])
        #expect(long[2].fields == ["after"])
    }
}

struct DepartmentFileTests {
    static let today = date(2026, 6, 15)
    static let member = residentID("34032119800101123").value
    static let wrongCheck = String(member.dropLast()) + (member.hasSuffix("1") ? "2" : "1")

    private func jsonl(_ text: String, source: String = "tax") -> Result<DepartmentFileItem, UserError> {
        Result { () throws(UserError) in try DepartmentFile.item(jsonLine: Array(text.utf8), source: source, today: Self.today) }
    }

    private func csv(_ header: String, _ row: String, source: String = "tax") -> Result<DepartmentFileItem, UserError> {
        let fields = { (text: String) -> [String] in
            var reader = CSVReader()
            return (reader.feed(Array(text.utf8)) + reader.finish()).first?.fields ?? []
        }
        return Result { () throws(UserError) in
            try DepartmentFile.item(csvFields: fields(row), header: fields(header), source: source, today: Self.today)
        }
    }

    private func error(_ result: Result<DepartmentFileItem, UserError>) -> UserError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func jsonLineWithRecordIdAndTimestamp() throws {
        let item = try jsonl(#"{"member":"\#(Self.member)","type":"income","kind":"wage","month":"2026-04","amount":250000,"recordId":"T-1","timestamp":"2026-05-02T09:00:00+08:00"}"#).get()
        #expect(item.record.source == "tax")
        #expect(item.record.detail == .income(kind: "wage", month: VerificationFixture.month("2026-04"), amount: Money(fen: 250000)))
        #expect(item.recordID == "T-1")
        #expect(item.timestamp == "2026-05-02T09:00:00+08:00")
        // A numeric record id is kept as its digits.
        #expect(try jsonl(#"{"member":"\#(Self.member)","type":"death","date":"2026-01-02","recordId":42}"#).get().recordID == "42")
    }

    @Test func sourceMustMatchTheImportWhenGiven() {
        let line = #"{"source":"bank","member":"\#(Self.member)","type":"death","date":"2026-01-02"}"#
        #expect(error(jsonl(line, source: "tax"))?.code == "department.source_mismatch")
        #expect(error(jsonl(line, source: "tax"))?.field == "source")
        #expect((try? jsonl(line, source: "bank").get())?.record.source == "bank")
    }

    @Test func jsonErrorsNameTheField() {
        let cases: [(String, String, String?)] = [
            (#"{"member":"\#(Self.member)","type":"income","kind":"wage","month":"2026-04","amount":2500.5}"#, "verification.not_integer", "amount"),
            (#"{"member":"\#(Self.member)","type":"income","kind":"salary","month":"2026-04","amount":1}"#, "verification.income_kind", "kind"),
            (#"{"member":"\#(Self.member)","type":"income","kind":"wage","amount":1}"#, "verification.required", "month"),
            (#"{"member":"\#(Self.wrongCheck)","type":"death","date":"2026-01-02"}"#, "resident_id.check_character", "member"),
            (#"{"member":"\#(Self.member)","type":"boat"}"#, "verification.unknown_value", "type"),
            (#"{"member":"\#(Self.member)","type":"death","date":"2026-01-02","recordId":""}"#, "department.record_id", "recordId"),
            (#"{"member":"\#(Self.member)","type":"death","date":"2026-01-02","timestamp":"yesterday"}"#, "department.timestamp", "timestamp"),
            (#"{"member": }"#, "verification.json_syntax", "member"),
            (#"[1]"#, "verification.type", nil),
        ]
        for (line, code, field) in cases {
            let found = error(jsonl(line))
            #expect(found?.code == code, "\(line): \(String(describing: found))")
            #expect(found?.field == field, "\(line): \(String(describing: found))")
        }
    }

    @Test func csvRowBecomesTheSameRecordAsJSON() throws {
        let header = "recordId,member,type,kind,account,asOfDate,balance,timestamp"
        let item = try csv(header, "B-9,\(Self.member),financialAsset,deposit,\"6217,0001\",2026-05-31,120000,2026-06-01", source: "bank").get()
        let same = try jsonl(#"{"member":"\#(Self.member)","type":"financialAsset","kind":"deposit","account":"6217,0001","asOfDate":"2026-05-31","balance":120000}"#, source: "bank").get()
        #expect(item.record == same.record)
        #expect(item.recordID == "B-9" && item.timestamp == "2026-06-01")
    }

    @Test func csvCellsAreTypedAndEmptyMeansAbsent() throws {
        let company = try csv("member,type,role,active,note", "\(Self.member),company,soleTrader,false,ignored column", source: "marketRegistration").get()
        #expect(company.record.detail == .company(role: .soleTrader, active: false))
        #expect(company.recordID == nil)
        let problems: [(String, String, String, String)] = [
            ("member,type,kind,month,amount", "\(Self.member),income,wage,2026-04,12.50", "verification.not_integer", "amount"),
            ("member,type,kind,month,amount", "\(Self.member),income,wage,2026-04,1e5", "verification.not_integer", "amount"),
            ("member,type,kind,month,amount", "\(Self.member),income,wage,2026-04,", "verification.required", "amount"),
            ("member,type,kind,month,amount", "\(Self.member),income,wage,2026-4,100", "month.format", "month"),
            ("member,type,kind,month,amount", "\(Self.member),income,wage,2026-04,-100", "verification.negative", "amount"),
            ("member,type,role,active", "\(Self.member),company,director,yes", "department.csv_bool", "active"),
            ("member,type,plate,vehicleType,value", "\(Self.member),vehicle,湘A1,spaceship,1", "verification.unknown_value", "vehicleType"),
            ("source,member,type,date", "bank,\(Self.member),death,2026-01-01", "department.source_mismatch", "source"),
        ]
        for (header, row, code, field) in problems {
            let found = error(csv(header, row))
            #expect(found?.code == code, "\(row): \(String(describing: found))")
            #expect(found?.field == field, "\(row): \(String(describing: found))")
        }
        #expect(error(csv("member,type,date", "\(Self.member),death"))?.code == "department.csv_cells")
        // A business loss may be negative.
        #expect((try? csv("member,type,kind,month,amount", "\(Self.member),income,business,2026-04,-100").get()) != nil)
    }

    @Test func headerRules() {
        #expect(userError { try DepartmentFile.checkHeader([" member", "type", "amount", "unknownColumn"]) } == nil)
        let cases: [([String], String?)] = [
            (["member", "type", "type"], "type"),
            (["member", "amount"], "type"),
            (["member", "", "type"], nil),
        ]
        for (header, field) in cases {
            let error = userError { try DepartmentFile.checkHeader(header) }
            #expect(error?.code == "department.csv_header", "\(header)")
            #expect(error?.field == field, "\(header)")
        }
    }

    @Test func formatByFileName() {
        #expect((try? DepartmentFileFormat(fileName: "tax-2026.CSV")) == .csv)
        #expect((try? DepartmentFileFormat(fileName: "/tmp/a.jsonl")) == .jsonLines)
        #expect((try? DepartmentFileFormat(fileName: "a.ndjson")) == .jsonLines)
        #expect((try? DepartmentFileFormat(fileName: "a.xlsx")) == nil)
    }
}

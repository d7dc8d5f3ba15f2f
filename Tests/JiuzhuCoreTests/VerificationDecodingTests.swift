import Testing
@testable import JiuzhuCore

/// A valid case file with one record of every type, which the tests break one
/// field at a time.
enum SampleCaseFile {
    static let text = #"""
    {
      "name": "sample",
      "asOf": "2026-06-15",
      "residence": "urban",
      "policy": {
        "standardUrban": 74000, "standardRural": 62000, "edgeMultiplier": "1.5", "referenceMonths": 3,
        "financialAssetMonths": 24, "vehicleValueCap": 3000000,
        "exemptVehicleTypes": ["disability", "farm", "motorcycle", "ebike"], "maxHomes": 1,
        "nonResidentialDisqualifies": true, "companyRoleDisqualifies": true,
        "excludedIncomeKinds": ["assistance", "scholarship"], "deductibleKinds": ["medicalOutOfPocket"],
        "requiredSources": ["tax", "bank"],
        "topUps": [{"group": "elderly", "percentOfStandard": 20}, {"group": "severeDisability", "percentOfStandard": 30}]
      },
      "members": [
        {"id": "340302198203140315", "name": "王建国", "relation": "self", "coResident": true, "status": "normal"},
        {"id": "340303197706300220", "name": "陈芳", "relation": "spouse", "coResident": true, "status": "normal",
         "disability": {"type": "physical", "grade": 2}, "seriousIllness": false}
      ],
      "sources": {"tax": "returned", "bank": "returned"},
      "records": [
        {"source": "tax", "member": "340302198203140315", "type": "income", "kind": "wage", "month": "2026-03", "amount": 150000, "recordId": "T-1"},
        {"source": "tax", "member": "340302198203140315", "type": "income", "kind": "wage", "month": "2026-04", "amount": 150000},
        {"source": "medical", "member": "340303197706300220", "type": "expense", "kind": "medicalOutOfPocket", "month": "2026-04", "amount": 30000},
        {"source": "bank", "member": "340302198203140315", "type": "financialAsset", "kind": "deposit", "account": "6222", "asOfDate": "2026-05-31", "balance": 100000},
        {"source": "vehicle", "member": "340302198203140315", "type": "vehicle", "plate": "皖C12345", "vehicleType": "ebike", "value": 300000},
        {"source": "realEstate", "member": "340302198203140315", "type": "property", "use": "residential", "area": "85.5"},
        {"source": "marketRegistration", "member": "340303197706300220", "type": "company", "role": "soleTrader", "active": false},
        {"source": "civilAffairs", "member": "340303197706300220", "type": "death", "date": "2026-07-01"}
      ],
      "expect": {
        "conclusion": "dibao", "countedMembers": 2, "perCapitaIncome": 45000, "perCapitaFinancialAssets": 50000,
        "flags": [], "missingSources": [], "monthlyBenefit": 80200, "singlePersonEligible": []
      }
    }
    """#

    static var document: JSONValue {
        do {
            return try JSONValue.parse(text)
        } catch {
            preconditionFailure("the sample case does not parse: \(error)")
        }
    }

    /// The sample with the value at `path` (`records[1].month`) replaced, or removed when nil.
    static func with(_ path: String, _ value: JSONValue?) -> JSONValue {
        document.replacing(path, with: value)
    }

    /// The sample's text with one substring replaced, for breaking the syntax.
    static func text(replacing target: String, with replacement: String) -> String {
        guard let range = text.range(of: target) else { preconditionFailure("\(target) not in the sample") }
        return text.replacingCharacters(in: range, with: replacement)
    }
}

extension JSONValue {
    private enum Step { case key(String), index(Int) }

    /// Test helper: the value with the part at `path` (`records[0].amount`)
    /// replaced, or removed when `new` is nil.
    func replacing(_ path: String, with new: JSONValue?) -> JSONValue {
        var steps: [Step] = []
        for part in path.split(separator: ".") {
            let pieces = part.split(separator: "[")
            steps.append(.key(String(pieces[0])))
            for piece in pieces.dropFirst() {
                guard let index = Int(piece.dropLast()) else { preconditionFailure("bad test path \(path)") }
                steps.append(.index(index))
            }
        }
        return Self.replace(self, steps[...], new) ?? .null
    }

    private static func replace(_ value: JSONValue, _ steps: ArraySlice<Step>, _ new: JSONValue?) -> JSONValue? {
        guard let step = steps.first else { return new }
        switch (step, value) {
        case (.key(let key), .object(var members)):
            members[key] = replace(members[key] ?? .null, steps.dropFirst(), new)
            return .object(members)
        case (.index(let index), .array(var items)):
            if let child = replace(items[index], steps.dropFirst(), new) { items[index] = child } else { items.remove(at: index) }
            return .array(items)
        default:
            preconditionFailure("test path does not fit the document")
        }
    }
}

struct VerificationDecodingTests {
    private func decodeError(_ document: JSONValue) -> UserError? {
        userError { try VerificationCase(field: CaseField(document)) }
    }

    private func decodeError(text: String) -> UserError? {
        userError { try VerificationCase(json: text) }
    }

    @Test func theSampleDecodesWithEveryRecordTypeAndGivesItsExpectation() throws {
        let input = try VerificationCase(json: SampleCaseFile.text)
        #expect(Set(input.records.map(\.detail.type)) == Set(RecordType.allCases))
        #expect(input.members[1].disability == (try Disability(type: .physical, grade: 2)))
        #expect(input.members[0].relation == .head)
        #expect(input.policy.edgeMultiplier.numerator == 15 && input.policy.edgeMultiplier.scale == 1)
        // (300000 − 30000) / (3 × 2) = 45000; (74000 − 45000) × 2 + 22200 (grade-2 spouse) = 80200.
        #expect(try VerificationCalculator.evaluate(input).outcome == input.expect)
    }

    @Test(arguments: [
        "records[1].month", "records[0].amount", "records[3].account", "records[4].vehicleType", "records[5].area",
        "records[6].active", "records[7].date", "records[2].kind", "records[0].member", "records[0].source",
        "records[0].type", "members[1].id", "members[0].coResident", "members[0].status", "members[0].relation",
        "members[0].name", "members[1].disability.grade", "members[1].disability.type", "policy.edgeMultiplier",
        "policy.topUps[1].percentOfStandard", "policy.requiredSources", "policy.standardRural", "asOf", "residence",
        "sources", "records", "members", "policy", "name", "expect.monthlyBenefit", "expect.flags",
    ])
    func aMissingFieldIsNamedByItsPath(_ path: String) {
        let error = decodeError(SampleCaseFile.with(path, nil))
        #expect(error?.code == "verification.required", "\(String(describing: error))")
        #expect(error?.field == path)
    }

    @Test func nullIsMissingForARequiredFieldAndAbsentForAnOptionalOne() throws {
        #expect(decodeError(SampleCaseFile.with("records[0].amount", .null))?.field == "records[0].amount")
        let withoutDisability = try VerificationCase(field: CaseField(SampleCaseFile.with("members[1].disability", .null)))
        #expect(withoutDisability.members[1].disability == nil)
        let withoutIllness = try VerificationCase(field: CaseField(SampleCaseFile.with("members[1].seriousIllness", nil)))
        #expect(!withoutIllness.members[1].seriousIllness)
        let withoutExpect = try VerificationCase(field: CaseField(SampleCaseFile.with("expect", nil)))
        #expect(withoutExpect.expect == nil)
    }

    @Test(arguments: [
        ("members[0].coResident", JSONValue.string("yes")), ("records[0].amount", .string("150000")),
        ("records[0].month", .number("202603")), ("policy.edgeMultiplier", .number("1.5")),
        ("members", .object([:])), ("sources", .array([])), ("policy.topUps[0]", .string("elderly")),
        ("records[6].active", .number("1")), ("members[1].disability", .string("physical")),
    ])
    func aValueOfTheWrongTypeIsNamed(path: String, value: JSONValue) {
        let error = decodeError(SampleCaseFile.with(path, value))
        #expect(error?.code == "verification.type", "\(String(describing: error))")
        #expect(error?.field == path)
    }

    @Test(arguments: [
        ("residence", "suburban"), ("members[0].status", "jailed"), ("members[0].relation", "cousin"),
        ("members[1].disability.type", "back"), ("records[0].type", "salary"), ("records[3].kind", "gold"),
        ("records[4].vehicleType", "boat"), ("records[5].use", "farmland"), ("records[6].role", "owner"),
        ("sources.bank", "timeout"), ("policy.topUps[0].group", "veteran"), ("policy.exemptVehicleTypes[2]", "tank"),
        ("expect.conclusion", "maybe"), ("expect.flags", "x"),
    ])
    func anUnknownCodeIsNamedWithTheValidOnes(path: String, value: String) {
        let document = path == "expect.flags" ? SampleCaseFile.with(path, .array([.string(value)]))
                                              : SampleCaseFile.with(path, .string(value))
        let error = decodeError(document)
        #expect(error?.code == "verification.unknown_value", "\(String(describing: error))")
        #expect(error?.field == (path == "expect.flags" ? "expect.flags[0]" : path))
        #expect(error?.message.en.contains(value) == true)
    }

    @Test func badDatesMonthsAndIDsAreNamed() {
        #expect(decodeError(SampleCaseFile.with("asOf", .string("2026-02-30")))?.field == "asOf")
        #expect(decodeError(SampleCaseFile.with("asOf", .string("2026-02-30")))?.code == "date.invalid")
        #expect(decodeError(SampleCaseFile.with("records[7].date", .string("2026/07/01")))?.code == "date.format")
        #expect(decodeError(SampleCaseFile.with("records[3].asOfDate", .string("31.05.2026")))?.field == "records[3].asOfDate")
        for month in ["2026-13", "2026-3", "26-03", "2026-03-01"] {
            let error = decodeError(SampleCaseFile.with("records[1].month", .string(month)))
            #expect(error?.code == "month.format")
            #expect(error?.field == "records[1].month")
        }
        let badCheck = decodeError(SampleCaseFile.with("members[1].id", .string("340303197706300221")))
        #expect(badCheck?.code == "resident_id.check_character")
        #expect(badCheck?.field == "members[1].id")
        let shortID = decodeError(SampleCaseFile.with("records[2].member", .string("3403031977063002")))
        #expect(shortID?.code == "resident_id.length")
        #expect(shortID?.field == "records[2].member")
    }

    @Test func amountsMustBeWholeNonNegativeFenThatFit() throws {
        for (literal, code) in [("-1", "verification.negative"), ("1500.5", "verification.not_integer"),
                                ("1e5", "verification.not_integer"), ("99999999999999999999", "verification.integer_range")] {
            let error = decodeError(SampleCaseFile.with("records[0].amount", .number(literal)))
            #expect(error?.code == code, "\(literal)")
            #expect(error?.field == "records[0].amount")
        }
        #expect(decodeError(SampleCaseFile.with("records[3].balance", .number("-5")))?.field == "records[3].balance")
        #expect(decodeError(SampleCaseFile.with("records[4].value", .number("-5")))?.code == "verification.negative")
        #expect(decodeError(SampleCaseFile.with("policy.standardUrban", .number("-1")))?.field == "policy.standardUrban")
        // A net business income may be a loss.
        var document = SampleCaseFile.with("records[0].kind", .string("business"))
        document = document.replacing("records[0].amount", with: .number("-1"))
        #expect(try VerificationCase(field: CaseField(document)).records[0].detail
                == .income(kind: "business", month: try YearMonth(parsing: "2026-03"), amount: Money(fen: -1)))
    }

    @Test(arguments: ["1,5", "-1.5", "1.", ".5", "1.5e0", " 1.5", "", "一点五", "1234567890123456789"])
    func aBadEdgeMultiplierIsNamed(_ text: String) {
        let error = decodeError(SampleCaseFile.with("policy.edgeMultiplier", .string(text)))
        #expect(error?.field == "policy.edgeMultiplier")
        #expect(error?.code.hasPrefix("decimal.") == true)
    }

    @Test func policyCountsAreRangeChecked() {
        let zeroMonths = decodeError(SampleCaseFile.with("policy.referenceMonths", .number("0")))
        #expect(zeroMonths?.code == "verification.out_of_range")
        #expect(zeroMonths?.field == "policy.referenceMonths")
        #expect(decodeError(SampleCaseFile.with("policy.maxHomes", .number("-1")))?.field == "policy.maxHomes")
        let grade = decodeError(SampleCaseFile.with("members[1].disability.grade", .number("5")))
        #expect(grade?.code == "disability.grade")
        #expect(grade?.field == "members[1].disability.grade")
    }

    @Test func anIncomeKindMustBeCountedSubtractedOrExcludedByThePolicy() throws {
        let error = decodeError(SampleCaseFile.with("records[1].kind", .string("lottery")))
        #expect(error?.code == "verification.income_kind")
        #expect(error?.field == "records[1].kind")
        #expect(error?.message.zh.contains("lottery") == true)
        // Listed as excluded, the same kind is accepted and adds nothing.
        let excluded = SampleCaseFile.with("records[1].kind", .string("lottery"))
            .replacing("policy.excludedIncomeKinds[0]", with: .string("lottery"))
        let input = try VerificationCase(field: CaseField(excluded))
        #expect(try VerificationCalculator.evaluate(input).outcome.perCapitaIncome == Money(fen: 20_000))
        // An expense kind neither national nor deductible is refused too.
        #expect(decodeError(SampleCaseFile.with("records[2].kind", .string("tuition")))?.field == "records[2].kind")
    }

    @Test func aMemberListedTwiceIsNamed() {
        let error = decodeError(SampleCaseFile.with("members[1].id", .string("340302198203140315")))
        #expect(error?.code == "verification.duplicate_member")
        #expect(error?.field == "members[1].id")
    }

    @Test func unknownKeysAreIgnored() throws {
        let extra = SampleCaseFile.with("records[1].timestamp", .string("2026-06-01T08:00:00+08:00"))
            .replacing("comment", with: .string("department export"))
        #expect(try VerificationCase(field: CaseField(extra)).records.count == 8)
    }

    @Test func syntaxErrorsGiveLineColumnAndPath() {
        let truncated = decodeError(text: String(SampleCaseFile.text.prefix(200)))
        #expect(truncated?.code == "verification.json_syntax")
        #expect(truncated?.message.zh.contains("第") == true)
        let missingComma = decodeError(text: SampleCaseFile.text(replacing: #""month": "2026-04","#,
                                                                 with: #""month": "2026-04""#))
        #expect(missingComma?.code == "verification.json_syntax")
        #expect(missingComma?.field == "records[1]")
        #expect(missingComma?.message.en.contains("line 22, column") == true)
        let duplicate = decodeError(text: SampleCaseFile.text(replacing: #""name": "sample","#,
                                                              with: #""name": "sample", "name": "again","#))
        #expect(duplicate?.field == "name")
        #expect(duplicate?.message.en.contains("appears twice") == true)
        #expect(decodeError(text: "")?.code == "verification.json_syntax")
        #expect(decodeError(text: SampleCaseFile.text + " x")?.code == "verification.json_syntax")
    }

    @Test func aDocumentThatIsNotAnObjectFailsOnNoField() {
        let error = decodeError(text: "[1, 2]")
        #expect(error?.code == "verification.type")
        #expect(error?.field == nil)
    }

    @Test func invalidUTF8AndHostileNestingAreErrorsNotCrashes() {
        #expect(userError { try VerificationCase(json: [0x7B, 0xFF, 0x7D]) }?.code == "verification.json_encoding")
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(userError { try JSONValue.parse(deep) }?.code == "verification.json_syntax")
    }

    @Test func everyInputErrorHasAChineseAndAnEnglishMessage() {
        let errors = [
            decodeError(SampleCaseFile.with("records[1].month", nil)),
            decodeError(SampleCaseFile.with("residence", .string("x"))),
            decodeError(SampleCaseFile.with("records[0].amount", .number("1.5"))),
            decodeError(text: "{"),
        ]
        for error in errors {
            #expect(error?.message.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } == true)
            #expect(error?.message.en.isEmpty == false)
        }
    }
}

struct CaseJSONTests {
    @Test func stringsUnescapeIncludingSurrogatePairs() throws {
        let value = try JSONValue.parse(#"["a\"b\\c\/\n\t", "\u738b\u5efa\u56fd", "\ud83d\ude00", "王"]"#)
        #expect(value == .array([.string("a\"b\\c/\n\t"), .string("王建国"), .string("😀"), .string("王")]))
    }

    @Test(arguments: [#"["\ud83d"]"#, #"["\x"]"#, "[\"a\nb\"]", "[01]", "[1.]", "[-]", "[1e]", "[tru]", "{\"a\" 1}", "[1,]"])
    func malformedInputIsASyntaxError(_ text: String) {
        #expect(userError { try JSONValue.parse(text) }?.code == "verification.json_syntax", "\(text)")
    }

    @Test func renderingEscapesAndReadsBack() throws {
        let value = JSONValue.object(["b": .array([.string("\"\u{01}\n王"), .bool(true), .null]), "a": .number("-0.5e3"),
                                      "c": .object([:])])
        for pretty in [true, false] {
            #expect(try JSONValue.parse(value.rendered(pretty: pretty)) == value)
        }
        #expect(value.rendered(pretty: false) == #"{"a":-0.5e3,"b":["\"\u0001\n王",true,null],"c":{}}"#)
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([:]))
    }
}

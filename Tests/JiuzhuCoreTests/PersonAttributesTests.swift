import Foundation
import Testing
@testable import JiuzhuCore

struct DisabilityTests {
    let person = residentID("34052419800101001")   // 34052419800101001X

    @Test(arguments: [
        (DisabilityType.visual, 1, "视力残疾"), (.hearing, 2, "听力残疾"), (.speech, 3, "言语残疾"),
        (.physical, 4, "肢体残疾"), (.intellectual, 5, "智力残疾"), (.mental, 6, "精神残疾"), (.multiple, 7, "多重残疾"),
    ] as [(DisabilityType, Int, String)])
    func typesCarryTheirCardDigitAndName(type: DisabilityType, digit: Int, zh: String) {
        #expect(type.digit == digit)
        #expect(DisabilityType(digit: digit) == type)
        #expect(type.name.zh == zh)
        #expect(type.name.en == type.rawValue)
    }

    @Test(arguments: [0, 8, 9, -1])
    func noTypeHasAnotherDigit(digit: Int) {
        #expect(DisabilityType(digit: digit) == nil)
    }

    @Test(arguments: [("physical", DisabilityType.physical), ("4", .physical), (" mental ", .mental), ("1", .visual),
                      ("7", .multiple)] as [(String, DisabilityType)])
    func parsesTypeCodesAndDigits(code: String, type: DisabilityType) throws {
        #expect(try DisabilityType(code: code) == type)
    }

    @Test(arguments: ["", "0", "8", "Physical", "肢体", "44", "physical2"])
    func rejectsUnknownTypes(code: String) {
        let error = userError { try DisabilityType(code: code, field: "members[1].disabilityType") }
        #expect(error?.code == "disability.type")
        #expect(error?.field == "members[1].disabilityType")
    }

    @Test(arguments: [0, 5, -1, 10])
    func rejectsGradesOutsideOneToFour(grade: Int) {
        let error = userError { try Disability(type: .physical, grade: grade) }
        #expect(error?.code == "disability.grade")
        #expect(error?.field == "disabilityGrade")
    }

    @Test(arguments: [("1", 1), ("4", 4), (" 2 ", 2), ("二", 2), ("三级", 3), ("4级", 4), ("一级", 1)] as [(String, Int)])
    func parsesGradesAsWritten(raw: String, grade: Int) throws {
        #expect(try Disability.parseGrade(raw) == grade)
    }

    @Test(arguments: ["", "0", "5", "五", "级", "12", "1.0", "２"])
    func rejectsGradesThatAreNotOneToFour(raw: String) {
        #expect(userError { try Disability.parseGrade(raw, field: "g") }?.code == "disability.grade")
        #expect(userError { try Disability.parseGrade(raw, field: "g") }?.field == "g")
    }

    /// FORMAT.md rule 10: grade 1–2, or grade 3 intellectual or mental.
    @Test func severityFollowsTheSingleHouseholdRule() throws {
        for type in DisabilityType.allCases {
            #expect(try Disability(type: type, grade: 1).isSevere)
            #expect(try Disability(type: type, grade: 2).isSevere)
            #expect(try Disability(type: type, grade: 3).isSevere == (type == .intellectual || type == .mental))
            #expect(try !Disability(type: type, grade: 4).isSevere)
        }
    }

    @Test func cardNumberIsTheIDThenTypeThenGrade() throws {
        let card = try Disability(type: .physical, grade: 2).cardNumber(for: person)
        #expect(card == "34052419800101001X42")
        #expect(card.count == 20)
    }

    @Test func everyTypeAndGradeRoundTripsThroughTheCardNumber() throws {
        for type in DisabilityType.allCases {
            for grade in 1...4 {
                let disability = try Disability(type: type, grade: grade)
                let read = try Disability.fromCardNumber(disability.cardNumber(for: person), id: person)
                #expect(read == disability)
            }
        }
    }

    @Test func acceptsLowerCaseXAndSurroundingSpaces() throws {
        let read = try Disability.fromCardNumber("  34052419800101001x63 ", id: person)
        #expect(read.type == .mental)
        #expect(read.grade == 3)
    }

    @Test(arguments: [
        ("", "disability_card.empty"), ("   ", "disability_card.empty"),
        ("34052419800101001X4", "disability_card.length"), ("34052419800101001X421", "disability_card.length"),
        ("34052419800101001X", "disability_card.length"),
        ("11010519491231002X42", "disability_card.id_mismatch"), ("34052419800101002X42", "disability_card.id_mismatch"),
        ("34052419800101001042", "disability_card.id_mismatch"),
        ("34052419800101001X02", "disability_card.type"), ("34052419800101001X82", "disability_card.type"),
        ("34052419800101001X92", "disability_card.type"), ("34052419800101001XA2", "disability_card.type"),
        ("34052419800101001X40", "disability_card.grade"), ("34052419800101001X45", "disability_card.grade"),
        ("34052419800101001X4X", "disability_card.grade"), ("34052419800101001X4-", "disability_card.grade"),
    ] as [(String, String)])
    func rejectsCardNumbersThatDoNotFitThePerson(card: String, code: String) {
        let error = userError { try Disability.fromCardNumber(card, id: person, field: "members[0].disabilityCard") }
        #expect(error?.code == code)
        #expect(error?.field == "members[0].disabilityCard")
    }

    @Test func decodesOnlyValidGrades() throws {
        let good = try JSONDecoder().decode(Disability.self, from: Data(#"{"type":"physical","grade":1}"#.utf8))
        #expect(good == (try Disability(type: .physical, grade: 1)))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Disability.self, from: Data(#"{"type":"physical","grade":5}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Disability.self, from: Data(#"{"type":"legs","grade":1}"#.utf8))
        }
        let encoded = try JSONEncoder().encode(good)
        #expect(try JSONDecoder().decode(Disability.self, from: encoded) == good)
    }
}

struct MemberAttributeTests {
    @Test func onlyNormalStatusCountsInTheHousehold() {
        #expect(MemberStatus.allCases.filter(\.countsInHousehold) == [.normal])
        #expect(Set(MemberStatus.allCases.map(\.name.zh)).count == MemberStatus.allCases.count)
    }

    @Test func fullTimeStudentsUpToBachelorAreNotPostgraduatesOrNonStudents() {
        let counted = StudentStatus.allCases.filter(\.isFullTimeUpToBachelor)
        #expect(counted == [.preschool, .primary, .juniorSecondary, .seniorSecondary, .vocational, .undergraduate])
    }

    @Test func everyChoiceHasDistinctNamesInBothLanguages() {
        func distinct(_ names: [Bilingual]) -> Bool {
            Set(names.map(\.zh)).count == names.count && Set(names.map(\.en)).count == names.count
                && names.allSatisfy { !$0.zh.isEmpty && !$0.en.isEmpty }
        }
        #expect(distinct(EmploymentStatus.allCases.map(\.name)))
        #expect(distinct(StudentStatus.allCases.map(\.name)))
        #expect(distinct(MemberStatus.allCases.map(\.name)))
        #expect(distinct(Relationship.allCases.map(\.name)))
        #expect(distinct(DisabilityType.allCases.map(\.name)))
        #expect(ResidenceKind.urban.name.zh == "城镇")
        #expect(ResidenceKind.rural.name.zh == "农村")
    }

    @Test(arguments: [
        ("340302001001", ResidenceKind.urban), ("340302001199", .urban), ("340302001099", .urban),
        ("340302100200", .rural), ("340302100399", .rural), ("340322100203", .rural),
    ] as [(String, ResidenceKind)])
    func villageCodesImplyUrbanOrRural(code: String, kind: ResidenceKind) {
        #expect(ResidenceKind.inferred(from: regionCode(code)) == kind)
    }

    @Test(arguments: ["34", "3403", "340302", "340302001"])
    func codesAboveVillageImplyNothing(code: String) {
        #expect(ResidenceKind.inferred(from: regionCode(code)) == nil)
    }
}

struct RelationshipTests {
    @Test(arguments: [
        (Relationship.head, "02", "户主", "self"), (.spouse, "10", "配偶", "spouse"), (.son, "20", "子", "child"),
        (.daughter, "30", "女", "child"), (.grandchild, "40", "孙子女或外孙子女", "grandchild"),
        (.parent, "50", "父母", "parent"), (.grandparent, "60", "祖父母或外祖父母", "other"),
        (.sibling, "70", "兄弟姐妹", "sibling"), (.otherRelative, "80", "其他亲属", "other"),
        (.nonRelative, "99", "非亲属", "other"),
    ] as [(Relationship, String, String, String)])
    func hasGBCodeNameAndCaseRelation(relation: Relationship, code: String, zh: String, caseRelation: String) throws {
        #expect(relation.rawValue == code)
        #expect(relation.name.zh == zh)
        #expect(relation.caseRelation == caseRelation)
        #expect(try Relationship(code: code) == relation)
    }

    @Test func caseRelationsAreTheWordsOfTheCaseFormat() {
        let words: Set<String> = ["self", "spouse", "child", "parent", "sibling", "grandchild", "other"]
        #expect(Set(Relationship.allCases.map(\.caseRelation)) == words)
    }

    @Test(arguments: [
        ("01", Relationship.head), ("11", .spouse), ("12", .spouse), ("21", .son), ("22", .son), ("31", .daughter),
        ("39", .daughter), ("41", .grandchild), ("44", .grandchild), ("51", .parent), ("52", .parent), ("55", .parent),
        ("61", .grandparent), ("71", .sibling), ("72", .sibling), ("81", .otherRelative), ("86", .otherRelative),
        (" 10 ", .spouse), ("spouse", .spouse), ("head", .head), ("nonRelative", .nonRelative),
    ] as [(String, Relationship)])
    func readsTheFinerCodesIntoTheirGroup(code: String, relation: Relationship) throws {
        #expect(try Relationship(code: code) == relation)
    }

    @Test(arguments: ["", "00", "03", "09", "90", "91", "98", "1", "100", "xx", "Spouse", "配偶", "１０"])
    func rejectsUnknownCodes(code: String) {
        let error = userError { try Relationship(code: code, field: "members[3].relation") }
        #expect(error?.code == "relation.unknown")
        #expect(error?.field == "members[3].relation")
    }
}

struct PhoneNumberTests {
    @Test(arguments: [
        ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"), ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"), ("  19912345678\u{3000}", "19912345678"), ("(+86) 16612345678", "16612345678"),
        ("0552-1234567", "0552-1234567"), ("05521234567", "0552-1234567"), ("(0552)1234567", "0552-1234567"),
        ("0552 123 4567", "0552-1234567"), ("（0552）1234567", "0552-1234567"), ("0755-87654321", "0755-87654321"),
        ("010-12345678", "010-12345678"), ("01012345678", "010-12345678"), ("021 6543 2109", "021-65432109"),
        ("02087654321", "020-87654321"), ("+86 552 1234567", "0552-1234567"), ("+86 10 12345678", "010-12345678"),
        ("0086 552 1234567", "0552-1234567"),
    ] as [(String, String)])
    func normalisesMobileAndLandlineNumbers(raw: String, value: String) throws {
        #expect(try PhoneNumber(raw).value == value)
    }

    @Test func theSameNumberTypedTwoWaysIsEqual() throws {
        #expect(try PhoneNumber("+86 138-1234-5678") == PhoneNumber("13812345678"))
        #expect(try PhoneNumber("(0552) 123 4567") == PhoneNumber("0552-1234567"))
    }

    @Test(arguments: [
        ("", "phone.empty"), ("   ", "phone.empty"),
        ("abc", "phone.characters"), ("１３８１２３４５６７８", "phone.characters"), ("138123456７8", "phone.characters"),
        ("138.1234.5678", "phone.characters"), ("138+12345678", "phone.characters"), ("0552-1234567 ext 8", "phone.characters"),
        ("1381234567", "phone.mobile"), ("138123456789", "phone.mobile"), ("12812345678", "phone.mobile"),
        ("10012345678", "phone.mobile"), ("+86 1381234567", "phone.mobile"),
        ("0552-123456", "phone.landline"), ("0552-123456789", "phone.landline"), ("0001234567", "phone.landline"),
        ("011-12345678", "phone.landline"), ("0552-0123456", "phone.landline"),
        ("0", "phone.landline"), ("0552", "phone.landline"),
        ("2345678", "phone.format"), ("+1 650 555 1234", "phone.format"), ("+44 20 7946 0958", "phone.format"),
        ("95588", "phone.format"),
    ] as [(String, String)])
    func rejectsNumbersThatCannotBeDialled(raw: String, code: String) {
        let error = userError { try PhoneNumber(raw, field: "members[0].phone") }
        #expect(error?.code == code)
        #expect(error?.field == "members[0].phone")
    }

    @Test(arguments: [("13812345678", "138****5678"), ("0552-1234567", "0552-***4567"), ("010-12345678", "010-****5678")]
          as [(String, String)])
    func masksTheMiddleDigits(raw: String, masked: String) throws {
        let phone = try PhoneNumber(raw)
        #expect(phone.masked == masked)
        #expect("\(phone)" == masked)
    }

    @Test func codesAsTheNormalisedNumberAndValidatesOnDecoding() throws {
        let phone = try PhoneNumber("138 1234 5678")
        let data = try JSONEncoder().encode([phone])
        #expect(String(decoding: data, as: UTF8.self) == #"["13812345678"]"#)
        #expect(try JSONDecoder().decode([PhoneNumber].self, from: data) == [phone])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["12345"]"#.utf8)) }
    }
}

struct TextRuleTests {
    @Test(arguments: [("王建国", "王**"), ("李四", "李*"), ("王", "*"), ("", ""), ("欧阳娜娜", "欧***"),
                      ("阿依古丽·买买提", "阿*******")] as [(String, String)])
    func masksAllButTheFirstCharacterOfAName(name: String, masked: String) {
        #expect(maskName(name) == masked)
    }

    @Test(arguments: [("王建国", "王建国"), (" 李四 ", "李四"), ("\u{3000}张三\u{3000}", "张三"),
                      ("阿依古丽·买买提", "阿依古丽·买买提"), ("John Smith", "John Smith"), ("王一", "王一"),
                      (String(repeating: "王", count: 30), String(repeating: "王", count: 30))] as [(String, String)])
    func acceptsNamesAndTrimsThem(raw: String, name: String) throws {
        #expect(try TextRules.name(raw, field: "name") == name)
    }

    @Test(arguments: [
        ("", "name.required"), ("  ", "name.required"), ("\u{3000}", "name.required"),
        (String(repeating: "王", count: 31), "name.too_long"),
        ("王\n建国", "name.control_characters"), ("王\u{0007}", "name.control_characters"),
        ("王\u{2028}建国", "name.control_characters"), ("王\t建国", "name.control_characters"),
        ("王建国2", "name.digits"), ("王建国２", "name.digits"), ("3", "name.digits"),
    ] as [(String, String)])
    func rejectsNamesThatAreEmptyLongOrNotNames(raw: String, code: String) {
        let error = userError { try TextRules.name(raw, field: "proxyName") }
        #expect(error?.code == code)
        #expect(error?.field == "proxyName")
    }

    @Test(arguments: [("  某村 3 组 ", "某村 3 组"), ("第一行\r\n第二行", "第一行\n第二行"), ("a\rb", "a\nb"),
                      ("a\nb", "a\nb"), ("12345", "12345")] as [(String, String)])
    func keepsFreeTextWithLineBreaks(raw: String, text: String) throws {
        #expect(try TextRules.freeText(raw, field: "address", max: 10) == text)
    }

    @Test func countsCharactersNotBytesAgainstTheLimit() throws {
        #expect(try TextRules.freeText(String(repeating: "村", count: 10), field: "f", max: 10).count == 10)
        let error = userError { try TextRules.freeText(String(repeating: "村", count: 11), field: "f", max: 10) }
        #expect(error?.code == "text.too_long")
        #expect(error?.field == "f")
    }

    @Test(arguments: [("", "text.required"), (" \n ", "text.required"), ("a\tb", "text.control_characters"),
                      ("a\u{0000}b", "text.control_characters"), ("a\u{001B}b", "text.control_characters")]
          as [(String, String)])
    func rejectsEmptyRequiredTextAndControlCharacters(raw: String, code: String) {
        let error = userError { try TextRules.freeText(raw, field: "reason", max: 100) }
        #expect(error?.code == code)
        #expect(error?.field == "reason")
    }

    @Test func optionalTextIsNilWhenBlankOrAbsent() throws {
        #expect(try TextRules.optionalFreeText(nil, field: "f", max: 5) == nil)
        #expect(try TextRules.optionalFreeText("  ", field: "f", max: 5) == nil)
        #expect(try TextRules.optionalFreeText(" x ", field: "f", max: 5) == "x")
        #expect(userError { try TextRules.optionalFreeText("123456", field: "f", max: 5) }?.code == "text.too_long")
    }
}

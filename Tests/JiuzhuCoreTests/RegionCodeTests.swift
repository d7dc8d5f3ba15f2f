import Foundation
import Testing
@testable import JiuzhuCore

struct RegionCodeTests {
    func code(_ raw: String) -> RegionCode {
        do {
            return try RegionCode(raw)
        } catch {
            preconditionFailure("test region \(raw) is invalid: \(error)")
        }
    }

    @Test(arguments: [
        ("34", "34", RegionLevel.province), ("3403", "3403", .city), ("340302", "340302", .county),
        ("340302001", "340302001", .township), ("340302001001", "340302001001", .village),
        ("340000", "34", .province), ("340300", "3403", .city), ("429004", "429004", .county),
        ("340302001000", "340302001", .township), ("340302000000", "340302", .county),
        ("340300000000", "3403", .city), ("340000000000", "34", .province),
        (" 3403 ", "3403", .city), ("110101", "110101", .county), ("110100", "1101", .city),
        ("340302100", "340302100", .township), ("340302100200", "340302100200", .village),
    ] as [(String, String, RegionLevel)])
    func acceptsCompactAndPaddedForms(raw: String, value: String, level: RegionLevel) throws {
        let region = try RegionCode(raw)
        #expect(region.value == value)
        #expect(region.level == level)
    }

    @Test(arguments: [
        "34a3", "３４", "-34", "34.03", "3403 01", "00", "0000", "3400", "000000", "340012",
        "340302000", "340302000001", "000000000000", "003403", "0003", "340000001",
    ])
    func rejectsMalformedCodes(raw: String) {
        let error = userError { try RegionCode(raw, field: "county") }
        #expect(error?.code == "region.format")
        #expect(error?.field == "county")
    }

    @Test(arguments: ["", " ", "3", "340", "34030", "3403020", "34030200", "3403020010", "34030200100", "3403020010011"])
    func rejectsCodesOfTheWrongLength(raw: String) {
        let error = userError { try RegionCode(raw) }
        #expect(error?.code == "region.length")
        #expect(error?.field == "region")
    }

    @Test(arguments: [
        ("34", nil), ("3403", "34"), ("340302", "3403"), ("340302001", "340302"), ("340302001001", "340302001"),
    ] as [(String, String?)])
    func knowsItsParent(raw: String, parent: String?) {
        #expect(code(raw).parent?.value == parent)
    }

    @Test func listsAncestorsProvinceFirstAndLineageEndingWithItself() {
        let village = code("340302001001")
        #expect(village.ancestors.map(\.value) == ["34", "3403", "340302", "340302001"])
        #expect(village.lineage.map(\.value) == ["34", "3403", "340302", "340302001", "340302001001"])
        #expect(code("34").ancestors.isEmpty)
        #expect(code("34").lineage == [code("34")])
        #expect(code("340302").ancestors == [code("34"), code("3403")])
        #expect(village.ancestor(at: .city) == code("3403"))
        #expect(village.ancestor(at: .village) == village)
        #expect(code("3403").ancestor(at: .county) == nil)
    }

    @Test(arguments: [
        ("34", "340000"), ("3403", "340300"), ("340302", "340302"),
        ("340302001", "340302001000"), ("340302001001", "340302001001"),
    ] as [(String, String)])
    func displaysTheGb2260PaddedForm(raw: String, padded: String) {
        #expect(code(raw).gb2260 == padded)
        #expect(code(padded) == code(raw))
    }

    @Test func containsItselfAndItsDescendantsOnly() {
        let city = code("3403")
        #expect(city.contains(city))
        #expect(city.contains(code("340302")))
        #expect(city.contains(code("340302001001")))
        #expect(!city.contains(code("34")))
        #expect(!city.contains(code("3404")))
        #expect(!city.contains(code("340402001")))
        #expect(code("34").contains(code("3430")))
        #expect(!code("34").contains(code("35")))
        #expect(!code("340302").contains(code("340303001")))
        #expect(!code("340302001").contains(code("340302002001")))
    }

    @Test func comparesByValueSoThatChildrenFollowTheirParent() {
        let codes = ["35", "340302001", "3403", "34", "340302", "3404", "340301"].map(code)
        #expect(codes.sorted().map(\.value) == ["34", "3403", "340301", "340302", "340302001", "3404", "35"])
    }

    /// Random codes at every level obey the tree laws.
    @Test func parentAncestorsAndContainsObeyTheTreeLaws() throws {
        var generator = SeededGenerator(seed: 2260)
        func segment(_ width: Int) -> String {
            let upper = (0..<width).reduce(1) { acc, _ in acc * 10 } - 1
            return zeroPadded(Int.random(in: 1...upper, using: &generator), width: width)
        }
        var all: [RegionCode] = []
        for _ in 0..<2000 {
            let widths = [2, 2, 2, 3, 3].prefix(Int.random(in: 1...5, using: &generator))
            // Few distinct provinces and cities, so that random pairs are often related.
            let text = widths.enumerated().map { index, width in
                index < 2 ? zeroPadded(Int.random(in: 1...3, using: &generator), width: width) : segment(width)
            }.joined()
            let region = try RegionCode(text)
            all.append(region)

            #expect(region.value == text)
            #expect(region.level.codeLength == text.count)
            #expect(region.ancestors.count == region.level.rawValue - 1)
            #expect(region.lineage.last == region)
            #expect(region.lineage.map(\.level) == RegionLevel.allCases.filter { $0 <= region.level })
            #expect(region.ancestors.allSatisfy { $0.contains(region) && !region.contains($0) && $0 < region })
            #expect(region.parent == region.ancestors.last)
            if let parent = region.parent {
                #expect(parent.level.rawValue == region.level.rawValue - 1)
                #expect(parent.contains(region))
            } else {
                #expect(region.level == .province)
            }
            #expect(try RegionCode(region.gb2260) == region)
            #expect(region.gb2260.count == (region.level <= .county ? 6 : 12))
            #expect(try JSONDecoder().decode(RegionCode.self, from: JSONEncoder().encode(region)) == region)
        }
        for _ in 0..<3000 {
            let a = all.randomElement(using: &generator)!
            let b = all.randomElement(using: &generator)!
            let c = all.randomElement(using: &generator)!
            #expect((a.contains(b) && b.contains(a)) == (a == b))
            if a.contains(b) && b.contains(c) { #expect(a.contains(c)) }
            // Containment is exactly "a is in b's lineage".
            #expect(a.contains(b) == b.lineage.contains(a))
        }
    }

    @Test func levelsHaveLengthsNamesAndOrder() {
        #expect(RegionLevel.allCases.map(\.codeLength) == [2, 4, 6, 9, 12])
        #expect(RegionLevel.allCases.map(\.name.zh) == ["省", "市", "县（区）", "乡镇（街道）", "村（社区）"])
        #expect(RegionLevel.allCases.map(\.name.en) == ["province", "city", "county", "township", "village"])
        #expect(RegionLevel.province < .city && .township < .village)
        #expect(RegionLevel.allCases.sorted() == RegionLevel.allCases)
        #expect(RegionLevel(codeLength: 9) == .township)
        #expect(RegionLevel(codeLength: 8) == nil)
    }

    @Test func encodesAsTheCompactStringAndAcceptsPaddedFormsWhenDecoding() throws {
        let data = try JSONEncoder().encode([code("3403")])
        #expect(String(decoding: data, as: UTF8.self) == #"["3403"]"#)
        #expect(try JSONDecoder().decode([RegionCode].self, from: Data(#"["340300"]"#.utf8)) == [code("3403")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([RegionCode].self, from: Data(#"["34a"]"#.utf8))
        }
        #expect(code("340302").description == "340302")
    }
}

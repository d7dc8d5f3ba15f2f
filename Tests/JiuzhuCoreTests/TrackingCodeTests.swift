import Foundation
import Testing
@testable import JiuzhuCore

struct TrackingCodeTests {
    static let dataSymbols = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let checkSymbols = dataSymbols + Array("*~$=U")

    /// The check symbol computed independently of the implementation: the
    /// payload's value mod 37, accumulated digit by digit.
    static func expectedCheck(_ payload: String) -> Character {
        var remainder = 0
        for symbol in payload {
            remainder = (remainder * 32 + (dataSymbols.firstIndex(of: symbol) ?? 0)) % 37
        }
        return checkSymbols[remainder]
    }

    static func randomCodes(_ count: Int, seed: UInt64) -> [TrackingCode] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in TrackingCode.generate(using: &rng) }
    }

    /// Vectors computed with a separate script; they cover the five extra check symbols.
    @Test(arguments: [
        ("0000000000", "JZ00000000000"), ("0000000001", "JZ00000000011"), ("ZZZZZZZZZZ", "JZZZZZZZZZZZX"),
        ("4K7M2Q9XW3", "JZ4K7M2Q9XW37"), ("ABCDEFGHJK", "JZABCDEFGHJKQ"), ("0000000020", "JZ0000000020V"),
        ("JFZ86M2T4R", "JZJFZ86M2T4R*"), ("AADHNGQNN7", "JZAADHNGQNN7~"), ("HFH7BPJ4AA", "JZHFH7BPJ4AA$"),
        ("BB5G2451W0", "JZBB5G2451W0="), ("HR17NP87G9", "JZHR17NP87G9U"),
    ] as [(String, String)])
    func appendsTheCrockfordMod37CheckSymbol(payload: String, value: String) throws {
        #expect(String(Self.expectedCheck(payload)) == String(value.suffix(1)))
        let code = try TrackingCode(parsing: value)
        #expect(code.value == value)
    }

    @Test func generatedCodesHaveTheFormatAndTheirCheckSymbol() {
        let wrong = Self.randomCodes(2_000, seed: 1).filter { code in
            let chars = Array(code.value)
            return chars.count != 13 || !code.value.hasPrefix("JZ") || !chars[2..<12].allSatisfy(Self.dataSymbols.contains)
                || chars[12] != Self.expectedCheck(String(chars[2..<12]))
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test func generatedCodesDoNotRepeat() {
        let codes = Self.randomCodes(20_000, seed: 2)
        #expect(Set(codes).count == codes.count)
    }

    @Test func generationIsDeterministicForASeededGenerator() {
        #expect(Self.randomCodes(50, seed: 3) == Self.randomCodes(50, seed: 3))
        #expect(Self.randomCodes(50, seed: 3) != Self.randomCodes(50, seed: 4))
    }

    @Test func displaysInGroupsOfFourAndParsesBack() throws {
        let code = try TrackingCode(parsing: "JZ4K7M2Q9XW37")
        #expect(code.description == "JZ-4K7M-2Q9X-W37")
        #expect("\(code)" == "JZ-4K7M-2Q9X-W37")
        for code in Self.randomCodes(500, seed: 5) {
            #expect(try TrackingCode(parsing: code.description) == code)
            #expect(try TrackingCode(parsing: code.value) == code)
            #expect(code.description.count == 16)
        }
    }

    @Test(arguments: [
        "jz4k7m2q9xw37", "JZ-4K7M-2Q9X-W37", " jz 4k7m 2q9x w37 ", "4K7M2Q9XW37", "4k7m-2q9x-w37", "JZ–4K7M–2Q9X–W37",
        "JZ\u{3000}4K7M\u{3000}2Q9X\u{3000}W37",
    ])
    func toleratesCaseSpacesDashesAndAMissingPrefix(raw: String) throws {
        #expect(try TrackingCode(parsing: raw).value == "JZ4K7M2Q9XW37")
    }

    @Test func readsOAsZeroAndIOrLAsOne() throws {
        #expect(try TrackingCode(parsing: "JZ-OOOO-OOOO-OOO").value == "JZ00000000000")
        #expect(try TrackingCode(parsing: "jz-oooo-oooo-oi1").value == "JZ00000000011")
        #expect(try TrackingCode(parsing: "JZ-0000-0000-0LL").value == "JZ00000000011")
        for code in Self.randomCodes(300, seed: 6) {
            let confused = String(code.value.dropFirst(2).map { $0 == "0" ? "o" : $0 == "1" ? "l" : $0 })
            #expect(try TrackingCode(parsing: confused) == code)
        }
    }

    /// Every single-symbol substitution in every position of 2,000 random
    /// codes is caught: by the check symbol, or by the format where the
    /// substitute is a check-only symbol in a data position. Runs the
    /// non-throwing parse that `init(parsing:)` wraps (a test harness records
    /// a backtrace for every thrown error); the wrapper's mapping is checked
    /// on the first 20 codes.
    @Test func detectsEverySingleSymbolSubstitution() {
        let dataBytes = Self.dataSymbols.compactMap(\.asciiValue)
        let checkBytes = Self.checkSymbols.compactMap(\.asciiValue)
        var tried = 0
        var missed: [String] = []
        for (n, code) in Self.randomCodes(2_000, seed: 7).enumerated() {
            let bytes = Array(code.value.utf8)
            for position in 2..<13 {
                for symbol in checkBytes where symbol != bytes[position] {
                    var typo = bytes
                    typo[position] = symbol
                    let text = String(decoding: typo, as: UTF8.self)
                    let expected: TrackingCode.ParseProblem =
                        position == 12 || dataBytes.contains(symbol) ? .check : .format
                    if TrackingCode.canonicalValue(parsing: text) != .failure(expected) {
                        missed.append(text)
                    }
                    if n < 20, userError({ try TrackingCode(parsing: text) })?.code != "tracking.\(expected)" {
                        missed.append(text)
                    }
                    tried += 1
                }
            }
        }
        #expect(missed.isEmpty, "undetected or misreported: \(missed.prefix(10))")
        #expect(tried == 2_000 * 11 * 36)
    }

    @Test func detectsEverySwapOfNeighbouringDataSymbols() {
        var missed: [String] = []
        var tried = 0
        for code in Self.randomCodes(2_000, seed: 8) {
            let bytes = Array(code.value.utf8)
            for position in 2..<11 where bytes[position] != bytes[position + 1] {
                var typo = bytes
                typo.swapAt(position, position + 1)
                let text = String(decoding: typo, as: UTF8.self)
                if TrackingCode.canonicalValue(parsing: text) != .failure(.check) { missed.append(text) }
                tried += 1
            }
        }
        #expect(missed.isEmpty, "undetected swaps: \(missed.prefix(10))")
        #expect(tried > 2_000 * 8)
    }

    @Test(arguments: [
        "JZ4K7M2Q9XW3", "JZ4K7M2Q9XW377", "4K7M2Q9XW3", "JX4K7M2Q9XW37", "ZJ4K7M2Q9XW37", "JZ4K7M2Q9XU37",
        "JZ4K7M2Q9X*37", "JZ4K7M2Q9XW3#", "JZ4K7M2Q9XW3７", "JZ4K7M2Q9XW3.", "JZ_4K7M_2Q9X_W37", "查询码JZ4K7M2Q9XW37",
    ])
    func rejectsCodesOfTheWrongShape(raw: String) {
        let error = userError { try TrackingCode(parsing: raw, field: "code") }
        #expect(error?.code == "tracking.format")
        #expect(error?.field == "code")
    }

    @Test(arguments: ["", "   ", "- -"])
    func asksForACodeWhenNoneIsGiven(raw: String) {
        #expect(userError { try TrackingCode(parsing: raw) }?.code == "tracking.empty")
    }

    @Test func codesAsTheCompactValueAndValidatesOnDecoding() throws {
        let code = try TrackingCode(parsing: "jz-4k7m-2q9x-w37")
        let data = try JSONEncoder().encode([code])
        #expect(String(decoding: data, as: UTF8.self) == #"["JZ4K7M2Q9XW37"]"#)
        #expect(try JSONDecoder().decode([TrackingCode].self, from: data) == [code])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([TrackingCode].self, from: Data(#"["JZ4K7M2Q9XW38"]"#.utf8))
        }
    }
}

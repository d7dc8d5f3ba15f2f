import Foundation
import Testing
@testable import JiuzhuCore

struct ResidentIDTests {
    let today = date(2025, 1, 26)

    /// A complete number with its correct check character.
    func complete(_ first17: String) -> String {
        guard let check = ResidentID.checkCharacter(forFirst17: first17) else {
            preconditionFailure("\(first17) is not 17 digits")
        }
        return first17 + String(check)
    }

    @Test(arguments: ["34052419800101001X", "11010519491231002X", "110101200001010010", "440301200002290015",
                      "320102199912319991", "650102190001010008", "532523202412310041"])
    func acceptsValidNumbers(raw: String) throws {
        let id = try ResidentID(raw, today: today)
        #expect(id.value == raw)
    }

    @Test(arguments: [
        ("34052419800101001x", "34052419800101001X"),
        ("  34052419800101001X\n", "34052419800101001X"),
        ("\t11010519491231002x ", "11010519491231002X"),
        ("\u{3000}34052419800101001X\u{3000}", "34052419800101001X"),
    ] as [(String, String)])
    func trimsWhitespaceAndUppercasesX(raw: String, value: String) throws {
        #expect(try ResidentID(raw, today: today).value == value)
    }

    /// Expected characters from an independent implementation of GB 11643.
    @Test(arguments: [
        ("34052419800101001", "X"), ("11010519491231002", "X"), ("11010120000101001", "0"),
        ("44030120000229001", "5"), ("11010120000101002", "9"), ("32010219991231999", "1"),
        ("65010219000101000", "8"), ("53252320241231004", "1"),
        // One for each of the 11 possible characters.
        ("37785319970626707", "1"), ("14041419790421053", "0"), ("61459419801206058", "X"),
        ("28401719590503339", "9"), ("51183819690112424", "8"), ("31606719570427964", "7"),
        ("28457119680607552", "6"), ("32963019990406893", "5"), ("37144219501207417", "4"),
        ("40305819610706780", "3"), ("36855019740904587", "2"),
    ] as [(String, Character)])
    func computesTheCheckCharacter(first17: String, check: Character) {
        #expect(ResidentID.checkCharacter(forFirst17: first17) == check)
        #expect(ResidentID.checkCharacter(forFirst17: first17[...]) == check)
    }

    @Test func computesEveryCheckCharacterFromTheTable() {
        // Vary the last digit (weight 2): S mod 11 walks through all residues.
        var seen = Set<Character>()
        for base in 0..<100 {
            let first17 = "1101052000010" + String(1000 + base).suffix(4)
            if let check = ResidentID.checkCharacter(forFirst17: first17) { seen.insert(check) }
        }
        #expect(seen == Set("0123456789X"))
        // S = 0 gives "1": seventeen zeros.
        #expect(ResidentID.checkCharacter(forFirst17: String(repeating: "0", count: 17)) == "1")
        // S = 2 gives "X": a single 1 at position 17 (weight 2).
        #expect(ResidentID.checkCharacter(forFirst17: String(repeating: "0", count: 16) + "1") == "X")
        // S = 10 gives "2": weight 10 at position 3.
        #expect(ResidentID.checkCharacter(forFirst17: "001" + String(repeating: "0", count: 14)) == "2")
    }

    @Test(arguments: ["3405241980010100", "340524198001010011", "3405241980010100A", "34052419800101001X",
                      "３４０５２４１９８００１０１００１", ""])
    func hasNoCheckCharacterForAnythingButSeventeenDigits(text: String) {
        #expect(ResidentID.checkCharacter(forFirst17: text) == nil)
    }

    @Test(arguments: [
        ("", "resident_id.empty"), ("   ", "resident_id.empty"), ("\u{3000}", "resident_id.empty"),
        ("340524800101001", "resident_id.legacy15"), (" 340524800101001 ", "resident_id.legacy15"),
        ("34052419800101001", "resident_id.length"), ("34052419800101001X1", "resident_id.length"),
        ("3405241980010100X", "resident_id.length"), ("34052480010100A", "resident_id.length"),
        ("340524 19800101001X", "resident_id.length"), ("X", "resident_id.length"),
        ("3405241980010100AX", "resident_id.characters"), ("X40524198001010013", "resident_id.characters"),
        ("34052419800101001Y", "resident_id.characters"), ("340524-9800101001X", "resident_id.characters"),
        ("３４０５２４１９８００１０１００１Ｘ", "resident_id.characters"), ("3405241980010100XX", "resident_id.characters"),
        ("340524198002300019", "resident_id.birth_date"), ("340524190002290010", "resident_id.birth_date"),
        ("340524198013010010", "resident_id.birth_date"), ("340524198001000010", "resident_id.birth_date"),
        ("340524000001010010", "resident_id.birth_date"), ("340524170001010010", "resident_id.birth_date"),
        ("340524198001010013", "resident_id.check_character"), ("340524198001010012", "resident_id.check_character"),
        ("11010519491231002Y", "resident_id.characters"), ("110105194912310029", "resident_id.check_character"),
    ] as [(String, String)])
    func rejectsInvalidNumbersWithAStableCode(raw: String, code: String) {
        let error = userError { try ResidentID(raw, today: today, field: "members[0].idNumber") }
        #expect(error?.code == code)
        #expect(error?.field == "members[0].idNumber")
    }

    @Test func rejectsIdNumberWithWrongCheckCharacter() {
        let error = userError { try ResidentID("340524198001010013", today: today) }
        #expect(error?.code == "resident_id.check_character")
        #expect(error?.field == "idNumber")
        #expect(error?.message.zh.contains("校验位") == true)
    }

    @Test func doesNotRevealTheExpectedCheckCharacter() {
        // Two numbers expecting different check characters ("X" and "0") get
        // the very same message, so it cannot carry the expected character.
        let a = userError { try ResidentID("340524198001010013", today: today) }
        let b = userError { try ResidentID("110101200001010018", today: today) }
        #expect(a?.code == "resident_id.check_character")
        #expect(b?.code == "resident_id.check_character")
        #expect(a?.message == b?.message)
    }

    @Test func tellsTheUserToConvertALegacyNumber() {
        let error = userError { try ResidentID("340524800101001", today: today) }
        #expect(error?.code == "resident_id.legacy15")
        #expect(error?.message.zh.contains("18") == true)
        #expect(error?.message.en.contains("18") == true)
    }

    @Test func rejectsBirthDateAfterToday() throws {
        let bornTomorrow = complete("34052420250127001")
        let error = userError { try ResidentID(bornTomorrow, today: today) }
        #expect(error?.code == "resident_id.future_birth_date")
        // A baby born today may be registered.
        #expect(try ResidentID(complete("34052420250126001"), today: today).birthDate == today)
        // The same number is fine once the day has come.
        #expect(try ResidentID(bornTomorrow, today: today.adding(days: 1)).birthDate == date(2025, 1, 27))
    }

    @Test func readsAreaBirthDateSexAgeAndMask() throws {
        let first = try ResidentID("34052419800101001X", today: today)
        #expect(first.areaCode == "340524")
        #expect(first.birthDate == date(1980, 1, 1))
        #expect(first.sex == .male)
        #expect(first.masked == "340524********001X")
        #expect(first.age(at: date(2025, 1, 1)) == 45)
        #expect(first.age(at: date(2024, 12, 31)) == 44)

        let second = try ResidentID("11010519491231002X", today: today)
        #expect(second.areaCode == "110105")
        #expect(second.birthDate == date(1949, 12, 31))
        #expect(second.sex == .female)
        #expect(second.masked == "110105********002X")
        #expect(second.age(at: today) == 75)
    }

    @Test func acceptsAbolishedAreaCodes() throws {
        // 999999 names no division at all; only the check character matters.
        let id = try ResidentID(complete("99999919800101001"), today: today)
        #expect(id.areaCode == "999999")
    }

    @Test func interpolatesAsTheMaskedNumberOnly() throws {
        let id = try ResidentID("34052419800101001X", today: today)
        #expect("\(id)" == "340524********001X")
        #expect(!"\(id)".contains("19800101"))
    }

    @Test func equalsRegardlessOfHowItWasTyped() throws {
        let a = try ResidentID("34052419800101001x", today: today)
        let b = try ResidentID(" 34052419800101001X", today: today)
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
    }

    @Test func convertsLegacyFifteenDigitNumbers() throws {
        let converted = try ResidentID.convertingLegacy("340524800101001", today: today)
        #expect(converted.value == "34052419800101001X")
        #expect(converted.birthDate == date(1980, 1, 1))
        let second = try ResidentID.convertingLegacy(" 110105491231002 ", today: today, field: "legacy")
        #expect(second.value == "11010519491231002X")
        #expect(second.sex == .female)
    }

    @Test(arguments: [
        ("", "resident_id.empty"), ("34052480010100", "resident_id.length"),
        ("34052419800101001X", "resident_id.length"), ("34052480010100A", "resident_id.characters"),
        ("340524800230001", "resident_id.birth_date"), ("340524000229001", "resident_id.birth_date"),
    ] as [(String, String)])
    func rejectsInvalidLegacyNumbers(raw: String, code: String) {
        let error = userError { try ResidentID.convertingLegacy(raw, today: today, field: "legacy") }
        #expect(error?.code == code)
        #expect(error?.field == "legacy")
    }

    @Test func rejectsLegacyNumberBornAfterToday() {
        let error = userError { try ResidentID.convertingLegacy("340524800101001", today: date(1979, 12, 31)) }
        #expect(error?.code == "resident_id.future_birth_date")
    }

    @Test func encodesAsTheFullStringAndValidatesWhenDecoding() throws {
        let id = try ResidentID("34052419800101001X", today: today)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["34052419800101001X"]"#)
        #expect(try JSONDecoder().decode([ResidentID].self, from: data) == [id])
        #expect(try JSONDecoder().decode([ResidentID].self, from: Data(#"["34052419800101001x"]"#.utf8)) == [id])
        for bad in ["340524198001010013", "340524198002300019", "3405241980", "340524800101001"] {
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode([ResidentID].self, from: Data("[\"\(bad)\"]".utf8))
            }
        }
    }

    @Test func decodingDoesNotDependOnTheClock() throws {
        // Stored numbers stay readable even if the server's clock is wrong.
        let farFuture = complete("34052420990101001")
        let decoded = try JSONDecoder().decode([ResidentID].self, from: Data("[\"\(farFuture)\"]".utf8))
        #expect(decoded.first?.birthDate == date(2099, 1, 1))
    }

    /// Thousands of random valid numbers: the check character makes them
    /// valid, every single-digit error and every adjacent swap is caught,
    /// and the derived properties agree with the digits.
    @Test func randomValidNumbersRoundTripAndEverySingleDigitErrorIsCaught() throws {
        var generator = SeededGenerator(seed: 11_643)
        let earliest = date(1900, 1, 1).dayNumber
        for _ in 0..<3000 {
            let area = String(Int.random(in: 110_000...659_999, using: &generator))
            let birth = LocalDate(dayNumber: Int.random(in: earliest...today.dayNumber, using: &generator))
            let sequence = Int.random(in: 0...999, using: &generator)
            let first17 = area + String(birth.description.filter { $0 != "-" }) + zeroPadded(sequence, width: 3)
            let raw = complete(first17)
            let typed = Bool.random(using: &generator) ? raw.lowercased() : raw

            let id = try ResidentID(typed, today: today)
            #expect(id.value == raw)
            #expect(id.areaCode == area)
            #expect(id.birthDate == birth)
            #expect(id.sex == (sequence % 2 == 1 ? .male : .female))
            #expect(id.masked.count == 18)
            #expect(id.masked.prefix(6) == raw.prefix(6))
            #expect(id.masked.suffix(4) == raw.suffix(4))
            #expect(id.masked.filter { $0 != "*" }.count == 10)
            #expect(id.age(at: today) == birth.age(at: today))
            #expect(try JSONDecoder().decode(ResidentID.self, from: JSONEncoder().encode(id)) == id)

            var digits = Array(raw)
            let position = Int.random(in: 0..<17, using: &generator)
            let original = digits[position]
            let replacement = Character(String((Int(String(original))! + Int.random(in: 1...9, using: &generator)) % 10))
            digits[position] = replacement
            let mutated = userError { try ResidentID(String(digits), today: today) }
            #expect(mutated != nil, "single-digit change at \(position) of \(raw) went unnoticed")
            if !(6..<14).contains(position) {
                #expect(mutated?.code == "resident_id.check_character")
            }

            var swapped = Array(raw)
            let left = Int.random(in: 0..<16, using: &generator)
            if swapped[left] != swapped[left + 1] {
                swapped.swapAt(left, left + 1)
                #expect(userError { try ResidentID(String(swapped), today: today) } != nil,
                        "swapping \(left) and \(left + 1) of \(raw) went unnoticed")
            }
        }
    }
}

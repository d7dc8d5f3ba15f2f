import Testing
@testable import JiuzhuCore

struct TextLimitsTests {
    @Test(arguments: [("有车", false), ("  该户有营运货车  ", true), (String(repeating: "车", count: 1000), true),
                      (String(repeating: "车", count: 1001), false)])
    func anObjectionIsFiveToAThousandCharacters(text: String, accepted: Bool) {
        #expect(((try? TextLimits.objection(text)) != nil) == accepted)
    }

    @Test func anObjectionIsTrimmed() throws {
        #expect(try TextLimits.objection("  该户有营运货车\n") == "该户有营运货车")
    }

    @Test func aCheckInTakesAPhotoUpToOneMegabyteAndNotesUpTo2000Characters() {
        #expect(throws: Never.self) { try TextLimits.checkInAttachments(photoBytes: 1_000_000, notes: String(repeating: "字", count: 2000)) }
        #expect(throws: UserError.self) { try TextLimits.checkInAttachments(photoBytes: 0, notes: "") }
        #expect(throws: UserError.self) { try TextLimits.checkInAttachments(photoBytes: 1_000_001, notes: "") }
        #expect(throws: UserError.self) { try TextLimits.checkInAttachments(photoBytes: 10, notes: String(repeating: "字", count: 2001)) }
    }

    @Test func anAnomalyNoteIsNeededAndAtMost500Characters() {
        #expect((try? TextLimits.anomalyNote("   ")) == nil)
        #expect((try? TextLimits.anomalyNote(String(repeating: "查", count: 501))) == nil)
        #expect((try? TextLimits.anomalyNote(" 已核实，系同一户 ")) == "已核实，系同一户")
    }

    @Test func aPayeeHasANameAndAValidAccount() throws {
        let payee = try Payee(validatingName: " 王建国 ", account: "6222 0212 3456 7890 123")
        #expect(payee == Payee(name: "王建国", account: "6222021234567890123"))
        #expect((try? Payee(validatingName: "", account: "6222021234567890123")) == nil)
        #expect((try? Payee(validatingName: String(repeating: "王", count: 51), account: "6222021234567890123")) == nil)
        #expect((try? Payee(validatingName: "王建国", account: "12")) == nil)
    }
}

import Foundation
import Testing
@testable import JiuzhuCore

struct MaterialChecklistTests {
    let national = MaterialChecklist.national

    /// Every non-empty combination of programmes.
    static var programmeSets: [Set<Programme>] {
        let all = Programme.allCases
        return (1..<(1 << all.count)).map { mask in Set(all.indices.filter { mask & (1 << $0) != 0 }.map { all[$0] }) }
    }

    @Test func neverAsksForWhatAGovernmentPlatformHolds() {
        let held = national.items.filter(\.heldByGovernment).map(\.code)
        #expect(Set(held).isSuperset(of: ["id_card", "hukou_register", "disability_card"]))
        for programmes in Self.programmeSets {
            #expect(national.required(for: programmes).allSatisfy { !$0.heldByGovernment })
            #expect(national.missing(provided: [], for: programmes).allSatisfy { !held.contains($0.code) })
        }
    }

    @Test(arguments: Programme.allCases)
    func everyProgrammeNeedsAnApplication(programme: Programme) {
        #expect(national.required(for: [programme]).first?.code == "application")
    }

    @Test func dibaoNeedsTheAuthorisationSignedByEveryMemberAndTheDeclaration() {
        let codes = national.required(for: [.dibao]).map(\.code)
        #expect(codes == ["application", "verification_authorisation", "income_declaration", "bank_account"])
        #expect(national.item(code: "verification_authorisation")?.name.zh.contains("全体家庭成员") == true)
    }

    @Test func emergencyHelpAsksOnlyForTheApplicationAndProofOfTheEmergency() {
        #expect(national.required(for: [.temporaryEmergency]).map(\.code) == ["application", "emergency_proof"])
    }

    @Test func billsAreAskedWhereSpendingIsTheReason() {
        #expect(national.required(for: [.rigid]).map(\.code) == [
            "application", "verification_authorisation", "income_declaration", "medical_bills", "education_bills",
            "rehabilitation_bills",
        ])
        #expect(!national.required(for: [.dibao, .tekun, .edge]).map(\.code).contains("medical_bills"))
        #expect(national.required(for: [.tekun]).map(\.code).contains("supporter_statement"))
    }

    @Test func theListForSeveralProgrammesIsTheUnionOnceInListOrder() {
        for programmes in Self.programmeSets {
            let required = national.required(for: programmes)
            let union = Set(programmes.flatMap { national.required(for: [$0]).map(\.code) })
            #expect(Set(required.map(\.code)) == union)
            #expect(required.count == union.count)
            let positions = required.map { item in national.items.firstIndex { $0.code == item.code } ?? -1 }
            #expect(positions == positions.sorted())
        }
        #expect(national.required(for: [.temporaryEmergency, .dibao]).map(\.code) == [
            "application", "verification_authorisation", "income_declaration", "emergency_proof", "bank_account",
        ])
        #expect(national.required(for: []).isEmpty)
    }

    @Test func missingIsWhatIsRequiredButNotProvided() {
        let missing = national.missing(provided: ["application", "income_declaration", "id_card", "unknown"],
                                       for: [.dibao, .temporaryExpenditure])
        #expect(missing.map(\.code) == ["verification_authorisation", "medical_bills", "education_bills", "bank_account"])
        let everything = Set(national.required(for: [.dibao, .temporaryExpenditure]).map(\.code))
        #expect(national.missing(provided: everything, for: [.dibao, .temporaryExpenditure]).isEmpty)
    }

    @Test func codesAreUniqueAndEveryItemIsNamedInBothLanguages() {
        #expect(Set(national.items.map(\.code)).count == national.items.count)
        #expect(national.items.allSatisfy { !$0.name.zh.isEmpty && !$0.name.en.isEmpty && !$0.programmes.isEmpty })
        #expect(national.item(code: "entrustment") == nil)
    }

    @Test func aRegionsListRoundTripsThroughJSONByteForByte() throws {
        let data = try national.encode()
        let decoded = try MaterialChecklist.decode(data)
        #expect(decoded == national)
        #expect(try decoded.encode() == data)
        #expect(String(decoding: data, as: UTF8.self).contains(#""programmes" : ["#))
    }

    @Test func decodesARegionsOverride() throws {
        let json = #"""
        {"items": [
          {"code": "application", "name": {"zh": "申请书", "en": "Application"}, "programmes": ["dibao", "edge"]},
          {"code": "village_opinion", "name": {"zh": "村委会意见", "en": "Village committee opinion"},
           "programmes": ["dibao"], "heldByGovernment": false},
          {"code": "id_card", "name": {"zh": "身份证", "en": "ID card"}, "programmes": ["dibao"], "heldByGovernment": true}
        ]}
        """#
        let list = try MaterialChecklist.decode(Data(json.utf8))
        #expect(list.required(for: [.dibao]).map(\.code) == ["application", "village_opinion"])
        #expect(list.required(for: [.edge]).map(\.code) == ["application"])
        #expect(list.items[0].heldByGovernment == false)
    }

    @Test(arguments: [
        ("not json", "materials.format"),
        (#"{"items": [{"code": "a", "name": {"zh": "甲", "en": "A"}, "programmes": ["lottery"]}]}"#, "materials.format"),
        (#"{"items": [{"code": "a", "name": {"zh": "甲"}, "programmes": ["dibao"]}]}"#, "materials.format"),
        (#"{"items": [{"code": "", "name": {"zh": "甲", "en": "A"}, "programmes": ["dibao"]}]}"#, "materials.code"),
        (#"{"items": [{"code": " a", "name": {"zh": "甲", "en": "A"}, "programmes": ["dibao"]}]}"#, "materials.code"),
        (#"{"items": [{"code": "a", "name": {"zh": "甲", "en": "A"}, "programmes": ["dibao"]}, {"code": "a", "name": {"zh": "乙", "en": "B"}, "programmes": ["edge"]}]}"#, "materials.duplicate_code"),
        (#"{"items": [{"code": "a", "name": {"zh": " ", "en": "A"}, "programmes": ["dibao"]}]}"#, "materials.name"),
        (#"{"items": [{"code": "a", "name": {"zh": "甲", "en": "A"}, "programmes": []}]}"#, "materials.programmes"),
    ] as [(String, String)])
    func rejectsAListEditedWrongly(json: String, code: String) {
        let error = userError { try MaterialChecklist.decode(Data(json.utf8)) }
        #expect(error?.code == code)
        #expect(error?.field == "materials")
    }
}

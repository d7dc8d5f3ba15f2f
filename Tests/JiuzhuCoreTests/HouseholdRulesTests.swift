import Testing
@testable import JiuzhuCore

struct PersonFormValidationTests {
    static let today = date(2025, 1, 26)

    /// A complete, valid row: the head of a rural household.
    static func row(_ change: (inout PersonForm) -> Void = { _ in }) -> PersonForm {
        var form = PersonForm(name: "王建国", idNumber: "34052419800101001X", phone: "138 1234 5678",
                              address: "第3村民组12号", disabilityType: "physical", disabilityGrade: "2",
                              seriousIllness: "on", employment: "farming", student: "none",
                              hukouRegion: "340302100201", residence: "rural", relation: "02",
                              coResident: "on", status: "normal")
        change(&form)
        return form
    }

    func errors(_ form: PersonForm, prefix: String = "members[2].") -> [UserError] {
        switch HouseholdRules.validate(form, prefix: prefix, today: Self.today) {
        case .success: []
        case .failure(let errors): errors.all
        }
    }

    @Test func acceptsACompleteRowAndNormalisesItsValues() throws {
        let draft = try HouseholdRules.validate(Self.row(), prefix: "members[0].", today: Self.today).get()
        #expect(draft.person.name == "王建国")
        #expect(draft.person.id.value == "34052419800101001X")
        #expect(draft.person.phone?.value == "13812345678")
        #expect(draft.person.address == "第3村民组12号")
        #expect(draft.person.disability == (try Disability(type: .physical, grade: 2)))
        #expect(draft.person.seriousIllness)
        #expect(draft.person.employment == .farming)
        #expect(draft.person.student == StudentStatus.none)
        #expect(draft.person.hukouRegion == regionCode("340302100201"))
        #expect(draft.person.residence == .rural)
        #expect(draft.person.sex == .male)
        #expect(draft.person.birthDate == date(1980, 1, 1))
        #expect(draft.relation == .head)
        #expect(draft.coResident)
        #expect(draft.status == .normal)
    }

    @Test func defaultsEmptyChoicesAndUncheckedBoxes() throws {
        let form = PersonForm(name: "李四", idNumber: "11010519491231002X", residence: "urban", relation: "10")
        let draft = try HouseholdRules.validate(form, prefix: "", today: Self.today).get()
        #expect(draft.person.employment == .notApplicable)
        #expect(draft.person.student == StudentStatus.none)
        #expect(draft.status == .normal)
        #expect(!draft.coResident)
        #expect(!draft.person.seriousIllness)
        #expect(draft.person.phone == nil)
        #expect(draft.person.address == nil)
        #expect(draft.person.disability == nil)
        #expect(draft.person.hukouRegion == nil)
        #expect(draft.person.sex == .female)
    }

    @Test(arguments: [("340302001001", ResidenceKind.urban), ("340302100201", .rural)] as [(String, ResidenceKind)])
    func takesAnEmptyResidenceFromTheVillageOfTheHukou(village: String, kind: ResidenceKind) throws {
        let form = Self.row { $0.residence = ""; $0.hukouRegion = village }
        #expect(try HouseholdRules.validate(form, prefix: "", today: Self.today).get().person.residence == kind)
    }

    @Test(arguments: [("on", true), ("true", true), ("TRUE", true), ("1", true), ("yes", true),
                      ("off", false), ("false", false), ("0", false), ("", false), (" ", false)] as [(String, Bool)])
    func readsCheckboxes(raw: String, value: Bool) throws {
        let draft = try HouseholdRules.validate(Self.row { $0.coResident = raw; $0.seriousIllness = raw },
                                                prefix: "", today: Self.today).get()
        #expect(draft.coResident == value)
        #expect(draft.person.seriousIllness == value)
    }

    /// One broken field each; the code and the prefixed field name of the
    /// only error.
    @Test(arguments: [
        (row { $0.name = nil }, "name.required", "name"),
        (row { $0.name = "  " }, "name.required", "name"),
        (row { $0.name = String(repeating: "王", count: 31) }, "name.too_long", "name"),
        (row { $0.name = "王\n建国" }, "name.control_characters", "name"),
        (row { $0.name = "王建国1" }, "name.digits", "name"),
        (row { $0.idNumber = nil }, "resident_id.empty", "idNumber"),
        (row { $0.idNumber = "340524198001010013" }, "resident_id.check_character", "idNumber"),
        (row { $0.idNumber = "110101202601010011" }, "resident_id.future_birth_date", "idNumber"),
        (row { $0.idNumber = "340524800101001" }, "resident_id.legacy15", "idNumber"),
        (row { $0.phone = "1381234567" }, "phone.mobile", "phone"),
        (row { $0.phone = "0552-12345" }, "phone.landline", "phone"),
        (row { $0.phone = "phone" }, "phone.characters", "phone"),
        (row { $0.address = String(repeating: "村", count: 201) }, "text.too_long", "address"),
        (row { $0.address = "第3组\t12号" }, "text.control_characters", "address"),
        (row { $0.disabilityType = "legs" }, "disability.type", "disabilityType"),
        (row { $0.disabilityGrade = "5" }, "disability.grade", "disabilityGrade"),
        (row { $0.disabilityGrade = "" }, "disability.grade_required", "disabilityGrade"),
        (row { $0.disabilityType = nil }, "disability.type_required", "disabilityType"),
        (row { $0.seriousIllness = "maybe" }, "form.boolean", "seriousIllness"),
        (row { $0.coResident = "sometimes" }, "form.boolean", "coResident"),
        (row { $0.employment = "astronaut" }, "person.employment_unknown", "employment"),
        (row { $0.student = "phd" }, "person.student_unknown", "student"),
        (row { $0.status = "dead" }, "member.status_unknown", "status"),
        (row { $0.hukouRegion = "34a302" }, "region.format", "hukouRegion"),
        (row { $0.hukouRegion = "3403021" }, "region.length", "hukouRegion"),
        (row { $0.residence = "suburban" }, "person.residence_unknown", "residence"),
        (row { $0.residence = nil; $0.hukouRegion = "340302" }, "person.residence_required", "residence"),
        (row { $0.residence = nil; $0.hukouRegion = nil }, "person.residence_required", "residence"),
        (row { $0.relation = nil }, "member.relation_required", "relation"),
        (row { $0.relation = " " }, "member.relation_required", "relation"),
        (row { $0.relation = "03" }, "relation.unknown", "relation"),
    ] as [(PersonForm, String, String)])
    func reportsEachBrokenFieldOnItsPrefixedName(form: PersonForm, code: String, field: String) {
        let found = errors(form)
        #expect(found.map(\.code) == [code])
        #expect(found.map(\.field) == ["members[2].\(field)"])
        #expect(found.allSatisfy { !$0.message.zh.isEmpty && !$0.message.en.isEmpty })
    }

    @Test func reportsEveryBrokenFieldOfARowAtOnce() {
        let form = Self.row {
            $0.name = ""
            $0.idNumber = "340524198001010013"
            $0.phone = "12"
            $0.disabilityType = "legs"
            $0.disabilityGrade = "9"
            $0.relation = nil
            $0.status = "gone"
        }
        let found = errors(form, prefix: "members[5].")
        #expect(Set(found.compactMap(\.field)) == [
            "members[5].name", "members[5].idNumber", "members[5].phone", "members[5].disabilityType",
            "members[5].disabilityGrade", "members[5].relation", "members[5].status",
        ])
        #expect(found.count == 7)
    }

    @Test func anInvalidHukouRegionIsReportedOnceNotAlsoAsAMissingResidence() {
        let found = errors(Self.row { $0.hukouRegion = "x"; $0.residence = nil })
        #expect(found.map(\.field) == ["members[2].hukouRegion", "members[2].residence"])
        #expect(found.map(\.code) == ["region.format", "person.residence_required"])
    }

    @Test func aRowWithNothingTypedIsBlank() {
        #expect(PersonForm().isBlank)
        #expect(PersonForm(name: " ", idNumber: "", phone: "\u{3000}", address: "\n").isBlank)
        #expect(!Self.row().isBlank)
        #expect(!PersonForm(coResident: "on").isBlank)
        #expect(!PersonForm(relation: "02").isBlank)
        #expect(!PersonForm(address: "x").isBlank)
    }

    @Test func callersDropBlankRowsBeforeValidatingTheHousehold() {
        let rows = [Self.row(), PersonForm(), PersonForm(name: "  "),
                    Self.row { $0.idNumber = "11010519491231002X"; $0.relation = "10"; $0.name = "李秀英" }]
        let kept = rows.indices.filter { !rows[$0].isBlank }
        #expect(kept == [0, 3])
        let members = kept.compactMap { try? HouseholdRules.validate(rows[$0], prefix: "members[\($0)].", today: Self.today).get() }
        #expect(members.count == 2)
        #expect(HouseholdRules.validate(members: members, rowIndices: kept).isEmpty)
    }
}

struct HouseholdCompositionTests {
    let head = member("34052419800101001", .head)
    let spouse = member("34052419820315002", .spouse)
    let son = member("34052420100601003", .son)
    let daughter = member("34052420120808004", .daughter)

    @Test func acceptsAnOrdinaryFamily() {
        #expect(HouseholdRules.validate(members: [head, spouse, son, daughter]).isEmpty)
        #expect(HouseholdRules.validate(members: [head]).isEmpty)
    }

    @Test func needsAtLeastOneMember() {
        let found = HouseholdRules.validate(members: [], prefix: "household.members")
        #expect(found.map(\.code) == ["household.no_members"])
        #expect(found.map(\.field) == ["household.members"])
    }

    @Test func needsAHead() {
        let found = HouseholdRules.validate(members: [spouse, son])
        #expect(found.map(\.code) == ["household.no_head"])
        #expect(found.map(\.field) == ["members"])
    }

    @Test func allowsOnlyOneHeadAndNamesTheSecond() {
        let second = member("34052419850101006", .head)
        let found = HouseholdRules.validate(members: [head, spouse, second])
        #expect(found.map(\.code) == ["household.multiple_heads"])
        #expect(found.map(\.field) == ["members[2].relation"])
    }

    @Test func allowsOnlyOneSpouse() {
        let second = member("34052419850101006", .spouse)
        let found = HouseholdRules.validate(members: [head, second, son, spouse])
        #expect(found.map(\.code) == ["household.multiple_spouses"])
        #expect(found.map(\.field) == ["members[3].relation"])
    }

    @Test func rejectsTheSamePersonTwiceOnTheSecondRow() {
        let again = member("34052420100601003", .daughter, name: "王小二")
        let found = HouseholdRules.validate(members: [head, son, spouse, again])
        #expect(found.map(\.code) == ["household.duplicate_person"])
        #expect(found.map(\.field) == ["members[3].idNumber"])
    }

    @Test(arguments: [
        (false, MemberStatus.normal, ["household.head_not_coresident"], ["members[1].coResident"]),
        (true, .prisoner, ["household.head_status"], ["members[1].status"]),
        (true, .missing, ["household.head_status"], ["members[1].status"]),
        (false, .religiousApart, ["household.head_not_coresident", "household.head_status"],
         ["members[1].coResident", "members[1].status"]),
    ] as [(Bool, MemberStatus, [String], [String])])
    func theHeadLivesWithTheFamilyInNormalStatus(coResident: Bool, status: MemberStatus,
                                                 codes: [String], fields: [String]) {
        let absentHead = member("34052419800101001", .head, coResident: coResident, status: status)
        let found = HouseholdRules.validate(members: [spouse, absentHead])
        #expect(found.map(\.code) == codes)
        #expect(found.compactMap(\.field) == fields)
    }

    @Test func otherMembersMayLiveApartOrBeExcluded() {
        let prisoner = member("34052419850101006", .sibling, status: .prisoner)
        let away = member("34052420100601003", .son, coResident: false)
        #expect(HouseholdRules.validate(members: [head, prisoner, away]).isEmpty)
    }

    @Test func allowsThirtyMembersButNotThirtyOne() {
        func household(_ size: Int) -> [MemberDraft] {
            [head] + (1..<size).map { member("3405242000010" + String(1000 + $0).suffix(4), .otherRelative) }
        }
        #expect(HouseholdRules.validate(members: household(30)).isEmpty)
        let found = HouseholdRules.validate(members: household(31))
        #expect(found.map(\.code) == ["household.too_many_members"])
        #expect(found.map(\.field) == ["members"])
    }

    @Test func reportsEveryHouseholdProblemTogether() {
        let found = HouseholdRules.validate(members: [spouse, spouse, son, son])
        #expect(found.map(\.code) == ["household.no_head", "household.multiple_spouses",
                                      "household.duplicate_person", "household.duplicate_person"])
        #expect(found.map(\.field) == ["members", "members[1].relation", "members[1].idNumber", "members[3].idNumber"])
    }

    @Test func namesTheFormRowsWhenBlankRowsWereDropped() {
        let found = HouseholdRules.validate(members: [head, spouse, member("34052419850101006", .spouse)],
                                            rowIndices: [0, 2, 5], prefix: "members")
        #expect(found.map(\.field) == ["members[5].relation"])
    }

    @Test func countsOnlyCoResidentMembersInNormalStatus() {
        let prisoner = member("34052419850101006", .sibling, status: .prisoner)
        let away = member("34052419860101007", .sibling, coResident: false)
        let counted = HouseholdRules.counted([head, prisoner, spouse, away, son])
        #expect(counted == [head, spouse, son])
        #expect(!prisoner.isCounted && !away.isCounted && head.isCounted)
    }

    @Test func errorsListEveryMessageAndFindTheOneForAField() {
        let errors = HouseholdRules.Errors([
            UserError("a", field: "x", zh: "甲", en: "A"), UserError("b", field: "y", zh: "乙", en: "B"),
        ])
        #expect(errors.first(on: "y")?.code == "b")
        #expect(errors.first(on: "z") == nil)
        #expect(errors.description.contains("a: 甲 / A"))
    }
}

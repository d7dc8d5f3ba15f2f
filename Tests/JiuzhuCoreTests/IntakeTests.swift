import Foundation
import Testing
@testable import JiuzhuCore

struct ProgrammeTests {
    @Test(arguments: [
        (Programme.dibao, "dibao", "最低生活保障", false), (.tekun, "tekun", "特困人员救助供养", false),
        (.temporaryEmergency, "temporary_emergency", "临时救助（急难型）", true),
        (.temporaryExpenditure, "temporary_expenditure", "临时救助（支出型）", true),
        (.edge, "edge", "低保边缘家庭认定", false), (.rigid, "rigid", "刚性支出困难家庭认定", false),
    ] as [(Programme, String, String, Bool)])
    func programmesHaveCodesNamesAndKinds(programme: Programme, code: String, zh: String, temporary: Bool) throws {
        #expect(programme.rawValue == code)
        #expect(programme.name.zh == zh)
        #expect(programme.isTemporary == temporary)
        #expect(try Programme(code: code) == programme)
    }

    @Test(arguments: ["", "temporary", "Dibao", "低保"])
    func rejectsUnknownProgrammeCodes(code: String) {
        let error = userError { try Programme(code: code, field: "programmes") }
        #expect(error?.code == "programme.unknown")
        #expect(error?.field == "programmes")
    }

    @Test(arguments: [
        (ReferralNeed.medical, Department.medicalInsurance, "医疗保障局"), (.education, .education, "教育局"),
        (.housing, .housing, "住房和城乡建设局"), (.employment, .humanResources, "人力资源和社会保障局"),
        (.disability, .disabledPersons, "残疾人联合会"), (.charity, .charity, "慈善组织"),
        (.disaster, .emergencyManagement, "应急管理局"),
    ] as [(ReferralNeed, Department, String)])
    func eachNeedGoesToItsDepartment(need: ReferralNeed, department: Department, zh: String) {
        #expect(need.department == department)
        #expect(department.name.zh == zh)
    }

    @Test func everyDepartmentReceivesSomeNeed() {
        #expect(Set(ReferralNeed.allCases.map(\.department)) == Set(Department.allCases))
    }

    @Test func codesAreStableSnakeCase() {
        #expect(Department.allCases.map(\.rawValue) == ["medical_insurance", "education", "housing", "human_resources",
                                                        "disabled_persons", "charity", "emergency_management"])
        #expect(IntakeChannel.allCases.map(\.rawValue) == ["window", "village_assistant", "proxy", "online"])
        #expect(ConflictOfInterest.allCases.map(\.rawValue) == ["none", "relative_of_caseworker", "relative_of_village_cadre"])
        #expect(Set(IntakeChannel.allCases.map(\.name.zh)).count == IntakeChannel.allCases.count)
        #expect(Set(ReferralNeed.allCases.map(\.name.zh)).count == ReferralNeed.allCases.count)
    }

    @Test func onlyARelationToStaffOrCadresNeedsTheSeparateRegister() {
        #expect(!ConflictOfInterest.none.requiresSeparateRegister)
        #expect(ConflictOfInterest.relativeOfCaseworker.requiresSeparateRegister)
        #expect(ConflictOfInterest.relativeOfVillageCadre.requiresSeparateRegister)
    }
}

struct EntrustmentTests {
    let today = date(2025, 3, 10)

    func validate(name: String? = "张三", relation: String? = "儿子", scope: String? = "代为申请最低生活保障",
                  date: String? = "2025-03-10", document: String? = "WT-2025-001") -> Result<Entrustment, HouseholdRules.Errors> {
        Entrustment.validate(proxyName: name, relation: relation, scope: scope, date: date,
                             documentReference: document, today: today)
    }

    @Test func acceptsACompleteEntrustmentDatedTodayOrEarlier() throws {
        let entrustment = try validate(name: " 张三 ", date: "2025-03-10").get()
        #expect(entrustment == Entrustment(proxyName: "张三", relation: "儿子", scope: "代为申请最低生活保障",
                                           date: date(2025, 3, 10), documentReference: "WT-2025-001"))
        #expect(try validate(date: "2024-12-31").get().date == date(2024, 12, 31))
        let typed = Entrustment.validate(proxyName: "张三", relation: "儿子", scope: "代办", date: date(2025, 3, 1),
                                         documentReference: "扫描件 17", today: today)
        #expect(try typed.get().date == date(2025, 3, 1))
    }

    @Test(arguments: [
        (nil, "儿子", "代办", "2025-03-01", "D1", "name.required", "proxyName"),
        ("张三3", "儿子", "代办", "2025-03-01", "D1", "name.digits", "proxyName"),
        ("张三", nil, "代办", "2025-03-01", "D1", "text.required", "proxyRelation"),
        ("张三", String(repeating: "亲", count: 21), "代办", "2025-03-01", "D1", "text.too_long", "proxyRelation"),
        ("张三", "儿子", " ", "2025-03-01", "D1", "text.required", "proxyScope"),
        ("张三", "儿子", "代办", nil, "D1", "entrustment.date_required", "proxyDate"),
        ("张三", "儿子", "代办", "2025/03/01", "D1", "date.format", "proxyDate"),
        ("张三", "儿子", "代办", "2025-02-30", "D1", "date.invalid", "proxyDate"),
        ("张三", "儿子", "代办", "2025-03-11", "D1", "entrustment.date_future", "proxyDate"),
        ("张三", "儿子", "代办", "2025-03-01", "", "text.required", "proxyDocument"),
    ] as [(String?, String?, String?, String?, String?, String, String)])
    func reportsEachMissingOrWrongField(name: String?, relation: String?, scope: String?, date: String?,
                                        document: String?, code: String, field: String) {
        let result = validate(name: name, relation: relation, scope: scope, date: date, document: document)
        guard case .failure(let errors) = result else {
            Issue.record("expected \(code) on \(field)")
            return
        }
        #expect(errors.all.map(\.code) == [code])
        #expect(errors.all.map(\.field) == [field])
    }

    @Test func reportsAllMissingFieldsTogether() {
        guard case .failure(let errors) = validate(name: nil, relation: nil, scope: nil, date: nil, document: nil) else {
            Issue.record("an empty entrustment was accepted")
            return
        }
        #expect(errors.all.compactMap(\.field) == ["proxyName", "proxyRelation", "proxyScope", "proxyDate", "proxyDocument"])
    }
}

/// Deadlines over the shipped holiday calendar, counted by hand.
struct ReferralPolicyTests {
    @Test func standardLimitsAreTenWorkingDaysThreeForDisastersFiveForCharity() {
        let policy = ReferralPolicy.standard
        #expect(Set(policy.workingDays.keys) == Set(Department.allCases))
        #expect(policy.workingDays(for: .medical) == 10)
        #expect(policy.workingDays(for: .housing) == 10)
        #expect(policy.workingDays(for: .disaster) == 3)
        #expect(policy.workingDays(for: .charity) == 5)
    }

    /// 2025-09-30 is a Tuesday before 国庆中秋 (Oct 1–8 rest). Oct 9 (1),
    /// Oct 10 (2), make-up Sat Oct 11 (3), Oct 13–17 (4–8), Oct 20 (9), Oct 21 (10).
    @Test func medicalReferralAcceptedBeforeGoldenWeekIsDueOctober21st() throws {
        let calendar = try HolidayDataTests.shippedCalendar()
        let accepted = date(2025, 9, 30)
        #expect(ReferralPolicy.standard.deadline(for: .medical, from: accepted, calendar: calendar) == date(2025, 10, 21))
        #expect(ReferralPolicy.standard.deadline(for: .disaster, from: accepted, calendar: calendar) == date(2025, 10, 11))
    }

    /// 2026-02-13 is the Friday before 春节 (Feb 15–23 rest): make-up Sat
    /// Feb 14 (1), Feb 24–27 (2–5), make-up Sat Feb 28 (6), Mar 2–5 (7–10).
    @Test func referralsAcrossSpringFestival2026() throws {
        let calendar = try HolidayDataTests.shippedCalendar()
        let accepted = date(2026, 2, 13)
        #expect(ReferralPolicy.standard.deadline(for: .charity, from: accepted, calendar: calendar) == date(2026, 2, 27))
        #expect(ReferralPolicy.standard.deadline(for: .education, from: accepted, calendar: calendar) == date(2026, 3, 5))
        #expect(ReferralPolicy.standard.deadline(for: .disaster, from: accepted, calendar: calendar) == date(2026, 2, 25))
    }

    @Test func aRegionCanSetItsOwnLimitsAndUnlistedDepartmentsFallBack() throws {
        let calendar = try HolidayDataTests.shippedCalendar()
        let policy = ReferralPolicy(workingDays: [.housing: 20], fallbackWorkingDays: 7)
        // 2025-06-03 is a Tuesday after 端午 (May 31–Jun 2): Jun 4–6 (1–3), Jun 9–12 (4–7).
        #expect(policy.deadline(for: .medical, from: date(2025, 6, 3), calendar: calendar) == date(2025, 6, 12))
        #expect(policy.workingDays(for: .housing) == 20)
        let data = try JSONEncoder().encode(policy)
        #expect(String(decoding: data, as: UTF8.self).contains(#""housing":20"#))
        #expect(try JSONDecoder().decode(ReferralPolicy.self, from: data) == policy)
    }
}

struct ApplicationStatusTests {
    @Test func statusesHaveStableCodesAndDistinctTexts() {
        #expect(ApplicationStatus.allCases.map(\.rawValue) == ["submitted_online", "awaiting_materials", "accepted", "withdrawn"])
        #expect(ReferralStatus.allCases.map(\.rawValue) == ["open", "in_progress", "done", "declined"])
        #expect(Set(ApplicationStatus.allCases.map(\.publicName.zh)).count == ApplicationStatus.allCases.count)
        #expect(Set(ApplicationStatus.allCases.map(\.name.en)).count == ApplicationStatus.allCases.count)
        #expect(Set(ReferralStatus.allCases.map(\.name.zh)).count == ReferralStatus.allCases.count)
        #expect(ApplicationStatus.awaitingMaterials.publicName.zh.contains("补齐"))
    }

    @Test func aWithdrawnApplicationStaysWithdrawn() {
        #expect(ApplicationStatus.withdrawn.next.isEmpty)
        #expect(ApplicationStatus.submittedOnline.next == [.awaitingMaterials, .accepted, .withdrawn])
        #expect(!ApplicationStatus.accepted.next.contains(.awaitingMaterials))
        #expect(ApplicationStatus.allCases.allSatisfy { !$0.next.contains($0) })
    }

    @Test(arguments: [
        (ReferralStatus.open, date(2025, 10, 21), false), (.open, date(2025, 10, 22), true),
        (.inProgress, date(2025, 10, 22), true), (.inProgress, date(2025, 10, 20), false),
        (.done, date(2025, 12, 1), false), (.declined, date(2025, 12, 1), false),
    ] as [(ReferralStatus, LocalDate, Bool)])
    func aReferralIsOverdueOnlyWhileOpenAfterItsDeadlineDay(status: ReferralStatus, today: LocalDate, overdue: Bool) {
        #expect(status.isOverdue(deadline: date(2025, 10, 21), today: today) == overdue)
    }
}

import Testing
@testable import JiuzhuCore

/// National Day 2025 as published: Oct 1 (Wed) – Oct 8 (Wed) off, make-up
/// working days Sunday Sep 28 and Saturday Oct 11.
let caseTestCalendar = WorkingCalendar(overrides:
    (1...8).map { CalendarOverride(date: date(2025, 10, $0), kind: .holiday, name: "国庆节、中秋节") } + [
        CalendarOverride(date: date(2025, 9, 28), kind: .workday, name: "国庆节调休"),
        CalendarOverride(date: date(2025, 10, 11), kind: .workday, name: "国庆节调休"),
    ])

struct CaseClockTests {
    func clock(_ programme: Programme = .dibao, acceptedOn: LocalDate, options: WorkflowOptions = .standard,
               extensionReason: String? = nil) throws -> CaseClock {
        try CaseClock(acceptedOn: acceptedOn, programme: programme, options: options, calendar: caseTestCalendar,
                      extended: extensionReason.map { try CaseExtension(reason: $0) })
    }

    @Test func wholeProcessIs30WorkingDaysAcrossWeekends() throws {
        let deadline = try #require(try clock(acceptedOn: date(2025, 3, 3)).wholeProcess)  // Mon
        #expect(deadline.date == date(2025, 4, 14))
        #expect(deadline.kind == .wholeProcess)
        #expect(deadline.rule.zh == "受理后 30 个工作日内办结")
        #expect(deadline.rule.en == "Finish within 30 working days of acceptance")
    }

    @Test func wholeProcessSkipsTheHolidayAndCountsMakeUpDays() throws {
        // Fri Sep 26: Sun 28 (make-up), 29, 30, Oct 9, 10, Sat 11 (make-up), … Nov 13.
        #expect(try clock(acceptedOn: date(2025, 9, 26)).wholeProcess?.date == date(2025, 11, 13))
    }

    @Test func investigationStartsWithin3WorkingDaysCountingAMakeUpSunday() throws {
        let deadline = try #require(try clock(acceptedOn: date(2025, 9, 26)).investigationStart)
        #expect(deadline.date == date(2025, 9, 30))   // Sun 28, Mon 29, Tue 30
        #expect(deadline.rule.zh == "受理后 3 个工作日内启动入户调查")
    }

    @Test func investigationStartJumpsTheNationalDayHoliday() throws {
        // Tue Sep 30: Oct 1–8 off, Thu 9, Fri 10, make-up Sat 11.
        #expect(try clock(acceptedOn: date(2025, 9, 30)).investigationStart?.date == date(2025, 10, 11))
    }

    @Test func extensionGives45WorkingDaysAndShowsTheReason() throws {
        let deadline = try #require(try clock(acceptedOn: date(2025, 3, 3), extensionReason: "人户分离").wholeProcess)
        #expect(deadline.date == date(2025, 5, 5))
        #expect(deadline.rule.zh.contains("45 个工作日"))
        #expect(deadline.rule.zh.contains("人户分离"))
        #expect(try clock(acceptedOn: date(2025, 9, 26), extensionReason: "异议").wholeProcess?.date == date(2025, 12, 4))
    }

    @Test(arguments: ["", "   ", "\u{3000}\u{3000}", "\n\t"])
    func extensionNeedsANonBlankReason(reason: String) {
        #expect(userError { try CaseExtension(reason: reason) }?.code == "case.extension_reason_required")
    }

    @Test func extensionReasonIsTrimmedAndLimited() throws {
        #expect(try CaseExtension(reason: "  跨区域  ").reason == "跨区域")
        let long = String(repeating: "难", count: CaseExtension.maxReasonLength + 1)
        #expect(userError { try CaseExtension(reason: long) }?.code == "case.extension_reason_too_long")
        #expect(throws: Never.self) { try CaseExtension(reason: String(repeating: "难", count: CaseExtension.maxReasonLength)) }
    }

    @Test func delegatedConfirmationRunsThe20WorkingDayVariant() throws {
        let options = WorkflowOptions(delegatedConfirmation: true)
        let deadline = try #require(try clock(acceptedOn: date(2025, 3, 3), options: options).wholeProcess)
        #expect(deadline.date == date(2025, 3, 31))
        #expect(deadline.rule.zh.contains("20 个工作日"))
        #expect(try clock(acceptedOn: date(2025, 9, 26), options: options).wholeProcess?.date == date(2025, 10, 30))
        // No county confirmation limit where the township confirms.
        #expect(try clock(acceptedOn: date(2025, 3, 3), options: options).confirmation(receivedOn: date(2025, 3, 24)) == nil)
        // Edge follows the dibao procedure; rigid stays with the county.
        #expect(try clock(.edge, acceptedOn: date(2025, 3, 3), options: options).wholeProcess?.date == date(2025, 3, 31))
        #expect(try clock(.rigid, acceptedOn: date(2025, 3, 3), options: options).wholeProcess?.date == date(2025, 4, 14))
    }

    @Test func extensionIsRefusedWhereThereIsNothingToExtend() {
        let reason = "疑难"
        #expect(userError { try clock(.tekun, acceptedOn: date(2025, 3, 3), extensionReason: reason) }?.code
                == "case.extension_not_applicable")
        #expect(userError { try clock(.temporaryEmergency, acceptedOn: date(2025, 3, 3), extensionReason: reason) }?.code
                == "case.extension_not_applicable")
        #expect(userError {
            try clock(acceptedOn: date(2025, 3, 3), options: WorkflowOptions(delegatedConfirmation: true), extensionReason: reason)
        }?.code == "case.extension_delegated")
        #expect(userError {
            try clock(acceptedOn: date(2025, 3, 3), options: WorkflowOptions(extensionAllowed: false), extensionReason: reason)
        }?.code == "case.extension_not_allowed")
    }

    @Test func rigidRuns30And45WorkingDays() throws {
        #expect(try clock(.rigid, acceptedOn: date(2025, 3, 3)).wholeProcess?.date == date(2025, 4, 14))
        #expect(try clock(.rigid, acceptedOn: date(2025, 3, 3), extensionReason: "跨区域").wholeProcess?.date == date(2025, 5, 5))
    }

    @Test func tekunHas15WorkingDaysToInvestigateAnd15ToConfirm() throws {
        let tekun = try clock(.tekun, acceptedOn: date(2025, 9, 26))
        #expect(tekun.wholeProcess == nil)
        #expect(tekun.investigationStart == nil)
        let investigation = try #require(tekun.investigation)
        #expect(investigation.date == date(2025, 10, 23))
        #expect(investigation.rule.zh.contains("15 个工作日"))
        #expect(tekun.initialDeadlines.map(\.kind) == [.investigation])
        let confirmation = try #require(tekun.confirmation(receivedOn: date(2025, 10, 9)))
        #expect(confirmation.date == date(2025, 10, 29))
        #expect(confirmation.rule.zh.contains("15 个工作日"))
    }

    @Test func emergencyHasNoProcessLimitFromAcceptance() throws {
        let emergency = try clock(.temporaryEmergency, acceptedOn: date(2025, 3, 3))
        #expect(emergency.initialDeadlines.isEmpty)
        #expect(emergency.confirmation(receivedOn: date(2025, 3, 3)) == nil)
        let record = emergency.emergencyRecord(paidOn: date(2025, 9, 29))
        #expect(record.date == date(2025, 10, 13))   // 5 WD over the holiday, with make-up Sat Oct 11
        #expect(record.rule.zh == "先行救助后 5 个工作日内补齐审批手续")
        let threeDays = try clock(.temporaryEmergency, acceptedOn: date(2025, 3, 3),
                                  options: WorkflowOptions(emergencyRecordWorkingDays: 3))
        #expect(threeDays.emergencyRecord(paidOn: date(2025, 3, 7)).date == date(2025, 3, 12))
    }

    @Test func countyConfirmsWithin10WorkingDaysOfReceiving() throws {
        let deadline = try #require(try clock(acceptedOn: date(2025, 9, 26)).confirmation(receivedOn: date(2025, 10, 9)))
        #expect(deadline.date == date(2025, 10, 22))
        #expect(deadline.rule.zh == "县级收到材料后 10 个工作日内提出审核确认意见")
    }

    @Test func rejectionNoticeIsDueWithin3WorkingDaysOverAWeekend() throws {
        let notice = try clock(acceptedOn: date(2025, 3, 3)).rejectionNotice(decidedOn: date(2025, 3, 7))  // Fri
        #expect(notice.date == date(2025, 3, 12))
        #expect(notice.rule.zh == "作出决定后 3 个工作日内书面告知申请人并说明理由")
    }

    @Test func publicityIs7CalendarDaysEvenOverTheHoliday() throws {
        let end = try clock(acceptedOn: date(2025, 9, 1)).publicityEnd(startedOn: date(2025, 9, 30))
        #expect(end.date == date(2025, 10, 7))
        #expect(end.kind == .publicityEnd)
        #expect(end.rule.zh.contains("7 天"))
    }

    @Test func deadlineIsOverdueOnlyAfterItsLastDay() {
        let deadline = CaseDeadline(kind: .confirmation, date: date(2025, 3, 10), rule: Bilingual(zh: "", en: ""))
        #expect(!deadline.isOverdue(today: date(2025, 3, 10)))
        #expect(deadline.isOverdue(today: date(2025, 3, 11)))
    }

    @Test(arguments: [
        ((2025, 3, 10), 12, (2026, 3, 9)),
        ((2024, 2, 29), 12, (2025, 2, 28)),   // no Feb 29 in 2025: anniversary Mar 1
        ((2025, 1, 31), 1, (2025, 2, 28)),
        ((2025, 8, 31), 6, (2026, 2, 28)),
        ((2025, 12, 15), 12, (2026, 12, 14)),
        ((2025, 11, 30), 3, (2026, 2, 28)),
        ((2025, 1, 1), 12, (2025, 12, 31)),
    ] as [((Int, Int, Int), Int, (Int, Int, Int))])
    func rigidValidityEndsTheDayBeforeTheAnniversary(approved: (Int, Int, Int), months: Int, end: (Int, Int, Int)) throws {
        let validity = try RigidValidity.end(approvedOn: date(approved.0, approved.1, approved.2), months: months)
        #expect(validity.date == date(end.0, end.1, end.2))
        #expect(validity.kind == .validityEnd)
    }

    @Test func rigidValidityIsAtMost12Months() throws {
        #expect(userError { try RigidValidity.end(approvedOn: date(2025, 3, 10), months: 13) }?.code == "case.validity_months")
        #expect(userError { try RigidValidity.end(approvedOn: date(2025, 3, 10), months: 0) }?.code == "case.validity_months")
        #expect(try RigidValidity.end(approvedOn: date(2025, 3, 10)).rule.zh == "认定有效期 12 个月（自批准之日起）")
    }
}

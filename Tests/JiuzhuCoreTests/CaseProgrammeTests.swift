import Testing
@testable import JiuzhuCore

/// The programmes whose procedure departs from dibao's: tekun, temporary
/// assistance (emergency and expenditure).
struct CaseProgrammeTests {
    typealias A = CaseActors

    static let selfCare = SelfCareAssessment(failed: [.bathing, .walkingIndoors])
    static let sampled = CaseInputs(onSiteCheck: .checked(record: "县级实地核查记录 2025-017"), confirmationOpinion: "同意认定特困",
                                    amount: Money(yuan: 873))

    // MARK: Tekun

    @Test func tekunRunsWithSelfCareAssessmentAndCountySampling() throws {
        var run = CaseRun(.tekun, acceptedOn: date(2025, 9, 26))
        let start = run.workflow.start(acceptedOn: date(2025, 9, 26))
        #expect(start.deadlines.map(\.kind) == [.investigation])
        #expect(start.deadlines.first?.date == date(2025, 10, 23))

        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 9, 29))
        let visit = HomeVisitRecord(investigators: ["张伟", "李娜"], visitedOn: date(2025, 9, 29), signedByFamily: true, signedByInvestigators: true)
        let withoutAssessment = run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 9, 30))
        #expect(withoutAssessment?.code == "case.inputs_missing")
        #expect(withoutAssessment?.field == "selfCare")
        let completed = try run.take(.completeInvestigation, by: A.caseworker,
                                     CaseInputs(homeVisit: visit, selfCare: Self.selfCare), on: date(2025, 9, 30))
        #expect(completed.step.dueBy == [.investigation])
        try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 10, 9))
        try run.take(.startPublicity, by: A.caseworker, on: date(2025, 10, 9))
        let submitted = try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 10, 17))
        #expect(submitted.deadlines.map(\.kind) == [.confirmation])
        #expect(submitted.deadlines.first?.date == date(2025, 11, 7))   // 15 WD after Fri Oct 17

        let unsampled = run.attempt(.approve, by: A.county, CaseInputs(confirmationOpinion: "同意"), on: date(2025, 10, 20))
        #expect(unsampled?.code == "case.inputs_missing")
        #expect(unsampled?.field == "onSiteCheck")
        #expect(run.attempt(.approve, by: A.county, CaseInputs(onSiteCheck: .checked(record: " "), confirmationOpinion: "同意"),
                            on: date(2025, 10, 20))?.code == "case.inputs_missing")
        let approved = try run.take(.approve, by: A.county, Self.sampled, on: date(2025, 10, 20))
        #expect(approved.step.dueBy == [.confirmation])
        #expect(run.progress.state == .approved)
    }

    @Test func aTekunCaseLeftOutOfTheSampleIsConfirmedOnTheBatchRecord() throws {
        var run = CaseRun(.tekun)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker,
                     CaseInputs(homeVisit: CaseFixtures.visit, selfCare: Self.selfCare), on: date(2025, 3, 5))
        try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 6))
        try run.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 7))
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 15))
        let reasons = ["有法定赡养人且有赡养能力"]
        // "Not sampled" stands only on a recorded draw, and only for the batch that left it out.
        #expect(run.attempt(.reject, by: A.county, CaseInputs(onSiteCheck: .notSampled(batch: "TK-1"), rejectionReasons: reasons),
                            on: date(2025, 3, 17))?.code == "sampling.not_drawn")
        run.progress.sample = TekunSampleMembership(batch: "TK-1", sampled: true)
        #expect(run.attempt(.reject, by: A.county, CaseInputs(onSiteCheck: .notSampled(batch: "TK-1"), rejectionReasons: reasons),
                            on: date(2025, 3, 17))?.code == "sampling.chosen")
        run.progress.sample = TekunSampleMembership(batch: "TK-1", sampled: false)
        #expect(run.attempt(.reject, by: A.county, CaseInputs(onSiteCheck: .notSampled(batch: "TK-2"), rejectionReasons: reasons),
                            on: date(2025, 3, 17))?.code == "sampling.batch")
        try run.take(.reject, by: A.county, CaseInputs(onSiteCheck: .notSampled(batch: "TK-1"), rejectionReasons: reasons),
                     on: date(2025, 3, 17))
        #expect(run.progress.state == .rejected)
    }

    @Test func tekunTerminationWaitsForItsOwn7DayNotice() throws {
        var run = CaseRun(.tekun)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker,
                     CaseInputs(homeVisit: CaseFixtures.visit, selfCare: Self.selfCare), on: date(2025, 3, 5))
        try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 6))
        try run.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 7))
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 15))
        try run.take(.approve, by: A.county, Self.sampled, on: date(2025, 3, 17))
        let reasons = ["本人死亡"]
        let unposted = run.attempt(.terminate, by: A.county, CaseInputs(terminationReasons: reasons), on: date(2025, 6, 2))
        #expect(unposted?.code == "case.inputs_missing")
        #expect(unposted?.field == "terminationNotice")
        #expect(run.attempt(.postTerminationNotice, by: A.caseworker, on: date(2025, 6, 2))?.code == "case.inputs_missing")
        let posted = try run.take(.postTerminationNotice, by: A.villageAssistant, CaseInputs(terminationReasons: reasons), on: date(2025, 6, 2))
        #expect(posted.progress.state == .approved && posted.progress.terminationNoticePostedOn == date(2025, 6, 2))
        #expect(posted.deadlines.map(\.kind) == [.terminationNoticeEnd] && posted.deadlines.first?.date == date(2025, 6, 9))
        #expect(CaseAgenda.next(run.workflow, progress: run.progress, deadlines: posted.deadlines)?.actions == [.terminate])
        #expect(run.attempt(.postTerminationNotice, by: A.caseworker, CaseInputs(terminationReasons: reasons),
                            on: date(2025, 6, 3))?.code == "case.termination_notice_posted")
        let early = run.attempt(.terminate, by: A.county, CaseInputs(terminationReasons: reasons), on: date(2025, 6, 9))
        #expect(early?.code == "case.publicity_not_ended")
        let stopped = try run.take(.terminate, by: A.county, CaseInputs(terminationReasons: reasons), on: date(2025, 6, 10))
        #expect(run.progress.state == .terminated && stopped.step.clears.contains(.terminationNoticeEnd))
        #expect(!CaseWorkflow.definition(for: .dibao, options: .standard).contains { $0.action == .postTerminationNotice })
    }

    // MARK: Temporary assistance — emergency

    @Test func emergencyHelpIsPaidFirstAndTheRecordCompletedAfter() throws {
        var run = CaseRun(.temporaryEmergency, acceptedOn: date(2025, 9, 29))
        #expect(run.workflow.start(acceptedOn: date(2025, 9, 29)).deadlines.isEmpty)
        let paid = try run.take(.payFirst, by: A.approver,
                                CaseInputs(emergencyReason: "房屋失火", amount: Money(yuan: 800)), on: date(2025, 9, 29))
        #expect(paid.progress.state == .paidFirst)
        #expect(paid.deadlines.map(\.kind) == [.emergencyRecord])
        #expect(paid.deadlines.first?.date == date(2025, 10, 13))
        let record = EmergencyRecord(recipient: "王芳", reason: "房屋失火", amount: Money(yuan: 800), signatures: ["王芳", "经办人张伟"])
        let completed = try run.take(.completeRecord, by: A.caseworker, CaseInputs(emergencyRecord: record), on: date(2025, 10, 10))
        #expect(completed.step.dueBy == [.emergencyRecord])
        #expect(run.progress.state == .recordCompleted)
        #expect(run.progress.state.isFinal)
    }

    @Test func emergencyHelpAboveTheTownshipLimitGoesToTheCounty() throws {
        let options = WorkflowOptions(emergencyTownshipLimit: Money(yuan: 1000))
        var run = CaseRun(.temporaryEmergency, options: options)
        let atLimit = run.attempt(.payFirst, by: A.approver, CaseInputs(emergencyReason: "车祸", amount: Money(yuan: 1000)), on: date(2025, 3, 3))
        #expect(atLimit == nil)
        let over = run.attempt(.payFirst, by: A.approver, CaseInputs(emergencyReason: "车祸", amount: Money(fen: 100_001)), on: date(2025, 3, 3))
        #expect(over?.code == "case.emergency_over_limit")
        #expect(over?.message.zh.contains("¥1,000.00") == true)
        #expect(run.attempt(.payFirst, by: A.approver, CaseInputs(emergencyReason: "车祸", amount: .zero), on: date(2025, 3, 3))?.code
                == "case.inputs_missing")
        try run.take(.escalate, by: A.approver, CaseInputs(escalationReason: "超出乡镇额度", emergencyReason: "车祸"), on: date(2025, 3, 3))
        #expect(run.progress.state == .escalated)
        #expect(run.attempt(.approve, by: A.approver, CaseFixtures.confirm, on: date(2025, 3, 4))?.code == "case.actor_not_allowed")
        try run.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 4))
        #expect(run.progress.state == .approved)
    }

    @Test func payingFirstIsTheTownshipApproversAndNeedsTheEmergency() {
        let run = CaseRun(.temporaryEmergency)
        let inputs = CaseInputs(emergencyReason: "突发重病", amount: Money(yuan: 500))
        #expect(run.attempt(.payFirst, by: A.caseworker, inputs, on: date(2025, 3, 3))?.code == "case.actor_not_allowed")
        #expect(run.attempt(.payFirst, by: A.villageAssistant, inputs, on: date(2025, 3, 3))?.code == "case.actor_not_allowed")
        let missing = run.attempt(.payFirst, by: A.approver, CaseInputs(), on: date(2025, 3, 3))
        #expect(missing?.message.zh == "“先行救助”还缺少：急难情形；先行救助金额（不超过乡镇审批额度）")
        #expect(run.attempt(.startInvestigation, by: A.caseworker, on: date(2025, 3, 3))?.code == "case.action_not_in_programme")
    }

    @Test(arguments: [
        EmergencyRecord(recipient: "", reason: "失火", amount: Money(yuan: 800), signatures: ["王芳"]),
        EmergencyRecord(recipient: "王芳", reason: " ", amount: Money(yuan: 800), signatures: ["王芳"]),
        EmergencyRecord(recipient: "王芳", reason: "失火", amount: .zero, signatures: ["王芳"]),
        EmergencyRecord(recipient: "王芳", reason: "失火", amount: Money(yuan: 800), signatures: []),
        EmergencyRecord(recipient: "王芳", reason: "失火", amount: Money(yuan: 800), signatures: ["  "]),
    ])
    func anIncompleteEmergencyRecordIsRefused(record: EmergencyRecord) throws {
        var run = CaseRun(.temporaryEmergency)
        try run.take(.payFirst, by: A.approver, CaseInputs(emergencyReason: "失火", amount: Money(yuan: 800)), on: date(2025, 3, 3))
        let error = run.attempt(.completeRecord, by: A.caseworker, CaseInputs(emergencyRecord: record), on: date(2025, 3, 5))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "emergencyRecord")
    }

    // MARK: Temporary assistance — expenditure

    @Test func expenditureRunsTheFullProcedure() throws {
        var run = CaseRun(.temporaryExpenditure)
        #expect(run.workflow.start(acceptedOn: date(2025, 3, 3)).deadlines.map(\.kind) == [.investigationStart, .wholeProcess])
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        try run.take(.approve, by: A.county, CaseInputs(confirmationOpinion: "给予临时救助 3 个月"), on: date(2025, 3, 20))
        #expect(run.progress.state == .approved)
    }

    @Test func aHardExpenditureCaseIsEscalatedAndDecidedOnTheMeetingMinutes() throws {
        var run = CaseRun(.temporaryExpenditure)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        #expect(run.attempt(.escalate, by: A.approver, on: date(2025, 3, 7))?.field == "escalationReason")
        #expect(run.attempt(.escalate, by: A.county, CaseInputs(escalationReason: "医疗支出巨大"), on: date(2025, 3, 7))?.code
                == "case.actor_not_allowed")
        try run.take(.escalate, by: A.approver, CaseInputs(escalationReason: "医疗自付超过 20 万元"), on: date(2025, 3, 7))
        #expect(run.progress.state == .escalated)
        let noMinutes = run.attempt(.approve, by: A.county, CaseInputs(confirmationOpinion: "同意"), on: date(2025, 3, 14))
        #expect(noMinutes?.code == "case.inputs_missing")
        #expect(noMinutes?.field == "caseByCaseMinutes")
        let approved = try run.take(.approve, by: A.county,
                                    CaseInputs(confirmationOpinion: "同意救助 2 万元", caseByCaseMinutes: "2025 年第 3 次一事一议会议纪要"),
                                    on: date(2025, 3, 14))
        #expect(approved.step.dueBy == [.wholeProcess])
        #expect(run.progress.state == .approved)
    }

    @Test func theCountyMayEscalateAnExpenditureCaseItHasReceived() throws {
        var run = CaseRun(.temporaryExpenditure)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(run.attempt(.escalate, by: A.approver, CaseInputs(escalationReason: "复杂"), on: date(2025, 3, 19))?.code
                == "case.actor_not_allowed")
        try run.take(.escalate, by: A.county, CaseInputs(escalationReason: "多部门协同"), on: date(2025, 3, 19))
        let rejected = try run.take(.reject, by: A.county,
                                    CaseInputs(rejectionReasons: ["已获医疗救助足额报销"], caseByCaseMinutes: "会议纪要"),
                                    on: date(2025, 3, 21))
        #expect(rejected.deadlines.first?.date == date(2025, 3, 26))
    }
}

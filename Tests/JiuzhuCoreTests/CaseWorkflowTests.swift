import Testing
import Foundation
@testable import JiuzhuCore

/// Actors of a case registered in village 340302001001 (township 340302001,
/// county 340302).
enum CaseActors {
    static let caseworker = CaseActor(role: .townshipCaseworker, relation: .caseTownship)
    static let approver = CaseActor(role: .townshipApprover, relation: .caseTownship)
    static let county = CaseActor(role: .countyReviewer, relation: .caseCounty)
    static let villageAssistant = CaseActor(role: .villageAssistant, relation: .caseVillage)
    static let otherCounty = CaseActor(role: .countyReviewer, relation: nil)
    static let countyCaseworker = CaseActor(role: .townshipCaseworker, relation: .caseCounty)
}

enum CaseFixtures {
    static let visit = HomeVisitRecord(investigators: ["张伟", "李娜"], visitedOn: date(2025, 3, 4), signedByFamily: true, signedByInvestigators: true)
    static let investigation = CaseInputs(homeVisit: visit)
    static let opinion = CaseInputs(verificationReportNumber: "HD-2025-0001", opinion: "符合农村低保条件")
    static let confirm = CaseInputs(confirmationOpinion: "同意纳入农村低保", amount: Money(yuan: 580), reviewClass: .b)
    static let reject = CaseInputs(rejectionReasons: ["家庭人均收入高于当地低保标准"])
}

/// Applies actions in order, each by its actor and with its inputs, and
/// records every transition; fails the test at the first refusal.
struct CaseRun {
    let workflow: CaseWorkflow
    var progress: CaseProgress
    var transitions: [CaseTransition] = []

    init(_ programme: Programme, options: WorkflowOptions = .standard, acceptedOn: LocalDate = date(2025, 3, 3)) {
        workflow = CaseWorkflow(programme: programme, options: options, calendar: caseTestCalendar)
        progress = workflow.start(acceptedOn: acceptedOn).progress
    }

    @discardableResult
    mutating func take(_ action: CaseAction, by actor: CaseActor, _ inputs: CaseInputs = CaseInputs(),
                       on day: LocalDate) throws -> CaseTransition {
        let transition = try workflow.apply(action, to: progress, actor: actor, inputs: inputs, on: day).get()
        progress = transition.progress
        transitions.append(transition)
        return transition
    }

    func attempt(_ action: CaseAction, by actor: CaseActor, _ inputs: CaseInputs = CaseInputs(),
                 on day: LocalDate) -> UserError? {
        switch workflow.apply(action, to: progress, actor: actor, inputs: inputs, on: day) {
        case .success: nil
        case .failure(let error): error
        }
    }

    /// Accepted Mon 2025-03-03, up to publicity posted on Mon 2025-03-10.
    mutating func throughPublicity() throws {
        try take(.startInvestigation, by: CaseActors.caseworker, on: date(2025, 3, 4))
        try take(.completeInvestigation, by: CaseActors.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        try take(.proposeInitialOpinion, by: CaseActors.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        try take(.startPublicity, by: CaseActors.caseworker, on: date(2025, 3, 10))
    }
}

struct CaseWorkflowTests {
    typealias A = CaseActors

    // MARK: Happy paths

    @Test func dibaoRunsFromAcceptanceToApproval() throws {
        var run = CaseRun(.dibao)
        let start = run.workflow.start(acceptedOn: date(2025, 3, 3))
        #expect(start.progress.state == .accepted)
        #expect(start.deadlines.map(\.kind) == [.investigationStart, .wholeProcess])
        #expect(start.deadlines.map(\.date) == [date(2025, 3, 6), date(2025, 4, 14)])

        try run.throughPublicity()
        #expect(run.progress.state == .publicity)
        #expect(run.progress.publicityStartedOn == date(2025, 3, 10))
        #expect(run.transitions.last?.deadlines.map(\.date) == [date(2025, 3, 17)])

        let submitted = try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(submitted.progress.state == .awaitingConfirmation)
        #expect(submitted.deadlines.map(\.kind) == [.confirmation])
        #expect(submitted.deadlines.first?.date == date(2025, 4, 1))   // 10 WD after Tue Mar 18

        let approved = try run.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 25))
        #expect(approved.progress.state == .approved)
        #expect(approved.step.dueBy == [.confirmation, .wholeProcess])
        #expect(approved.deadlines.map(\.kind) == [.review])
        #expect(approved.deadlines.first?.date == date(2026, 3, 25))
        #expect(run.transitions.map(\.progress.state) ==
                [.investigating, .awaitingVerification, .initialOpinion, .publicity, .awaitingConfirmation, .approved])
    }

    @Test func edgeFollowsTheDibaoProcedure() throws {
        var run = CaseRun(.edge)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        try run.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 19))
        #expect(run.progress.state == .approved)
    }

    @Test func countyRejectionStartsThe3DayNoticeClock() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        let rejected = try run.take(.reject, by: A.county, CaseFixtures.reject, on: date(2025, 3, 21))  // Fri
        #expect(rejected.progress.state == .rejected)
        #expect(rejected.deadlines.map(\.kind) == [.rejectionNotice])
        #expect(rejected.deadlines.first?.date == date(2025, 3, 26))
        #expect(run.attempt(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 24))?.code
                == "case.action_not_allowed_in_state")
    }

    @Test func rejectionNeedsAtLeastOneNonBlankReason() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        let error = run.attempt(.reject, by: A.county, CaseInputs(rejectionReasons: ["  ", ""]), on: date(2025, 3, 21))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "rejectionReasons")
        #expect(error?.message.zh.contains("不予批准的理由") == true)
    }

    // MARK: Objections

    @Test func objectionGoesToDemocraticAppraisalAndIsPostedAgain() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.raiseObjection, by: A.caseworker, CaseInputs(objection: "邻居反映家中有营运车辆"), on: date(2025, 3, 12))
        #expect(run.progress.state == .objectionHandling)
        let appraisal = CaseInputs(opinion: "经评议仍符合条件", objectionDisposition: "车辆已于 2024 年转让",
                                   appraisalMinutes: "村民代表 9 人参加，8 人同意")
        try run.take(.resolveByDemocraticAppraisal, by: A.approver, appraisal, on: date(2025, 3, 14))
        #expect(run.progress.state == .initialOpinion)
        try run.take(.startPublicity, by: A.villageAssistant, on: date(2025, 3, 17))
        #expect(run.progress.publicityStartedOn == date(2025, 3, 17))
        // The first posting's end no longer counts: the new one runs to Mar 24.
        #expect(run.attempt(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 24))?.code == "case.publicity_not_ended")
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 25))
        #expect(run.progress.state == .awaitingConfirmation)
    }

    @Test func reinvestigationNeedsANewHomeVisitTheDispositionAndANewOpinion() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.raiseObjection, by: A.caseworker, CaseInputs(objection: "反映有经营收入"), on: date(2025, 3, 12))
        let error = run.attempt(.resolveByReinvestigation, by: A.approver, on: date(2025, 3, 13))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "homeVisit")
        for requirement in [CaseRequirement.homeVisit, .objectionDisposition, .initialOpinion] {
            #expect(error?.message.zh.contains(requirement.name.zh) == true)
            #expect(error?.message.en.contains(requirement.name.en) == true)
        }
        let visit = HomeVisitRecord(investigators: ["王强", "赵敏"], visitedOn: date(2025, 3, 13), signedByFamily: true, signedByInvestigators: true)
        try run.take(.resolveByReinvestigation, by: A.approver,
                     CaseInputs(homeVisit: visit, opinion: "不符合", objectionDisposition: "查实有经营收入"),
                     on: date(2025, 3, 13))
        #expect(run.progress.state == .initialOpinion)
    }

    @Test func anObjectionNeedsItsContent() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        #expect(run.attempt(.raiseObjection, by: A.caseworker, CaseInputs(objection: " "), on: date(2025, 3, 12))?.code
                == "case.inputs_missing")
    }

    // MARK: Publicity

    @Test func publicityCannotCloseBeforeItsSeventhDayHasPassed() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()   // posted Mon Mar 10; 7 days Mar 11–17
        for day in [date(2025, 3, 10), date(2025, 3, 14), date(2025, 3, 17)] {
            let error = run.attempt(.submitForConfirmation, by: A.caseworker, on: day)
            #expect(error?.code == "case.publicity_not_ended")
            #expect(error?.message.zh.contains("2025-03-18") == true)
        }
        #expect(run.attempt(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18)) == nil)
    }

    @Test func publicityStartSetsItsEndAndVillageAssistantMayPost() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        try run.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        let posted = try run.take(.startPublicity, by: A.villageAssistant, on: date(2025, 9, 30))
        #expect(posted.deadlines.map(\.kind) == [.publicityEnd])
        #expect(posted.deadlines.first?.date == date(2025, 10, 7))
        let township = CaseActor(role: .villageAssistant, relation: .caseTownship)
        #expect(run.workflow.steps(from: .initialOpinion).first { $0.action == .startPublicity }?
                    .actors.contains { $0.allows(township) } == true)
    }

    // MARK: Who may act

    @Test func aVillageAssistantCannotApproveAndIsToldWhoCan() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        let error = run.attempt(.approve, by: A.villageAssistant, CaseFixtures.confirm, on: date(2025, 3, 19))
        #expect(error?.code == "case.actor_not_allowed")
        #expect(error?.message.zh.contains("本县（区）县级审核确认人") == true)
        #expect(error?.message.en.contains("county reviewer") == true)
    }

    @Test func aCountyReviewerFromAnotherCountyCannotApprove() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(run.attempt(.approve, by: A.otherCounty, CaseFixtures.confirm, on: date(2025, 3, 19))?.code
                == "case.actor_not_allowed")
        #expect(run.attempt(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 19)) == nil)
    }

    @Test func theRightRoleAtTheWrongLevelIsRefused() {
        let run = CaseRun(.dibao)
        // A caseworker account homed at the county is not the case's township.
        #expect(run.attempt(.startInvestigation, by: A.countyCaseworker, on: date(2025, 3, 4))?.code == "case.actor_not_allowed")
        #expect(run.attempt(.startInvestigation, by: A.county, on: date(2025, 3, 4))?.code == "case.actor_not_allowed")
        #expect(run.attempt(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4)) == nil)
    }

    @Test func theTownshipApproverCannotConfirmUnlessConfirmationIsDelegated() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(run.attempt(.approve, by: A.approver, CaseFixtures.confirm, on: date(2025, 3, 19))?.code
                == "case.actor_not_allowed")
    }

    @Test func initialOpinionIsTheApproversNotTheCaseworkers() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        #expect(run.attempt(.proposeInitialOpinion, by: A.caseworker, CaseFixtures.opinion, on: date(2025, 3, 7))?.code
                == "case.actor_not_allowed")
    }

    @Test func regionRelationFollowsTheCodes() throws {
        let village = try RegionCode("340302001001")
        let township = try RegionCode("340302001")
        #expect(CaseRegionRelation.of(home: village, caseRegion: village) == .caseVillage)
        #expect(CaseRegionRelation.of(home: try RegionCode("340302001002"), caseRegion: village) == nil)
        #expect(CaseRegionRelation.of(home: township, caseRegion: village) == .caseTownship)
        #expect(CaseRegionRelation.of(home: township, caseRegion: township) == .caseTownship)
        #expect(CaseRegionRelation.of(home: try RegionCode("340302002"), caseRegion: village) == nil)
        #expect(CaseRegionRelation.of(home: try RegionCode("340302"), caseRegion: village) == .caseCounty)
        #expect(CaseRegionRelation.of(home: try RegionCode("340303"), caseRegion: village) == nil)
        #expect(CaseRegionRelation.of(home: try RegionCode("3403"), caseRegion: village) == nil)
        #expect(CaseRegionRelation.of(home: try RegionCode("34"), caseRegion: village) == nil)
        let actor = CaseActor(role: .countyReviewer, home: try RegionCode("340302"), caseRegion: village)
        #expect(actor.relation == .caseCounty)
    }

    // MARK: Missing inputs

    @Test func completingTheInvestigationNeedsTheHomeVisitRecord() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        let error = run.attempt(.completeInvestigation, by: A.caseworker, on: date(2025, 3, 5))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "homeVisit")
        #expect(error?.message.zh.contains("入户调查记录") == true)
    }

    @Test(arguments: [["张伟"], ["张伟", "张伟"], ["张伟", "  "], []])
    func aHomeVisitNeedsTwoDistinctInvestigators(names: [String]) throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        let visit = HomeVisitRecord(investigators: names, visitedOn: date(2025, 3, 4), signedByFamily: true, signedByInvestigators: true)
        #expect(run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 3, 5))?.code
                == "case.home_visit_investigators")
    }

    @Test func aHomeVisitMustBeSignedAndDatedInsideTheCase() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        var visit = CaseFixtures.visit
        visit.signedByFamily = false
        #expect(run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 3, 5))?.code
                == "case.home_visit_unsigned")
        visit.signedByFamily = true
        visit.signedByInvestigators = false
        #expect(run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 3, 5))?.code
                == "case.home_visit_investigators_unsigned")
        visit.signedByInvestigators = true
        visit.visitedOn = date(2025, 3, 6)
        #expect(run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 3, 5))?.code
                == "case.home_visit_date")
        visit.visitedOn = date(2025, 3, 1)
        #expect(run.attempt(.completeInvestigation, by: A.caseworker, CaseInputs(homeVisit: visit), on: date(2025, 3, 5))?.code
                == "case.home_visit_date")
    }

    @Test func theInitialOpinionNeedsTheVerificationReportAndTheOpinionListedTogether() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try run.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        let error = run.attempt(.proposeInitialOpinion, by: A.approver, on: date(2025, 3, 7))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.message.zh == "“提出初审意见”还缺少：家庭经济状况核对报告；初审意见")
        #expect(error?.message.en == "\"Give the initial opinion\" still needs: Household economic verification report; Initial opinion")
        let onlyOpinion = run.attempt(.proposeInitialOpinion, by: A.approver, CaseInputs(opinion: "符合"), on: date(2025, 3, 7))
        #expect(onlyOpinion?.field == "verificationReportNumber")
    }

    @Test func approvalNeedsTheConfirmationOpinion() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        let error = run.attempt(.approve, by: A.county, on: date(2025, 3, 19))
        #expect(error?.code == "case.inputs_missing")
        #expect(error?.field == "confirmationOpinion")
    }

    // MARK: Forbidden transitions

    @Test func actionsOutOfOrderAreRefusedNamingWhereTheyBelong() {
        let run = CaseRun(.dibao)
        let error = run.attempt(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 4))
        #expect(error?.code == "case.action_not_allowed_in_state")
        #expect(error?.message.zh.contains("已受理") == true)
        #expect(error?.message.zh.contains("待审核确认") == true)
        #expect(run.attempt(.startPublicity, by: A.caseworker, on: date(2025, 3, 4))?.code == "case.action_not_allowed_in_state")
        #expect(run.attempt(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 4))?.code
                == "case.action_not_allowed_in_state")
    }

    @Test func stepsOfOtherProgrammesAreNotInDibao() {
        let run = CaseRun(.dibao)
        for action in [CaseAction.payFirst, .completeRecord, .escalate] {
            #expect(run.attempt(action, by: A.approver, on: date(2025, 3, 4))?.code == "case.action_not_in_programme")
        }
    }

    @Test func finalStatesAllowNothing() throws {
        let workflow = CaseWorkflow(programme: .dibao, options: .standard, calendar: caseTestCalendar)
        for state in CaseState.allCases where state.isFinal {
            #expect(workflow.steps(from: state).isEmpty)
        }
        var run = CaseRun(.dibao)
        try run.take(.withdraw, by: A.caseworker, CaseInputs(withdrawalRequest: "申请人书面撤回"), on: date(2025, 3, 4))
        #expect(run.progress.state == .withdrawn)
        #expect(run.attempt(.startInvestigation, by: A.caseworker, on: date(2025, 3, 5))?.code == "case.action_not_allowed_in_state")
    }

    @Test func anActionCannotBeDatedBeforeAcceptance() {
        let run = CaseRun(.dibao)
        #expect(run.attempt(.startInvestigation, by: A.caseworker, on: date(2025, 3, 2))?.code == "case.date_before_acceptance")
    }

    @Test func applyIsPureTheSameCallGivesTheSameResultAndLeavesTheInputAlone() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        let before = run.progress
        let first = run.workflow.apply(.submitForConfirmation, to: before, actor: A.caseworker, inputs: CaseInputs(), on: date(2025, 3, 18))
        let second = run.workflow.apply(.submitForConfirmation, to: before, actor: A.caseworker, inputs: CaseInputs(), on: date(2025, 3, 18))
        #expect(try first.get() == second.get())
        #expect(run.progress == before)
        #expect(before.state == .publicity)
    }

    // MARK: Withdrawal and termination

    @Test func withdrawalIsOpenBeforeTheDecisionOnlyAndNeedsTheWrittenRequest() throws {
        let workflow = CaseWorkflow(programme: .dibao, options: .standard, calendar: caseTestCalendar)
        let withdrawable = Set(workflow.steps.filter { $0.action == .withdraw }.map(\.from))
        #expect(withdrawable == [.accepted, .investigating, .awaitingVerification, .initialOpinion, .publicity,
                                 .objectionHandling, .awaitingConfirmation])
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        #expect(run.attempt(.withdraw, by: A.caseworker, on: date(2025, 3, 12))?.code == "case.inputs_missing")
        try run.take(.withdraw, by: A.caseworker, CaseInputs(withdrawalRequest: "撤回申请书"), on: date(2025, 3, 12))
        #expect(run.progress.state == .withdrawn)
    }

    @Test func terminationIsTheCountysAndNeedsReasons() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        try run.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 19))
        #expect(run.attempt(.withdraw, by: A.caseworker, CaseInputs(withdrawalRequest: "撤回"), on: date(2025, 4, 1))?.code
                == "case.action_not_allowed_in_state")
        #expect(run.attempt(.terminate, by: A.county, on: date(2025, 6, 3))?.code == "case.inputs_missing")
        #expect(run.attempt(.terminate, by: A.caseworker, CaseInputs(terminationReasons: ["收入超标"]), on: date(2025, 6, 3))?.code
                == "case.actor_not_allowed")
        try run.take(.terminate, by: A.county, CaseInputs(terminationReasons: ["家庭收入超过低保标准"]), on: date(2025, 6, 3))
        #expect(run.progress.state == .terminated)
    }

    // MARK: Extension

    @Test func extendingMovesTheWholeProcessTo45WorkingDaysOnceAndKeepsTheState() throws {
        var run = CaseRun(.dibao)
        try run.throughPublicity()
        try run.take(.raiseObjection, by: A.caseworker, CaseInputs(objection: "反映有房产"), on: date(2025, 3, 12))
        let extended = try run.take(.extendDeadline, by: A.approver, CaseInputs(extensionReason: "公示有异议"), on: date(2025, 3, 12))
        #expect(extended.progress.state == .objectionHandling)
        #expect(extended.progress.extended?.reason == "公示有异议")
        #expect(extended.deadlines.map(\.kind) == [.wholeProcess])
        #expect(extended.deadlines.first?.date == date(2025, 5, 5))
        #expect(extended.deadlines.first?.rule.zh.contains("公示有异议") == true)
        #expect(run.attempt(.extendDeadline, by: A.county, CaseInputs(extensionReason: "再次延期"), on: date(2025, 3, 13))?.code
                == "case.already_extended")
    }

    @Test func extensionNeedsAReasonAndTheRightActor() {
        let run = CaseRun(.dibao)
        let blank = run.attempt(.extendDeadline, by: A.county, CaseInputs(extensionReason: "\u{3000}"), on: date(2025, 3, 4))
        #expect(blank?.code == "case.inputs_missing")
        #expect(blank?.field == "extensionReason")
        #expect(run.attempt(.extendDeadline, by: A.caseworker, CaseInputs(extensionReason: "跨区域"), on: date(2025, 3, 4))?.code
                == "case.actor_not_allowed")
        #expect(run.attempt(.extendDeadline, by: A.county, CaseInputs(extensionReason: "跨区域"), on: date(2025, 3, 4)) == nil)
    }

    @Test func extensionIsNotAStepWhereItDoesNotApply() {
        let reason = CaseInputs(extensionReason: "疑难")
        let delegated = CaseRun(.dibao, options: WorkflowOptions(delegatedConfirmation: true))
        #expect(delegated.attempt(.extendDeadline, by: A.approver, reason, on: date(2025, 3, 4))?.code == "case.extension_delegated")
        let closed = CaseRun(.dibao, options: WorkflowOptions(extensionAllowed: false))
        #expect(closed.attempt(.extendDeadline, by: A.approver, reason, on: date(2025, 3, 4))?.code == "case.extension_not_allowed")
        let tekun = CaseRun(.tekun)
        #expect(tekun.attempt(.extendDeadline, by: A.county, reason, on: date(2025, 3, 4))?.code == "case.extension_not_applicable")
    }

    // MARK: Delegated confirmation

    @Test func delegatedRegionsConfirmAtTheTownshipWithin20WorkingDays() throws {
        let options = WorkflowOptions(delegatedConfirmation: true)
        var run = CaseRun(.dibao, options: options)
        #expect(run.workflow.start(acceptedOn: date(2025, 3, 3)).deadlines.last?.date == date(2025, 3, 31))
        try run.throughPublicity()
        let submitted = try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(submitted.deadlines.isEmpty)
        #expect(run.attempt(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 19))?.code == "case.actor_not_allowed")
        let approved = try run.take(.approve, by: A.approver, CaseFixtures.confirm, on: date(2025, 3, 19))
        #expect(approved.step.dueBy == [.wholeProcess])
        #expect(run.progress.state == .approved)
    }

    @Test func delegationDoesNotReachTekunOrRigid() throws {
        let options = WorkflowOptions(delegatedConfirmation: true)
        for programme in [Programme.tekun, .rigid] {
            let approve = CaseWorkflow.definition(for: programme, options: options).first { $0.action == .approve }
            #expect(approve?.actors == [CaseActorRule(.countyReviewer, at: .caseCounty)])
        }
        let edgeApprove = CaseWorkflow.definition(for: .edge, options: options).first { $0.action == .approve }
        #expect(edgeApprove?.actors == [CaseActorRule(.townshipApprover, at: .caseTownship)])
    }

    // MARK: Rigid expenditure

    @Test func rigidApprovalSetsA12MonthValidity() throws {
        var run = CaseRun(.rigid)
        #expect(run.workflow.start(acceptedOn: date(2025, 3, 3)).deadlines.last?.date == date(2025, 4, 14))
        try run.throughPublicity()
        try run.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        let approved = try run.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 20))
        #expect(approved.deadlines.map(\.kind) == [.validityEnd])
        #expect(approved.deadlines.first?.date == date(2026, 3, 19))
    }

    @Test func aRegionMayShortenTheRigidValidityButNotLengthenIt() throws {
        var six = CaseRun(.rigid, options: WorkflowOptions(rigidValidityMonths: 6))
        try six.throughPublicity()
        try six.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(try six.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 20)).deadlines.first?.date
                == date(2025, 9, 19))
        var long = CaseRun(.rigid, options: WorkflowOptions(rigidValidityMonths: 13))
        try long.throughPublicity()
        try long.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(long.attempt(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 20))?.code == "case.validity_months")
    }

    // MARK: Definitions

    @Test func everyStepSaysWhoMayActAndEveryProgrammeStartsFromAccepted() {
        for programme in Programme.allCases {
            for options in [WorkflowOptions.standard, WorkflowOptions(delegatedConfirmation: true)] {
                let steps = CaseWorkflow.definition(for: programme, options: options)
                #expect(steps.allSatisfy { !$0.actors.isEmpty }, "\(programme)")
                #expect(steps.contains { $0.from == .accepted && $0.to != .withdrawn && $0.to != .accepted }, "\(programme)")
                // One step per (state, action): apply is never ambiguous.
                let keys = steps.map { "\($0.from.rawValue)/\($0.action.rawValue)" }
                #expect(Set(keys).count == keys.count, "\(programme)")
            }
        }
    }

    @Test func onlyEmergencyHelpSkipsInvestigationAndPublicity() {
        for programme in Programme.allCases {
            let actions = Set(CaseWorkflow.definition(for: programme, options: .standard).map(\.action))
            #expect(actions.contains(.startPublicity) == (programme != .temporaryEmergency), "\(programme)")
            #expect(actions.contains(.payFirst) == (programme == .temporaryEmergency), "\(programme)")
            #expect(actions.contains(.escalate) == programme.isTemporary, "\(programme)")
        }
    }

    @Test func everyStateAndActionHasBothNames() {
        for state in CaseState.allCases { #expect(!state.name.zh.isEmpty && !state.name.en.isEmpty) }
        for action in CaseAction.allCases { #expect(!action.name.zh.isEmpty && !action.name.en.isEmpty) }
        for requirement in CaseRequirement.allCases { #expect(!requirement.name.zh.isEmpty && !requirement.name.en.isEmpty) }
        for kind in CaseDeadlineKind.allCases { #expect(!kind.name.zh.isEmpty && !kind.name.en.isEmpty) }
        #expect(Set(CaseAction.allCases.map(\.name.zh)).count == CaseAction.allCases.count)
    }

    @Test func neighbourVisitsAndLettersAreRecordedWhenGivenButNotRequired() throws {
        var run = CaseRun(.dibao)
        try run.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        let step = try #require(run.workflow.steps(from: .investigating).first { $0.action == .completeInvestigation })
        #expect(step.optionalInputs == [.neighbourVisits, .inquiryLetters])
        #expect(!step.requirements.contains(.neighbourVisits))
        var inputs = CaseFixtures.investigation
        inputs.neighbourVisits = "走访邻居张某、李某，反映该户长期无固定收入"
        let done = try run.take(.completeInvestigation, by: A.caseworker, inputs, on: date(2025, 3, 5))
        #expect(done.progress.state == .awaitingVerification)
        #expect(CaseInputs().merged(with: inputs).neighbourVisits == inputs.neighbourVisits)
    }

    @Test func aStoredHomeVisitWithoutTheInvestigatorsSignatureReadsAsUnsigned() throws {
        let json = #"{"investigators":["甲","乙"],"visitedOn":"2025-03-04","signedByFamily":true}"#
        let visit = try JSONDecoder().decode(HomeVisitRecord.self, from: Data(json.utf8))
        #expect(!visit.signedByInvestigators && visit.signedByFamily)
    }
}

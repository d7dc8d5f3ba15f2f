import Testing
@testable import JiuzhuCore

struct CaseAgendaTests {
    typealias A = CaseActors

    /// A run that keeps the case's deadlines as the store does.
    struct Tracked {
        var run: CaseRun
        var deadlines: [CaseDeadline]

        init(_ programme: Programme, options: WorkflowOptions = .standard) {
            run = CaseRun(programme, options: options)
            deadlines = run.workflow.start(acceptedOn: run.progress.acceptedOn).deadlines
        }

        mutating func take(_ action: CaseAction, by actor: CaseActor, _ inputs: CaseInputs = CaseInputs(), on day: LocalDate) throws {
            let transition = try run.take(action, by: actor, inputs, on: day)
            deadlines = CaseAgenda.merge(deadlines, with: transition.deadlines, clearing: transition.step.clears)
        }

        var next: CaseAgendaItem? { CaseAgenda.next(run.workflow, progress: run.progress, deadlines: deadlines) }
    }

    @Test func dibaoAgendaFollowsTheStepsAndTheirLimits() throws {
        var t = Tracked(.dibao)  // accepted Mon 2025-03-03
        #expect(t.next?.actions == [.startInvestigation] && t.next?.role == .townshipCaseworker)
        #expect(t.next?.due?.kind == .investigationStart && t.next?.due?.date == date(2025, 3, 6))
        try t.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        #expect(t.next?.actions == [.completeInvestigation])
        #expect(t.next?.due?.kind == .wholeProcess)  // dibao has no own limit for the investigation
        try t.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        #expect(t.next?.actions == [.proposeInitialOpinion] && t.next?.role == .townshipApprover)
        try t.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        try t.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 10))
        #expect(t.next?.actions == [.submitForConfirmation])
        #expect(t.deadlines.contains { $0.kind == .publicityEnd && $0.date == date(2025, 3, 17) })
        try t.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(t.next?.role == .countyReviewer && t.next?.actions == [.approve, .reject])
        #expect(t.next?.due?.kind == .confirmation)
        try t.take(.approve, by: A.county, CaseInputs(confirmationOpinion: "同意", amount: Money(yuan: 600), reviewClass: .c),
                   on: date(2025, 3, 20))
        // Approved: the case waits for its first review, six months on for class C.
        #expect(t.next?.actions == [.review] && t.next?.role == .townshipCaseworker)
        #expect(t.next?.due?.kind == .review && t.next?.due?.date == date(2025, 9, 20))
    }

    @Test func anApprovedAmountChangesOnlyWithAWrittenReasonAndStopsWithReasons() throws {
        var t = Tracked(.dibao)
        try t.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try t.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        try t.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        try t.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 10))
        try t.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        try t.take(.approve, by: A.county, CaseFixtures.confirm, on: date(2025, 3, 20))
        let noReason = t.run.attempt(.changeAmount, by: A.county, CaseInputs(amount: Money(yuan: 300)), on: date(2025, 6, 2))
        #expect(noReason?.code == "case.inputs_missing" && noReason?.field == "changeReason")
        #expect(t.run.attempt(.changeAmount, by: A.caseworker, CaseInputs(amount: Money(yuan: 300), changeReason: "就业"),
                              on: date(2025, 6, 2))?.code == "case.actor_not_allowed")
        try t.take(.changeAmount, by: A.county, CaseInputs(amount: Money(yuan: 300), changeReason: "家庭成员就业，收入增加"), on: date(2025, 6, 2))
        #expect(t.run.progress.state == .approved && t.next?.actions == [.review])
        try t.take(.terminate, by: A.county, CaseInputs(terminationReasons: ["家庭人均收入超过低保标准"]), on: date(2025, 9, 1))
        #expect(t.run.progress.state == .terminated && t.next == nil)
        #expect(t.deadlines.map(\.kind).filter { $0 == .review }.isEmpty)
        // Edge and rigid recognition carry no monthly amount to change.
        #expect(!CaseWorkflow.definition(for: .edge, options: .standard).contains { $0.action == .changeAmount })
    }

    @Test func delegatedConfirmationGoesToTheTownshipApprover() throws {
        var t = Tracked(.dibao, options: WorkflowOptions(delegatedConfirmation: true))
        try t.take(.startInvestigation, by: A.caseworker, on: date(2025, 3, 4))
        try t.take(.completeInvestigation, by: A.caseworker, CaseFixtures.investigation, on: date(2025, 3, 5))
        try t.take(.proposeInitialOpinion, by: A.approver, CaseFixtures.opinion, on: date(2025, 3, 7))
        try t.take(.startPublicity, by: A.caseworker, on: date(2025, 3, 10))
        try t.take(.submitForConfirmation, by: A.caseworker, on: date(2025, 3, 18))
        #expect(t.next?.role == .townshipApprover && t.next?.due?.kind == .wholeProcess)
    }

    @Test func mergeKeepsTheLatestOfEachKindInDateOrder() {
        let rule = Bilingual(zh: "r", en: "r")
        let old = [CaseDeadline(kind: .publicityEnd, date: date(2025, 3, 17), rule: rule),
                   CaseDeadline(kind: .wholeProcess, date: date(2025, 4, 14), rule: rule)]
        let merged = CaseAgenda.merge(old, with: [CaseDeadline(kind: .publicityEnd, date: date(2025, 3, 24), rule: rule)])
        #expect(merged.map(\.kind) == [.publicityEnd, .wholeProcess])
        #expect(merged.first?.date == date(2025, 3, 24))
    }

    @Test func finalStatesWaitForNobody() throws {
        var t = Tracked(.dibao)
        try t.take(.withdraw, by: A.caseworker, CaseInputs(withdrawalRequest: "申请人书面撤回"), on: date(2025, 3, 4))
        #expect(t.next == nil)
    }
}

struct SupportStartTests {
    @Test func supportStartsTheMonthAfterApproval() {
        #expect(CaseClock.firstPaidMonth(approvedOn: date(2026, 3, 31))?.description == "2026-04")
        #expect(CaseClock.firstPaidMonth(approvedOn: date(2026, 12, 1))?.description == "2027-01")
        #expect(CaseClock.firstPaidMonth(approvedOn: date(9999, 12, 31)) == nil)
    }
}

/// One step of a programme's procedure: from a state, by an action, to a
/// state; who may take it, what it needs, the limits it must meet, and the
/// limits it starts.
public struct CaseStep: Sendable, Hashable {
    public let from: CaseState
    public let action: CaseAction
    public let to: CaseState
    public let actors: [CaseActorRule]
    public let requirements: [CaseRequirement]
    /// The limits this step must be taken by.
    public let dueBy: [CaseDeadlineKind]
    /// The limits this step starts (computed from the day it is taken).
    public let sets: [CaseDeadlineKind]
    /// The limits this step settles (a review settles the review a change called for).
    public let clears: [CaseDeadlineKind]
    /// What the step records when there is any, without needing it (neighbour visits, letters).
    public let optionalInputs: [CaseRequirement]

    public init(from: CaseState, action: CaseAction, to: CaseState, actors: [CaseActorRule],
                requirements: [CaseRequirement] = [], dueBy: [CaseDeadlineKind] = [], sets: [CaseDeadlineKind] = [],
                clears: [CaseDeadlineKind] = [], optionalInputs: [CaseRequirement] = []) {
        self.clears = clears
        self.optionalInputs = optionalInputs
        self.from = from
        self.action = action
        self.to = to
        self.actors = actors
        self.requirements = requirements
        self.dueBy = dueBy
        self.sets = sets
    }
}

/// What the store keeps of a case for the workflow: its state and the dates
/// the clock needs.
public struct CaseProgress: Sendable, Hashable {
    public var state: CaseState
    public var acceptedOn: LocalDate
    /// The day the (latest) initial opinion was posted.
    public var publicityStartedOn: LocalDate?
    public var extended: CaseExtension?
    /// The village (or township) the case is registered in: a transfer's
    /// destination must lie in another county.
    public var region: RegionCode?
    /// 最后发放月 — set by a taper (its last month) or a stop (the month of
    /// the decision: a stop takes effect from the next month).
    public var lastPaidMonth: YearMonth?
    /// Tekun: the county's sampling draw the case was in, if any.
    public var sample: TekunSampleMembership?
    /// Tekun: the day the termination notice was posted in the village.
    public var terminationNoticePostedOn: LocalDate?

    public init(state: CaseState = .accepted, acceptedOn: LocalDate, publicityStartedOn: LocalDate? = nil,
                extended: CaseExtension? = nil, region: RegionCode? = nil, lastPaidMonth: YearMonth? = nil,
                terminationNoticePostedOn: LocalDate? = nil) {
        self.terminationNoticePostedOn = terminationNoticePostedOn
        self.region = region
        self.lastPaidMonth = lastPaidMonth
        self.state = state
        self.acceptedOn = acceptedOn
        self.publicityStartedOn = publicityStartedOn
        self.extended = extended
    }
}

/// The outcome of an allowed action: the case's new progress, the step
/// taken, and the limits the step started.
public struct CaseTransition: Sendable, Hashable {
    public let progress: CaseProgress
    public let step: CaseStep
    public let deadlines: [CaseDeadline]
}

/// 审核确认流程 — the procedure of one programme under a region's options,
/// and the pure function that moves a case along it.
///
/// Choices where domain.md gives no rule: edge follows the dibao procedure
/// (including delegation); rigid and temporary expenditure run the dibao
/// clock (30/45 WD, start ≤3 WD, county ≤10 WD) with county confirmation;
/// the delegated variant has no extension. Paying from the reserve fund is
/// the caller's second step after `payFirst` (`ReserveFundLedger.draw`).
public struct CaseWorkflow: Sendable {
    public let programme: Programme
    public let options: WorkflowOptions
    public let calendar: WorkingCalendar
    public let steps: [CaseStep]

    public init(programme: Programme, options: WorkflowOptions, calendar: WorkingCalendar) {
        self.programme = programme
        self.options = options
        self.calendar = calendar
        self.steps = Self.definition(for: programme, options: options)
    }

    /// A new case accepted on `acceptedOn`, with the limits that run from acceptance.
    public func start(acceptedOn: LocalDate, region: RegionCode? = nil) -> (progress: CaseProgress, deadlines: [CaseDeadline]) {
        let progress = CaseProgress(acceptedOn: acceptedOn, region: region)
        return (progress, clock(for: progress).initialDeadlines)
    }

    /// The steps open from `state`.
    public func steps(from state: CaseState) -> [CaseStep] {
        steps.filter { $0.from == state }
    }

    /// Moves a case by `action` if the step exists from its state, `actor`
    /// may take it and `inputs` hold everything it needs; otherwise the error
    /// names the missing inputs (all of them at once) or who may act instead.
    /// Late actions are allowed: an overdue step is flagged, not refused.
    public func apply(_ action: CaseAction, to progress: CaseProgress, actor: CaseActor,
                      inputs: CaseInputs, on date: LocalDate) -> Result<CaseTransition, UserError> {
        Result { () throws(UserError) in try transition(action, progress, actor, inputs, date) }
    }

    private func transition(_ action: CaseAction, _ progress: CaseProgress, _ actor: CaseActor,
                            _ inputs: CaseInputs, _ date: LocalDate) throws(UserError) -> CaseTransition {
        guard date >= progress.acceptedOn else {
            throw UserError("case.date_before_acceptance", field: "date",
                            zh: "办理日期不能早于受理日期 \(progress.acceptedOn)",
                            en: "The date cannot be before the acceptance date \(progress.acceptedOn)")
        }
        let candidates = steps.filter { $0.action == action }
        if candidates.isEmpty {
            if action == .extendDeadline {
                try CaseClock.checkExtensionAllowed(programme: programme, options: options)
            }
            throw UserError("case.action_not_in_programme", field: "action",
                            zh: "\(programme.name.zh)没有“\(action.name.zh)”这一步",
                            en: "\(programme.name.en) has no step \"\(action.name.en)\"")
        }
        guard let step = candidates.first(where: { $0.from == progress.state }) else {
            let states = candidates.map(\.from)
            throw UserError("case.action_not_allowed_in_state", field: "action",
                            zh: "案件处于“\(progress.state.name.zh)”，不能办理“\(action.name.zh)”（仅限：\(states.map(\.name.zh).joined(separator: "、"))）",
                            en: "The case is \(progress.state.name.en.lowercased()); \"\(action.name.en)\" is only possible when: \(states.map(\.name.en).joined(separator: ", "))")
        }
        guard step.actors.contains(where: { $0.allows(actor) }) else {
            let who = step.actors.map(\.name)
            throw UserError("case.actor_not_allowed", field: "actor",
                            zh: "“\(action.name.zh)”应由\(who.map(\.zh).joined(separator: "或"))办理",
                            en: "\"\(action.name.en)\" must be done by the \(who.map(\.en).joined(separator: " or the "))")
        }
        var missing: [CaseRequirement] = []
        for requirement in step.requirements {
            switch try check(requirement, progress, inputs, date) {
            case true: continue
            case false: missing.append(requirement)
            }
        }
        if let first = missing.first {
            throw UserError("case.inputs_missing", field: first.field,
                            zh: "“\(action.name.zh)”还缺少：\(missing.map(\.name.zh).joined(separator: "；"))",
                            en: "\"\(action.name.en)\" still needs: \(missing.map(\.name.en).joined(separator: "; "))")
        }

        var next = progress
        next.state = step.to
        switch action {
        case .startPublicity: next.publicityStartedOn = date
        case .extendDeadline:
            guard progress.extended == nil else {
                throw UserError("case.already_extended", field: "extensionReason",
                                zh: "办理时限已延长过一次", en: "The time limit has already been extended")
            }
            next.extended = try CaseExtension(reason: inputs.extensionReason ?? "")
        case .startTaper:
            if let last = progress.lastPaidMonth {
                throw UserError("taper.already_set", field: "taperMonths",
                                zh: "渐退期已确定（发放至 \(last)），不能再次启动", en: "A taper is already set (paid until \(last)); it cannot start again")
            }
            next.lastPaidMonth = inputs.taper?.lastPaidMonth(decidedOn: date)
        case .terminate:
            next.lastPaidMonth = PaymentRule.lastPaidMonth(terminatedOn: date, current: progress.lastPaidMonth)
        case .acceptTransfer:
            next.region = inputs.transfer?.destination ?? progress.region
        case .postTerminationNotice:
            if let posted = progress.terminationNoticePostedOn {
                throw UserError("case.termination_notice_posted", field: "action",
                                zh: "终止公示已于 \(posted) 张贴", en: "The termination notice was posted on \(posted)")
            }
            next.terminationNoticePostedOn = date
        default: break
        }
        let clock = clock(for: next)
        var deadlines: [CaseDeadline] = []
        for kind in step.sets {
            switch kind {
            case .publicityEnd: deadlines.append(clock.publicityEnd(startedOn: date))
            case .confirmation: if let deadline = clock.confirmation(receivedOn: date) { deadlines.append(deadline) }
            case .rejectionNotice: deadlines.append(clock.rejectionNotice(decidedOn: date))
            case .emergencyRecord: deadlines.append(clock.emergencyRecord(paidOn: date))
            case .validityEnd: deadlines.append(try clock.validityEnd(approvedOn: date, months: options.rigidValidityMonths))
            case .review:
                if let review = options.review.nextReview(programme: programme, reviewClass: inputs.reviewClass, from: date) {
                    deadlines.append(review)
                }
            case .changeReview:
                if let report = inputs.changeReport { deadlines.append(report.review(reportedOn: date, schedule: options.review)) }
            case .taperEnd: if let end = inputs.taper?.end(decidedOn: date) { deadlines.append(end) }
            case .decisionNotice: deadlines.append(clock.decisionNotice(decidedOn: date))
            case .terminationNoticeEnd: deadlines.append(clock.terminationNoticeEnd(startedOn: date))
            case .wholeProcess: if let deadline = clock.wholeProcess { deadlines.append(deadline) }
            case .investigationStart, .investigation: deadlines += clock.initialDeadlines.filter { $0.kind == kind }
            }
        }
        return CaseTransition(progress: next, step: step, deadlines: deadlines)
    }

    /// The case's clock. An extension only enters a progress through
    /// `extendDeadline`, which exists only where extensions are allowed.
    private func clock(for progress: CaseProgress) -> CaseClock {
        CaseClock(checkedAcceptedOn: progress.acceptedOn, programme: programme, options: options,
                  calendar: calendar, extended: progress.extended)
    }

    /// true: present and valid; false: missing. Throws when present but
    /// refused (over a limit, too early, too few investigators).
    private func check(_ requirement: CaseRequirement, _ progress: CaseProgress, _ inputs: CaseInputs,
                       _ date: LocalDate) throws(UserError) -> Bool {
        switch requirement {
        case .homeVisit:
            guard let visit = inputs.homeVisit else { return false }
            guard visit.distinctInvestigators.count >= HomeVisitRecord.minimumInvestigators else {
                throw UserError("case.home_visit_investigators", field: "homeVisit",
                                zh: "入户调查须由不少于 \(HomeVisitRecord.minimumInvestigators) 名调查人员进行",
                                en: "A home visit needs at least \(HomeVisitRecord.minimumInvestigators) investigators")
            }
            guard visit.signedByFamily else {
                throw UserError("case.home_visit_unsigned", field: "homeVisit",
                                zh: "入户调查表须经申请人签字确认", en: "The family must sign the home-visit form")
            }
            guard visit.signedByInvestigators else {
                throw UserError("case.home_visit_investigators_unsigned", field: "homeVisit",
                                zh: "入户调查表须由调查人员签字", en: "The investigators must sign the home-visit form")
            }
            guard visit.visitedOn <= date, visit.visitedOn >= progress.acceptedOn else {
                throw UserError("case.home_visit_date", field: "homeVisit",
                                zh: "入户调查日期应在受理之后、不晚于今天",
                                en: "The home visit must be dated after acceptance and not in the future")
            }
            return true
        case .verificationReport: return nonBlankText(inputs.verificationReportNumber) != nil
        case .selfCareAssessment: return inputs.selfCare != nil
        case .initialOpinion: return nonBlankText(inputs.opinion) != nil
        case .publicityEnded:
            guard let started = progress.publicityStartedOn else { return false }
            try checkPublicityOver(started: started, on: date, field: "publicity")
            return true
        case .objection: return nonBlankText(inputs.objection) != nil
        case .objectionDisposition: return nonBlankText(inputs.objectionDisposition) != nil
        case .democraticAppraisal: return nonBlankText(inputs.appraisalMinutes) != nil
        case .onSiteCheck:
            switch inputs.onSiteCheck {
            case .checked(let record): guard nonBlankText(record) != nil else { return false }
            case .notSampled(let batch): guard nonBlankText(batch) != nil else { return false }
            case nil: return false
            }
            if let record = inputs.onSiteCheck { try TekunSampleMembership.check(record, membership: progress.sample) }
            return true
        case .confirmationOpinion: return nonBlankText(inputs.confirmationOpinion) != nil
        case .monthlyAmount:
            guard let amount = inputs.amount else { return false }
            guard amount > .zero else {
                throw UserError("case.amount_not_positive", field: "amount", zh: "月救助金额须大于零",
                                en: "The monthly amount must be more than zero")
            }
            return true
        case .rejectionReasons: return inputs.rejectionReasons.contains { nonBlankText($0) != nil }
        case .caseByCaseMinutes: return nonBlankText(inputs.caseByCaseMinutes) != nil
        case .escalationReason: return nonBlankText(inputs.escalationReason) != nil
        case .emergencyReason: return nonBlankText(inputs.emergencyReason) != nil
        case .amountWithinTownshipLimit:
            guard let amount = inputs.amount, amount > .zero else { return false }
            guard amount <= options.emergencyTownshipLimit else {
                throw UserError("case.emergency_over_limit", field: "amount",
                                zh: "\(amount.formatted) 超出乡镇先行救助审批额度 \(options.emergencyTownshipLimit.formatted)，请报县级审批",
                                en: "\(amount.formatted) is above the township's limit of \(options.emergencyTownshipLimit.formatted); escalate to the county")
            }
            return true
        case .emergencyRecord: return inputs.emergencyRecord?.isComplete ?? false
        case .extensionReason: return nonBlankText(inputs.extensionReason) != nil
        case .withdrawalRequest: return nonBlankText(inputs.withdrawalRequest) != nil
        case .terminationReasons: return inputs.terminationReasons.contains { nonBlankText($0) != nil }
        case .changeReason: return nonBlankText(inputs.changeReason) != nil
        case .terminationPublicityEnded:
            guard let started = progress.terminationNoticePostedOn else { return false }
            try checkPublicityOver(started: started, on: date, field: "terminationNotice")
            return true
        case .reviewClass: return inputs.reviewClass != nil
        case .reviewConclusion: return nonBlankText(inputs.reviewConclusion) != nil
        case .changeReport:
            guard let report = inputs.changeReport else { return false }
            try report.validate(reportedOn: date)
            return true
        case .taperPlan: return inputs.taper != nil
        case .transferDestination:
            guard let transfer = inputs.transfer else { return false }
            guard let region = progress.region else {
                throw UserError("transfer.case_region", field: "transferDestination",
                                zh: "案件所在地未知，无法办理迁移", en: "The case's region is unknown; it cannot be transferred")
            }
            try transfer.validate(from: region)
            return true
        case .transferOpinion: return nonBlankText(inputs.transferOpinion) != nil
        case .neighbourVisits, .inquiryLetters: return true
        }
    }

    private func checkPublicityOver(started: LocalDate, on date: LocalDate, field: String) throws(UserError) {
        let end = CaseClock.noticeLastDay(postedOn: started)
        guard date > end else {
            throw UserError("case.publicity_not_ended", field: field,
                            zh: "公示期至 \(end) 届满，\(end.adding(days: 1)) 起方可办理",
                            en: "Publicity runs until \(end); this can be done from \(end.adding(days: 1))")
        }
    }
}

extension CaseWorkflow {
    /// The steps of `programme` under `options`, following domain.md §2–3.
    public static func definition(for programme: Programme, options: WorkflowOptions) -> [CaseStep] {
        let caseworker = CaseActorRule(.townshipCaseworker, at: .caseTownship)
        let approver = CaseActorRule(.townshipApprover, at: .caseTownship)
        let county = CaseActorRule(.countyReviewer, at: .caseCounty)
        let villagePoster = [CaseActorRule(.villageAssistant, at: .caseVillage),
                             CaseActorRule(.villageAssistant, at: .caseTownship)]
        let delegated = options.isDelegated(programme)
        let confirmer = delegated ? [approver] : [county]
        let hasWholeLimit = CaseClock.hasWholeProcessLimit(programme)
        let whole: [CaseDeadlineKind] = hasWholeLimit ? [.wholeProcess] : []
        let confirmationDue: [CaseDeadlineKind] = (delegated ? [] : [.confirmation]) + whole
        let tekun = programme == .tekun
        let monthly = programme == .dibao || programme == .tekun
        let investigationRecords: [CaseRequirement] = [.neighbourVisits, .inquiryLetters]

        var steps: [CaseStep] = []
        if programme == .temporaryEmergency {
            steps = [
                CaseStep(from: .accepted, action: .payFirst, to: .paidFirst, actors: [approver],
                         requirements: [.emergencyReason, .amountWithinTownshipLimit], sets: [.emergencyRecord]),
                CaseStep(from: .paidFirst, action: .completeRecord, to: .recordCompleted, actors: [caseworker],
                         requirements: [.emergencyRecord], dueBy: [.emergencyRecord]),
                CaseStep(from: .accepted, action: .escalate, to: .escalated, actors: [approver],
                         requirements: [.emergencyReason, .escalationReason]),
                CaseStep(from: .escalated, action: .approve, to: .approved, actors: [county],
                         requirements: [.confirmationOpinion]),
                CaseStep(from: .escalated, action: .reject, to: .rejected, actors: [county],
                         requirements: [.rejectionReasons], sets: [.rejectionNotice]),
            ]
        } else {
            steps = [
                CaseStep(from: .accepted, action: .startInvestigation, to: .investigating, actors: [caseworker],
                         dueBy: CaseClock.hasInvestigationStartLimit(programme) ? [.investigationStart] : []),
                CaseStep(from: .investigating, action: .completeInvestigation, to: .awaitingVerification,
                         actors: [caseworker],
                         requirements: tekun ? [.homeVisit, .selfCareAssessment] : [.homeVisit],
                         dueBy: tekun ? [.investigation] : [], optionalInputs: investigationRecords),
                CaseStep(from: .awaitingVerification, action: .proposeInitialOpinion, to: .initialOpinion,
                         actors: [approver], requirements: [.verificationReport, .initialOpinion],
                         dueBy: tekun ? [.investigation] : []),
                CaseStep(from: .initialOpinion, action: .startPublicity, to: .publicity,
                         actors: [caseworker] + villagePoster, sets: [.publicityEnd]),
                CaseStep(from: .publicity, action: .raiseObjection, to: .objectionHandling, actors: [caseworker],
                         requirements: [.objection]),
                CaseStep(from: .objectionHandling, action: .resolveByReinvestigation, to: .initialOpinion,
                         actors: [approver], requirements: [.homeVisit, .objectionDisposition, .initialOpinion],
                         optionalInputs: investigationRecords),
                CaseStep(from: .objectionHandling, action: .resolveByDemocraticAppraisal, to: .initialOpinion,
                         actors: [approver], requirements: [.democraticAppraisal, .objectionDisposition, .initialOpinion]),
                CaseStep(from: .publicity, action: .submitForConfirmation, to: .awaitingConfirmation,
                         actors: [caseworker], requirements: [.publicityEnded],
                         sets: delegated ? [] : [.confirmation]),
                CaseStep(from: .awaitingConfirmation, action: .approve, to: .approved, actors: confirmer,
                         requirements: (tekun ? [.onSiteCheck, .confirmationOpinion] : [.confirmationOpinion])
                            + (monthly ? [.monthlyAmount] : []) + (programme == .dibao ? [.reviewClass] : []),
                         dueBy: confirmationDue,
                         sets: programme == .rigid ? [.validityEnd] : (monthly ? [.review] : [])),
                CaseStep(from: .awaitingConfirmation, action: .reject, to: .rejected, actors: confirmer,
                         requirements: tekun ? [.onSiteCheck, .rejectionReasons] : [.rejectionReasons],
                         dueBy: confirmationDue, sets: [.rejectionNotice]),
                CaseStep(from: .approved, action: .terminate, to: .terminated, actors: confirmer,
                         requirements: tekun ? [.terminationReasons, .terminationPublicityEnded] : [.terminationReasons],
                         dueBy: [.taperEnd, .terminationNoticeEnd], sets: monthly ? [.decisionNotice] : [],
                         clears: [.review, .changeReview, .taperEnd, .terminationNoticeEnd]),
            ]
            if tekun {
                // 特困终止: posted in the village for 7 days (with its reasons) before the county stops it.
                steps.append(CaseStep(from: .approved, action: .postTerminationNotice, to: .approved, actors: [caseworker] + villagePoster,
                                      requirements: [.terminationReasons], sets: [.terminationNoticeEnd]))
            }
            if monthly {
                // 动态管理: an increase or decrease after a change, with its written reason; the
                // scheduled review; a change the family reports; the transfer to another county.
                let receiving = CaseActorRule(.countyReviewer, at: .receivingCounty)
                steps += [
                    CaseStep(from: .approved, action: .changeAmount, to: .approved, actors: confirmer,
                             requirements: [.monthlyAmount, .changeReason], sets: [.decisionNotice]),
                    CaseStep(from: .approved, action: .review, to: .approved, actors: [caseworker],
                             requirements: [.homeVisit, .verificationReport, .reviewConclusion]
                                + (programme == .dibao ? [.reviewClass] : []),
                             dueBy: [.review, .changeReview], sets: [.review], clears: [.changeReview],
                             optionalInputs: investigationRecords),
                    CaseStep(from: .approved, action: .reportChange, to: .approved, actors: [caseworker] + villagePoster,
                             requirements: [.changeReport], sets: [.changeReview]),
                    CaseStep(from: .approved, action: .requestTransfer, to: .transferring, actors: [caseworker],
                             requirements: [.transferDestination]),
                    CaseStep(from: .transferring, action: .acceptTransfer, to: .approved, actors: [receiving],
                             requirements: [.transferOpinion]),
                    CaseStep(from: .transferring, action: .declineTransfer, to: .approved, actors: [receiving],
                             requirements: [.transferOpinion]),
                ]
                if programme == .dibao {
                    // 渐退: income above the standard after a job; support goes on for up to 6 months.
                    steps.append(CaseStep(from: .approved, action: .startTaper, to: .approved, actors: confirmer,
                                          requirements: [.taperPlan, .changeReason], sets: [.taperEnd, .decisionNotice]))
                }
            }
            if programme == .temporaryExpenditure {
                steps += [
                    CaseStep(from: .initialOpinion, action: .escalate, to: .escalated, actors: [approver],
                             requirements: [.escalationReason]),
                    CaseStep(from: .awaitingConfirmation, action: .escalate, to: .escalated, actors: [county],
                             requirements: [.escalationReason]),
                    CaseStep(from: .escalated, action: .approve, to: .approved, actors: [county],
                             requirements: [.caseByCaseMinutes, .confirmationOpinion], dueBy: whole),
                    CaseStep(from: .escalated, action: .reject, to: .rejected, actors: [county],
                             requirements: [.caseByCaseMinutes, .rejectionReasons], dueBy: whole,
                             sets: [.rejectionNotice]),
                ]
            }
        }
        // Withdrawal and extension are open from every state before a decision.
        let pendingStates = CaseState.allCases.filter { state in
            state.isPending && steps.contains { $0.from == state || $0.to == state }
        }
        for state in pendingStates {
            steps.append(CaseStep(from: state, action: .withdraw, to: .withdrawn, actors: [caseworker],
                                  requirements: [.withdrawalRequest]))
        }
        if (try? CaseClock.checkExtensionAllowed(programme: programme, options: options)) != nil {
            for state in pendingStates {
                steps.append(CaseStep(from: state, action: .extendDeadline, to: state, actors: [approver, county],
                                      requirements: [.extensionReason], sets: [.wholeProcess]))
            }
        }
        return steps
    }
}

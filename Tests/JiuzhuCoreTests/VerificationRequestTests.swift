import Foundation
@testable import JiuzhuCore
import Testing

private typealias F = VerificationFixture

// MARK: Authorisation (核对授权书)

private let adult = AuthorisationMember(key: "a", name: "王建国", age: 44)
private let minor = AuthorisationMember(key: "m", name: "王小明", age: 13)
private let today = date(2026, 6, 15)

private func check(number: String = "SQ-2026-0001", signedOn: LocalDate = today,
                   members: [AuthorisationMember] = [adult, minor],
                   signatures: [String: AuthorisationSignature] = ["a": .init(signer: .member),
                                                                   "m": .init(signer: .guardian, guardianName: "王建国")],
                   hasScan: Bool = true) -> UserError? {
    userError { try AuthorisationRules.check(number: number, signedOn: signedOn, today: today, members: members,
                                             signatures: signatures, hasScan: hasScan) }
}

@Test func acceptsAuthorisationCoveringEveryMemberWithGuardianForMinor() {
    #expect(check() == nil)
}

@Test func refusesAuthorisationMissingAMembersSignature() {
    let error = check(signatures: ["a": .init(signer: .member)])
    #expect(error?.code == "authorisation.unsigned")
    #expect(error?.field == "signatures[m]")
    #expect(error?.message.zh.contains("王小明") == true)
}

@Test func refusesMinorSigningForThemselves() {
    let error = check(signatures: ["a": .init(signer: .member), "m": .init(signer: .member)])
    #expect(error?.code == "authorisation.minor")
}

@Test func refusesGuardianSignatureWithoutGuardianName() {
    let error = check(signatures: ["a": .init(signer: .guardian, guardianName: "  "),
                                   "m": .init(signer: .guardian, guardianName: "李秀英")])
    #expect(error?.code == "authorisation.guardian_name")
    #expect(error?.field == "signatures[a]")
}

@Test func refusesBadNumbersFutureDatesAndMissingScan() {
    #expect(check(number: "")?.code == "authorisation.number")
    #expect(check(number: "授权/1")?.code == "authorisation.number")
    #expect(check(number: String(repeating: "1", count: 41))?.code == "authorisation.number")
    #expect(check(signedOn: date(2026, 6, 16))?.code == "authorisation.future")
    #expect(check(hasScan: false)?.code == "authorisation.scan")
    #expect(check(members: [])?.code == "authorisation.no_members")
}

// MARK: Jobs and the clock

@Test func sourceDeadlineCountsWorkingDaysOverTheWeekend() {
    // Friday 2026-06-12 + 5 working days = Friday 2026-06-19 (no holiday in between).
    let calendar = WorkingCalendar(overrides: [])
    let deadline = VerificationRequestRules.sourceDeadline(requestedOn: date(2026, 6, 12), calendar: calendar)
    #expect(deadline.date == date(2026, 6, 19))
    #expect(deadline.rule.zh.contains("5 个工作日"))
}

@Test func failedJobsRetryWithDoublingBackoffThenStayFailed() {
    #expect(VerificationRequestRules.after(.failed("timeout"), attempts: 1) == (.pending, 60))
    #expect(VerificationRequestRules.after(.failed("timeout"), attempts: 2) == (.pending, 120))
    #expect(VerificationRequestRules.after(.failed("timeout"), attempts: 3) == (.failed, nil))
    #expect(VerificationRequestRules.after(.returned, attempts: 1) == (.returned, nil))
    #expect(VerificationRequestRules.after(.unavailable("no service"), attempts: 1) == (.unavailable, nil))
}

@Test func reportWaitsForRequiredSourcesUnlessTheDeadlinePassed() {
    let required = ["tax", "bank"]
    let partial: [String: SourceStatus] = ["tax": .returned, "bank": .pending]
    #expect(!VerificationRequestRules.isReady(required: required, statuses: partial, retrying: [], deadlinePassed: false))
    #expect(VerificationRequestRules.isReady(required: required, statuses: partial, retrying: [], deadlinePassed: true))
    let answered: [String: SourceStatus] = ["tax": .returned, "bank": .unavailable]
    #expect(VerificationRequestRules.isReady(required: required, statuses: answered, retrying: [], deadlinePassed: false))
    // A failed source with a retry scheduled is still awaited; one out of attempts is not.
    let failed: [String: SourceStatus] = ["tax": .returned, "bank": .failed]
    #expect(!VerificationRequestRules.isReady(required: required, statuses: failed, retrying: ["bank"], deadlinePassed: false))
    #expect(VerificationRequestRules.isReady(required: required, statuses: failed, retrying: [], deadlinePassed: false))
    // A required source without a job at all is never "answered".
    #expect(!VerificationRequestRules.isReady(required: ["tax", "vehicle"], statuses: ["tax": .returned], retrying: [],
                                              deadlinePassed: false))
}

// MARK: The stored input of a report

@Test func caseJSONRoundTripsEveryRecordTypeAndMember() throws {
    var disabled = F.child
    disabled.disability = F.disability(.intellectual, 3)
    disabled.seriousIllness = true
    let records = F.monthlyIncome(F.adult, 150_000)
        + [F.expense(F.adult, "2026-04", 20_000), F.asset(F.spouse, account: "6222 0001", on: date(2026, 5, 31), 500_000),
           F.vehicle(F.adult, .truck, 4_000_000), F.property(F.adult, .residential), F.company(F.spouse, .soleTrader),
           F.death(F.spouse, date(2027, 1, 1))]
    let input = F.household([F.adult, F.spouse, disabled], records, residence: .rural)
    let reread = try VerificationCase(json: input.json.rendered(pretty: false))
    #expect(reread == input)
    #expect(try VerificationCalculator.evaluate(reread).outcome == VerificationCalculator.evaluate(input).outcome)
}

import Fluent
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing

/// A household with one person, an application and an authorisation, written
/// directly, and a request on them: the claim and the version rules do not
/// depend on how the request came to be.
private func seedJobs(_ db: any Database, count: Int, now: Date) async throws -> VerificationRequestRecord {
    let person = PersonRecord()
    person.id = UUID()
    person.idBlind = "blind"
    person.idSealed = "sealed"
    person.idMasked = "340321********0011"
    person.name = "测试"
    person.sex = "male"
    person.birthDate = "1980-01-01"
    person.employment = "farming"
    person.student = "none"
    person.regionCode = "340321100201"
    person.residence = "rural"
    person.updatedMillis = now.millis
    try await person.create(on: db)
    let household = HouseholdRecord()
    household.id = UUID()
    household.regionCode = "340321100201"
    household.headPersonID = try person.requireID()
    household.createdMillis = now.millis
    household.version = 1
    try await household.create(on: db)
    let application = ApplicationRecord()
    application.id = UUID()
    application.trackingCode = "T\(UUID().uuidString.prefix(8))"
    application.householdID = try household.requireID()
    application.regionCode = "340321100201"
    application.channel = "window"
    application.programmes = "dibao"
    application.referralNeeds = ""
    application.status = "accepted"
    application.materials = ""
    application.conflict = "none"
    application.separateRegister = false
    application.acceptedOn = "2026-05-28"
    application.createdMillis = now.millis
    application.version = 1
    try await application.create(on: db)
    let document = try DocumentRecord.sealing(ScannedFile(kind: .pdf, bytes: Array("%PDF-1.4".utf8)),
                                              applicationID: try application.requireID(), regionCode: "340321100201",
                                              purpose: "authorisation", keys: TestKeys.ring, now: now)
    try await document.create(on: db)
    let authorisation = AuthorisationRecord()
    authorisation.id = UUID()
    authorisation.applicationID = try application.requireID()
    authorisation.householdID = try household.requireID()
    authorisation.regionCode = "340321100201"
    authorisation.number = "SQ-1"
    authorisation.signedOn = "2026-05-27"
    authorisation.documentID = try document.requireID()
    authorisation.createdBy = "test"
    authorisation.createdMillis = now.millis
    try await authorisation.create(on: db)

    let request = VerificationRequestRecord()
    request.id = UUID()
    request.applicationID = try application.requireID()
    request.householdID = try household.requireID()
    request.regionCode = "340321100201"
    request.authorisationID = try authorisation.requireID()
    request.kind = "initial"
    request.asOf = "2026-05-28"
    request.deadline = "2026-06-04"
    request.deadlineRuleZh = "规则"
    request.deadlineRuleEn = "rule"
    request.policyRegion = "3403"
    request.policyFrom = "2026-01-01"
    request.status = "collecting"
    request.createdBy = "test"
    request.createdMillis = now.millis
    request.updatedMillis = now.millis
    try await request.create(on: db)
    for index in 0..<count {
        let job = VerificationJobRecord()
        job.requestID = try request.requireID()
        job.source = "source\(index)"
        job.status = "pending"
        job.attempts = 0
        job.nextAttemptMillis = now.millis
        job.records = 0
        job.updatedMillis = now.millis
        try await job.create(on: db)
    }
    return request
}

@Suite struct VerificationRepositoryTests {
    @Test(arguments: TestDatabase.all)
    func concurrentClaimsTakeEachJobOnce(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock) { app in
            _ = try await seedJobs(app.db, count: 12, now: clock.now)
            let repository = VerificationRepository(db: app.db, keys: TestKeys.ring)
            let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await repository.claimDueJobs(now: clock.now, limit: 12).compactMap(\.id) }
                }
                var all: [[UUID]] = []
                for try await claim in group { all.append(claim) }
                return all
            }
            let claimed = claims.flatMap { $0 }
            #expect(claimed.count == 12)
            #expect(Set(claimed).count == 12)
            // Leased: nothing is due again until the lease runs out.
            #expect(try await repository.claimDueJobs(now: clock.now).isEmpty)
            #expect(try await repository.claimDueJobs(now: clock.now.addingTimeInterval(121)).count == 12)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aReportVersionIsNeverOverwritten(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock) { app in
            let request = try await seedJobs(app.db, count: 0, now: clock.now)
            let repository = VerificationRepository(db: app.db, keys: TestKeys.ring)
            let draft = ReportVersionDraft(version: 1, signedText: "{\"report\":1}", inputJSON: "{}", recordKeys: ["id:1"],
                                           exemptions: [:], conclusion: .dibao, monthlyBenefit: Money(fen: 86_800),
                                           digest: "d1", keyID: TestKeys.ring.keyID)
            let audit = AuditEntry(actor: "test", role: "system", region: "340321", action: "verification.report")
            _ = try await repository.saveReport(draft, request: request, actor: "test", audit: audit,
                                                auditChain: AuditChain(keys: TestKeys.ring), now: clock.now)
            var second = draft
            second.signedText = "{\"report\":\"forged\"}"
            second.conclusion = .ineligible
            await #expect(throws: UserError.self) {
                _ = try await repository.saveReport(second, request: request, actor: "test", audit: audit,
                                                    auditChain: AuditChain(keys: TestKeys.ring), now: clock.now)
            }
            let stored = try await repository.reports(requestID: try request.requireID())
            #expect(stored.count == 1)
            let opened = try repository.open(stored[0])
            #expect(opened.signedText == "{\"report\":1}")
            #expect(opened.recordKeys == ["id:1"])
            // Sealed at rest.
            #expect(!stored[0].signedSealed.contains("report"))
        }
    }
}

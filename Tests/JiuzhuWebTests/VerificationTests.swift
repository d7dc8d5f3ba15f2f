import Fluent
import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

/// A department that answers from a fixed list, or fails, as the test says.
private struct StubSource: DepartmentSourceAdapter {
    let source: String
    let records: @Sendable ([ResidentID]) -> [DepartmentRecord]
    var failure: DepartmentFetchError?

    func fetch(members: [ResidentID], asOf: LocalDate) async throws(DepartmentFetchError) -> DepartmentAnswer {
        if let failure { throw failure }
        return DepartmentAnswer(items: records(members).map { .init(record: $0, timestamp: "2026-05-27T10:00:00+08:00") },
                                answeredAt: "2026-05-28T09:00:00+08:00")
    }
}

private func resident(_ text: String) -> ResidentID {
    try! ResidentID(text, today: LocalDate(year: 2026, month: 5, day: 28)!)  // programmer error: test constants
}

/// The father earns ¥1,500 a month in the window; with `car`, he also owns a
/// ¥50,000 car; `failing` sources fail every time.
private func departments(car: Bool = false, failing: Set<String> = []) -> @Sendable (String) -> (any DepartmentSourceAdapter)? {
    { source in
        if failing.contains(source) { return StubSource(source: source, records: { _ in [] }, failure: .failed("HTTP 503")) }
        let father = resident(TestPeople.father)
        return StubSource(source: source, records: { members in
            guard members.contains(father) else { return [] }
            switch source {
            case "tax":
                return ["2026-02", "2026-03", "2026-04"].map { month in
                    DepartmentRecord(source: "tax", member: father,
                                     detail: .income(kind: "wage", month: try! YearMonth(parsing: month), amount: Money(fen: 150_000)))
                }
            case "vehicle" where car:
                return [DepartmentRecord(source: "vehicle", member: father, detail: .vehicle(plate: "皖C12345", type: .car, value: Money(fen: 5_000_000)))]
            default:
                return []
            }
        })
    }
}

private let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)

/// Registers the test family and records its authorisation; returns the request page's path.
private func requestVerification(_ app: Application, _ caseworker: WebClient, childSigner: String = "guardian") async throws -> (TestingHTTPResponse, String) {
    try await caseworker.get("/intake/new")
    let registered = try await caseworker.post("/intake", pairs: TestPeople.familyForm())
    let application = try #require(registered.headers.first(name: .location))
    let page = body(try await caseworker.get(application))
    #expect(page.contains("request-verification"))
    let form = body(try await caseworker.get(application + "/verification/new"))
    #expect(form.contains("authorisation-form"))
    let people = try await PersonRecord.query(on: app.db).all()
    func id(_ name: String) -> String { people.first { $0.name == name }?.id?.uuidString ?? "" }
    let pairs: [(String, String)] = [
        ("number", "SQ-2026-0001"), ("signedOn", "2026-05-27"),
        ("signer-\(id("王建国"))", "self"), ("signer-\(id("李秀英"))", "self"),
        ("signer-\(id("王小明"))", childSigner), ("guardian-\(id("王小明"))", "王建国"),
    ]
    let response = try await caseworker.postMultipart(application + "/verification", pairs: pairs,
                                                      files: [("scan", "authorisation.pdf", "application/pdf", pdf)])
    return (response, application)
}

@Suite struct VerificationWebTests {
    @Test(arguments: TestDatabase.all)
    func wholeVerificationFromAuthorisationToSignedReportAndExemption(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            app.storage[DepartmentAdaptersKey.self] = departments(car: true)
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (response, _) = try await requestVerification(app, caseworker)
            #expect(response.status == .seeOther, "\(body(response).prefix(1500))")
            let requestPath = try #require(response.headers.first(name: .location))
            let jobs = try await VerificationJobRecord.query(on: app.db).all()
            #expect(Set(jobs.map(\.source)) == Set(DepartmentSourceCatalog.standard))
            #expect(jobs.allSatisfy { $0.sourceStatus == .pending })

            // The centre's worker asks every source; all answer, so version 1 is issued.
            let service = VerificationService(db: app.db, keys: app.jiuzhu.keys, adapters: app.departmentAdapters)
            #expect(try await service.runDueJobs(now: clock.now, today: LocalDate.today(now: clock.now)) == 8)
            let reports = try await VerificationReportRecord.query(on: app.db).all()
            #expect(reports.count == 1)
            #expect(reports.first?.conclusion == "ineligible")  // the ¥50,000 car

            // The verification officer sees it in the queue and opens it; the view is audited.
            let officer = try await loggedIn(app, "demo.verifier", clock: clock)
            let queue = body(try await officer.get("/verification?status=all"))
            #expect(queue.contains("verification-queue"))
            #expect(queue.contains("王建国"))
            let page = body(try await officer.get(requestPath))
            #expect(page.contains("report-lines"))
            #expect(page.contains("vehicle"))
            #expect(!page.contains(TestPeople.father))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.view").count() == 1)

            // The caseworker exempts the car (used for work): version 2, dibao; version 1 is kept as it was.
            let carLine = try #require(try await DepartmentRecordRow.query(on: app.db).filter(\.$source == "vehicle").first()).recordKey
            #expect(body(try await caseworker.get(requestPath)).contains("value=\"\(carLine)\""))  // its exemption form
            let first = try #require(reports.first)
            let firstSealed = first.signedSealed
            var exemptResponse = try await caseworker.post(requestPath + "/exemptions", ["record": carLine, "reason": ""])
            #expect(exemptResponse.status == .badRequest)
            #expect(body(exemptResponse).contains("请写明豁免理由"))
            exemptResponse = try await caseworker.post(requestPath + "/exemptions", ["record": carLine, "reason": "营运用车，家庭唯一生计来源"])
            #expect(exemptResponse.status == .seeOther, "\(body(exemptResponse).prefix(1500))")
            let versions = try await VerificationReportRecord.query(on: app.db).sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions.map(\.conclusion) == ["ineligible", "dibao"])
            #expect(versions[0].signedSealed == firstSealed)
            let v2 = try VerificationRepository(db: app.db, keys: app.jiuzhu.keys).open(versions[1])
            let signed = try SignedReport(fileBytes: Array(v2.signedText.utf8))
            #expect(signed.report.previousVersionDigest == versions[0].digest)
            #expect(signed.report.lines.contains { $0.exemption == "营运用车，家庭唯一生计来源" })
            #expect(ReportSigner.verify(signed, trustedKeys: app.jiuzhu.keys.reportVerificationKeys) == .valid(keyID: app.jiuzhu.keys.keyID, trusted: true))

            // The download is the signed file itself.
            let download = try await officer.get("/verification/reports/\(versions[1].id!)/signed.json")
            #expect(download.status == .ok)
            #expect(body(download) == v2.signedText)
        }
    }

    @Test func aMinorSigningForThemselvesIsRefusedAndNothingIsStored() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            app.storage[DepartmentAdaptersKey.self] = departments()
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (response, _) = try await requestVerification(app, caseworker, childSigner: "self")
            #expect(response.status == .badRequest)
            #expect(body(response).contains("未满 18 周岁，须由监护人代签"))
            #expect(body(response).contains("SQ-2026-0001"))  // what was typed is kept
            #expect(try await VerificationRequestRecord.query(on: app.db).count() == 0)
            #expect(try await AuthorisationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aSourceThatKeepsFailingIsRetriedThenTheDeadlineGivesUndetermined() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            app.storage[DepartmentAdaptersKey.self] = departments(failing: ["bank"])
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let (response, _) = try await requestVerification(app, caseworker)
            #expect(response.status == .seeOther)
            let service = VerificationService(db: app.db, keys: app.jiuzhu.keys, adapters: app.departmentAdapters)
            let today = { LocalDate.today(now: clock.now) }
            try await service.runDueJobs(now: clock.now, today: today())
            var bank = try #require(try await VerificationJobRecord.query(on: app.db).filter(\.$source == "bank").first())
            #expect(bank.sourceStatus == .pending)
            #expect(bank.attempts == 1)
            #expect(bank.lastError == "HTTP 503")
            #expect(try await VerificationReportRecord.query(on: app.db).count() == 0)  // still waiting for the bank
            for _ in 0..<3 {
                clock.advance(600)
                try await service.runDueJobs(now: clock.now, today: today())
            }
            bank = try #require(try await VerificationJobRecord.query(on: app.db).filter(\.$source == "bank").first())
            #expect(bank.sourceStatus == .failed)
            #expect(bank.attempts == 3)
            // Out of attempts: the report is issued without the bank, which it names.
            let report = try #require(try await VerificationReportRecord.query(on: app.db).first())
            #expect(report.conclusion == "undetermined")
            let signed = try SignedReport(fileBytes: Array(try VerificationRepository(db: app.db, keys: app.jiuzhu.keys).open(report).signedText.utf8))
            #expect(signed.report.missingSources == ["bank"])
        }
    }

    @Test func theDeadlineIssuesTheReportWhileASourceIsStillSilent() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            // No pull service for the tax bureau: it delivers by file, and has not.
            let others = departments()
            app.storage[DepartmentAdaptersKey.self] = { $0 == "tax" ? nil : others($0) }
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            #expect(try await requestVerification(app, caseworker).0.status == .seeOther)
            let service = VerificationService(db: app.db, keys: app.jiuzhu.keys, adapters: app.departmentAdapters)
            try await service.runDueJobs(now: clock.now, today: LocalDate.today(now: clock.now))
            #expect(try await VerificationReportRecord.query(on: app.db).count() == 0)
            let request = try #require(try await VerificationRequestRecord.query(on: app.db).first())
            clock.advance(10 * 86_400)  // past the 5-working-day deadline
            #expect(LocalDate.today(now: clock.now) > (try LocalDate(parsing: request.deadline)))
            try await service.runDueJobs(now: clock.now, today: LocalDate.today(now: clock.now))
            let report = try #require(try await VerificationReportRecord.query(on: app.db).first())
            #expect(report.conclusion == "undetermined")
        }
    }

    @Test func anObjectionStartsAReCheckAsANewRequest() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            app.storage[DepartmentAdaptersKey.self] = departments()
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let requestPath = try #require(try await requestVerification(app, caseworker).0.headers.first(name: .location))
            // Too early: no report yet.
            let early = try await caseworker.post(requestPath + "/recheck", ["reason": "收入数据有误"])
            #expect(early.status == .badRequest)
            let service = VerificationService(db: app.db, keys: app.jiuzhu.keys, adapters: app.departmentAdapters)
            try await service.runDueJobs(now: clock.now, today: LocalDate.today(now: clock.now))
            #expect(try await VerificationReportRecord.query(on: app.db).first()?.conclusion == "dibao")
            let response = try await caseworker.post(requestPath + "/recheck", ["reason": "家庭称 3 月工资已停发"])
            #expect(response.status == .seeOther)
            let requests = try await VerificationRequestRecord.query(on: app.db).sort(\.$createdMillis).all()
            #expect(requests.map(\.kind) == ["initial", "recheck"])
            #expect(requests[1].parentID == requests[0].id)
            #expect(requests[1].authorisationID == requests[0].authorisationID)
            #expect(try await VerificationJobRecord.query(on: app.db).filter(\.$requestID == requests[1].requireID()).count() == 8)
        }
    }

    @Test func onlyTheCentreAndTheCasesCaseworkersSeeResults() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            app.storage[DepartmentAdaptersKey.self] = departments()
            let caseworker = try await loggedIn(app, "demo.caseworker", clock: clock)
            let requestPath = try #require(try await requestVerification(app, caseworker).0.headers.first(name: .location))
            for username in ["demo.village", "demo.reviewer", "demo.city", "demo.charity"] {
                let other = try await loggedIn(app, username, clock: clock)
                #expect(try await other.get("/verification").status == .forbidden, "\(username)")
                #expect(try await other.get(requestPath).status == .forbidden, "\(username)")
            }
            // The officer may collect; the caseworker may not.
            #expect(try await caseworker.post(requestPath + "/collect").status == .forbidden)
            let officer = try await loggedIn(app, "demo.verifier", clock: clock)
            try await officer.get(requestPath)
            let collected = try await officer.post(requestPath + "/collect")
            #expect(collected.status == .seeOther)
            #expect(try await VerificationReportRecord.query(on: app.db).count() == 1)
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

@Suite struct KeyRotationTests {
    let today = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date
    let newKey = try! MasterKey(base64: Data(repeating: 42, count: 32).base64EncodedString())  // programmer error: constant

    private func loadPeople(_ app: Application, count: Int) async throws {
        let loader = PopulationLoader(db: app.db, keys: TestKeys.ring)
        try await loader.load(persons: count, villages: try await loader.villages(under: try RegionCode("340321")),
                              seed: 11, asOf: today, now: Date())
    }

    @Test(arguments: TestDatabase.all)
    func rotationResealsEverythingAndResumesAfterAnInterruption(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            try await loadPeople(app, count: 120)
            let oldRing = TestKeys.ring
            let rotating = KeyRing(current: newKey, previous: [oldRing.current])
            let rotation = KeyRotation(db: app.db, keys: rotating)
            // A department record, a report version and a dibao claim, under the old key.
            let someone = try #require(try await PersonRecord.query(on: app.db).first())
            let someoneID = try #require(try PeopleRepository(db: app.db, keys: oldRing).details(someone, today: today).id)
            let deposit = DepartmentRecord(source: "bank", member: someoneID,
                                           detail: .financialAsset(kind: .deposit, account: "6222 0000 1111", asOfDate: today,
                                                                   balance: Money(fen: 120_000)))
            try await DepartmentRecordStore(db: app.db)
                .insert([try PreparedDepartmentRecord(deposit, recordID: "B-1", timestamp: nil, keys: oldRing)], batchID: "test")
            let claim = DibaoClaimRecord()
            claim.id = someone.idBlind
            claim.householdID = UUID()
            claim.applicationID = UUID()
            claim.regionCode = someone.regionCode
            claim.state = "active"
            claim.sinceMillis = 0
            try await claim.create(on: app.db)

            let before = try await rotation.pending()
            #expect(before[DepartmentRecordRow.schema] == 1)
            let persons = try await PersonRecord.query(on: app.db).count()
            #expect(before[PersonRecord.schema] == persons)
            #expect((before[StaffUser.schema] ?? 0) > 0)    // the demo accounts' TOTP secrets

            // A run killed after two batches...
            // A batch digest, sealed by the old key: kept until the rotation is done.
            let household = try #require(try await HouseholdRecord.query(on: app.db).first()?.requireID())
            try await BulkWriter.insert([BulkInsert(table: M022BatchDigests.table, columns: ["household_id", "data_version", "body"],
                                                    rows: [[.uuid(household), .integer(0), .blob(Data("v1:old".utf8))]])], on: app.db)
            func digests() async throws -> Int {
                try await app.sql.raw("SELECT COUNT(*) AS n FROM household_batch_digests").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let partial = try await rotation.run(batchSize: 25, maxBatches: 2)
            #expect(try await digests() == 1)
            #expect(partial == 50)
            // ...leaves a database the servers (new key current, old key previous) still read in full.
            let people = PeopleRepository(db: app.db, keys: rotating)
            for person in try await PersonRecord.query(on: app.db).all() {
                let details = try people.details(person, today: today)
                let id = try #require(details.id)
                #expect(try await people.person(idNumber: id, in: RegionScope(root: try RegionCode("34")))?.id == person.id)
            }
            // The rerun finishes the job.
            try await rotation.run(batchSize: 25)
            #expect(try await rotation.pending().values.reduce(0, +) == 0)
            #expect(try await digests() == 0)

            // The old key is no longer needed for anything but old audit rows.
            let newOnly = KeyRing(current: newKey)
            let reader = PeopleRepository(db: app.db, keys: newOnly)
            for person in try await PersonRecord.query(on: app.db).all() {
                let id = try #require(try reader.details(person, today: today).id)
                #expect(try await reader.person(idNumber: id, in: RegionScope(root: try RegionCode("34")))?.id == person.id)
                #expect(person.idSealed.hasPrefix("v1:\(newKey.id):"))
            }
            // The department record opens and is found by the new blind indexes; the claim follows the person.
            let rows = try await DepartmentRecordStore(db: app.db).records(forMemberIndexes: newOnly.blindIndexes(someoneID.value))
            #expect(rows.count == 1)
            #expect(rows.first?.accountIndex == newOnly.blindIndex("6222 0000 1111", purpose: "account"))
            #expect(try rows.first?.openRecord(keys: newOnly, asOf: today) == deposit)
            #expect(try await DibaoClaimRecord.find(newOnly.blindIndex(someoneID.value), on: app.db)?.state == "active")
            #expect(try await DibaoClaimRecord.query(on: app.db).count() == 1)
            // Staff can still log in: their TOTP secrets open under the new key.
            let user = try #require(try await StaffUser.query(on: app.db).filter(\.$username == "demo.caseworker").first())
            let secret = DemoStaff.logins.first { $0.username == "demo.caseworker" }!.totpSecret  // programmer error: demo account exists
            let code = try #require(StaffRepository.code(secret: secret, at: Date()))
            let outcome = try await StaffRepository(db: app.db, keys: newOnly, bcryptCost: 4)
                .login(username: user.username, password: DemoStaff.password, code: code, now: Date())
            if case .success = outcome {} else { Issue.record("login failed after rotation") }
        }
    }

    @Test func auditRowsSealedByARetiredKeyStillVerifyWhileItIsKept() async throws {
        try await withTestApp(.sqlite) { app in
            try await AuditChain(keys: TestKeys.ring).append(AuditEntry(actor: "a", role: "", region: "34", action: "before"), on: app.db)
            let rotated = KeyRing(current: newKey, previous: [TestKeys.ring.current])
            try await AuditChain(keys: rotated).append(AuditEntry(actor: "a", role: "", region: "34", action: "after"), on: app.db)
            #expect(try await AuditChain(keys: rotated).verify(on: app.db) == .intact(count: 2))
            // Without the retired key the first row cannot be checked: reported, never passed.
            #expect(try await AuditChain(keys: KeyRing(current: newKey)).verify(on: app.db) == .broken(seq: 1, checked: 0, problem: .altered))
        }
    }
}

import Crypto
import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import Testing
import Vapor

@Suite struct DepartmentRecordStoreTests {
    static let today = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date

    static func member(_ id: String) -> ResidentID {
        try! ResidentID(id, today: today)  // programmer error: test constants are valid
    }

    static func wage(_ id: String, _ month: Int, _ amount: Int64, source: String = "tax") -> DepartmentRecord {
        DepartmentRecord(source: source, member: member(id),
                         detail: .income(kind: "wage", month: YearMonth(year: 2026, month: month)!, amount: Money(fen: amount)))  // programmer error: valid month
    }

    static func prepared(_ record: DepartmentRecord, id: String? = nil) throws -> PreparedDepartmentRecord {
        try PreparedDepartmentRecord(record, recordID: id, timestamp: "2026-06-01T08:00:00+08:00", keys: TestKeys.ring)
    }

    @Test(arguments: TestDatabase.all)
    func insertSkipsRecordsAlreadyStoredAndCountsTheNewOnes(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            let first = try [1, 2, 3].map { try Self.prepared(Self.wage(TestPeople.father, $0, 200_000)) }
            #expect(try await store.insert(first, batchID: "b1") == 3)
            // The same three again plus one new, and one by the department's own id twice.
            let again = try first + [Self.prepared(Self.wage(TestPeople.father, 4, 200_000)),
                                     Self.prepared(Self.wage(TestPeople.mother, 4, 1), id: "T-7"),
                                     Self.prepared(Self.wage(TestPeople.mother, 5, 2), id: "T-7")]
            #expect(try await store.insert(again, batchID: "b2") == 2)
            #expect(try await store.count(source: "tax") == 5)
            // The same content from another source is another record.
            #expect(try await store.insert([Self.prepared(Self.wage(TestPeople.father, 1, 200_000, source: "payroll"))], batchID: "b3") == 1)
            // More rows than one statement takes.
            let many = try (0..<1_203).map { try Self.prepared(Self.wage(TestPeople.child, 1, Int64($0))) }
            #expect(try await store.insert(many, batchID: "b4") == 1_203)
            #expect(try await store.count() == 1_209)
        }
    }

    @Test(arguments: TestDatabase.all)
    func recordsOfMembersReadBackAsCalculatorRecords(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            let father = Self.member(TestPeople.father)
            let records: [DepartmentRecord] = [
                Self.wage(TestPeople.father, 3, 210_000),
                DepartmentRecord(source: "bank", member: father,
                                 detail: .financialAsset(kind: .deposit, account: "6217000011112222", asOfDate: Self.today.adding(days: -15),
                                                         balance: Money(fen: 5_000_00))),
                Self.wage(TestPeople.stranger, 3, 999_999),
            ]
            try await store.insert(records.map { try Self.prepared($0) }, batchID: "b")
            let rows = try await store.records(forMemberIndexes: TestKeys.ring.blindIndexes(father.value))
            #expect(rows.count == 2)
            #expect(rows.map(\.source) == ["tax", "bank"])
            let wage = try DepartmentRecordRow.record(source: rows[0].source, member: father, type: rows[0].type, kind: rows[0].kind,
                                                      period: rows[0].period, amount: rows[0].amount, active: rows[0].active,
                                                      area: rows[0].area, accountIndex: rows[0].accountIndex)
            #expect(wage == records[0])
            #expect(try rows[1].openRecord(keys: TestKeys.ring, asOf: Self.today) == records[1])
            #expect(rows[0].departmentTimestamp == "2026-06-01T08:00:00+08:00")
            #expect(try await store.records(forMemberIndexes: [TestKeys.ring.blindIndex(father.value)], sources: ["bank"]).count == 1)
            #expect(try await store.records(forMemberIndexes: []).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func batchChunksCommitRecordsCountersAndReportTogether(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            guard case .started = try await store.startBatch(id: "f1", source: "tax", channel: "file", fileName: "tax.csv",
                                                             contentSHA256: "abc", actor: "cli") else {
                Issue.record("a new batch must start")
                return
            }
            let problem = DepartmentRecordProblem(line: 3, error: UserError("x", field: "amount", zh: "错", en: "wrong"))
            let chunk = try [1, 2].map { try Self.prepared(Self.wage(TestPeople.father, $0, 1)) }
            #expect(try await store.commitChunk(batchID: "f1", records: chunk, problems: [problem], nextLine: 5)
                    == .init(stored: 2, duplicates: 0))
            #expect(try await store.commitChunk(batchID: "f1", records: [chunk[0]], problems: [], nextLine: 6)
                    == .init(stored: 0, duplicates: 1))
            guard case .resuming(let resumed) = try await store.startBatch(id: "f1", source: "tax", channel: "file", fileName: "tax.csv",
                                                                          contentSHA256: "abc", actor: "cli") else {
                Issue.record("an unfinished batch must resume")
                return
            }
            #expect(resumed.nextLine == 6 && resumed.stored == 2 && resumed.duplicates == 1 && resumed.invalid == 1)
            #expect(try DepartmentRecordStore.problems(of: resumed) == [problem])
            try await store.completeBatch(id: "f1")
            guard case .alreadyCompleted = try await store.startBatch(id: "f1", source: "tax", channel: "file", fileName: "tax.csv",
                                                                     contentSHA256: "abc", actor: "cli") else {
                Issue.record("a completed batch must say so")
                return
            }
            // The same id for another source or another file is refused.
            await #expect(throws: UserError.self) {
                _ = try await store.startBatch(id: "f1", source: "bank", channel: "file", fileName: "x", contentSHA256: "abc", actor: "cli")
            }
            await #expect(throws: UserError.self) {
                _ = try await store.startBatch(id: "f1", source: "tax", channel: "file", fileName: "x", contentSHA256: "def", actor: "cli")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func keysAreRegisteredOnceAndRevoked(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            let publicKey = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
            let key = try await store.addKey(id: "tax-2026", source: "tax", publicKey: publicKey)
            #expect(key.active && key.source == "tax" && key.publicKey == publicKey)
            await #expect(throws: UserError.self) { _ = try await store.addKey(id: "tax-2026", source: "tax", publicKey: publicKey) }
            await #expect(throws: UserError.self) { _ = try await store.addKey(id: nil, source: "taxes", publicKey: publicKey) }
            await #expect(throws: UserError.self) { _ = try await store.addKey(id: nil, source: "tax", publicKey: "c2hvcnQ=") }
            await #expect(throws: UserError.self) { _ = try await store.addKey(id: "bad id!", source: "tax", publicKey: publicKey) }
            let derived = try await store.addKey(id: nil, source: "bank", publicKey: publicKey)
            #expect(derived.id?.hasPrefix("bank-") == true)
            #expect(try await store.revokeKey(id: "tax-2026")?.active == false)
            #expect(try await store.key(id: "tax-2026")?.active == false)
            #expect(try await store.revokeKey(id: "nope") == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func pushIsTakenOnceWithItsBatchRecordsAndAudit(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            let records = try [1, 2].map { try Self.prepared(Self.wage(TestPeople.father, $0, 1)) }
            let problem = DepartmentRecordProblem(index: 2, error: UserError("x", field: "records[2].amount", zh: "错", en: "wrong"))
            let audit = (chain: AuditChain(keys: TestKeys.ring),
                         entry: AuditEntry(actor: "tax-key", role: "department", region: "", action: "verification.push"))
            let first = try await store.acceptPush(source: "tax", messageID: "m-1", keyID: "tax-key", records: records,
                                                   problems: [problem], audit: audit)
            #expect(first == .accepted(stored: 2, duplicates: 0))
            let replay = try await store.acceptPush(source: "tax", messageID: "m-1", keyID: "tax-key", records: records,
                                                    problems: [], audit: audit)
            #expect(replay == .replayed)
            // The same message id from another source is another message; its records are duplicates here.
            #expect(try await store.acceptPush(source: "payroll", messageID: "m-1", keyID: "k", records: [], problems: [])
                    == .accepted(stored: 0, duplicates: 0))
            let batch = try #require(try await store.batch(id: "push:tax/m-1"))
            #expect(batch.channel == "push" && batch.stored == 2 && batch.invalid == 1 && batch.status == "completed")
            #expect(try DepartmentRecordStore.problems(of: batch) == [problem])
            #expect(try await store.count() == 2)
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.push").all()
            #expect(events.count == 1)
            #expect(events.first?.detail.contains("stored=2") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentReplaysStoreTheMessageOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let store = DepartmentRecordStore(db: app.db)
            let records = try (1...12).map { try Self.prepared(Self.wage(TestPeople.mother, $0, 5)) }
            let outcomes = try await withThrowingTaskGroup(of: DepartmentRecordStore.PushAcceptance.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await store.acceptPush(source: "tax", messageID: "same", keyID: "k", records: records, problems: [])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .accepted(stored: 12, duplicates: 0) }.count == 1)
            #expect(outcomes.filter { $0 == .replayed }.count == 5)
            #expect(try await store.count() == 12)
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing

@Suite struct AuditChainTests {
    private func appendEvents(_ count: Int, on db: any Database) async throws {
        let chain = AuditChain(keys: TestKeys.ring)
        for i in 1...count {
            try await chain.append(AuditEntry(actor: "user\(i % 3)", role: "township_caseworker", region: "340321100",
                                              action: "test.event", objectType: "thing", objectID: "\(i)"), on: db,
                                   now: Date(timeIntervalSince1970: 1_780_000_000 + Double(i)))
        }
    }

    private func verify(_ db: any Database) async throws -> AuditVerification {
        try await AuditChain(keys: TestKeys.ring).verify(on: db)
    }

    @Test(arguments: TestDatabase.all)
    func intactChainVerifies(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(12, on: app.db)
            #expect(try await verify(app.db) == .intact(count: 12))
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectsAlteredRow(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(10, on: app.db)
            try await app.sql.update("audit_events").set("action", to: "innocent.event").where("seq", .equal, 4).run()
            #expect(try await verify(app.db) == .broken(seq: 4, checked: 3, problem: .altered))
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectsDeletedRow(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(10, on: app.db)
            try await app.sql.delete(from: "audit_events").where("seq", .equal, 6).run()
            #expect(try await verify(app.db) == .broken(seq: 6, checked: 5, problem: .missing(through: 6)))
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectsInsertedRow(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(8, on: app.db)
            // Make room at 5 and put a forged row there, linked to row 4 but sealed without the key.
            try await app.sql.update("audit_events").set("seq", to: SQLRaw("seq + 1000")).where("seq", .greaterThanOrEqual, 5).run()
            try await app.sql.update("audit_events").set("seq", to: SQLRaw("seq - 999")).where("seq", .greaterThan, 1000).run()
            let rows = try await AuditEventRecord.query(on: app.db).filter(\.$id == 4).all()
            let previous = try #require(rows.first)
            let forged = AuditEventRecord()
            forged.id = 5
            forged.atMillis = previous.atMillis + 1
            forged.actor = "intruder"; forged.role = ""; forged.region = "340321100"; forged.action = "staff.create"
            forged.objectType = "staff"; forged.objectID = "ghost"; forged.outcome = "success"; forged.client = "-"
            forged.detail = ""; forged.prevHash = previous.hash; forged.keyID = previous.keyID
            forged.hash = String(repeating: "a", count: 64)
            try await forged.create(on: app.db)
            #expect(try await verify(app.db) == .broken(seq: 5, checked: 4, problem: .altered))
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectsRowsCutFromTheEnd(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(6, on: app.db)
            try await app.sql.delete(from: "audit_events").where("seq", .greaterThan, 4).run()
            #expect(try await verify(app.db) == .broken(seq: 5, checked: 4, problem: .truncated(headSeq: 6)))
        }
    }

    @Test(arguments: TestDatabase.all)
    func detectsRowReplacedByAnotherChainsRow(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await appendEvents(5, on: app.db)
            // Swap the hash of row 3 for row 2's: the link from row 4 breaks or row 3 fails its seal.
            try await app.sql.update("audit_events").set("prev_hash", to: String(repeating: "0", count: 64)).where("seq", .equal, 3).run()
            #expect(try await verify(app.db) == .broken(seq: 3, checked: 2, problem: .linkBroken))
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentAppendsFormOneUnbrokenChain(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let chain = AuditChain(keys: TestKeys.ring)
            let db = app.db
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        try await chain.append(AuditEntry(actor: "u\(i)", role: "", region: "34", action: "parallel"), on: db)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await verify(app.db) == .intact(count: 16))
        }
    }

    @Test func aChainSealedWithAnotherKeyDoesNotVerify() async throws {
        try await withTestApp(.sqlite) { app in
            try await appendEvents(3, on: app.db)
            let other = try KeyRing(base64: Data(repeating: 9, count: 32).base64EncodedString())
            #expect(try await AuditChain(keys: other).verify(on: app.db) == .broken(seq: 1, checked: 0, problem: .altered))
        }
    }
}

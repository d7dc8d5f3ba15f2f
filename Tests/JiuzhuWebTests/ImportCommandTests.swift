import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import NIOConcurrencyHelpers
import Testing
import Vapor


@Suite struct ImportCommandTests {
    /// Runs `jiuzhu import …`; returns what it printed and the exit status it asked for (0 when none).
    private func run(_ app: Application, _ arguments: [String]) async throws -> (printed: String, status: Int32) {
        let (printed, status) = try await runCommand(ImportCommand(), on: app, arguments)
        return (printed: printed, status: status)
    }

    private func file(_ name: String, _ content: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jiuzhu-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(content.utf8).write(to: url)
        return url.path
    }

    private func wageLine(_ id: String, month: Int, amount: Int64, recordID: String? = nil) -> String {
        let extra = recordID.map { #","recordId":"\#($0)""# } ?? ""
        return #"{"member":"\#(id)","type":"income","kind":"wage","month":"2026-\#(String(format: "%02d", month))","amount":\#(amount)\#(extra)}"#
    }

    private func count(_ app: Application, source: String = "tax") async throws -> Int {
        try await DepartmentRecordRow.query(on: app.db).filter(\.$source == source).count()
    }

    @Test(arguments: TestDatabase.all)
    func jsonLinesStoresValidLinesReportsInvalidOnesAndReimportDoesNothing(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let lines = [
                wageLine(TestPeople.father, month: 3, amount: 210_000),
                wageLine(TestPeople.father, month: 4, amount: 220_000),
                #"{"member":"\#(TestPeople.father)","type":"income","kind":"wage","month":"2026-05","amount":"lots"}"#,
                "",
                wageLine(TestPeople.mother, month: 4, amount: 150_000, recordID: "T-1"),
                #"{"source":"bank","member":"\#(TestPeople.mother)","type":"death","date":"2026-01-02"}"#,
                "not json",
                wageLine(TestPeople.father, month: 3, amount: 210_000),  // the same record again: a duplicate
            ]
            let path = try file("tax-2026-05.jsonl", lines.joined(separator: "\n") + "\n")
            let first = try await run(app, ["--source", "tax", path])
            #expect(first.status == 0)
            #expect(first.printed.contains("stored 3，重复 / duplicates 1，无效 / invalid 3"), "\(first.printed)")
            #expect(first.printed.contains("line 3 [amount]"))
            #expect(first.printed.contains("line 6 [source]"))
            #expect(first.printed.contains("line 7:"))
            #expect(try await count(app) == 3)

            let batch = try #require(try await DepartmentBatchRecord.query(on: app.db).first())
            #expect(batch.status == "completed" && batch.fileName == "tax-2026-05.jsonl" && batch.invalid == 3)
            #expect(batch.id?.count == 64)  // the file's SHA-256
            let report = try DepartmentRecordStore.problems(of: batch)
            #expect(report.map(\.line) == [3, 6, 7])

            let again = try await run(app, ["--source", "tax", path])
            #expect(again.printed.contains("nothing to do"))
            #expect(try await count(app) == 3)
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.import").all()
            #expect(events.count == 2)
            #expect(events.first?.detail.contains("stored=3 duplicates=1 invalid=3") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func killedImportResumesWithoutDuplicates(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let lines = (1...12).map { wageLine(TestPeople.child, month: ($0 - 1) % 12 + 1, amount: Int64(1_000 * $0)) }
                + ["{broken"]
                + (1...5).map { wageLine(TestPeople.mother, month: $0, amount: 77) }
            let path = try file("wages.jsonl", lines.joined(separator: "\r\n"))
            let stopped = try await run(app, ["--source", "tax", "--batch", "tax-may", "--chunk", "5", "--stop-after-chunks", "2", path])
            #expect(stopped.status == 1)
            #expect(try await count(app) == 10)
            let running = try #require(try await DepartmentBatchRecord.find("tax-may", on: app.db))
            #expect(running.status == "running" && running.nextLine == 11 && running.stored == 10)

            let resumed = try await run(app, ["--source", "tax", "--batch", "tax-may", "--chunk", "5", path])
            #expect(resumed.status == 0)
            #expect(resumed.printed.contains("resumed at line 11"))
            #expect(resumed.printed.contains("stored 17，重复 / duplicates 0，无效 / invalid 1"), "\(resumed.printed)")
            #expect(try await count(app) == 17)

            // Had the counter update been lost with a chunk, the rerun would meet
            // the chunk's records again: the unique key keeps them single.
            let batch = try #require(try await DepartmentBatchRecord.find("tax-may", on: app.db))
            batch.status = "running"
            batch.nextLine = 1
            try await batch.update(on: app.db)
            let rerun = try await run(app, ["--source", "tax", "--batch", "tax-may", path])
            #expect(rerun.status == 0)
            #expect(try await count(app) == 17)
            #expect(try #require(try await DepartmentBatchRecord.find("tax-may", on: app.db)).duplicates == 17)
        }
    }

    @Test(arguments: TestDatabase.all)
    func csvWithByteOrderMarkQuotedFieldsAndBadRows(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let csv = "\u{FEFF}recordId,member,type,kind,account,asOfDate,balance,note\r\n"
                + "B-1,\(TestPeople.father),financialAsset,deposit,\"6217,0001\",2026-05-31,120000,\"a note\r\nover two lines\"\r\n"
                + "B-2,\(TestPeople.mother),financialAsset,deposit,62170002,2026-05-31,12.5,\r\n"
                + "B-3,\(TestPeople.mother),financialAsset,deposit,62170003,2026-05-31,5000,\"say \"\"hi\"\"\"\r\n"
                + "B-4,\(TestPeople.child),financialAsset,deposit,62170004,2026-05-31\r\n"
                + "B-5,\(TestPeople.child),financialAsset,gold,62170005,2026-05-31,1,\r\n"
            let path = try file("bank.csv", csv)
            let result = try await run(app, ["--source", "bank", path])
            #expect(result.status == 0)
            #expect(result.printed.contains("stored 2，重复 / duplicates 0，无效 / invalid 3"), "\(result.printed)")
            #expect(result.printed.contains("line 4 [balance]"))
            #expect(result.printed.contains("line 6:"))
            #expect(result.printed.contains("line 7 [kind]"))
            let rows = try await DepartmentRecordRow.query(on: app.db).sort(\.$recordKey).all()
            #expect(rows.map(\.recordKey) == ["id:B-1", "id:B-3"])
            let opened = try rows[0].openRecord(keys: TestKeys.ring, asOf: LocalDate(year: 2026, month: 6, day: 15)!)  // programmer error: valid date
            #expect(opened.detail == .financialAsset(kind: .deposit, account: "6217,0001",
                                                     asOfDate: LocalDate(year: 2026, month: 5, day: 31)!, balance: Money(fen: 120_000)))  // programmer error: valid date
        }
    }

    @Test func badSourceHeaderOrFileStoresNothing() async throws {
        try await withTestApp(.sqlite) { app in
            let good = try file("a.jsonl", wageLine(TestPeople.father, month: 1, amount: 1) + "\n")
            await #expect(throws: UserError.self) { _ = try await run(app, ["--source", "taxes", good]) }
            await #expect(throws: UserError.self) { _ = try await run(app, [good]) }
            let noType = try file("a.csv", "member,amount\n\(TestPeople.father),1\n")
            await #expect(throws: UserError.self) { _ = try await run(app, ["--source", "tax", noType]) }
            let empty = try file("empty.csv", "")
            await #expect(throws: UserError.self) { _ = try await run(app, ["--source", "tax", empty]) }
            let wrongKind = try file("a.xlsx", "x")
            await #expect(throws: UserError.self) { _ = try await run(app, ["--source", "tax", wrongKind]) }
            await #expect(throws: UserError.self) { _ = try await run(app, ["--source", "tax", "/nonexistent/file.jsonl"]) }
            #expect(try await count(app) == 0)
            #expect(try await DepartmentBatchRecord.query(on: app.db).count() == 0)
        }
    }
}

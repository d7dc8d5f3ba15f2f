import FluentKit
import Foundation
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing

/// The bulk reader gives the same values on both databases (straight from
/// sqlite-nio on SQLite, through SQLKit elsewhere) and refuses a column of
/// the wrong type rather than guessing.
@Suite struct BulkRowsTests {
    struct Row: Equatable, Sendable {
        let text: String
        let optional: String?
        let number: Int64
        let flag: Bool
    }

    @Test(arguments: TestDatabase.all)
    func rowsAreReadInOrderWithTheirTypes(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await app.sql.raw("CREATE TABLE bulk_rows_test (n INTEGER NOT NULL, t TEXT NOT NULL, o TEXT, b BOOLEAN NOT NULL)").run()
            let values: [(Int64, String, String?, Bool)] = [(1, "甲", nil, true), (2, "b", "可选", false), (3, "", "", true)]
            for (n, t, o, b) in values {
                try await app.sql.raw("INSERT INTO bulk_rows_test (n, t, o, b) VALUES (\(bind: n), \(bind: t), \(bind: o), \(bind: b))").run()
            }
            let minimum: Int64 = 2
            let rows = try await BulkReader.withConnection(on: app.db) { reader in
                try await reader.rows("SELECT n, t, o, b FROM bulk_rows_test WHERE n >= \(bind: minimum) ORDER BY n") { row in
                    Row(text: try row.text("t"), optional: try row.optionalText("o"), number: try row.int64("n"), flag: try row.bool("b"))
                }
            }
            #expect(rows == [Row(text: "b", optional: "可选", number: 2, flag: false), Row(text: "", optional: "", number: 3, flag: true)])

            let all = try await BulkReader.withConnection(on: app.db) { reader in
                try await reader.rows("SELECT o FROM bulk_rows_test ORDER BY n") { row in try row.optionalText("o") }
            }
            #expect(all == [nil, "可选", ""])

            // A NULL where text is required, and a missing column: errors, not values.
            await #expect(throws: (any Error).self) {
                _ = try await BulkReader.withConnection(on: app.db) { reader in
                    try await reader.rows("SELECT o FROM bulk_rows_test ORDER BY n") { row in try row.text("o") }
                }
            }
            await #expect(throws: (any Error).self) {
                _ = try await BulkReader.withConnection(on: app.db) { reader in
                    try await reader.rows("SELECT n FROM bulk_rows_test") { row in try row.int64("missing") }
                }
            }
        }
    }

    /// Many rows in one transaction, more than one statement's worth; a
    /// conflict on the key replaces the stored row; a failing row leaves
    /// nothing of the whole write behind.
    @Test(arguments: TestDatabase.all)
    func bulkInsertsAreOneTransaction(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let uuidType = app.sql.dialect.name == "sqlite" ? "UUID" : "uuid"
            let blobType = app.sql.dialect.name == "sqlite" ? "BLOB" : "bytea"
            try await app.sql.raw(SQLQueryString("""
                CREATE TABLE bulk_write_test (k \(uuidType) PRIMARY KEY NOT NULL, n BIGINT NOT NULL, t TEXT NOT NULL, b \(blobType) NOT NULL)
                """)).run()
            let keys = (0..<12_000).map { _ in UUID() }
            func rows(_ n: Int64) -> [[BulkValue]] {
                keys.enumerated().map { [.uuid($1), .integer(n + Int64($0)), .text("第\($0)行"), .blob(Data([UInt8($0 % 256), 0]))] }
            }
            let insert = { (rows: [[BulkValue]]) in
                BulkInsert(table: "bulk_write_test", columns: ["k", "n", "t", "b"], rows: rows, conflictKey: "k")
            }
            try await BulkWriter.insert([insert(rows(0))], on: app.db)
            try await BulkWriter.insert([insert(Array(rows(100_000).prefix(2)))], on: app.db)
            let read = try await BulkReader.withConnection(on: app.db) { reader in
                try await reader.rows("SELECT k, n, t, b FROM bulk_write_test ORDER BY n") { row in
                    (try row.int64("n"), try row.text("t"), try row.optionalBytes("b"))
                }
            }
            #expect(read.count == 12_000)
            #expect(read.first?.0 == 2 && read.last?.0 == 100_001 && read.last?.1 == "第1行" && read.last?.2 == [1, 0])

            // The second table's rows break the key: the first table's are rolled back too.
            try await app.sql.raw("CREATE TABLE bulk_write_other (k BIGINT PRIMARY KEY NOT NULL)").run()
            await #expect(throws: (any Error).self) {
                try await BulkWriter.insert([
                    BulkInsert(table: "bulk_write_other", columns: ["k"], rows: [[.integer(1)], [.integer(2)]]),
                    BulkInsert(table: "bulk_write_other", columns: ["k"], rows: [[.integer(3)], [.integer(3)]]),
                ], on: app.db)
            }
            let left = try await app.sql.raw("SELECT COUNT(*) AS n FROM bulk_write_other").first()?.decode(column: "n", as: Int.self)
            #expect(left == 0)
        }
    }

}

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
}

import FluentSQLiteDriver
import Foundation

// Reading millions of rows (the batch re-verification). SQLKit's
// `row.decode(column:as:)` goes through `Decodable` and dynamic casts for
// every value; on SQLite the statement's values are already typed, so there
// rows are read straight from sqlite-nio — one query text (an
// `SQLQueryString`, serialised the same way SQLKit does) for both
// databases, and the row mapped to the caller's value on the thread that
// steps the statement.

/// One row of a bulk read, by column name.
public struct BulkRow: Sendable {
    enum Storage: Sendable {
        case sqlite(SQLiteRow)
        case generic(any SQLRow)
    }

    let storage: Storage

    public func text(_ column: String) throws -> String {
        switch storage {
        case .sqlite(let row):
            guard case .text(let value)? = row.column(column) else { throw BulkRowError.wrongType(column, "text") }
            return value
        case .generic(let row):
            return try row.decode(column: column, as: String.self)
        }
    }

    /// nil for SQL NULL.
    public func optionalText(_ column: String) throws -> String? {
        switch storage {
        case .sqlite(let row):
            switch row.column(column) {
            case .text(let value)?: return value
            case .null?: return nil
            default: throw BulkRowError.wrongType(column, "text or null")
            }
        case .generic(let row):
            return try row.decode(column: column, as: String?.self)
        }
    }

    public func int64(_ column: String) throws -> Int64 {
        switch storage {
        case .sqlite(let row):
            guard case .integer(let value)? = row.column(column) else { throw BulkRowError.wrongType(column, "integer") }
            return Int64(value)
        case .generic(let row):
            return try row.decode(column: column, as: Int64.self)
        }
    }

    /// nil for SQL NULL.
    public func optionalInt64(_ column: String) throws -> Int64? {
        switch storage {
        case .sqlite(let row):
            switch row.column(column) {
            case .integer(let value)?: return Int64(value)
            case .null?: return nil
            default: throw BulkRowError.wrongType(column, "integer or null")
            }
        case .generic(let row):
            return try row.decode(column: column, as: Int64?.self)
        }
    }

    /// The bytes of a blob (`bytea` on PostgreSQL); nil for SQL NULL.
    public func optionalBytes(_ column: String) throws -> [UInt8]? {
        switch storage {
        case .sqlite(let row):
            switch row.column(column) {
            case .blob(let buffer)?: return Array(buffer.readableBytesView)
            case .null?: return nil
            default: throw BulkRowError.wrongType(column, "blob or null")
            }
        case .generic(let row):
            return try row.decode(column: column, as: Data?.self).map { Array($0) }
        }
    }

    public func int(_ column: String) throws -> Int {
        Int(try int64(column))
    }

    /// SQLite keeps booleans as the integers 0 and 1.
    public func bool(_ column: String) throws -> Bool {
        switch storage {
        case .sqlite(let row):
            guard case .integer(let value)? = row.column(column), value == 0 || value == 1 else {
                throw BulkRowError.wrongType(column, "boolean")
            }
            return value == 1
        case .generic(let row):
            return try row.decode(column: column, as: Bool.self)
        }
    }
}

/// A column that is absent or of another type than the table defines: the
/// schema was changed behind the application's back.
public enum BulkRowError: Error, Sendable, CustomStringConvertible {
    case wrongType(String, String)

    public var description: String {
        switch self {
        case .wrongType(let column, let expected): "column \(column) is missing or not \(expected)"
        }
    }
}

/// One connection for several bulk reads (and ordinary SQLKit statements on `sql`).
public struct BulkReader: Sendable {
    /// The same connection, for statements whose rows are few.
    public let sql: any SQLDatabase
    let sqlite: (any SQLiteDatabase)?

    /// Runs `body` on one connection of `db`: a pooled SQLite connection, or
    /// an SQLKit session elsewhere.
    public static func withConnection<T: Sendable>(
        on db: any Database, _ body: @escaping @Sendable (BulkReader) async throws -> T
    ) async throws -> T {
        if let sqlite = db as? any SQLiteDatabase {
            return try await sqlite.withConnection { connection in
                try await body(BulkReader(sql: connection.sql(), sqlite: connection))
            }
        }
        return try await db.sql.withSession { session in
            try await body(BulkReader(sql: session, sqlite: nil))
        }
    }

    /// Every row of `query`, mapped by `map` in row order. On SQLite `map`
    /// runs as each row is stepped; the first error thrown stops the mapping
    /// and is rethrown once the statement has finished.
    public func rows<T: Sendable>(_ query: SQLQueryString, _ map: @escaping @Sendable (BulkRow) throws -> T) async throws -> [T] {
        guard let sqlite else {
            return try await sql.raw(query).all().map { try map(BulkRow(storage: .generic($0))) }
        }
        var serializer = SQLSerializer(database: sql)
        query.serialize(to: &serializer)
        let encoder = SQLiteDataEncoder()
        let binds = try serializer.binds.map { try encoder.encode($0) }
        let collected = BulkCollector<T>()
        try await sqlite.query(serializer.sql, binds) { row in collected.add { try map(BulkRow(storage: .sqlite(row))) } }
        return try collected.result()
    }
}

/// The rows of one statement: written only by the thread stepping it, one
/// row after another, and read after the statement's future has completed
/// (which orders the writes before the read).
private final class BulkCollector<T>: @unchecked Sendable {
    private var values: [T] = []
    private var failure: (any Error)?

    func add(_ make: () throws -> T) {
        guard failure == nil else { return }
        do { values.append(try make()) } catch { failure = error }
    }

    func result() throws -> [T] {
        if let failure { throw failure }
        return values
    }
}

/// A value of a bulk insert.
public enum BulkValue: Sendable {
    case text(String)
    case integer(Int64)
    case blob(Data)
    /// Stored as SQLite stores a Fluent UUID (upper-case text), as `uuid` on PostgreSQL.
    case uuid(UUID)

    var bind: SQLBind {
        switch self {
        case .text(let value): SQLBind(value)
        case .integer(let value): SQLBind(value)
        case .blob(let value): SQLBind(value)
        case .uuid(let value): SQLBind(value)
        }
    }

    var sqliteData: SQLiteData {
        switch self {
        case .text(let value): .text(value)
        case .integer(let value): .integer(Int(value))
        case .blob(let value): .blob(ByteBuffer(data: value))
        case .uuid(let value): .text(value.uuidString)
        }
    }
}

/// Rows for one table; on a conflict on `conflictKey` (when set) the row's
/// other columns replace the stored ones.
public struct BulkInsert: Sendable {
    public let table: String
    public let columns: [String]
    public let rows: [[BulkValue]]
    public let conflictKey: String?

    public init(table: String, columns: [String], rows: [[BulkValue]], conflictKey: String? = nil) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.conflictKey = conflictKey
    }

    /// SQLite allows 32,766 bound values a statement, PostgreSQL 65,535.
    var rowsPerStatement: Int { max(1, 30_000 / max(1, columns.count)) }
}

/// Writing many rows (the batch's results): one transaction, multi-row
/// inserts. On SQLite the values go to sqlite-nio as they are (SQLKit's
/// binds pass every value through `Encodable` and dynamic casts, which cost
/// more than the insert); elsewhere through SQLKit.
public enum BulkWriter {
    public static func insert(_ inserts: [BulkInsert], on db: any Database) async throws {
        guard inserts.contains(where: { !$0.rows.isEmpty }) else { return }
        if let sqlite = db as? any SQLiteDatabase {
            try await sqlite.withConnection { connection in
                _ = try await connection.query("BEGIN IMMEDIATE", [])
                do {
                    for insert in inserts {
                        for slice in insert.rows.chunked(insert.rowsPerStatement) {
                            _ = try await connection.query(sqliteStatement(insert, rows: slice.count),
                                                           slice.flatMap { $0.map(\.sqliteData) })
                        }
                    }
                    _ = try await connection.query("COMMIT", [])
                } catch {
                    _ = try? await connection.query("ROLLBACK", [])
                    throw error
                }
            }
            return
        }
        try await db.transaction { tx in
            for insert in inserts {
                for slice in insert.rows.chunked(insert.rowsPerStatement) {
                    let builder = tx.sql.insert(into: insert.table).columns(insert.columns).rows(slice.map { $0.map(\.bind) })
                    if let key = insert.conflictKey {
                        try await builder.onConflict(with: [key]) { update in
                            var update = update
                            for column in insert.columns where column != key { update = update.set(excludedValueOf: column) }
                            return update
                        }.run()
                    } else {
                        try await builder.run()
                    }
                }
            }
        }
    }

    static func sqliteStatement(_ insert: BulkInsert, rows: Int) -> String {
        func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let row = "(" + Array(repeating: "?", count: insert.columns.count).joined(separator: ",") + ")"
        var sql = "INSERT INTO \(quoted(insert.table)) (\(insert.columns.map(quoted).joined(separator: ","))) VALUES "
        sql += Array(repeating: row, count: rows).joined(separator: ",")
        if let key = insert.conflictKey {
            let updates = insert.columns.filter { $0 != key }.map { "\(quoted($0)) = excluded.\(quoted($0))" }
            sql += " ON CONFLICT (\(quoted(key))) DO UPDATE SET " + updates.joined(separator: ", ")
        }
        return sql
    }
}

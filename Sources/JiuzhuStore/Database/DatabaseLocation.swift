import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import JiuzhuCore
import Vapor

/// Where the data lives, from `DATABASE_URL`: an embedded SQLite file by
/// default, PostgreSQL for several instances.
public enum DatabaseLocation: Sendable, Equatable {
    case sqliteFile(path: String)
    case sqliteMemory
    /// `schema`, when set, confines every table to that PostgreSQL schema
    /// (used by the tests to run in parallel on one server).
    case postgres(url: String, schema: String?)

    public static let defaultSQLitePath = "jiuzhu.sqlite"

    /// Parses `DATABASE_URL`: `sqlite:PATH`, `sqlite:///ABSOLUTE/PATH`,
    /// `sqlite::memory:`, `postgres://…` or `postgresql://…`; empty means the default file.
    public init(url: String?) throws(UserError) {
        let text = (url ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            self = .sqliteFile(path: Self.defaultSQLitePath)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text, schema: nil)
        } else if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path == ":memory:" {
                self = .sqliteMemory
                return
            }
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw Self.badURL(text) }
            self = .sqliteFile(path: path)
        } else {
            throw Self.badURL(text)
        }
    }

    private static func badURL(_ text: String) -> UserError {
        UserError("config.database_url", field: "DATABASE_URL",
                  zh: "无法识别的 DATABASE_URL：应为 sqlite:文件路径 或 postgres://用户:密码@主机:端口/库名",
                  en: "Unrecognised DATABASE_URL: use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB")
    }

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    /// Readers never wait for the writer in WAL mode; the setting is kept in the file.
    public func prepare(_ db: any Database) async throws {
        if case .sqliteFile = self {
            try await (db as? any SQLDatabase)?.raw("PRAGMA journal_mode=WAL").run()
        }
    }

    /// The same SQLite file under another id, for the writes of a batch
    /// (`jiuzhu verify --batch`): connections of its own, so that the
    /// results are written while the lanes read on theirs (a Fluent SQLite
    /// database has one connection per event loop, which a lane holds while
    /// it reads a page). Opened only when used.
    static func useBatchWrites(_ path: String, _ databases: Databases) {
        databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30), sqlLogLevel: .debug), as: .batchWrites, isDefault: false)
    }

    /// Registers the database with Fluent as the default. Returns the files
    /// to remove once the application has shut down (see `sqliteMemory`).
    @discardableResult
    public func configure(_ databases: Databases) throws -> [URL] {
        switch self {
        case .sqliteFile(let path):
            databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30), sqlLogLevel: .debug), as: .sqlite)
            Self.useBatchWrites(path, databases)
            return []
        case .sqliteMemory:
            // SQLiteKit keeps an "in-memory" database in a temporary file (its
            // SQLite is built without shared cache, which several connections
            // to one memory database need) and never removes it: every test
            // and every `sqlite::memory:` run left one behind. The same
            // temporary file, named here, so that shutdown removes it.
            let file = FileManager.default.temporaryDirectory
                .appendingPathComponent("jiuzhu-memory-\(UUID().uuidString).sqlite", isDirectory: false)
            databases.use(.sqlite(.file(file.path), connectionPoolTimeout: .seconds(30), sqlLogLevel: .debug), as: .sqlite)
            Self.useBatchWrites(file.path, databases)
            return ["", "-journal", "-wal", "-shm"].map { URL(fileURLWithPath: file.path + $0, isDirectory: false) }
        case .postgres(let url, let schema):
            var configuration = try SQLPostgresConfiguration(url: url)
            if let schema { configuration.searchPath = [schema] }
            // Two connections per event loop, and up to 30 s to wait for one (the driver's 10 s default
            // timed out under bursts of concurrent transactions on two cores).
            databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 2, connectionPoolTimeout: .seconds(30),
                                    sqlLogLevel: .debug), as: .psql)
            return []
        }
    }
}

extension DatabaseID {
    /// See `DatabaseLocation.useBatchWrites`; registered for SQLite only.
    public static let batchWrites = DatabaseID(string: "jiuzhu-batch-writes")
}

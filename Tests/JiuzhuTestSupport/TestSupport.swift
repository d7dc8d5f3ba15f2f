import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuWeb
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The databases every storage and web test runs on: SQLite always,
/// PostgreSQL when `JIUZHU_TEST_POSTGRES_URL` is set (CI sets it).
public enum TestDatabase: String, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public static var all: [TestDatabase] {
        ProcessInfo.processInfo.environment["JIUZHU_TEST_POSTGRES_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }

    public var description: String { rawValue }
}

/// A clock the tests move by hand.
public final class TestClock: Sendable {
    private let value: NIOLockedValueBox<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) { value = .init(start) }

    public var now: Date { value.withLockedValue { $0 } }
    public func advance(_ seconds: TimeInterval) { value.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

public enum TestKeys {
    public static let ring = try! KeyRing(base64: Data(repeating: 7, count: 32).base64EncodedString())  // programmer error: constant input
}

/// Runs `body` with a migrated application on a fresh, private database:
/// an in-memory SQLite, or a new PostgreSQL schema dropped afterwards.
public func withTestApp(_ database: TestDatabase, clock: TestClock = TestClock(), demo: Bool = false,
                        seedDemo: Bool = false,
                        _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let location: DatabaseLocation
    switch database {
    case .sqlite: location = .sqliteMemory
    case .postgres:
        location = .postgres(url: ProcessInfo.processInfo.environment["JIUZHU_TEST_POSTGRES_URL"] ?? "", schema: String(schema))
    }
    let options = JiuzhuOptions(database: location, keys: TestKeys.ring, demo: demo, secureCookies: true,
                                bcryptCost: 4, clock: { clock.now })
    do {
        try await configure(app, options: options)
        if database == .postgres {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: String(schema))").run()  // programmer error: both drivers are SQL
        }
        try await prepareDatabase(app, seedDemo: seedDemo)
        try await body(app)
    } catch {
        try? await dropSchema(app, database, schema: String(schema))
        try await app.asyncShutdown()
        throw error
    }
    try? await dropSchema(app, database, schema: String(schema))
    try await app.asyncShutdown()
}

private func dropSchema(_ app: Application, _ database: TestDatabase, schema: String) async throws {
    guard database == .postgres else { return }
    try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run()  // programmer error: SQL driver
}

extension Application {
    /// Raw SQL for tests that tamper with rows behind the application's back.
    public var sql: any SQLDatabase { db as! any SQLDatabase }  // programmer error: both drivers are SQL
}

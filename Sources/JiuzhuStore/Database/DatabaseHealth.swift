import FluentKit
import SQLKit

public enum DatabaseHealth {
    /// One round trip to the database.
    public static func check(_ db: any Database) async throws {
        try await db.sql.raw("SELECT 1").run()
    }
}

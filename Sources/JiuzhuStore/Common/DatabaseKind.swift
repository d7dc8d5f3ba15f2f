import Foundation
import FluentKit
import SQLKit

extension Database {
    /// SQLKit access for set-based work. Both supported drivers are SQL databases.
    var sql: any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            preconditionFailure("Jiuzhu only runs on SQL databases")  // programmer error: drivers are fixed
        }
        return sql
    }

    var isPostgres: Bool { sql.dialect.name == "postgresql" }
}

/// Dates are stored as UTC milliseconds so that hashes and comparisons are exact on both databases.
extension Date {
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

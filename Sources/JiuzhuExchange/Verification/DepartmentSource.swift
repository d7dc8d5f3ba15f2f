import Foundation
import JiuzhuCore

/// What a department source answered about some members: the records found
/// (possibly none) and the department's time of answer.
public struct DepartmentAnswer: Sendable {
    public struct Item: Sendable {
        public var record: DepartmentRecord
        /// The department's own record id, when it gives one.
        public var recordID: String?
        /// The department's timestamp of the record (ISO 8601), when it gives one.
        public var timestamp: String?

        public init(record: DepartmentRecord, recordID: String? = nil, timestamp: String? = nil) {
            self.record = record
            self.recordID = recordID
            self.timestamp = timestamp
        }
    }

    public var items: [Item]
    /// When the department says it answered (ISO 8601), if it says.
    public var answeredAt: String?

    public init(items: [Item], answeredAt: String? = nil) {
        self.items = items
        self.answeredAt = answeredAt
    }
}

/// Why a query got no answer: `unavailable` (the source does not serve this
/// region or is switched off: retrying will not help) or `failed` (a timeout,
/// an error status, a malformed answer: worth retrying).
public enum DepartmentFetchError: Error, Sendable, Equatable {
    case unavailable(String)
    case failed(String)
}

/// 数据源适配器 — one department source that can be asked (pulled) for the
/// records of some members on a day. The verification jobs call this; the
/// HTTP adapter talks to a department service (or `jiuzhu department-sim`).
public protocol DepartmentSourceAdapter: Sendable {
    /// The source name (`tax`, `bank`, …), as in the records.
    var source: String { get }
    func fetch(members: [ResidentID], asOf: LocalDate) async throws(DepartmentFetchError) -> DepartmentAnswer
}

import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// A task to open: what, where, for whom (the kind's default role unless named), due when
/// and by which rule.
public struct TaskDraft: Sendable {
    public let kind: TaskKind
    public let region: RegionCode
    public let subjectType: String
    public let subjectID: String
    public let dedupeKey: String
    public let due: LocalDate
    public let rule: Bilingual
    public let detail: [String: String]
    public let assignee: StaffRole

    public init(kind: TaskKind, region: RegionCode, subjectType: String, subjectID: String, dedupeKey: String,
                due: LocalDate, rule: Bilingual, detail: [String: String] = [:], assignee: StaffRole? = nil) {
        self.kind = kind
        self.assignee = assignee ?? kind.defaultAssignee
        self.region = region
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.dedupeKey = dedupeKey
        self.due = due
        self.rule = rule
        self.detail = detail
    }
}

/// Open tasks of one region, for a supervisor's overview.
public struct TaskCounts: Sendable, Equatable {
    public let region: RegionCode
    public var open: Int
    public var overdue: Int
}

/// 待办 — opening, closing and listing tasks. Opening and closing take the
/// database they run on, so that they join the transaction of the change
/// that causes them.
public enum TaskRepository {
    /// Opens the task unless one with its dedupe key exists (open or closed):
    /// true when it was opened now.
    @discardableResult
    public static func open(_ draft: TaskDraft, on db: any Database, now: Date) async throws -> Bool {
        let detail = JSONValue.object(draft.detail.mapValues { .string($0) })
            .rendered(pretty: false)
        let rows = try await db.sql.insert(into: TaskRecord.schema)
            .columns("id", "kind", "region_code", "assignee_role", "subject_type", "subject_id", "dedupe_key", "due_on",
                     "rule_zh", "rule_en", "detail", "created_ms")
            .values(SQLBind(UUID()), SQLBind(draft.kind.rawValue), SQLBind(draft.region.value),
                    SQLBind(draft.assignee.rawValue), SQLBind(draft.subjectType), SQLBind(draft.subjectID),
                    SQLBind(draft.dedupeKey), SQLBind(draft.due.description), SQLBind(draft.rule.zh), SQLBind(draft.rule.en),
                    SQLBind(detail), SQLBind(now.millis))
            .ignoringConflicts(with: ["dedupe_key"])
            .returning("id")
            .all()
        return !rows.isEmpty
    }

    /// Closes the open tasks of `kind` about `subjectID`; returns how many.
    @discardableResult
    public static func close(kind: TaskKind, subjectID: String, by actor: String, resolution: String,
                             on db: any Database, now: Date) async throws -> Int {
        let open = try await TaskRecord.query(on: db).filter(\.$subjectID == subjectID).filter(\.$kind == kind.rawValue)
            .filter(\.$closedMillis == nil).all()
        for task in open {
            task.closedMillis = now.millis
            task.closedBy = actor
            task.resolution = resolution
            try await task.update(on: db)
        }
        return open.count
    }

    /// Closes one open task in `scope` for `role`; nil when there is none
    /// (closed already, or not this role's or region's).
    public static func close(id: UUID, role: StaffRole, scope: RegionScope, by actor: String, resolution: String,
                             on db: any Database, now: Date) async throws -> TaskRecord? {
        guard let task = try await TaskRecord.find(id, on: db), task.isOpen, task.assigneeRole == role.rawValue,
              let region = try? RegionCode(task.regionCode), scope.allows(region)
        else { return nil }
        task.closedMillis = now.millis
        task.closedBy = actor
        task.resolution = resolution
        try await task.update(on: db)
        return task
    }

    /// The open tasks `role` sees in `scope`, most urgent first (Core's order).
    public static func inbox(role: StaffRole, scope: RegionScope, on db: any Database, limit: Int = 500) async throws -> [TaskRecord] {
        let tasks = try await TaskRecord.query(on: db)
            .filter(\.$assigneeRole == role.rawValue)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .filter(\.$closedMillis == nil)
            .sort(\.$dueOn).sort(\.$id)
            .limit(limit)
            .all()
        return tasks.sorted { a, b in
            TaskOrder.areInOrder((a.due ?? .init(dayNumber: 0), a.taskKind ?? .visitNeeds, a.dedupeKey),
                                 (b.due ?? .init(dayNumber: 0), b.taskKind ?? .visitNeeds, b.dedupeKey))
        }
    }

    /// Open and overdue tasks in `scope`, per region one level below the
    /// scope's root (or the root itself at village level).
    public static func counts(in scope: RegionScope, today: LocalDate, on db: any Database) async throws -> [TaskCounts] {
        let rows = try await db.sql.select().column("region_code").column("due_on").from(TaskRecord.schema)
            .where("region_code", .greaterThanOrEqual, scope.root.value).where("region_code", .lessThan, scope.upperBound)
            .where("closed_ms", .is, SQLLiteral.null)
            .all()
        let childLevel = RegionLevel(rawValue: scope.root.level.rawValue + 1) ?? scope.root.level
        var byRegion: [RegionCode: TaskCounts] = [:]
        for row in rows {
            let code = try RegionCode(try row.decode(column: "region_code", as: String.self))
            let due = try LocalDate(parsing: try row.decode(column: "due_on", as: String.self))
            let key = code.ancestor(at: childLevel) ?? code
            var counts = byRegion[key] ?? TaskCounts(region: key, open: 0, overdue: 0)
            counts.open += 1
            if TaskUrgency(due: due, on: today).isOverdue { counts.overdue += 1 }
            byRegion[key] = counts
        }
        return byRegion.values.sorted { $0.region < $1.region }
    }
}

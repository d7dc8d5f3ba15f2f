import FluentKit
import Foundation
import JiuzhuCore

/// One day that differs from the weekday/weekend rule: a public holiday, or a
/// make-up working day (调休) on a weekend. Editable by the system administrator.
public final class CalendarDayRecord: Model, @unchecked Sendable {
    public static let schema = "calendar_days"

    @ID(custom: "day", generatedBy: .user) public var id: String?
    @Field(key: "kind") public var kind: String
    @Field(key: "name") public var name: String

    public init() {}
}

struct M005CreateCalendar: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CalendarDayRecord.schema)
            .field("day", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .create()
        // Ship the published calendar with the schema, so deadlines are right from the first start.
        for day in try CalendarStore.shippedOverrides() {
            try await CalendarStore.record(day).create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CalendarDayRecord.schema).delete()
    }
}

public struct CalendarStore: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// The holiday file shipped with the release (State Council notices).
    public static func shippedOverrides() throws -> [CalendarOverride] {
        guard let url = Bundle.module.url(forResource: "cn-holidays", withExtension: "json", subdirectory: "Resources/calendar") else {
            preconditionFailure("the calendar resource is part of the build")  // programmer error
        }
        return try WorkingCalendar.decode(Data(contentsOf: url))
    }

    static func record(_ day: CalendarOverride) -> CalendarDayRecord {
        let record = CalendarDayRecord()
        record.id = day.date.description
        record.kind = day.kind.rawValue
        record.name = day.name
        return record
    }

    public func overrides(year: Int? = nil) async throws -> [CalendarOverride] {
        var query = CalendarDayRecord.query(on: db)
        if let year { query = query.filter(\.$id >= "\(year)-01-01").filter(\.$id <= "\(year)-12-31") }
        return try await query.sort(\.$id).all().compactMap { record in
            guard let id = record.id, let date = try? LocalDate(parsing: id),
                  let kind = CalendarOverride.Kind(rawValue: record.kind) else { return nil }
            return CalendarOverride(date: date, kind: kind, name: record.name)
        }
    }

    public func calendar() async throws -> WorkingCalendar {
        WorkingCalendar(overrides: try await overrides())
    }

    /// Sets or replaces the entry for one day.
    public func set(_ day: CalendarOverride) async throws(UserError) {
        let name = day.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...30).contains(name.count) else {
            throw UserError("calendar.name", field: "name", zh: "名称须为 1–30 个字", en: "The name must be 1–30 characters")
        }
        if day.kind == .workday, !day.date.isWeekend {
            throw UserError("calendar.workday_on_weekday", field: "date",
                            zh: "调休上班日只能设在周六或周日", en: "A make-up working day must fall on a Saturday or Sunday")
        }
        do {
            try await CalendarDayRecord.query(on: db).filter(\.$id == day.date.description).delete()
            try await Self.record(CalendarOverride(date: day.date, kind: day.kind, name: name)).create(on: db)
        } catch {
            throw UserError("storage.failed", zh: "保存失败，请重试", en: "Saving failed; please try again")
        }
    }

    public func remove(_ date: LocalDate) async throws {
        try await CalendarDayRecord.query(on: db).filter(\.$id == date.description).delete()
    }
}

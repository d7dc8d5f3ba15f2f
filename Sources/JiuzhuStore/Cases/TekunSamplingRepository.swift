import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// 特困抽查批次 — one draw by a county over its tekun cases awaiting
/// confirmation: the share, the seed (an auditor re-derives the choice with
/// Core `TekunSampling.choose`), who drew it and when.
public final class TekunSampleRecord: Model, @unchecked Sendable {
    public static let schema = "tekun_samples"

    @ID(key: .id) public var id: UUID?
    @Field(key: "county_code") public var countyCode: String
    /// `TK-340321-20260606-1`: unique.
    @Field(key: "batch") public var batch: String
    @Field(key: "percent") public var percent: Int
    /// The draw's seed in decimal (a UInt64 does not fit every database's integer).
    @Field(key: "seed") public var seed: String
    @Field(key: "drawn_on") public var drawnOn: String
    @Field(key: "drawn_by") public var drawnBy: String
    @Field(key: "case_count") public var caseCount: Int
    @Field(key: "sampled_count") public var sampledCount: Int
    @Field(key: "created_ms") public var createdMillis: Int64

    public init() {}
}

/// A case in a draw; `case_id` is unique: a case is drawn once.
public final class TekunSampleCaseRecord: Model, @unchecked Sendable {
    public static let schema = "tekun_sample_cases"

    @ID(key: .id) public var id: UUID?
    @Field(key: "sample_id") public var sampleID: UUID
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "sampled") public var sampled: Bool

    public init() {}
}

struct M019CreateTekunSamples: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TekunSampleRecord.schema)
            .id()
            .field("county_code", .string, .required)
            .field("batch", .string, .required)
            .field("percent", .int, .required)
            .field("seed", .string, .required)
            .field("drawn_on", .string, .required)
            .field("drawn_by", .string, .required)
            .field("case_count", .int, .required)
            .field("sampled_count", .int, .required)
            .field("created_ms", .int64, .required)
            .unique(on: "batch")
            .create()
        try await database.schema(TekunSampleCaseRecord.schema)
            .id()
            .field("sample_id", .uuid, .required, .references(TekunSampleRecord.schema, "id"))
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("sampled", .bool, .required)
            .unique(on: "case_id")
            .create()
        try await database.sql.create(index: "tekun_sample_cases_sample_idx").on(TekunSampleCaseRecord.schema).column("sample_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TekunSampleCaseRecord.schema).delete()
        try await database.schema(TekunSampleRecord.schema).delete()
    }
}

/// 县级抽查 — a county draws ≥30% of its tekun cases awaiting confirmation
/// for on-site checks; the confirmation of each case then stands on the draw
/// (Core `TekunSampleMembership.check`).
public struct TekunSamplingRepository: Sendable {
    let db: any Database

    public init(db: any Database) { self.db = db }

    /// The county's tekun cases awaiting confirmation that no draw has taken yet.
    public func undrawn(county: RegionCode) async throws -> [CaseRecord] {
        try await Self.undrawn(county: county, on: db)
    }

    static func undrawn(county: RegionCode, on db: any Database) async throws -> [CaseRecord] {
        let scope = RegionScope(root: county)
        let waiting = try await CaseRecord.query(on: db).filter(\.$programme == Programme.tekun.rawValue)
            .filter(\.$state == CaseState.awaitingConfirmation.rawValue)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$acceptedOn).sort(\.$id).all()
        guard !waiting.isEmpty else { return [] }
        let drawn = Set(try await TekunSampleCaseRecord.query(on: db).filter(\.$caseID ~~ waiting.compactMap(\.id)).all().map(\.caseID))
        return waiting.filter { $0.id.map { !drawn.contains($0) } ?? false }
    }

    /// Draws a batch over every undrawn case of `county`, in one transaction
    /// with its audit event. Two draws at once: the second finds the cases
    /// taken (`sampling.taken`) and writes nothing.
    public func draw(county: RegionCode, percent: Int, seed: UInt64, on day: LocalDate, actor: String,
                     audit: (chain: AuditChain, entry: AuditEntry), now: Date = Date()) async throws -> TekunSampleRecord {
        guard county.level == .county else {
            throw UserError("sampling.county", field: "county", zh: "特困抽查由县级办理", en: "Tekun sampling is done by a county")
        }
        do {
            return try await db.transaction { tx in
                let cases = try await Self.undrawn(county: county, on: tx)
                guard !cases.isEmpty else {
                    throw UserError("sampling.empty", field: "cases", zh: "没有待抽查的特困案件", en: "No tekun case is waiting to be sampled")
                }
                let ids = cases.compactMap { $0.id?.uuidString }
                let chosen = Set(try TekunSampling.choose(caseIDs: ids, seed: seed, percent: percent))
                let sameDay = try await TekunSampleRecord.query(on: tx).filter(\.$countyCode == county.value)
                    .filter(\.$drawnOn == day.description).count()
                let sample = TekunSampleRecord()
                sample.id = UUID()
                sample.countyCode = county.value
                sample.batch = "TK-\(county.value)-\(day.description.replacingOccurrences(of: "-", with: ""))-\(sameDay + 1)"
                sample.percent = percent
                sample.seed = String(seed)
                sample.drawnOn = day.description
                sample.drawnBy = actor
                sample.caseCount = ids.count
                sample.sampledCount = chosen.count
                sample.createdMillis = now.millis
                try await sample.create(on: tx)
                for id in ids {
                    let member = TekunSampleCaseRecord()
                    member.sampleID = try sample.requireID()
                    member.caseID = UUID(uuidString: id) ?? UUID()
                    member.sampled = chosen.contains(id)
                    try await member.create(on: tx)
                }
                var entry = audit.entry
                entry.objectType = "tekun_sample"
                entry.objectID = sample.batch
                entry.detail = "cases=\(ids.count) sampled=\(chosen.count) percent=\(percent) seed=\(seed)"
                try await audit.chain.append(entry, on: tx, now: now)
                return sample
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw UserError("sampling.taken", field: "cases", zh: "案件刚被另一次抽查抽取，请刷新页面",
                            en: "Another draw has just taken these cases; reload the page")
        }
    }

    /// The county's draws, newest first.
    public func samples(county: RegionCode, limit: Int = 50) async throws -> [TekunSampleRecord] {
        try await TekunSampleRecord.query(on: db).filter(\.$countyCode == county.value)
            .sort(\.$createdMillis, .descending).limit(limit).all()
    }

    public func members(of sample: TekunSampleRecord) async throws -> [TekunSampleCaseRecord] {
        try await TekunSampleCaseRecord.query(on: db).filter(\.$sampleID == sample.requireID()).all()
    }

    /// The draw a case was in, if any.
    public func membership(caseID: UUID) async throws -> TekunSampleMembership? {
        guard let member = try await TekunSampleCaseRecord.query(on: db).filter(\.$caseID == caseID).first(),
              let sample = try await TekunSampleRecord.find(member.sampleID, on: db) else { return nil }
        return TekunSampleMembership(batch: sample.batch, sampled: member.sampled)
    }
}

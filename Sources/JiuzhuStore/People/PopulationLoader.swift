import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// Loads synthetic households in bulk for the demo and the benchmarks:
/// valid IDs, sealed fields and blind indexes exactly as the intake writes
/// them, but in multi-row inserts, a transaction per batch.
public struct PopulationLoader: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// The villages under `root` that households are spread over.
    public func villages(under root: RegionCode) async throws -> [RegionCode] {
        try await RegionRepository(db: db).subtree(RegionScope(root: root))
            .filter { $0.level == RegionLevel.village.rawValue }
            .compactMap { try? $0.code }
    }

    /// Adds households until at least `persons` people were written. Returns how many.
    @discardableResult
    public func load(persons target: Int, villages: [RegionCode], seed: UInt64, asOf: LocalDate, now: Date,
                     batchPersons: Int = 2000, progress: (Int) -> Void = { _ in }) async throws -> Int {
        guard !villages.isEmpty else { return 0 }
        var population = SyntheticPopulation(seed: seed, villages: villages, asOf: asOf)
        var written = 0
        let cipher = keys.fieldCipher
        while written < target {
            var personRows: [[any SQLExpression]] = []
            var householdRows: [[any SQLExpression]] = []
            var memberRows: [[any SQLExpression]] = []
            while personRows.count < batchPersons && written + personRows.count < target {
                let members = population.nextHousehold()
                guard let head = members.first else { continue }
                let region = head.person.hukouRegion ?? villages[0]
                let householdID = UUID()
                var personIDs: [UUID] = []
                for member in members {
                    let id = UUID()
                    personIDs.append(id)
                    let p = member.person
                    func seal(_ column: String, _ value: String?) throws -> any SQLExpression {
                        guard let value else { return SQLLiteral.null }
                        return SQLBind(try cipher.seal(value, context: PeopleRepository.context(column, id)))
                    }
                    personRows.append([
                        SQLBind(id), SQLBind(keys.blindIndex(p.id.value)), try seal("id_sealed", p.id.value), SQLBind(p.id.masked),
                        SQLBind(p.name), SQLBind(p.id.sex.rawValue), SQLBind(p.id.birthDate.description),
                        try seal("phone_sealed", p.phone?.value), SQLLiteral.null,
                        try seal("disability_sealed", p.disability.map { "\($0.type.rawValue):\($0.grade)" }),
                        try seal("health_sealed", p.seriousIllness ? "serious-illness" : "none"),
                        SQLBind(p.employment.rawValue), SQLBind(p.student.rawValue), SQLBind(p.hukouRegion?.value ?? region.value),
                        SQLBind(region.value), SQLBind(p.residence.rawValue), SQLBind(now.millis),
                    ])
                }
                householdRows.append([SQLBind(householdID), SQLBind(region.value), SQLBind(personIDs[0]), SQLLiteral.null,
                                      SQLBind(now.millis), SQLBind(1)])
                for (position, member) in members.enumerated() {
                    memberRows.append([SQLBind(UUID()), SQLBind(householdID), SQLBind(personIDs[position]), SQLBind(region.value),
                                       SQLBind(member.relation.rawValue), SQLBind(member.coResident), SQLBind(member.status.rawValue),
                                       SQLBind(position), SQLBind(now.millis), SQLLiteral.null])
                }
            }
            let personsSQL = personRows, householdsSQL = householdRows, membersSQL = memberRows
            try await db.transaction { tx in
                // SQLite allows 32,766 bound values a statement: insert in slices.
                for slice in personsSQL.chunked(1500) {
                    try await tx.sql.insert(into: PersonRecord.schema)
                        .columns("id", "id_blind", "id_sealed", "id_masked", "name", "sex", "birth_date", "phone_sealed", "address_sealed",
                                 "disability_sealed", "health_sealed", "employment", "student", "hukou_region", "region_code", "residence", "updated_ms")
                        .rows(slice).run()
                }
                for slice in householdsSQL.chunked(3000) {
                    try await tx.sql.insert(into: HouseholdRecord.schema)
                        .columns("id", "region_code", "head_person_id", "address_sealed", "created_ms", "version")
                        .rows(slice).run()
                }
                for slice in membersSQL.chunked(2500) {
                    try await tx.sql.insert(into: MemberRecord.schema)
                        .columns("id", "household_id", "person_id", "region_code", "relation", "co_resident", "status", "position", "joined_ms", "left_ms")
                        .rows(slice).run()
                }
            }
            written += personsSQL.count
            progress(written)
        }
        return written
    }
}

extension SQLInsertBuilder {
    /// One `VALUES` row per element.
    func rows(_ rows: ArraySlice<[any SQLExpression]>) -> SQLInsertBuilder {
        for row in rows { _ = values(row) }
        return self
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

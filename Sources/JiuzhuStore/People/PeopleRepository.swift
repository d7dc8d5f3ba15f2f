import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// A person's sealed fields, opened. Only built for a full-record view, which the caller audits.
public struct PersonDetails: Sendable {
    public let record: PersonRecord
    public let id: ResidentID?
    public let phone: String?
    public let address: String?
    public let disability: Disability?
    public let seriousIllness: Bool
}

/// One member of a household, as lists show it (masked ID, no sealed fields).
public struct MemberRow: Sendable {
    public let member: MemberRecord
    public let person: PersonRecord
}

/// Persons and households, always through the caller's region scope.
public struct PeopleRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    static func context(_ column: String, _ id: UUID?) -> FieldContext {
        FieldContext(table: PersonRecord.schema, column: column, row: id?.uuidString ?? "")
    }

    // MARK: Reading

    public func person(id: UUID, in scope: RegionScope) async throws -> PersonRecord? {
        guard let person = try await PersonRecord.find(id, on: db) else { return nil }
        try check(person.regionCode, in: scope)
        return person
    }

    /// Exact lookup by ID number through the blind index (every key's, during a rotation).
    public func person(idNumber: ResidentID, in scope: RegionScope) async throws -> PersonRecord? {
        let person = try await PersonRecord.query(on: db).filter(\.$idBlind ~~ keys.blindIndexes(idNumber.value)).first()
        guard let person, scope.allows(try RegionCode(person.regionCode)) else { return nil }
        return person
    }

    /// Anywhere in the province: only for the one-active-dibao-household rule and intake de-duplication.
    func personAnywhere(idNumber: ResidentID) async throws -> PersonRecord? {
        try await PersonRecord.query(on: db).filter(\.$idBlind ~~ keys.blindIndexes(idNumber.value)).first()
    }

    /// Name prefix search inside the scope, most recently updated first.
    public func search(namePrefix: String, in scope: RegionScope, limit: Int = 50) async throws -> [PersonRecord] {
        let prefix = namePrefix.trimmingCharacters(in: .whitespaces)
        guard !prefix.isEmpty else { return [] }
        return try await PersonRecord.query(on: db)
            .filter(\.$name >= prefix).filter(\.$name < prefix + "\u{10FFFF}")
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .sort(\.$name)
            .limit(limit)
            .all()
    }


    /// Opens the sealed fields. The caller records the view in the audit chain.
    public func details(_ person: PersonRecord, today: LocalDate) throws -> PersonDetails {
        let cipher = keys.fieldCipher
        let idText = try cipher.open(person.idSealed, context: Self.context("id_sealed", person.id))
        let disabilityText = try cipher.open(person.disabilitySealed, context: Self.context("disability_sealed", person.id))
        let disability = try? PersonRecord.disability(stored: disabilityText, field: "disability")
        return PersonDetails(
            record: person,
            id: try? ResidentID(idText, today: LocalDate(year: 9999, month: 12, day: 31) ?? today),
            phone: try cipher.open(person.phoneSealed, context: Self.context("phone_sealed", person.id)),
            address: try cipher.open(person.addressSealed, context: Self.context("address_sealed", person.id)),
            disability: disability,
            seriousIllness: try cipher.open(person.healthSealed, context: Self.context("health_sealed", person.id)) == "serious-illness")
    }

    public func household(id: UUID, in scope: RegionScope) async throws -> HouseholdRecord? {
        guard let household = try await HouseholdRecord.find(id, on: db) else { return nil }
        try check(household.regionCode, in: scope)
        return household
    }

    /// The household's current members, in form order.
    public func members(of household: HouseholdRecord) async throws -> [MemberRow] {
        let members = try await MemberRecord.query(on: db)
            .filter(\.$householdID == household.requireID())
            .filter(\.$leftMillis == nil)
            .sort(\.$position).all()
        let persons = try await PersonRecord.query(on: db).filter(\.$id ~~ members.map(\.personID)).all()
        let byID = Dictionary(uniqueKeysWithValues: persons.compactMap { p in p.id.map { ($0, p) } })
        return members.compactMap { m in byID[m.personID].map { MemberRow(member: m, person: $0) } }
    }

    /// Households the person belongs to now, inside the scope.
    public func households(of person: PersonRecord, in scope: RegionScope) async throws -> [HouseholdRecord] {
        let ids = try await MemberRecord.query(on: db)
            .filter(\.$personID == person.requireID()).filter(\.$leftMillis == nil).all().map(\.householdID)
        return try await HouseholdRecord.query(on: db).filter(\.$id ~~ ids)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound).all()
    }

    private func check(_ region: String, in scope: RegionScope) throws {
        let code = try RegionCode(region)
        guard scope.allows(code) else { throw RegionAccess.outOfScope(code) }
    }

    // MARK: Writing (inside the intake transaction)

    /// Creates the person, or updates the existing record with the same ID number.
    func save(_ draft: PersonDraft, region: RegionCode, now: Date) async throws -> PersonRecord {
        let cipher = keys.fieldCipher
        let person = try await personAnywhere(idNumber: draft.id) ?? {
            let fresh = PersonRecord()
            fresh.id = UUID()
            return fresh
        }()
        let isNew = person.$idBlind.value == nil
        person.idBlind = keys.blindIndex(draft.id.value)
        person.idSealed = try cipher.seal(draft.id.value, context: Self.context("id_sealed", person.id))
        person.idMasked = draft.id.masked
        person.name = draft.name
        person.sex = draft.id.sex.rawValue
        person.birthDate = draft.id.birthDate.description
        person.phoneSealed = try cipher.seal(draft.phone?.value, context: Self.context("phone_sealed", person.id))
        person.addressSealed = try cipher.seal(draft.address, context: Self.context("address_sealed", person.id))
        person.disabilitySealed = try cipher.seal(draft.disability.map { "\($0.type.rawValue):\($0.grade)" },
                                                  context: Self.context("disability_sealed", person.id))
        person.healthSealed = try cipher.seal(draft.seriousIllness ? "serious-illness" : "none", context: Self.context("health_sealed", person.id))
        person.employment = draft.employment.rawValue
        person.student = draft.student.rawValue
        person.hukouRegion = draft.hukouRegion?.value
        person.regionCode = region.value
        person.residence = draft.residence.rawValue
        person.updatedMillis = now.millis
        if isNew { try await person.create(on: db) } else { try await person.update(on: db) }
        return person
    }
}

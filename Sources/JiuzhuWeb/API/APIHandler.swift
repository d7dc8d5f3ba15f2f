import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore
import OpenAPIRuntime
import Vapor

/// The operations of `openapi.yaml`. Every one runs for an API client whose
/// token the access middleware has checked (`JSONAPI.rules`), inside the
/// token's region scope.
struct APIHandler: APIProtocol {
    static let searchLimit = 50

    // MARK: Persons

    func listPersons(_ input: Operations.ListPersons.Input) async throws -> Operations.ListPersons.Output {
        try await APIErrors.answer { req, client in
            let people = PeopleRepository(db: req.db, keys: req.options.keys)
            let idNumber = input.query.idNumber.flatMap(Self.nonBlank)
            let name = input.query.name.flatMap(Self.nonBlank)
            let persons: [PersonRecord]
            let detail: String
            switch (idNumber, name) {
            case (let idNumber?, nil):
                let id = try ResidentID(idNumber, today: LocalDate.today(now: req.now), field: "idNumber")
                persons = try await people.person(idNumber: id, in: client.scope).map { [$0] } ?? []
                detail = "idNumber " + id.masked
            case (nil, let name?):
                let prefix = try TextRules.name(name, field: "name")
                persons = try await people.search(namePrefix: prefix, in: client.scope, limit: Self.searchLimit)
                detail = "name " + prefix
            default:
                throw UserError("api.search_query", field: idNumber == nil ? "idNumber" : "name",
                                zh: "请只提供身份证号码（idNumber）或姓名（name）其中之一",
                                en: "Give exactly one of idNumber and name")
            }
            try await Self.audit(req, client, "people.search", objectType: "search", detail: detail)
            return .ok(.init(body: .json(.init(persons: persons.map(Self.summary)))))
        }
    }

    /// The full record: the sealed fields opened, and the reading audited.
    func getPerson(_ input: Operations.GetPerson.Input) async throws -> Operations.GetPerson.Output {
        try await APIErrors.answer { req, client in
            let people = PeopleRepository(db: req.db, keys: req.options.keys)
            guard let id = UUID(uuidString: input.path.id),
                  let record = try await people.person(id: id, in: client.scope) else { throw APINotFound() }
            let details = try people.details(record, today: LocalDate.today(now: req.now))
            let households = try await people.households(of: record, in: client.scope)
            try await Self.audit(req, client, "person.view", objectType: "person", objectID: record.idMasked)
            return .ok(.init(body: .json(.init(
                id: id.uuidString, name: record.name, maskedIdNumber: record.idMasked, sex: record.sex,
                birthDate: record.birthDate, region: record.regionCode,
                idNumber: details.id?.value, phone: details.phone, address: details.address,
                disability: details.disability.map { .init(_type: $0.type.rawValue, grade: $0.grade) },
                seriousIllness: details.seriousIllness, employment: record.employment, student: record.student,
                residence: record.residence, hukouRegion: record.hukouRegion,
                householdIds: households.compactMap { $0.id?.uuidString }))))
        }
    }

    // MARK: Households

    /// 一户一条救助链: the members and every application, referral and event.
    func getHousehold(_ input: Operations.GetHousehold.Input) async throws -> Operations.GetHousehold.Output {
        try await APIErrors.answer { req, client in
            let people = PeopleRepository(db: req.db, keys: req.options.keys)
            guard let id = UUID(uuidString: input.path.id),
                  let household = try await people.household(id: id, in: client.scope) else { throw APINotFound() }
            let members = try await people.members(of: household)
            let chain = try await IntakeRepository(db: req.db, keys: req.options.keys).chain(householdID: id)
            return .ok(.init(body: .json(.init(
                id: id.uuidString, region: household.regionCode,
                members: members.map { row in
                    .init(personId: row.person.id?.uuidString ?? "", name: row.person.name, maskedIdNumber: row.person.idMasked,
                          relation: row.member.relation, coResident: row.member.coResident, status: row.member.status)
                },
                applications: chain.applications.map { a in
                    .init(id: a.id?.uuidString ?? "", trackingCode: a.trackingCode, status: a.status,
                          programmes: Self.programmes(a), needs: a.needs.map(\.rawValue), acceptedOn: a.acceptedOn,
                          channel: a.channel)
                },
                referrals: chain.referrals.map(Self.referral),
                events: chain.events.map(Self.event)))))
        }
    }

    // MARK: Applications

    /// 一门受理 through the API: the window's form rules, the repository's own
    /// checks (region scope, one dibao household per person), the window channel.
    func createApplication(_ input: Operations.CreateApplication.Input) async throws -> Operations.CreateApplication.Output {
        try await APIErrors.answer { req, client in
            guard case .json(let body) = input.body else { throw APINotFound() }
            let today = LocalDate.today(now: req.now)
            let draft = try IntakeForm(api: body).validateForAPI(today: today).get()
            // The window's form offers only existing regions in a list; a program can send any code.
            guard let region = try await RegionRecord.find(draft.region.value, on: req.db), region.isValid(on: today) else {
                throw UserError("intake.region_unknown", field: "region", zh: "区划不存在或已撤销",
                                en: "The region does not exist or has been abolished")
            }
            let result = try await IntakeRepository(db: req.db, keys: req.options.keys).register(
                draft, scope: client.scope,
                audit: AuditEntry(actor: client.name, role: "api", region: client.scope.root.value,
                                  action: "application.register", client: req.clientAddress,
                                  detail: draft.programmes.map(\.rawValue).sorted().joined(separator: ",")),
                today: today, now: req.now, calendar: try await CalendarStore(db: req.db).calendar())
            return .created(.init(body: .json(.init(
                id: try result.application.requireID().uuidString,
                householdId: try result.household.requireID().uuidString,
                trackingCode: result.application.trackingCode,
                status: result.application.status,
                missingMaterials: result.missing.map(Self.material)))))
        }
    }

    func getApplication(_ input: Operations.GetApplication.Input) async throws -> Operations.GetApplication.Output {
        try await APIErrors.answer { req, client in
            let repository = IntakeRepository(db: req.db, keys: req.options.keys)
            guard let id = UUID(uuidString: input.path.id),
                  let application = try await repository.application(id: id, in: client.scope) else { throw APINotFound() }
            let events = try await repository.events(applicationID: id)
            let referrals = try await ReferralRecord.query(on: req.db).filter(\.$applicationID == id).sort(\.$createdMillis).all()
            let missing = try await repository.checklist(for: try RegionCode(application.regionCode))
                .missing(provided: application.materialSet, for: application.programmeSet)
            let status = application.applicationStatus?.name
            return .ok(.init(body: .json(.init(
                id: id.uuidString, householdId: application.householdID.uuidString, region: application.regionCode,
                trackingCode: application.trackingCode, status: application.status,
                statusZh: status?.zh ?? application.status, statusEn: status?.en ?? application.status,
                channel: application.channel, acceptedOn: application.acceptedOn,
                programmes: Self.programmes(application), needs: application.needs.map(\.rawValue),
                materials: application.materialSet.sorted(), missingMaterials: missing.map(Self.material),
                referrals: referrals.map(Self.referral), events: events.map(Self.event)))))
        }
    }

    // MARK: Mapping

    static func nonBlank(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func summary(_ person: PersonRecord) -> Components.Schemas.PersonSummary {
        .init(id: person.id?.uuidString ?? "", name: person.name, maskedIdNumber: person.idMasked, sex: person.sex,
              birthDate: person.birthDate, region: person.regionCode)
    }

    static func programmes(_ application: ApplicationRecord) -> [String] {
        Programme.allCases.filter(application.programmeSet.contains).map(\.rawValue)
    }

    static func referral(_ r: ReferralRecord) -> Components.Schemas.Referral {
        .init(id: r.id?.uuidString ?? "", applicationId: r.applicationID.uuidString, need: r.need, department: r.department,
              deadline: r.deadline, status: r.status, outcome: r.outcome)
    }

    static func event(_ e: ApplicationEventRecord) -> Components.Schemas.Event {
        .init(at: Date(timeIntervalSince1970: Double(e.atMillis) / 1000), applicationId: e.applicationID.uuidString,
              kind: e.kind, textZh: e.textZh, textEn: e.textEn)
    }

    static func material(_ item: MaterialItem) -> Components.Schemas.Material {
        .init(code: item.code, nameZh: item.name.zh, nameEn: item.name.en)
    }

    /// An audit event with the token's name as the actor (role `api`).
    static func audit(_ req: Request, _ client: APIClientContext, _ action: String, objectType: String,
                      objectID: String = "", detail: String = "") async throws {
        try await AuditChain(keys: req.options.keys).append(
            AuditEntry(actor: client.name, role: "api", region: client.scope.root.value, action: action,
                       objectType: objectType, objectID: objectID, client: req.clientAddress, detail: detail),
            on: req.db, now: req.now)
    }
}

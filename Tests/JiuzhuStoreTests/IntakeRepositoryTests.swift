import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

@Suite struct IntakeRepositoryTests {
    let today = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date
    let now = Date(timeIntervalSince1970: 1_781_500_000)

    func member(_ name: String, _ id: String, _ relation: Relationship, phone: String? = nil) throws -> MemberDraft {
        var form = PersonForm()
        form.name = name
        form.idNumber = id
        form.relation = relation.rawValue
        form.coResident = "on"
        form.phone = phone
        form.residence = "rural"
        switch HouseholdRules.validate(form, prefix: "", today: today) {
        case .success(let member): return member
        case .failure(let errors): throw errors
        }
    }

    func family() throws -> [MemberDraft] {
        [try member("王建国", TestPeople.father, .head, phone: "13812345678"),
         try member("李秀英", TestPeople.mother, .spouse),
         try member("王小明", TestPeople.child, .son)]
    }

    func register(_ app: Application, members: [MemberDraft], region: String = "340321100201",
                          programmes: Set<Programme> = [.dibao], needs: Set<ReferralNeed> = [],
                          materials: Set<String> = []) async throws -> IntakeResult {
        let draft = IntakeDraft(region: try RegionCode(region), address: "西城村 3 组", members: members, programmes: programmes,
                                needs: needs, channel: .window, entrustment: nil, conflict: .none, materialsProvided: materials)
        return try await IntakeRepository(db: app.db, keys: TestKeys.ring).register(
            draft, scope: RegionScope(root: try RegionCode("340321")),
            audit: AuditEntry(actor: "tester", role: "township_caseworker", region: "340321100", action: "application.register"),
            today: today, now: now, calendar: try await CalendarStore(db: app.db).calendar())
    }

    @Test(arguments: TestDatabase.all)
    func theDatabaseHoldsNoPlaintextIDNumberOrPhone(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            _ = try await register(app, members: try family())
            // Every text value of every table the intake writes.
            var texts: [String] = []
            for table in ["persons", "households", "household_members", "applications", "application_events", "referrals", "dibao_claims", "audit_events"] {
                let rows = try await app.sql.raw("SELECT * FROM \(ident: table)").all()
                for row in rows {
                    for column in row.allColumns {
                        if let text = try? row.decode(column: column, as: String.self) { texts.append(text) }
                    }
                }
            }
            #expect(texts.count > 20)
            for secret in [TestPeople.father, TestPeople.mother, TestPeople.child, "13812345678", "西城村 3 组"] {
                #expect(!texts.contains { $0.contains(secret) }, "\(secret) stored in plaintext")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func findsAPersonByIDNumberOnlyInsideTheScope(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            _ = try await register(app, members: try family())
            let people = PeopleRepository(db: app.db, keys: TestKeys.ring)
            let id = try ResidentID(TestPeople.mother, today: today)
            let found = try await people.person(idNumber: id, in: RegionScope(root: try RegionCode("340321100")))
            #expect(found?.name == "李秀英")
            #expect(found?.idMasked == id.masked)
            #expect(try await people.person(idNumber: id, in: RegionScope(root: try RegionCode("340322"))) == nil)
            let details = try people.details(try #require(found), today: today)
            #expect(details.id?.value == TestPeople.mother)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPersonInADibaoHouseholdCannotJoinAnother(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            _ = try await register(app, members: try family())
            let other = [try member("赵六", TestPeople.stranger, .head), try member("王小明", TestPeople.child, .grandchild)]
            do {
                _ = try await register(app, members: other, region: "340321101201")
                Issue.record("the child was added to a second household")
            } catch let errors as HouseholdRules.Errors {
                let error = try #require(errors.all.first)
                #expect(error.code == "intake.dibao_elsewhere")
                #expect(error.field == "members[1].idNumber")
                #expect(error.message.zh.contains("怀远县城关镇"))
                #expect(!error.message.zh.contains("王建国"))
            }
            // Nothing of the refused application was written.
            #expect(try await HouseholdRecord.query(on: app.db).count() == 1)
            #expect(try await PersonRecord.query(on: app.db).count() == 3)
        }
    }

    @Test func theSameFamilyApplyingAgainKeepsOneHousehold() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let first = try await register(app, members: try family())
            let second = try await register(app, members: Array(try family().prefix(2)), programmes: [.temporaryExpenditure])
            #expect(first.household.id == second.household.id)
            let members = try await PeopleRepository(db: app.db, keys: TestKeys.ring).members(of: second.household)
            #expect(members.count == 2)
            let chain = try await IntakeRepository(db: app.db, keys: TestKeys.ring).chain(householdID: try #require(first.household.id))
            #expect(chain.applications.count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func referralsGetWorkingDayDeadlinesAndReachTheDepartmentQueue(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let result = try await register(app, members: try family(), needs: [.medical, .charity])
            #expect(result.referrals.count == 2)
            let calendar = try await CalendarStore(db: app.db).calendar()
            for referral in result.referrals {
                let need = try #require(ReferralNeed(rawValue: referral.need))
                #expect(referral.deadline == ReferralPolicy.standard.deadline(for: need, from: today, calendar: calendar).description)
                #expect(calendar.isWorkingDay(try LocalDate(parsing: referral.deadline)))
            }
            let repository = IntakeRepository(db: app.db, keys: TestKeys.ring)
            let county = RegionScope(root: try RegionCode("340321"))
            #expect(try await repository.referralQueue(department: .medicalInsurance, in: county).count == 1)
            #expect(try await repository.referralQueue(department: .medicalInsurance, in: RegionScope(root: try RegionCode("340322"))).isEmpty)
            #expect(try await repository.referralQueue(department: .housing, in: county).isEmpty)
        }
    }

    @Test func missingMaterialsLeaveTheApplicationAwaitingThem() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let incomplete = try await register(app, members: try family())
            #expect(incomplete.application.applicationStatus == .awaitingMaterials)
            #expect(!incomplete.missing.isEmpty)
            let all = Set(MaterialChecklist.national.required(for: [.dibao]).map(\.code))
            let complete = try await register(app, members: try family(), materials: all)
            #expect(complete.application.applicationStatus == .accepted)
            #expect(complete.missing.isEmpty)
        }
    }

    @Test func outsideTheCaseworkersScopeNothingIsRegistered() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let members = try family()
            await #expect(throws: RegionAccess.self) { _ = try await register(app, members: members, region: "340402001201") }
            #expect(try await PersonRecord.query(on: app.db).count() == 0)
        }
    }
}

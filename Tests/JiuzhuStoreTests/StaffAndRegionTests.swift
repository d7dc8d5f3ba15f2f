import FluentKit
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

@Suite struct RegionRepositoryTests {
    @Test(arguments: TestDatabase.all)
    func subtreeNeverLeavesTheScope(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let repository = RegionRepository(db: app.db)
            let township = RegionScope(root: try RegionCode("340321100"))
            let rows = try await repository.subtree(township)
            #expect(rows.count == 4)  // the township and its three villages
            #expect(rows.allSatisfy { ($0.id ?? "").hasPrefix("340321100") })
            let county = try await repository.subtree(RegionScope(root: try RegionCode("340321")))
            #expect(county.contains { $0.id == "340321101" })
            #expect(!county.contains { ($0.id ?? "").hasPrefix("340322") })
        }
    }

    @Test(arguments: TestDatabase.all)
    func findingOutsideTheScopeIsRefused(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let repository = RegionRepository(db: app.db)
            let scope = RegionScope(root: try RegionCode("340321100"))
            await #expect(throws: RegionAccess.self) { try await repository.find(try RegionCode("3404"), in: scope) }
            await #expect(throws: RegionAccess.self) { try await repository.find(try RegionCode("340321101"), in: scope) }
            #expect(try await repository.find(try RegionCode("340321100201"), in: scope)?.name == "西城村")
        }
    }

    @Test(arguments: TestDatabase.all)
    func savingChecksNameParentAndValidity(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let repository = RegionRepository(db: app.db)
            let scope = RegionScope(root: try RegionCode("34"))
            let start = try LocalDate(parsing: "2026-01-01")
            func code(of error: any Error) -> String? { (error as? UserError)?.code }
            do {
                try await repository.save(code: try RegionCode("340399"), name: "  ", validFrom: start, validTo: nil, in: scope)
                Issue.record("an empty name was accepted")
            } catch { #expect(code(of: error) == "region.name") }
            do {
                try await repository.save(code: try RegionCode("340399001"), name: "新镇", validFrom: start, validTo: nil, in: scope)
                Issue.record("a region without a parent was accepted")
            } catch { #expect(code(of: error) == "region.parent_missing") }
            do {
                try await repository.save(code: try RegionCode("340321"), name: "怀远县", validFrom: start,
                                          validTo: try LocalDate(parsing: "2025-01-01"), in: scope)
                Issue.record("an end before the start was accepted")
            } catch { #expect(code(of: error) == "region.validity") }
            try await repository.save(code: try RegionCode("340321103"), name: "新集镇", validFrom: start, validTo: nil, in: scope)
            #expect(try await RegionRecord.find("340321103", on: app.db)?.parentCode == "340321")
        }
    }

    @Test func demoRegionsAreWellFormedAndParentsComeFirst() throws {
        let rows = DemoRegions.all()
        var seen = Set<String>()
        for row in rows {
            let code = try RegionCode(row.code)
            #expect(code.value == row.code)
            if let parent = code.parent { #expect(seen.contains(parent.value), "parent of \(row.code) missing") }
            seen.insert(row.code)
        }
        #expect(Set(rows.map(\.code)).count == rows.count)
        #expect(seen.isSuperset(of: ["3403", "3404", "3407", "340705", "340702"]))
    }
}

@Suite struct StaffRepositoryTests {
    let now = Date(timeIntervalSince1970: 1_780_000_000)
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    private func makeUser(_ app: Application, role: StaffRole = .townshipCaseworker, region: String = "340321100",
                          username: String = "li.si", secret: String? = nil) async throws -> StaffUser {
        try await StaffRepository(db: app.db, keys: TestKeys.ring, bcryptCost: 4).create(
            NewStaff(username: username, displayName: "李四", role: role, region: try RegionCode(region), password: "Correct-Horse-42"),
            in: RegionScope(root: try RegionCode("34")), now: now, totpSecret: secret)
    }

    private func repository(_ app: Application) -> StaffRepository {
        StaffRepository(db: app.db, keys: TestKeys.ring, bcryptCost: 4)
    }

    @Test(arguments: TestDatabase.all)
    func locksAfterFiveFailuresForFifteenMinutes(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            _ = try await makeUser(app, secret: secret)
            let repo = repository(app)
            for _ in 1...4 {
                guard case .failure(let error, _) = try await repo.login(username: "li.si", password: "wrong", code: "", now: now) else {
                    Issue.record("wrong password accepted"); return
                }
                #expect(error.code == "login.invalid")
            }
            guard case .failure(let fifth, _) = try await repo.login(username: "li.si", password: "wrong", code: "", now: now) else { return }
            #expect(fifth.code == "login.locked")
            // Even the right password and code are refused while locked...
            let code = try #require(StaffRepository.code(secret: secret, at: now))
            guard case .failure(let locked, _) = try await repo.login(username: "li.si", password: "Correct-Horse-42", code: code, now: now.addingTimeInterval(60)) else {
                Issue.record("locked account logged in"); return
            }
            #expect(locked.code == "login.locked")
            // ...and accepted after 15 minutes.
            let later = now.addingTimeInterval(15 * 60 + 1)
            let laterCode = try #require(StaffRepository.code(secret: secret, at: later))
            guard case .success = try await repo.login(username: "li.si", password: "Correct-Horse-42", code: laterCode, now: later) else {
                Issue.record("unlocked account refused"); return
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aUsedCodeCannotBeReplayed(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            _ = try await makeUser(app, secret: secret)
            let repo = repository(app)
            let code = try #require(StaffRepository.code(secret: secret, at: now))
            guard case .success = try await repo.login(username: "li.si", password: "Correct-Horse-42", code: code, now: now) else {
                Issue.record("first use refused"); return
            }
            guard case .failure = try await repo.login(username: "li.si", password: "Correct-Horse-42", code: code, now: now.addingTimeInterval(5)) else {
                Issue.record("replayed code accepted"); return
            }
        }
    }

    @Test(arguments: [-29.0, -1, 0, 29, 31, 59])
    func acceptsCodesOneStepEitherSide(_ offset: Double) async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            _ = try await makeUser(app, secret: secret)
            let stepStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 30).rounded(.down) * 30)
            let code = try #require(StaffRepository.code(secret: secret, at: stepStart.addingTimeInterval(offset)))
            let outcome = try await repository(app).login(username: "li.si", password: "Correct-Horse-42", code: code, now: stepStart)
            if case .success = outcome {} else { Issue.record("code from \(offset)s refused") }
        }
    }

    @Test func refusesACodeTwoStepsOld() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            _ = try await makeUser(app, secret: secret)
            let code = try #require(StaffRepository.code(secret: secret, at: now.addingTimeInterval(-61)))
            let outcome = try await repository(app).login(username: "li.si", password: "Correct-Horse-42", code: code, now: now)
            if case .failure = outcome {} else { Issue.record("stale code accepted") }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theTOTPSecretIsNotStoredInPlaintext(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let user = try await makeUser(app, secret: secret)
            let row = try await app.sql.select().column("totp_secret").from("staff_users")
                .where("id", .equal, user.id).first(decoding: [String: String?].self)
            let stored = try #require(row?["totp_secret"] ?? nil)
            #expect(!stored.contains(secret))
            #expect(stored.hasPrefix("v1:"))
        }
    }

    @Test func rejectsRoleAtTheWrongLevelAndDuplicates() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            await #expect(throws: UserError.self) { _ = try await makeUser(app, role: .countyReviewer, region: "340321100") }
            _ = try await makeUser(app)
            do {
                _ = try await makeUser(app, username: "LI.SI")
                Issue.record("duplicate username accepted")
            } catch let error as UserError {
                #expect(error.code == "staff.username_taken")
            }
        }
    }

    @Test func refusesAnAccountOutsideTheCreatorsScope() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            do {
                _ = try await repository(app).create(
                    NewStaff(username: "wang", displayName: "王", role: .townshipCaseworker, region: try RegionCode("340402001"), password: "Correct-Horse-42"),
                    in: RegionScope(root: try RegionCode("3403")), now: now)
                Issue.record("created outside scope")
            } catch let error as UserError {
                #expect(error.code == "access.region")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func idleSessionsEndAfterThirtyMinutes(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            let user = try await makeUser(app, secret: secret)
            let sessions = SessionRepository(db: app.db)
            let (token, _) = try await sessions.start(user: user, stage: .active, language: .zh, client: "-", now: now)
            #expect(try await sessions.resume(token: token, now: now.addingTimeInterval(29 * 60)) != nil)
            // Activity at 29 minutes moved the idle clock on.
            #expect(try await sessions.resume(token: token, now: now.addingTimeInterval(58 * 60)) != nil)
            #expect(try await sessions.resume(token: token, now: now.addingTimeInterval(89 * 60)) == nil)
            #expect(try await sessions.resume(token: token, now: now.addingTimeInterval(90 * 60)) == nil)
            #expect(try await StaffSession.query(on: app.db).count() == 0)
        }
    }

    @Test func sessionTokensAreStoredOnlyAsHashes() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let user = try await makeUser(app, secret: secret)
            let (token, session) = try await SessionRepository(db: app.db).start(user: user, stage: .active, language: .zh, client: "-", now: now)
            #expect(session.tokenHash != token)
            #expect(try await StaffSession.query(on: app.db).filter(\.$tokenHash == token).count() == 0)
        }
    }
}

@Suite struct ConfigurationTests {
    @Test(arguments: [
        ("", DatabaseLocation.sqliteFile(path: "jiuzhu.sqlite")),
        ("sqlite:data/j.sqlite", .sqliteFile(path: "data/j.sqlite")),
        ("sqlite:///var/lib/jiuzhu/j.sqlite", .sqliteFile(path: "/var/lib/jiuzhu/j.sqlite")),
        ("sqlite::memory:", .sqliteMemory),
        ("postgres://u:p@db:5432/jiuzhu", .postgres(url: "postgres://u:p@db:5432/jiuzhu", schema: nil)),
    ])
    func parsesDatabaseURLs(_ text: String, _ expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation(url: text) == expected)
    }

    @Test(arguments: ["mysql://x", "sqlite:", "file.sqlite"])
    func rejectsUnknownDatabaseURLs(_ text: String) {
        #expect(throws: UserError.self) { try DatabaseLocation(url: text) }
    }

    @Test(arguments: ["", "not base64!", Data(repeating: 1, count: 16).base64EncodedString()])
    func rejectsWeakOrMalformedMasterKeys(_ text: String) {
        #expect(throws: UserError.self) { try KeyRing(base64: text) }
    }

    @Test func fieldCipherBindsValuesToTheirPlace() throws {
        let cipher = TestKeys.ring.fieldCipher
        let here = FieldContext(table: "staff_users", column: "totp_secret", row: "a")
        let there = FieldContext(table: "staff_users", column: "totp_secret", row: "b")
        let sealed = try cipher.seal("secret", context: here)
        #expect(try cipher.open(sealed, context: here) == "secret")
        #expect(throws: (any Error).self) { try cipher.open(sealed, context: there) }
        #expect(try cipher.seal("secret", context: here) != sealed)  // fresh nonce every time
    }

    @Test func fieldCipherRefusesMalformedOrForeignValues() throws {
        let cipher = TestKeys.ring.fieldCipher
        let here = FieldContext(table: "persons", column: "id_sealed", row: "A")
        let sealed = try cipher.seal("身份证号", context: here)
        #expect(try cipher.open(sealed, context: here) == "身份证号")
        let parts = sealed.split(separator: ":", maxSplits: 2).map(String.init)
        let malformed = ["", "v1", "v1:", "v1:\(parts[1])", "v2:\(parts[1]):\(parts[2])", "v1:\(parts[1]):not base64!",
                         "v1:\(parts[1]):", "x\(sealed)", "v1:\(parts[1]):\(parts[2].dropLast(4))"]
        for text in malformed {
            #expect(throws: (any Error).self, "\(text)") { try cipher.open(text, context: here) }
        }
        #expect(throws: FieldCipherError.self) { try cipher.open("v1:nokey:\(parts[2])", context: here) }
    }

    @Test(arguments: TestDatabase.all)
    func migrationsShipTheHolidayCalendar(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let calendar = try await CalendarStore(db: app.db).calendar()
            #expect(!calendar.isWorkingDay(try LocalDate(parsing: "2026-10-01")))
            #expect(calendar.isWorkingDay(try LocalDate(parsing: "2026-02-14")))  // Saturday make-up day
        }
    }
}

@Suite struct SessionPurgeTests {
    @Test func purgingRemovesOnlyIdleSessions() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let now = Date(timeIntervalSince1970: 1_780_000_000)
            let user = try #require(try await StaffUser.query(on: app.db).first())
            let sessions = SessionRepository(db: app.db)
            _ = try await sessions.start(user: user, stage: .active, language: .zh, client: "-", now: now)
            let (fresh, _) = try await sessions.start(user: user, stage: .active, language: .zh, client: "-", now: now.addingTimeInterval(25 * 60))
            try await sessions.purgeIdle(now: now.addingTimeInterval(35 * 60))
            #expect(try await StaffSession.query(on: app.db).count() == 1)
            #expect(try await sessions.resume(token: fresh, now: now.addingTimeInterval(35 * 60)) != nil)
        }
    }
}

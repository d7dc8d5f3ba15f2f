import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

// MARK: - Helpers

/// Sends a JSON API request with an optional bearer token.
@discardableResult
private func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String? = nil,
                  json: Any? = nil, raw: String? = nil) async throws -> TestingHTTPResponse {
    var headers = HTTPHeaders()
    if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    if let json {
        buffer.writeBytes(try JSONSerialization.data(withJSONObject: json))
        headers.contentType = .json
    } else if let raw {
        buffer.writeString(raw)
        headers.contentType = .json
    }
    return try await app.testing().performTest(
        request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: buffer))
}

private func text(_ response: TestingHTTPResponse) -> String { String(buffer: response.body) }

private func object(_ response: TestingHTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
                 "not a JSON object: \(text(response).prefix(500))")
}

private func errorFields(_ response: TestingHTTPResponse) throws -> [String] {
    let errors = try #require(try object(response)["errors"] as? [[String: Any]])
    return errors.map { $0["field"] as? String ?? "" }
}

private func errorCodes(_ response: TestingHTTPResponse) throws -> [String] {
    let errors = try #require(try object(response)["errors"] as? [[String: Any]])
    return errors.map { $0["code"] as? String ?? "" }
}

private func wrongCheckCharacter(_ id: String) -> String {
    String(id.dropLast()) + (id.last == "0" ? "1" : "0")
}

private let everything: Set<Permission> = [.viewPeople, .registerApplications]

private func token(_ app: Application, _ clock: TestClock, region: String = "340321100", name: String = "城关镇对接系统",
                   _ permissions: Set<Permission> = everything, days: Int? = 30) async throws -> String {
    try await APITokenStore.issue(name: name, region: try RegionCode(region), permissions: permissions, validDays: days,
                                  on: app.db, now: clock.now)
}

/// 王建国's family of three in 怀远县城关镇西城村, as the API takes it.
private func family(region: String = "340321100201", programmes: [String] = ["dibao"], needs: [String] = ["medical"],
                    change: (inout [[String: Any]]) -> Void = { _ in }) -> [String: Any] {
    var members: [[String: Any]] = [
        ["name": "王建国", "idNumber": TestPeople.father, "relation": "02", "coResident": true, "status": "normal",
         "phone": "13812345678", "residence": "rural", "employment": "farming"],
        ["name": "李秀英", "idNumber": TestPeople.mother, "relation": "10", "coResident": true, "residence": "rural",
         "disabilityType": "physical", "disabilityGrade": 3],
        ["name": "王小明", "idNumber": TestPeople.child, "relation": "20", "coResident": true, "residence": "rural",
         "student": "primary"],
    ]
    change(&members)
    return ["region": region, "address": "城关镇西城村 3 组 12 号", "members": members,
            "programmes": programmes, "needs": needs, "materials": ["application"]]
}

/// A one-person household in 五河县, whose name also starts with 王.
private func neighbour() -> [String: Any] { [
    "region": "340322100201",
    "members": [["name": "王外县", "idNumber": TestPeople.stranger, "relation": "02", "coResident": true, "residence": "rural"]],
    "programmes": ["temporary_emergency"],
] }

// MARK: - Tests

@Suite struct APIAccessTests {
    @Test(arguments: TestDatabase.all)
    func withoutATokenTheAnswerIs401InJSON(_ database: TestDatabase) async throws {
        try await withTestApp(database, seedDemo: true) { app in
            for (method, path) in [(HTTPMethod.GET, "/api/v1/persons?name=王"), (.GET, "/api/v1/persons/\(UUID())"),
                                   (.POST, "/api/v1/applications")] {
                let response = try await call(app, method, path, json: method == .POST ? family() : nil)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.headers.first(name: "WWW-Authenticate") == "Bearer")
                #expect(try errorCodes(response) == ["api.unauthorized"])
            }
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: "jz_not-a-token").status == .unauthorized)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTokenWithoutThePermissionIs403AndAudited(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let registerOnly = try await token(app, clock, name: "只登记", [.registerApplications])
            let read = try await call(app, .GET, "/api/v1/persons?name=王", token: registerOnly)
            #expect(read.status == .forbidden)
            #expect(try errorCodes(read) == ["access.denied"])
            let readOnly = try await token(app, clock, name: "只查询", [.viewPeople])
            let write = try await call(app, .POST, "/api/v1/applications", token: readOnly, json: family())
            #expect(write.status == .forbidden)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
            let denials = try await AuditEventRecord.query(on: app.db).filter(\.$action == "access.denied").all()
            #expect(Set(denials.map(\.actor)) == ["只登记", "只查询"])
            #expect(denials.allSatisfy { $0.outcome == "denied" && $0.role == "api" })
        }
    }

    @Test(arguments: TestDatabase.all)
    func revokedAndExpiredTokensAre401(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let revoked = try await token(app, clock, name: "将吊销")
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: revoked).status == .ok)
            let record = try #require(try await APITokenRecord.query(on: app.db).filter(\.$name == "将吊销").first())
            record.revoked = true
            try await record.update(on: app.db)
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: revoked).status == .unauthorized)

            let shortLived = try await token(app, clock, name: "一天", days: 1)
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: shortLived).status == .ok)
            clock.advance(2 * 86400)
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: shortLived).status == .unauthorized)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTokenStaysInsideItsRegion(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let wuhe = try await token(app, clock, region: "340322", name: "五河县")
            let other = try object(try await call(app, .POST, "/api/v1/applications", token: wuhe, json: neighbour()))
            let otherApplication = try #require(other["id"] as? String)
            let otherHousehold = try #require(other["householdId"] as? String)
            let found = try object(try await call(app, .GET, "/api/v1/persons?idNumber=\(TestPeople.stranger)", token: wuhe))
            let otherPerson = try #require((found["persons"] as? [[String: Any]])?.first?["id"] as? String)

            let chengguan = try await token(app, clock, region: "340321100", name: "城关镇")
            #expect(try await call(app, .POST, "/api/v1/applications", token: chengguan, json: family()).status == .created)
            for path in ["/api/v1/persons/\(otherPerson)", "/api/v1/households/\(otherHousehold)", "/api/v1/applications/\(otherApplication)"] {
                let response = try await call(app, .GET, path, token: chengguan)
                #expect([.forbidden, .notFound].contains(response.status), "\(path)")
                #expect(!text(response).contains(TestPeople.stranger) && !text(response).contains("王外县"))
            }
            // Searches never leave the scope.
            let byName = try object(try await call(app, .GET, "/api/v1/persons?name=王", token: chengguan))
            let persons = try #require(byName["persons"] as? [[String: Any]])
            #expect(Set(persons.compactMap { $0["name"] as? String }) == ["王建国", "王小明"])
            #expect(persons.allSatisfy { ($0["region"] as? String)?.hasPrefix("340321100") == true })
            let byID = try object(try await call(app, .GET, "/api/v1/persons?idNumber=\(TestPeople.stranger)", token: chengguan))
            #expect((byID["persons"] as? [Any])?.isEmpty == true)
            // And it cannot register outside it.
            let outside = try await call(app, .POST, "/api/v1/applications", token: chengguan,
                                         json: family(region: "340322100201", programmes: ["temporary_emergency"]))
            #expect(outside.status == .forbidden)
            #expect(try errorCodes(outside) == ["access.region"])
        }
    }

    /// Every operation of the spec has exactly one rule, and every rule an operation.
    @Test func everyOperationHasItsRule() async throws {
        try await withTestApp(.sqlite) { app in
            let api = app.routes.all.filter { $0.path.starts(with: JSONAPI.prefix) }
            #expect(Set(api.compactMap(JSONAPI.operationKey)) == Set(JSONAPI.rules.keys))
            for route in api {
                // A department's push is signed instead (APIDepartments.swift); all the rest need a token.
                if JSONAPI.operationKey(route) == "POST /departments/{source}/messages" {
                    #expect(route.accessRule == .signedDepartmentMessage)
                    continue
                }
                guard case .apiToken = route.accessRule else {
                    Issue.record("\(route.description) has \(String(describing: route.accessRule))")
                    continue
                }
            }
        }
    }

    /// An operation without a rule stops the server at start, as does a rule without an operation.
    @Test func aMissingOrStaleRuleFailsAtStart() async throws {
        for rules in [JSONAPI.rules.filter { $0.key != "POST /applications" },
                      JSONAPI.rules.merging(["DELETE /persons/{id}": .apiToken(.viewPeople)]) { $1 }] {
            let app = try await Application.make(.testing)
            #expect(throws: JSONAPI.UnclassifiedRoute.self) { try JSONAPI.register(on: app, rules: rules) }
            try await app.asyncShutdown()
        }
    }

    @Test func theSpecIsServedAsIs() async throws {
        try await withTestApp(.sqlite) { app in
            let response = try await call(app, .GET, "/api/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.subType == "yaml")
            let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let file = try String(contentsOf: root.appending(path: "openapi.yaml"), encoding: .utf8)
            #expect(text(response) == file)
            #expect(text(response).hasPrefix("openapi: 3.1"))
        }
    }
}

@Suite struct APIPeopleTests {
    @Test(arguments: TestDatabase.all)
    func registerThenReadTheApplicationAndTheHouseholdChain(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock, name: "医保局对接")
            let created = try await call(app, .POST, "/api/v1/applications", token: key, json: family())
            #expect(created.status == .created, "\(text(created).prefix(1000))")
            let result = try object(created)
            let id = try #require(result["id"] as? String)
            let householdID = try #require(result["householdId"] as? String)
            #expect((result["trackingCode"] as? String)?.isEmpty == false)
            #expect(result["status"] as? String == ApplicationStatus.awaitingMaterials.rawValue)
            let missing = try #require(result["missingMaterials"] as? [[String: Any]])
            #expect(missing.contains { $0["code"] as? String == "income_declaration" })
            #expect(!missing.contains { $0["code"] as? String == "application" })

            let stored = try #require(try await ApplicationRecord.find(UUID(uuidString: id), on: app.db))
            #expect(stored.channel == IntakeChannel.window.rawValue)
            #expect(stored.createdBy == "医保局对接")
            let registered = try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.register").all()
            #expect(registered.map(\.actor) == ["医保局对接"])

            let application = try object(try await call(app, .GET, "/api/v1/applications/\(id)", token: key))
            #expect(application["trackingCode"] as? String == result["trackingCode"] as? String)
            #expect(application["status"] as? String == "awaiting_materials")
            #expect(application["statusZh"] as? String == "待补齐材料")
            #expect(application["programmes"] as? [String] == ["dibao"])
            #expect(application["channel"] as? String == "window")
            let events = try #require(application["events"] as? [[String: Any]])
            #expect(!events.isEmpty)
            #expect(events.allSatisfy { ($0["textZh"] as? String)?.isEmpty == false && ($0["textEn"] as? String)?.isEmpty == false })
            #expect((events.first?["at"] as? String)?.hasPrefix("2026-") == true)

            let chainResponse = try await call(app, .GET, "/api/v1/households/\(householdID)", token: key)
            #expect(chainResponse.status == .ok)
            #expect(!text(chainResponse).contains(TestPeople.father))         // masked IDs only
            let chain = try object(chainResponse)
            let members = try #require(chain["members"] as? [[String: Any]])
            #expect(members.map { $0["relation"] as? String ?? "" } == ["02", "10", "20"])
            #expect(members.allSatisfy { ($0["maskedIdNumber"] as? String)?.contains("*") == true && $0["coResident"] as? Bool == true })
            #expect((chain["applications"] as? [[String: Any]])?.map { $0["trackingCode"] as? String } == [result["trackingCode"] as? String])
            let referrals = try #require(chain["referrals"] as? [[String: Any]])
            #expect(referrals.count == 1)
            #expect(referrals.first?["need"] as? String == "medical")
            #expect(referrals.first?["department"] as? String == "medical_insurance")
            #expect(referrals.first?["status"] as? String == "open")
            #expect((referrals.first?["deadline"] as? String)?.count == 10)
            #expect((chain["events"] as? [Any])?.count == events.count)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theFullRecordOpensTheSealedFieldsAndIsAudited(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock, name: "民政局查询")
            #expect(try await call(app, .POST, "/api/v1/applications", token: key, json: family()).status == .created)

            let listed = try await call(app, .GET, "/api/v1/persons?idNumber=\(TestPeople.mother)", token: key)
            #expect(!text(listed).contains(TestPeople.mother))
            let summary = try #require((try object(listed)["persons"] as? [[String: Any]])?.first)
            #expect(Set(summary.keys) == ["id", "name", "maskedIdNumber", "sex", "birthDate", "region"])
            #expect(summary["sex"] as? String == "female" && summary["birthDate"] as? String == "1982-02-02")
            let personID = try #require(summary["id"] as? String)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "person.view").count() == 0)

            let full = try object(try await call(app, .GET, "/api/v1/persons/\(personID)", token: key))
            #expect(full["idNumber"] as? String == TestPeople.mother)
            #expect(full["name"] as? String == "李秀英")
            let disability = try #require(full["disability"] as? [String: Any])
            #expect(disability["type"] as? String == "physical" && disability["grade"] as? Int == 3)
            #expect(full["seriousIllness"] as? Bool == false)
            #expect((full["householdIds"] as? [String])?.count == 1)
            let head = try object(try await call(app, .GET, "/api/v1/persons?idNumber=\(TestPeople.father)", token: key))
            let headID = try #require((head["persons"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try object(try await call(app, .GET, "/api/v1/persons/\(headID)", token: key))["phone"] as? String == "13812345678")

            let views = try await AuditEventRecord.query(on: app.db).filter(\.$action == "person.view").all()
            #expect(views.count == 2)
            #expect(views.allSatisfy { $0.actor == "民政局查询" && $0.role == "api" && $0.objectID.contains("*") })
            #expect(try await AuditChain(keys: TestKeys.ring).verify(on: app.db).isIntact)
        }
    }

    @Test func searchNeedsExactlyOneValidQuery() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            let neither = try await call(app, .GET, "/api/v1/persons", token: key)
            #expect(neither.status == .badRequest)
            #expect(try errorCodes(neither) == ["api.search_query"])
            #expect(try await call(app, .GET, "/api/v1/persons?name=王&idNumber=\(TestPeople.father)", token: key).status == .badRequest)
            let badID = try await call(app, .GET, "/api/v1/persons?idNumber=340321198001010011X", token: key)
            #expect(badID.status == .badRequest)
            #expect(try errorFields(badID) == ["idNumber"])
        }
    }

    @Test func unknownAndMalformedIDsAre404() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            for path in ["/api/v1/persons/\(UUID())", "/api/v1/households/\(UUID())", "/api/v1/applications/\(UUID())",
                         "/api/v1/persons/not-a-uuid", "/api/v1/nothing/here"] {
                let response = try await call(app, .GET, path, token: key)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers.contentType?.subType == "json", "\(path)")
                #expect(try errorCodes(response) == ["api.not_found"], "\(path)")
            }
        }
    }
}

@Suite struct APIIntakeValidationTests {
    @Test(arguments: TestDatabase.all)
    func aWrongCheckCharacterIsA400OnTheField(_ database: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestApp(database, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            let wrong = wrongCheckCharacter(TestPeople.father)
            let response = try await call(app, .POST, "/api/v1/applications", token: key,
                                          json: family { $0[0]["idNumber"] = wrong })
            #expect(response.status == .badRequest)
            #expect(try errorFields(response).contains("members[0].idNumber"), "\(text(response))")
            let first = try #require((try object(response)["errors"] as? [[String: Any]])?.first)
            #expect((first["messageZh"] as? String)?.isEmpty == false && (first["messageEn"] as? String)?.isEmpty == false)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
            #expect(try await PersonRecord.query(on: app.db).count() == 0)
        }
    }

    /// The same Core rules as the window's form, every error at once.
    @Test(arguments: [
        ("members[1].relation", "02", "members[1].relation"),        // two heads
        ("members[2].idNumber", TestPeople.father, "members[2].idNumber"),  // the same person twice
        ("members[0].phone", "12345", "members[0].phone"),
        ("members[1].disabilityGrade", 7, "members[1].disabilityGrade"),
        ("members[0].status", "prisoner", "members[0].status"),      // the head cannot be in prison
        ("members[0].name", "", "members[0].name"),
        ("region", "3403", "region"),                                  // not a township or village
        ("region", "340321100299", "region"),                          // no such village
        ("programmes", ["pension"], "programmes"),
        ("conflict", "cousin", "conflict"),
    ] as [(String, any Sendable, String)])
    func householdRulesApply(_ path: String, _ value: any Sendable, _ field: String) async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            var body = family()
            if let match = path.firstMatch(of: /members\[(\d)\]\.(\w+)/) {
                var members = body["members"] as! [[String: Any]]  // programmer error: family() has members
                members[Int(match.1)!][String(match.2)] = value
                body["members"] = members
            } else {
                body[path] = value
            }
            let response = try await call(app, .POST, "/api/v1/applications", token: key, json: body)
            #expect(response.status == .badRequest, "\(path): \(text(response).prefix(300))")
            #expect(try errorFields(response).contains(field), "\(path): \(text(response))")
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func everyErrorIsReportedAtOnce() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            let response = try await call(app, .POST, "/api/v1/applications", token: key, json: family(programmes: [], needs: []) {
                $0[1]["phone"] = "12345"
                $0[2]["idNumber"] = wrongCheckCharacter(TestPeople.child)
            })
            #expect(response.status == .badRequest)
            #expect(Set(try errorFields(response)).isSuperset(of: ["members[1].phone", "members[2].idNumber", "programmes"]))
        }
    }

    @Test func aMemberWithoutNameOrIDIsAnErrorNotASpareRow() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            let response = try await call(app, .POST, "/api/v1/applications", token: key, json: family {
                $0.append(["name": " ", "idNumber": "", "relation": "30", "coResident": true])
            })
            #expect(response.status == .badRequest)
            #expect(Set(try errorFields(response)).isSuperset(of: ["members[3].name", "members[3].idNumber"]))
        }
    }

    @Test func aBodyThatBreaksTheContractIs400WithTheField() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock)
            let missing = try await call(app, .POST, "/api/v1/applications", token: key, json: family { $0[0]["name"] = nil })
            #expect(missing.status == .badRequest)
            #expect(try errorFields(missing) == ["members[0].name"])
            #expect(try errorCodes(missing) == ["request.missing"])
            let wrongType = try await call(app, .POST, "/api/v1/applications", token: key, json: family { $0[1]["coResident"] = "yes" })
            #expect(wrongType.status == .badRequest)
            #expect(try errorFields(wrongType) == ["members[1].coResident"])
            let notJSON = try await call(app, .POST, "/api/v1/applications", token: key, raw: "{\"region\": ")
            #expect(notJSON.status == .badRequest)
            #expect(try errorCodes(notJSON).count == 1)
            let empty = try await call(app, .POST, "/api/v1/applications", token: key)
            #expect(empty.status.code >= 400 && empty.status.code < 500)
            let huge = try await call(app, .POST, "/api/v1/applications", token: key,
                                      raw: "{\"region\": \"" + String(repeating: "9", count: 2 << 20) + "\"}")
            #expect(huge.status == .payloadTooLarge)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aPersonInAnotherDibaoHouseholdIsRefused() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let key = try await token(app, clock, region: "340321")
            #expect(try await call(app, .POST, "/api/v1/applications", token: key, json: family()).status == .created)
            // The child now applies as head of a household of its own, in another township.
            let response = try await call(app, .POST, "/api/v1/applications", token: key, json: [
                "region": "340321101201", "programmes": ["dibao"],
                "members": [["name": "王小明", "idNumber": TestPeople.child, "relation": "02", "coResident": true, "residence": "rural"]],
            ])
            #expect(response.status == .badRequest)
            #expect(try errorCodes(response) == ["intake.dibao_elsewhere"])
            #expect(try errorFields(response) == ["members[0].idNumber"])
        }
    }
}

// MARK: - The token command

@Suite struct TokenCommandTests {
    private func run(_ app: Application, _ arguments: [String]) async throws -> String {
        try await runCommand(TokenCommand(), on: app, arguments).printed
    }

    @Test func createPrintsAWorkingTokenOnceAndRevokeEndsIt() async throws {
        let clock = TestClock()
        try await withTestApp(.sqlite, clock: clock, seedDemo: true) { app in
            let printed = try await run(app, ["create", "--name", "县医保局", "--region", "340321",
                                              "--permissions", "viewPeople,registerApplications", "--days", "90"])
            let token = try #require(printed.split(separator: "\n").map(String.init).first { $0.hasPrefix("jz_") })
            let grant = try #require(try await APITokenStore.authenticate(token, on: app.db, now: clock.now))
            #expect(grant.name == "县医保局" && grant.scope.root.value == "340321" && grant.permissions == everything)
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: token).status == .ok)
            let record = try #require(try await APITokenRecord.query(on: app.db).first())
            #expect(record.tokenHash != token && !record.tokenHash.contains(token))
            #expect(record.expiresMillis == Int64((clock.now.timeIntervalSince1970 + 90 * 86400) * 1000))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "token.create").count() == 1)

            _ = try await run(app, ["revoke", "--name", "县医保局"])
            #expect(try await call(app, .GET, "/api/v1/persons?name=王", token: token).status == .unauthorized)
        }
    }

    @Test func badArgumentsAreRefused() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            await #expect(throws: UserError.self) {
                try await run(app, ["create", "--name", "x", "--region", "340321", "--permissions", "viewPeople,fly"])
            }
            await #expect(throws: UserError.self) {
                try await run(app, ["create", "--name", "x", "--region", "349999", "--permissions", "viewPeople"])
            }
            await #expect(throws: UserError.self) {
                try await run(app, ["create", "--name", "x", "--region", "340321", "--permissions", ""])
            }
            let tokens = try await APITokenRecord.query(on: app.db).count()
            #expect(tokens == 0)
        }
    }
}

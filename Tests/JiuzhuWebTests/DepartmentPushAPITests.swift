import Crypto
import Fluent
import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor
import VaporTesting

@Suite struct DepartmentPushAPITests {
    static let taxKey = Curve25519.Signing.PrivateKey()

    private func register(_ app: Application, id: String = "tax-2026", source: String = "tax",
                          key: Curve25519.Signing.PrivateKey = Self.taxKey) async throws {
        _ = try await DepartmentRecordStore(db: app.db).addKey(id: id, source: source, publicKey: SignedEnvelope.publicKeyText(key))
    }

    private func wage(_ id: String, month: String, amount: Int64, recordID: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["member": .string(id), "type": .string("income"), "kind": .string("wage"),
                                           "month": .string(month), "amount": .integer(amount)]
        if let recordID { object["recordId"] = .string(recordID) }
        return .object(object)
    }

    private func envelope(_ messageID: String = "m-0001", source: String = "tax", keyID: String = "tax-2026",
                          records: [JSONValue]? = nil, key: Curve25519.Signing.PrivateKey = Self.taxKey) throws -> SignedEnvelope {
        let records = records ?? [wage(TestPeople.father, month: "2026-04", amount: 210_000, recordID: "T-1"),
                                  wage(TestPeople.mother, month: "2026-04", amount: 150_000)]
        return try SignedEnvelope(messageID: messageID, source: source, keyID: keyID, sentAt: "2026-06-01T08:00:00+08:00",
                                  records: records).signed(with: key)
    }

    private func post(_ app: Application, _ body: String, source: String = "tax") async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return try await app.testing().performTest(request: TestingHTTPRequest(
            method: .POST, url: URI(path: "/api/v1/departments/\(source)/messages"), headers: headers,
            body: ByteBuffer(string: body)))
    }

    private func post(_ app: Application, _ envelope: SignedEnvelope, source: String = "tax") async throws -> TestingHTTPResponse {
        try await post(app, envelope.json().rendered(pretty: true), source: source)
    }

    private func json(_ response: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    private func codes(_ response: TestingHTTPResponse) throws -> [String] {
        (try json(response)["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
    }

    private func pushEvents(_ app: Application) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: app.db).filter(\.$action == "verification.push").sort(\.$id).all()
    }

    @Test(arguments: TestDatabase.all)
    func signedMessageIsStoredOnceAndItsReplayRefused(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await register(app)
            let records = [wage(TestPeople.father, month: "2026-04", amount: 210_000, recordID: "T-1"),
                           wage(TestPeople.mother, month: "2026-04", amount: 150_000),
                           .object(["member": .string(TestPeople.child), "type": .string("income"), "kind": .string("wage"),
                                    "month": .string("2026-04"), "amount": .string("lots")]),
                           .object(["source": .string("bank"), "member": .string(TestPeople.child), "type": .string("death"),
                                    "date": .string("2026-01-01")])]
            let message = try envelope(records: records)
            let accepted = try await post(app, message)
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let body = try json(accepted)
            #expect(body["stored"] as? Int == 2 && body["duplicates"] as? Int == 0)
            let invalid = try #require(body["invalid"] as? [[String: Any]])
            #expect(invalid.map { $0["index"] as? Int } == [2, 3])
            #expect(invalid.map { $0["field"] as? String } == ["records[2].amount", "records[3].source"])
            #expect(try await DepartmentRecordRow.query(on: app.db).filter(\.$source == "tax").count() == 2)
            #expect(try await DepartmentBatchRecord.find("push:tax/m-0001", on: app.db)?.channel == "push")

            let replay = try await post(app, message)
            #expect(replay.status == .conflict)
            #expect(try codes(replay) == ["department.replay"])
            // The same records in a new message are duplicates, not new rows.
            let again = try await post(app, try envelope("m-0002", records: Array(records.prefix(2))))
            #expect(try json(again)["duplicates"] as? Int == 2)
            #expect(try await DepartmentRecordRow.query(on: app.db).count() == 2)

            let events = try await pushEvents(app)
            #expect(events.map(\.outcome) == ["success", "denied", "success"])
            #expect(events.map(\.actor) == ["tax-2026", "tax-2026", "tax-2026"])
            #expect(events[0].detail.contains("stored=2 duplicates=0 invalid=2"))
            #expect(events[1].objectID == "tax/m-0001")
        }
    }

    @Test(arguments: TestDatabase.all)
    func badSignaturesAndWrongKeysAre401AndAudited(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await register(app)
            let bankKey = Curve25519.Signing.PrivateKey()
            try await register(app, id: "bank-1", source: "bank", key: bankKey)
            try await register(app, id: "tax-old", source: "tax", key: bankKey)
            _ = try await DepartmentRecordStore(db: app.db).revokeKey(id: "tax-old")

            // A record changed after signing.
            let signed = try envelope("m-1")
            var tampered = signed.json()
            if case .object(var members) = tampered, case .array(var list)? = members["records"] {
                list[0] = wage(TestPeople.father, month: "2026-04", amount: 1, recordID: "T-1")
                members["records"] = .array(list)
                tampered = .object(members)
            }
            let cases: [(String, String)] = [
                (tampered.rendered(), "bad signature"),
                (try envelope("m-2", key: bankKey).json().rendered(), "bad signature"),           // signed by another key
                (try envelope("m-3", keyID: "nobody").json().rendered(), "unknown key"),
                (try envelope("m-4", keyID: "tax-old", key: bankKey).json().rendered(), "revoked key"),
                (try envelope("m-5", keyID: "bank-1", key: bankKey).json().rendered(), "key of source bank"),
            ]
            for (body, reason) in cases {
                let response = try await post(app, body)
                #expect(response.status == .unauthorized, "\(reason)")
                #expect(try codes(response) == ["department.signature"])
            }
            // The bank's key does work for the bank.
            let bank = try SignedEnvelope(messageID: "b-1", source: "bank", keyID: "bank-1", sentAt: "2026-06-01", records: []).signed(with: bankKey)
            #expect(try await post(app, bank, source: "bank").status == .accepted)

            #expect(try await DepartmentRecordRow.query(on: app.db).count() == 0)
            let events = try await pushEvents(app)
            #expect(events.prefix(5).map(\.detail) == cases.map(\.1))
            #expect(events.prefix(5).allSatisfy { $0.outcome == "denied" })
        }
    }

    @Test func malformedEnvelopesAre400() async throws {
        try await withTestApp(.sqlite) { app in
            try await register(app)
            // Not an envelope at all: refused while the request is read.
            #expect(try await post(app, "not json").status == .badRequest)
            #expect(try await post(app, #"{"messageId":"x"}"#).status == .badRequest)
            // Readable but wrong: refused and audited.
            let slash = try envelope("a/b")
            let response = try await post(app, slash)
            #expect(response.status == .badRequest)
            #expect(try codes(response) == ["department.message_id"])
            let otherPath = try await post(app, try envelope("m-9"), source: "bank")
            #expect(otherPath.status == .badRequest)
            #expect(try codes(otherPath) == ["department.source_mismatch"])
            let unknown = try await post(app, try envelope("m-9", source: "taxes"), source: "taxes")
            #expect(try codes(unknown) == ["department.unknown_source"])
            #expect(try await pushEvents(app).count == 3)
            #expect(try await DepartmentRecordRow.query(on: app.db).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentCopiesOfOneMessageAreTakenOnce(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            try await register(app)
            let records = (1...9).map { wage(TestPeople.child, month: "2026-0\($0)", amount: Int64($0)) }
            let body = try envelope("m-race", records: records).json().rendered()
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 { group.addTask { try await post(app, body).status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .accepted }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 4)
            #expect(try await DepartmentRecordRow.query(on: app.db).count() == 9)
        }
    }
}

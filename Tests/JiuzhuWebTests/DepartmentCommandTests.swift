import Fluent
import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing
import Vapor

@Suite struct DepartmentCommandTests {
    /// Runs `jiuzhu department …`; returns what it printed and the exit status it asked for.
    private func run(_ app: Application, _ arguments: [String]) async throws -> (printed: String, status: Int32) {
        let (printed, status) = try await runCommand(DepartmentCommand(), on: app, arguments)
        return (printed: printed, status: status)
    }

    private func value(_ printed: String, _ label: String) -> String? {
        printed.split(separator: "\n").first { $0.hasPrefix(label + ": ") }.map { String($0.dropFirst(label.count + 2)) }
    }

    @Test(arguments: TestDatabase.all)
    func generatedKeyRegisteredPushesUntilRevoked(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let generated = try await run(app, ["key", "generate"])
            let privateKey = try #require(value(generated.printed, "private-key"))
            let publicKey = try #require(value(generated.printed, "public-key"))
            #expect(try SignedEnvelope.publicKeyText(SignedEnvelope.privateKey(base64: privateKey)) == publicKey)

            let added = try await run(app, ["key", "add", "--source", "tax", "--public-key", publicKey, "--key-id", "tax-test"])
            #expect(added.printed.contains("tax-test"))
            #expect(try await run(app, ["key", "list"]).printed.contains("tax-test\ttax\tactive"))

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("push-\(UUID().uuidString).jsonl")
            try Data("""
            {"member":"\(TestPeople.father)","type":"income","kind":"wage","month":"2026-04","amount":210000,"recordId":"T-1"}

            {"member":"\(TestPeople.mother)","type":"income","kind":"wage","month":"2026-04","amount":-5}
            """.utf8).write(to: file)

            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let push = ["push", "--source", "tax", "--key-id", "tax-test", "--private-key", privateKey,
                        "--url", "http://127.0.0.1:\(port)", file.path]
            let sent = try await run(app, push + ["--message-id", "cli-1"])
            #expect(sent.status == 0, "\(sent.printed)")
            #expect(sent.printed.contains("202"))
            let answer = try #require(sent.printed.firstIndex(of: "{").map { String(sent.printed[$0...]) })
            let counts = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
            #expect(counts["stored"] as? Int == 1 && counts["duplicates"] as? Int == 0)
            #expect(sent.printed.contains("records[1].amount"))
            #expect(try await DepartmentRecordRow.query(on: app.db).count() == 1)

            let replay = try await run(app, push + ["--message-id", "cli-1"])
            #expect(replay.status == 1 && replay.printed.contains("409"))

            _ = try await run(app, ["key", "revoke", "--key-id", "tax-test"])
            let refused = try await run(app, push + ["--message-id", "cli-2"])
            await app.server.shutdown()
            #expect(refused.status == 1 && refused.printed.contains("401"))
            let actions = try await AuditEventRecord.query(on: app.db).filter(\.$action ~~ ["department.key.add", "department.key.revoke"]).count()
            #expect(actions == 2)
        }
    }

    @Test func badArgumentsAreRefused() async throws {
        try await withTestApp(.sqlite) { app in
            await #expect(throws: UserError.self) { _ = try await run(app, ["key", "add", "--source", "tax", "--public-key", "xx"]) }
            await #expect(throws: UserError.self) { _ = try await run(app, ["key", "revoke", "--key-id", "nope"]) }
            await #expect(throws: UserError.self) {
                _ = try await run(app, ["push", "--source", "tax", "--key-id", "k", "--private-key", "bad", "--url", "http://x", "/tmp/x.jsonl"])
            }
            #expect(DepartmentPushCommand.endpoint("http://127.0.0.1:8080/", source: "bank") == "http://127.0.0.1:8080/api/v1/departments/bank/messages")
            #expect(DepartmentPushCommand.endpoint("ftp://x", source: "bank") == nil)
        }
    }
}

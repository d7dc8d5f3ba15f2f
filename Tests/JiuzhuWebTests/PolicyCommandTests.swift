import Fluent
import Foundation
import JiuzhuCore
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import NIOConcurrencyHelpers
import Testing
import Vapor


@Suite struct PolicyCommandTests {
    /// Runs `jiuzhu policy …`; the printed text and the exit status (0, or the CommandExit's).
    private func run(_ app: Application, _ arguments: [String]) async throws -> (output: String, status: Int32) {
        let (printed, status) = try await runCommand(PolicyCommand(), on: app, arguments)
        return (output: printed, status: status)
    }

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The demo's current city policy as a file, with `replace` applied to its text.
    private func policyFile(_ replace: (String, String)? = nil) throws -> String {
        var text = try #require(DemoPolicies.all.last).policy.json.rendered(pretty: true)
        if let (old, new) = replace {
            #expect(text.contains(old))
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try file(text)
    }

    @Test func setShowAndList() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let path = try policyFile(("\"standardUrban\": 74000", "\"standardUrban\": 75500"))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let set = try await run(app, ["set", "--region", "340321", "--from", "2026-07-01", path])
            #expect(set.status == 0)
            #expect(set.output.contains("已新增 / added: 340321"))
            #expect(set.output.contains("¥755.00"))

            // Before the county's date the city's version applies, from it the county's own.
            let june = try await run(app, ["show", "--region", "340321100201", "--date", "2026-06-30"])
            #expect(june.status == 0)
            #expect(june.output.contains("适用 / applies: 3403 蚌埠市 2026-01-01"))
            #expect(june.output.contains("继承自上级 / inherited"))
            #expect(june.output.contains("\"standardUrban\": 74000"))
            let july = try await run(app, ["show", "--region", "340321", "--date", "2026-07-01"])
            #expect(july.output.contains("适用 / applies: 340321 怀远县 2026-07-01"))
            #expect(july.output.contains("本区划 / own"))
            #expect(july.output.contains("\"standardUrban\": 75500"))
            let older = try await run(app, ["show", "--region", "3403", "--date", "2025-03-01"])
            #expect(older.output.contains("\"standardUrban\": 71000"))

            let list = try await run(app, ["list", "--region", "3403"])
            let lines = list.output.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("2026-01-01") == true && lines.last?.hasPrefix("2025-01-01") == true)
            #expect(lines.first?.contains("¥740.00") == true && lines.first?.contains("demo") == true)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "policy.set").filter(\.$actor == "cli").count() == 1)
        }
    }

    @Test func anInvalidFileNamesTheFieldAndStoresNothing() async throws {
        try await withTestApp(.sqlite, seedDemo: true) { app in
            let cases: [((String, String)?, String, String)] = [
                (("\"standardUrban\": 74000", "\"standardUrban\": \"740\""), "policy.standardUrban", "verification.type"),
                (("\"edgeMultiplier\": \"1.5\"", "\"edgeMultiplier\": \"1,5\""), "policy.edgeMultiplier", "decimal.format"),
                (("\"referenceMonths\": 3", "\"referenceMonths\": 0"), "policy.referenceMonths", "verification.out_of_range"),
                (("\"tax\"", "\"taxes\""), "policy.requiredSources[", "department.unknown_source"),
                (("\"standardRural\": 62000", "\"standardRural\": 0"), "policy.standardRural", "policy.standard"),
            ]
            for (replace, field, code) in cases {
                let path = try policyFile(replace)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let result = try await run(app, ["set", "--region", "340321", "--from", "2026-07-01", path])
                #expect(result.status == 2, "\(field)")
                #expect(result.output.contains("字段 / field: \(field)"), "\(result.output)")
                #expect(result.output.contains("(\(code))"), "\(result.output)")
                #expect(result.output.contains("错误 / error: 政策文件有误 / invalid policy file"))
            }
            // Not JSON at all, a missing file, a township, a duplicate date, a bad date.
            let broken = try file("{\"standardUrban\": ")
            defer { try? FileManager.default.removeItem(atPath: broken) }
            #expect(try await run(app, ["set", "--region", "340321", "--from", "2026-07-01", broken]).status == 2)
            #expect(try await run(app, ["set", "--region", "340321", "--from", "2026-07-01", "/no/such/file.json"]).status == 2)
            let good = try policyFile()
            defer { try? FileManager.default.removeItem(atPath: good) }
            let township = try await run(app, ["set", "--region", "340321100", "--from", "2026-07-01", good])
            #expect(township.status == 2 && township.output.contains("policy.region_level"))
            let duplicate = try await run(app, ["set", "--region", "3403", "--from", "2026-01-01", good])
            #expect(duplicate.status == 2 && duplicate.output.contains("policy.duplicate_date"))
            #expect(duplicate.output.contains("版本不可覆盖") && duplicate.output.contains("never overwritten"))
            let badDate = try await run(app, ["set", "--region", "340321", "--from", "2026-02-30", good])
            #expect(badDate.status == 2 && badDate.output.contains("字段 / field: from"))

            #expect(try await PolicyVersionRecord.query(on: app.db).filter(\.$regionCode != "34").filter(\.$regionCode != "3403").count() == 0)
            #expect(try await PolicyVersionRecord.query(on: app.db).count() == DemoPolicies.all.count)
        }
    }

    @Test func showWithoutAnyPolicyFails() async throws {
        try await withTestApp(.sqlite) { app in
            let result = try await run(app, ["show", "--region", "3403", "--date", "2026-01-01"])
            #expect(result.status == 2)
            #expect(result.output.contains("verification.no_policy"))
            let list = try await run(app, ["list", "--region", "3403"])
            #expect(list.status == 0 && list.output.contains("本区划尚无自己的版本"))
        }
    }
}

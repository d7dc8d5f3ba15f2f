import Foundation
import JiuzhuCore
@testable import JiuzhuWeb
import Testing

/// `jiuzhu verify --case FILE`, end to end through the function the launcher calls.
struct VerifyCommandTests {
    /// The shared cases: `<package root>/../shared/cases`, or `JIUZHU_CASES_DIR`.
    static var casesDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["JIUZHU_CASES_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/cases", isDirectory: true)
    }

    static var caseFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { casesDirectory.appendingPathComponent($0) }
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func verify(_ arguments: [String]) -> Run {
        var out = "", err = ""
        let status = VerifyCommand.run(arguments: arguments, output: { out += $0 }, errorOutput: { err += $0 })
        return Run(status: status, stdout: out, stderr: err)
    }

    /// A file in a fresh temporary directory, removed after `body`.
    static func withFile(_ contents: String, _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jiuzhu-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("case.json")
        try Data(contents.utf8).write(to: file)
        try body(file.path)
    }

    static func firstCaseText() throws -> String {
        let file = try #require(caseFiles.first, "no *.json case files in \(casesDirectory.path); set JIUZHU_CASES_DIR")
        return try String(contentsOf: file, encoding: .utf8)
    }

    @Test func everySharedCasePrintsItsExpectedOutcomeAndExitsZero() throws {
        let files = Self.caseFiles
        #expect(!files.isEmpty, "no *.json case files in \(Self.casesDirectory.path); set JIUZHU_CASES_DIR")
        for file in files {
            let run = Self.verify(["--case", file.path])
            #expect(run.status == 0, "\(file.lastPathComponent): \(run.stderr)")
            #expect(run.stderr.isEmpty)
            guard case .object(let root) = try JSONValue.parse(Data(contentsOf: file)) else {
                Issue.record("\(file.lastPathComponent) is not an object")
                continue
            }
            let printed = try JSONValue.parse(run.stdout)
            #expect(printed == root["expect"], "\(file.lastPathComponent): printed \(run.stdout)")
            // Pretty, sorted keys, one trailing newline: the documented form.
            #expect(run.stdout == printed.rendered(pretty: true) + "\n")
        }
    }

    @Test func theEqualsFormOfTheOptionWorks() throws {
        let file = try #require(Self.caseFiles.first, "no case files in \(Self.casesDirectory.path)")
        #expect(Self.verify(["--case=\(file.path)"]).status == 0)
    }

    @Test func aBrokenFileExitsTwoAndNamesTheFieldInBothLanguages() throws {
        // The first record's month removed.
        let text = try Self.firstCaseText()
        let broken = try #require(text.range(of: #""month": "2026-03","#).map { text.replacingCharacters(in: $0, with: "") })
        try Self.withFile(broken) { path in
            let run = Self.verify(["--case", path])
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains("records[0].month"), "\(run.stderr)")
            #expect(run.stderr.contains("缺少此项"))
            #expect(run.stderr.contains("This field is required"))
            #expect(run.stderr.contains(path))
        }
    }

    @Test func aWrongValueAndASyntaxErrorAreReportedTheSameWay() throws {
        let text = try Self.firstCaseText()
        let badMonth = try #require(text.range(of: #""month": "2026-03""#)
            .map { text.replacingCharacters(in: $0, with: #""month": "2026-13""#) })
        try Self.withFile(badMonth) { path in
            let run = Self.verify(["--case", path])
            #expect(run.status == 2)
            #expect(run.stderr.contains("字段 / field: records[0].month"), "\(run.stderr)")
        }
        try Self.withFile(String(text.dropLast(5))) { path in
            let run = Self.verify(["--case", path])
            #expect(run.status == 2)
            #expect(run.stderr.contains("JSON"), "\(run.stderr)")
            #expect(run.stderr.contains("line"))
            #expect(!run.stderr.contains("Fatal"))
        }
    }

    @Test func aMissingFileExitsTwo() {
        let path = "/nonexistent/jiuzhu-case-\(UUID().uuidString).json"
        let run = Self.verify(["--case", path])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("找不到案例文件"))
        #expect(run.stderr.contains("not found"))
        #expect(run.stderr.contains(path))
    }

    @Test func aDirectoryOrMissingArgumentsExitTwoWithTheUsage() {
        #expect(Self.verify(["--case", FileManager.default.temporaryDirectory.path]).status == 2)
        for arguments in [[], ["--case"], ["--file", "x.json"], ["x.json"]] {
            let run = Self.verify(arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains("jiuzhu verify --case"), "\(arguments)")
        }
        #expect(Self.verify(["--help"]).status == 0)
    }

    @Test func theLauncherRunsVerifyWithoutADatabaseOrMasterKey() async throws {
        // The launcher prints to the real stdout; the status is what it returns.
        let file = try #require(Self.caseFiles.first, "no case files in \(Self.casesDirectory.path)")
        #expect(await Launcher.main(arguments: ["jiuzhu", "verify", "--case", file.path]) == 0)
        #expect(await Launcher.main(arguments: ["jiuzhu", "verify", "--case", "/nonexistent/x.json"]) == 2)
    }
}

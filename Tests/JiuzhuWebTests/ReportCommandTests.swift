import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import JiuzhuTestSupport
@testable import JiuzhuWeb
import Testing

/// `jiuzhu report verify FILE [--public-key BASE64]`, through the function the launcher calls.
struct ReportCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let testMasterKey = Data(repeating: 7, count: 32).base64EncodedString()  // TestKeys.ring's
    static let otherMasterKey = Data(repeating: 9, count: 32).base64EncodedString()

    static func verify(_ arguments: [String], environment: [String: String] = [:]) -> Run {
        var out = "", err = ""
        let status = ReportCommand.run(arguments: arguments, environment: environment,
                                       output: { out += $0 }, errorOutput: { err += $0 })
        return Run(status: status, stdout: out, stderr: err)
    }

    /// Case 03 of the shared cases (a car over the cap), version 2 with the car exempted: dibao, ¥340.00.
    static func signedReport(keys: KeyRing = TestKeys.ring) throws -> SignedReport {
        let file = try #require(VerifyCommandTests.caseFiles.first { $0.lastPathComponent.hasPrefix("03-") },
                                "case 03 missing in \(VerifyCommandTests.casesDirectory.path)")
        var input = try VerificationCase(json: Data(contentsOf: file))
        input.exemptions = [3: "用于营运的车辆"]
        let context = ReportContext(
            requestID: "HC-340302-2026-000042", version: 2, kind: "initial", authorisationNumber: "SQ-2026-0042",
            region: try RegionCode("340302001"), policyRegion: try RegionCode("3403"),
            policyEffectiveFrom: try LocalDate(parsing: "2026-01-01", field: "test"), verifier: "王核对",
            issuedAt: "2026-06-15T08:30:00Z", previousVersionDigest: String(repeating: "0", count: 64))
        let report = VerificationReport.build(case: input, result: try VerificationCalculator.evaluate(input),
                                              context: context)
        return try ReportSigner.sign(report, keys: keys)
    }

    /// `text` in a fresh temporary file, removed after `body`.
    static func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jiuzhu-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.json")
        try Data(text.utf8).write(to: file)
        try body(file.path)
    }

    @Test func aReportSignedByThisInstallationIsValidAndTrusted() throws {
        let signed = try Self.signedReport()
        try Self.withFile(signed.fileText) { path in
            let run = Self.verify([path], environment: ["JIUZHU_MASTER_KEY": Self.testMasterKey])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.isEmpty)
            #expect(run.stdout.contains("签名有效 / signature valid — key \(TestKeys.ring.keyID), 本机构密钥 / this installation's key"))
            #expect(run.stdout.contains("HC-340302-2026-000042"))
            #expect(run.stdout.contains("版本 / version: 2"))
            #expect(run.stdout.contains("符合城市低保"))
            #expect(run.stdout.contains("¥340.00"))    // 740 − 400
            #expect(!run.stdout.contains("INVALID"))
        }
    }

    @Test func aReportSignedBeforeARotationIsStillThisInstallations() throws {
        let signed = try Self.signedReport()
        try Self.withFile(signed.fileText) { path in
            let run = Self.verify([path], environment: ["JIUZHU_MASTER_KEY": Self.otherMasterKey,
                                                        "JIUZHU_PREVIOUS_MASTER_KEYS": Self.testMasterKey])
            #expect(run.status == 0, "\(run.stdout)")
            #expect(run.stdout.contains("this installation's key"))
        }
    }

    @Test func aReportSignedElsewhereIsValidButUntrustedAndExitsOne() throws {
        let signed = try Self.signedReport()
        try Self.withFile(signed.fileText) { path in
            let run = Self.verify([path], environment: ["JIUZHU_MASTER_KEY": Self.otherMasterKey])
            #expect(run.status == 1)
            #expect(run.stdout.contains("签名有效但密钥不受信任 / valid signature by an untrusted key \(TestKeys.ring.keyID)"))
            #expect(run.stdout.contains("not this installation's"))
            #expect(!run.stdout.contains("this installation's key,"))
        }
    }

    @Test func withoutTrustedKeysAValidSignatureOnlyShowsTheReportIsUnaltered() throws {
        let signed = try Self.signedReport()
        try Self.withFile(signed.fileText) { path in
            let run = Self.verify([path])
            #expect(run.status == 0)
            #expect(run.stdout.contains("签名有效 / signature valid — key \(TestKeys.ring.keyID)"))
            #expect(run.stdout.contains("no trusted key given"))
        }
    }

    @Test func thePublicKeyOptionDecidesTrustOverTheEnvironment() throws {
        let signed = try Self.signedReport()
        let ours = signed.publicKey.base64EncodedString()
        let theirs = try Self.signedReport(keys: KeyRing(base64: Self.otherMasterKey)).publicKey.base64EncodedString()
        try Self.withFile(signed.fileText) { path in
            let matching = Self.verify([path, "--public-key", ours], environment: ["JIUZHU_MASTER_KEY": Self.otherMasterKey])
            #expect(matching.status == 0, "\(matching.stdout)\(matching.stderr)")
            #expect(matching.stdout.contains("matches the given public key"))

            let other = Self.verify(["--public-key=\(theirs)", path], environment: ["JIUZHU_MASTER_KEY": Self.testMasterKey])
            #expect(other.status == 1)
            #expect(other.stdout.contains("valid signature by an untrusted key"))
            #expect(other.stdout.contains("the signing key is not a given public key"))

            // Either of two given keys will do.
            #expect(Self.verify([path, "--public-key", theirs, "--public-key", ours]).status == 0)
        }
    }

    @Test func anAlteredReportIsInvalidAndExitsOne() throws {
        let text = try Self.signedReport().fileText
        let range = try #require(text.range(of: #""monthlyBenefit": 34000"#))
        try Self.withFile(text.replacingCharacters(in: range, with: #""monthlyBenefit": 94000"#)) { path in
            let run = Self.verify([path], environment: ["JIUZHU_MASTER_KEY": Self.testMasterKey])
            #expect(run.status == 1)
            #expect(run.stdout.contains("签名无效 / signature INVALID"))
            #expect(run.stdout.contains("NOT verified"))
            #expect(!run.stdout.contains("签名有效"))
        }
    }

    @Test func anUnreadableFileExitsTwoNamingTheField() throws {
        let text = try Self.signedReport().fileText
        let range = try #require(text.range(of: #""publicKey": ""#))
        try Self.withFile(text.replacingCharacters(in: range, with: #""publicKey": "@@"#)) { path in
            let run = Self.verify([path])
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains("字段 / field: signature.publicKey"), "\(run.stderr)")
            #expect(run.stderr.contains(path))
            #expect(run.stderr.contains("base64"))
        }
        try Self.withFile("{\"report\": 1, \"signature\": {}}") { path in
            let run = Self.verify([path])
            #expect(run.status == 2)
            #expect(run.stderr.contains("字段 / field: report"), "\(run.stderr)")
        }
        try Self.withFile(String(text.dropLast(10))) { path in
            let run = Self.verify([path])
            #expect(run.status == 2)
            #expect(run.stderr.contains("JSON"))
        }
        let missing = "/nonexistent/jiuzhu-report-\(UUID().uuidString).json"
        let run = Self.verify([missing])
        #expect(run.status == 2)
        #expect(run.stderr.contains("找不到报告文件") && run.stderr.contains("not found") && run.stderr.contains(missing))
    }

    @Test func badArgumentsOrKeysExitTwo() throws {
        for arguments in [[], ["--public-key"], ["a.json", "b.json"], ["--file", "a.json"]] {
            let run = Self.verify(arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains("jiuzhu report verify"), "\(arguments)")
        }
        #expect(Self.verify(["--help"]).status == 0)
        let signed = try Self.signedReport()
        try Self.withFile(signed.fileText) { path in
            let badKey = Self.verify([path, "--public-key", "not-a-key"])
            #expect(badKey.status == 2)
            #expect(badKey.stderr.contains("--public-key"))
            let badEnvironment = Self.verify([path], environment: ["JIUZHU_MASTER_KEY": "short"])
            #expect(badEnvironment.status == 2)
            #expect(badEnvironment.stderr.contains("JIUZHU_MASTER_KEY"))
        }
    }

    @Test func theLauncherRunsReportVerifyWithoutADatabase() async throws {
        let signed = try Self.signedReport()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jiuzhu-report-\(UUID().uuidString).json").path
        try Data(signed.fileText.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Trust pinned with --public-key, so that whatever JIUZHU_MASTER_KEY the test process has does not matter;
        // without the interception the launcher would need a master key and a database, and exit 2 or 1.
        let key = signed.publicKey.base64EncodedString()
        #expect(await Launcher.main(arguments: ["jiuzhu", "report", "verify", path, "--public-key", key]) == 0)
        let other = try Self.signedReport(keys: KeyRing(base64: Self.otherMasterKey)).publicKey.base64EncodedString()
        #expect(await Launcher.main(arguments: ["jiuzhu", "report", "verify", path, "--public-key", other]) == 1)
    }
}

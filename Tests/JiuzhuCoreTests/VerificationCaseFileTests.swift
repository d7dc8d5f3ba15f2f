import Foundation
import Testing
@testable import JiuzhuCore

/// Every `*.json` of the shared cases directory must give its `expect`.
struct VerificationCaseFileTests {
    /// The case file names, or one placeholder that fails, so that a missing
    /// or empty directory can never pass by running nothing.
    static let arguments: [String] = CaseFiles.names.isEmpty ? [missingMarker] : CaseFiles.names
    static let missingMarker = "(no case files)"

    @Test func theCasesDirectoryHoldsCaseFiles() {
        #expect(!CaseFiles.names.isEmpty,
                "no *.json case files in \(CaseFiles.directory.path) — set JIUZHU_CASES_DIR to the cases directory")
    }

    @Test(arguments: arguments)
    func caseFileGivesItsExpectedOutcome(_ name: String) throws {
        guard name != Self.missingMarker else {
            Issue.record("no *.json case files in \(CaseFiles.directory.path) — set JIUZHU_CASES_DIR to the cases directory")
            return
        }
        let bytes = try Data(contentsOf: CaseFiles.directory.appendingPathComponent(name))
        let document = try JSONValue.parse(bytes)
        let input = try VerificationCase(field: CaseField(document))
        let outcome = try VerificationCalculator.evaluate(input).outcome

        // Against the file's own `expect` text, field by field, so that a missing
        // or extra field in either shows up by name.
        guard case .object(let root) = document, case .object(let expected)? = root["expect"] else {
            Issue.record("\(name) has no expect object")
            return
        }
        guard case .object(let actual) = outcome.json else {
            Issue.record("the outcome did not encode to an object")
            return
        }
        #expect(Set(actual.keys) == Set(expected.keys), "\(name): fields")
        for field in VerificationOutcome.fieldNames {
            #expect(actual[field] == expected[field],
                    "\(name): \(field) is \(actual[field]?.rendered(pretty: false) ?? "absent"), expected \(expected[field]?.rendered(pretty: false) ?? "absent")")
        }
        #expect(input.expect == outcome, "\(name): the decoded expect")
        #expect(try VerificationCalculator.outcome(input) == outcome, "\(name): the batch's outcome-only evaluation")
    }
}

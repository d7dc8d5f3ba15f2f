import Crypto
import Foundation
import JiuzhuCore
@testable import JiuzhuExchange
import JiuzhuStore
import JiuzhuTestSupport
import Testing

/// 核对报告签名: Ed25519 over the canonical bytes, checked from the file form.
struct ReportSigningTests {
    /// One person with ¥400 a month and a car over the cap (cases/FORMAT.md).
    static let caseText = """
    {"name": "signing", "asOf": "2026-06-15", "residence": "urban",
     "policy": {"standardUrban": 74000, "standardRural": 62000, "edgeMultiplier": "1.5", "referenceMonths": 3,
                "financialAssetMonths": 24, "vehicleValueCap": 3000000, "exemptVehicleTypes": ["farm"], "maxHomes": 1,
                "nonResidentialDisqualifies": true, "companyRoleDisqualifies": true, "excludedIncomeKinds": [],
                "deductibleKinds": [], "requiredSources": ["tax", "vehicle"], "topUps": []},
     "members": [{"id": "340302199002110333", "name": "刘强", "relation": "self", "coResident": true, "status": "normal"}],
     "sources": {"tax": "returned", "vehicle": "returned"},
     "records": [
       {"source": "tax", "member": "340302199002110333", "type": "income", "kind": "wage", "month": "2026-03", "amount": 40000},
       {"source": "tax", "member": "340302199002110333", "type": "income", "kind": "wage", "month": "2026-04", "amount": 40000},
       {"source": "tax", "member": "340302199002110333", "type": "income", "kind": "wage", "month": "2026-05", "amount": 40000},
       {"source": "vehicle", "member": "340302199002110333", "type": "vehicle", "plate": "皖C12345", "vehicleType": "car", "value": 4500000}
     ]}
    """

    static func report(version: Int = 1, exemptions: [Int: String] = [:], previous: String? = nil) throws -> VerificationReport {
        var input = try VerificationCase(json: caseText)
        input.exemptions = exemptions
        let context = ReportContext(
            requestID: "HC-2026-000001", version: version, kind: version == 1 ? "initial" : "recheck",
            authorisationNumber: "SQ-2026-0001", region: try RegionCode("340302001"), policyRegion: try RegionCode("3403"),
            policyEffectiveFrom: try LocalDate(parsing: "2026-01-01", field: "test"), verifier: "王核对",
            issuedAt: "2026-06-15T08:30:00Z",
            sourceAnswers: ["tax": SourceAnswer(status: .returned, answeredAt: "2026-06-14T02:00:00Z")],
            recordKeys: [0: "id:T1", 1: "id:T2", 2: "id:T3", 3: "id:V1"], previousVersionDigest: previous)
        return VerificationReport.build(case: input, result: try VerificationCalculator.evaluate(input), context: context)
    }

    static let otherRing = try! KeyRing(base64: Data(repeating: 9, count: 32).base64EncodedString())  // programmer error: constant input

    /// The signed file's text with `old` replaced by `new` (once; the test fails if `old` is absent).
    static func tampered(_ signed: SignedReport, _ old: String, _ new: String) throws -> String {
        let text = signed.fileText
        let range = try #require(text.range(of: old), "\(old) not in the file")
        return text.replacingCharacters(in: range, with: new)
    }

    @Test func aSignedReportVerifiesAndItsKeyIsTrusted() throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        #expect(signed.keyID == TestKeys.ring.keyID)
        #expect(signed.publicKey == TestKeys.ring.reportSigningKey.publicKey.rawRepresentation)
        #expect(signed.signature.count == 64)
        #expect(ReportSigner.verify(signed, trustedKeys: TestKeys.ring.reportVerificationKeys)
                == .valid(keyID: TestKeys.ring.keyID, trusted: true))
        #expect(ReportSigner.verify(signed, trustedKeys: nil) == .valid(keyID: TestKeys.ring.keyID, trusted: nil))

        // Through the file form: the same report, still valid.
        let read = try SignedReport(fileBytes: Array(signed.fileText.utf8))
        #expect(read.report == signed.report)
        #expect(read.keyID == signed.keyID && read.publicKey == signed.publicKey && read.signature == signed.signature)
        #expect(ReportSigner.verify(read, trustedKeys: TestKeys.ring.reportVerificationKeys)
                == .valid(keyID: TestKeys.ring.keyID, trusted: true))
        // Re-printed compactly, it is the same document, so the signature still holds.
        let compact = try SignedReport(fileBytes: Array(signed.json.rendered(pretty: false).utf8))
        #expect(ReportSigner.verify(compact, trustedKeys: nil) != .invalid)
    }

    @Test func theFileFormHasTheDocumentedShape() throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        guard case .object(let root) = try JSONValue.parse(signed.fileText),
              case .object(let signature)? = root["signature"] else {
            Issue.record("not the file form")
            return
        }
        #expect(Set(root.keys) == ["report", "signature"])
        #expect(root["report"] == signed.report.document)
        #expect(signature["algorithm"] == .string("Ed25519"))
        #expect(signature["keyId"] == .string(TestKeys.ring.keyID))
        #expect(signature["publicKey"] == .string(signed.publicKey.base64EncodedString()))
        #expect(signature["value"] == .string(signed.signature.base64EncodedString()))
        #expect(signed.fileText == signed.json.rendered(pretty: true))
    }

    @Test(arguments: [
        // A figure, a line's effect, the conclusion, a masked member, the verifier.
        (#""perCapitaIncome": 40000"#, #""perCapitaIncome": 30000"#),
        ("价值 ¥45,000.00", "价值 ¥25,000.00"),
        (#""conclusion": "ineligible""#, #""conclusion": "dibao""#),
        (#""verifier": "王核对""#, #""verifier": "王核封""#),
        (#""recordKey": "id:V1""#, #""recordKey": "id:V2""#),
    ])
    func changingAnythingInTheReportMakesTheSignatureInvalid(_ old: String, _ new: String) throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        let altered = try SignedReport(fileBytes: Array(try Self.tampered(signed, old, new).utf8))
        #expect(ReportSigner.verify(altered, trustedKeys: TestKeys.ring.reportVerificationKeys) == .invalid)
        #expect(ReportSigner.verify(altered, trustedKeys: nil) == .invalid)
    }

    @Test func aSignatureSwappedOntoAnotherVersionIsInvalid() throws {
        let first = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        let second = try Self.report(version: 2, exemptions: [3: "用于营运"], previous: ReportSigner.digest(first.report))
        let forged = SignedReport(report: second, keyID: first.keyID, publicKey: first.publicKey, signature: first.signature)
        #expect(ReportSigner.verify(forged, trustedKeys: TestKeys.ring.reportVerificationKeys) == .invalid)
    }

    @Test func aSignatureByAnotherInstallationIsValidButNotTrusted() throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: Self.otherRing)
        #expect(ReportSigner.verify(signed, trustedKeys: TestKeys.ring.reportVerificationKeys)
                == .valid(keyID: Self.otherRing.keyID, trusted: false))
        // Claiming this installation's key id does not make a foreign key trusted.
        let relabelled = SignedReport(report: signed.report, keyID: TestKeys.ring.keyID, publicKey: signed.publicKey,
                                      signature: signed.signature)
        #expect(ReportSigner.verify(relabelled, trustedKeys: TestKeys.ring.reportVerificationKeys)
                == .valid(keyID: TestKeys.ring.keyID, trusted: false))
        // Our public key next to their signature: invalid.
        let mismatched = SignedReport(report: signed.report, keyID: TestKeys.ring.keyID,
                                      publicKey: TestKeys.ring.reportSigningKey.publicKey.rawRepresentation,
                                      signature: signed.signature)
        #expect(ReportSigner.verify(mismatched, trustedKeys: TestKeys.ring.reportVerificationKeys) == .invalid)
    }

    @Test func aReportSignedBeforeAKeyRotationIsStillTrusted() throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        let rotated = KeyRing(current: Self.otherRing.current, previous: [TestKeys.ring.current])
        #expect(ReportSigner.verify(signed, trustedKeys: rotated.reportVerificationKeys)
                == .valid(keyID: TestKeys.ring.keyID, trusted: true))
    }

    @Test func theDigestIsTheSHA256OfTheCanonicalBytesAndChainsVersions() throws {
        let first = try Self.report()
        let digest = ReportSigner.digest(first)
        #expect(digest.count == 64 && digest.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(digest == SHA256.hash(data: first.canonicalBytes).map { String(format: "%02x", $0) }.joined())
        #expect(ReportSigner.digest(try Self.report()) == digest)
        let second = try Self.report(version: 2, exemptions: [3: "用于营运"], previous: digest)
        #expect(second.previousVersionDigest == digest)
        #expect(ReportSigner.digest(second) != digest)
        #expect(second.conclusion == .dibao && first.conclusion == .ineligible)
    }

    @Test(arguments: [
        // (what to replace, with what, the field the error must name)
        (#""algorithm": "Ed25519""#, #""algorithm": "RSA""#, "signature.algorithm"),
        (#""keyId": "#, #""keyIdX": "#, "signature.keyId"),
        (#""value": ""#, #""value": "!!!"#, "signature.value"),
        (#""publicKey": ""#, #""publicKey": "QUJD"#, "signature.publicKey"),
        (#""format": "jiuzhu-verification-report/1""#, #""format": "other""#, "report.format"),
        (#""standard": 74000,"#, "", "report.policy.standard"),
    ])
    func aMalformedFileIsAnErrorNamingTheField(_ old: String, _ new: String, _ field: String) throws {
        let signed = try ReportSigner.sign(try Self.report(), keys: TestKeys.ring)
        let text = try Self.tampered(signed, old, new)
        let result = Result { () throws(UserError) -> SignedReport in try SignedReport(fileBytes: Array(text.utf8)) }
        guard case .failure(let error) = result else {
            Issue.record("\(field): the file was accepted")
            return
        }
        #expect(error.field == field, "\(error)")
        #expect(!error.message.zh.isEmpty && !error.message.en.isEmpty)
    }

    @Test func aFileWithoutSignatureOrNotJSONIsAnError() throws {
        let missing = Result { () throws(UserError) -> SignedReport in try SignedReport(fileBytes: Array(#"{"report": {}}"#.utf8)) }
        #expect(missing.failureField == "report.format")
        let unsigned = JSONValue.object(["report": try Self.report().document]).rendered()
        let noSignature = Result { () throws(UserError) -> SignedReport in try SignedReport(fileBytes: Array(unsigned.utf8)) }
        #expect(noSignature.failureField == "signature")
        let garbage = Result { () throws(UserError) -> SignedReport in try SignedReport(fileBytes: Array("not json".utf8)) }
        #expect(garbage.failureCode == "verification.json_syntax")
    }
}

private extension Result where Failure == UserError {
    var failureField: String? {
        if case .failure(let error) = self { error.field } else { nil }
    }

    var failureCode: String? {
        if case .failure(let error) = self { error.code } else { nil }
    }
}

import Foundation
import Testing
@testable import JiuzhuCore

private typealias F = VerificationFixture

/// 核对报告 — the document built from a case and its result.
struct VerificationReportTests {
    static func region(_ code: String) -> RegionCode {
        do {
            return try RegionCode(code)
        } catch {
            preconditionFailure("test region \(code): \(error)")
        }
    }

    static func context(version: Int = 1, recordKeys: [Int: String] = [:], previous: String? = nil,
                        answers: [String: SourceAnswer] = [:], names: [ResidentID: String]? = nil) -> ReportContext {
        ReportContext(requestID: "HC-340302-2026-000123", version: version, kind: "initial",
                      authorisationNumber: "SQ-2026-0456", region: region("340302001"), policyRegion: region("3403"),
                      policyEffectiveFrom: date(2026, 1, 1), verifier: "王核对", issuedAt: "2026-06-15T08:30:00Z",
                      memberNames: names, sourceAnswers: answers, recordKeys: recordKeys,
                      previousVersionDigest: previous)
    }

    static func report(_ input: VerificationCase, _ context: ReportContext = context()) throws -> VerificationReport {
        VerificationReport.build(case: input, result: try VerificationCalculator.evaluate(input), context: context)
    }

    static func sharedCases() throws -> [(name: String, input: VerificationCase)] {
        try CaseFiles.names.map { name in
            (name, try VerificationCase(json: Data(contentsOf: CaseFiles.directory.appendingPathComponent(name))))
        }
    }

    /// The household of the exemption tests: income ¥400/month and a truck over the cap.
    static let truckOwner = F.household([F.adult, F.child],
                                        F.monthlyIncome(F.adult, 40_000) + [F.vehicle(F.adult, .truck, 4_500_000)])

    @Test func buildingTwiceGivesIdenticalCanonicalBytes() throws {
        let keys = [0: "id:T-1", 1: "id:T-2", 2: "id:T-3", 3: "sha256:abc"]
        let first = try Self.report(Self.truckOwner, Self.context(recordKeys: keys))
        let second = try Self.report(Self.truckOwner, Self.context(recordKeys: keys))
        #expect(first.canonicalBytes == second.canonicalBytes)
        #expect(first == second)
        // Canonical: no whitespace between tokens, keys sorted.
        let text = String(decoding: first.canonicalBytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"asOf":"2026-06-15","authorisationNumber":"SQ-2026-0456","conclusionLabel":"#))
        #expect(!text.contains("\n"))
        // A different context is a different document.
        #expect(try Self.report(Self.truckOwner, Self.context(version: 2)).canonicalBytes != first.canonicalBytes)
    }

    @Test func readingTheDocumentBackRoundTripsForEverySharedCase() throws {
        let cases = try Self.sharedCases()
        #expect(!cases.isEmpty)
        for (name, input) in cases {
            let built = try Self.report(input)
            let read = try VerificationReport(document: built.document)
            #expect(read == built, "\(name)")
            // Through the printed (pretty) text as well: the same canonical bytes.
            let reparsed = try VerificationReport(document: JSONValue.parse(built.document.rendered(pretty: true)))
            #expect(reparsed.canonicalBytes == built.canonicalBytes, "\(name)")
            #expect(reparsed.conclusion == input.expect?.conclusion, "\(name)")
            #expect(reparsed.monthlyBenefit == input.expect?.monthlyBenefit, "\(name)")
            #expect(reparsed.flags == input.expect?.flags, "\(name)")
            #expect(reparsed.missingSources == input.expect?.missingSources, "\(name)")
        }
    }

    @Test func theDocumentHasEveryFieldOfTheFormat() throws {
        let report = try Self.report(Self.truckOwner, Self.context(previous: String(repeating: "ab", count: 32)))
        guard case .object(let root) = report.document else {
            Issue.record("not an object")
            return
        }
        #expect(Set(root.keys) == ["format", "requestId", "version", "kind", "authorisationNumber", "region", "policy",
                                   "asOf", "window", "members", "sources", "lines", "figures", "outcome",
                                   "conclusionLabel", "verifier", "issuedAt", "previousVersionDigest"])
        #expect(root["format"] == .string("jiuzhu-verification-report/1"))
        #expect(root["version"] == .integer(1))
        #expect(root["region"] == .string("340302001"))
        #expect(root["window"] == .object(["first": .string("2026-03"), "last": .string("2026-05")]))
        #expect(root["policy"] == .object([
            "region": .string("3403"), "effectiveFrom": .string("2026-01-01"), "standard": .integer(74_000),
            "residence": .string("urban"), "edgeMultiplier": .string("1.5"), "financialAssetMonths": .integer(24),
            "vehicleValueCap": .integer(3_000_000), "maxHomes": .integer(1),
        ]))
        #expect(root["figures"] == .object([
            "householdIncome": .integer(120_000), "perCapitaIncome": .integer(20_000), "standard": .integer(74_000),
            "edgeThreshold": .string("111000"), "financialAssets": .integer(0), "perCapitaFinancialAssets": .integer(0),
            "financialAssetCap": .integer(1_776_000),
        ]))
        #expect(report.previousVersionDigest == String(repeating: "ab", count: 32))
        #expect(report.verifier == "王核对")
        #expect(report.issuedAt == "2026-06-15T08:30:00Z")
        #expect(report.members.map(\.counted) == [true, true])
        #expect(report.members.map(\.idMasked) == [F.adult.id.masked, F.child.id.masked])
        // Every line object has every key, absent values as null.
        for line in try #require(root["lines"].flatMap { if case .array(let items) = $0 { items } else { nil } }) {
            guard case .object(let object) = line else { Issue.record("line not an object"); continue }
            #expect(Set(object.keys) == ["rule", "ruleNameZh", "ruleNameEn", "source", "recordKey", "recordIndex",
                                         "member", "flag", "exemption", "effectZh", "effectEn"])
        }
    }

    @Test func linesAppearInRuleOrderWithTheirRecordKeys() throws {
        let keys = [0: "id:TAX-1", 1: "id:TAX-2", 2: "id:TAX-3", 3: "sha256:0f0e"]
        var input = Self.truckOwner
        input.exemptions = [3: "用于营运的货车"]
        let report = try Self.report(input, Self.context(recordKeys: keys))
        let rules = report.lines.map(\.rule)
        #expect(rules == rules.sorted())
        #expect(Set(rules).isSuperset(of: [1, 2, 3, 5, 9, 10]))
        for (index, key) in keys {
            let lines = report.lines.filter { $0.recordIndex == index }
            #expect(lines.count == 1, "record \(index)")
            #expect(lines.first?.recordKey == key)
        }
        let truck = try #require(report.lines.first { $0.recordIndex == 3 })
        #expect(truck.rule == 5)
        #expect(truck.ruleNameZh == "车辆" && truck.ruleNameEn == "vehicles")
        #expect(truck.exemption == "用于营运的货车")
        #expect(truck.flag == nil)
        #expect(truck.source == "vehicle")
        #expect(truck.memberMasked == F.adult.id.masked)
        #expect(truck.effectZh.contains("已豁免"))
        #expect(report.conclusion == .dibao)
        // Lines about no record have no key.
        #expect(report.lines.filter { $0.recordIndex == nil }.allSatisfy { $0.recordKey == nil })
        // Without a key for a record the line says null, not a guess.
        let unkeyed = try Self.report(input)
        #expect(unkeyed.lines.allSatisfy { $0.recordKey == nil })
    }

    @Test func aFlaggedLineCarriesItsFlag() throws {
        let report = try Self.report(Self.truckOwner)
        let truck = try #require(report.lines.first { $0.recordIndex == 3 })
        #expect(truck.flag == .vehicle)
        #expect(truck.exemption == nil)
        #expect(report.flags == [.vehicle])
        #expect(report.conclusionLabel == Bilingual(zh: "不符合", en: "not eligible"))
    }

    @Test func noFullIDNumberAppearsAnywhereInTheDocument() throws {
        // The shared cases (one has single-person eligible members) and a household with every kind of line.
        var households = try Self.sharedCases().map(\.input)
        let severe = F.person(born: "19600101", sequence: "055", relation: .parent,
                              disability: F.disability(.physical, 1))
        households.append(F.household(
            [F.adult, severe, F.person(born: "19900101", sequence: "061", relation: .sibling, status: .prisoner)],
            F.monthlyIncome(F.adult, 150_000) + [F.death(F.spouse, date(2026, 1, 1)), F.company(F.adult, .soleTrader)]))
        for input in households {
            let report = try Self.report(input, Self.context(names: [:]))
            let texts = [report.document.rendered(pretty: true), String(decoding: report.canonicalBytes, as: UTF8.self)]
            let ids = input.members.map(\.id) + input.records.map(\.member)
            for id in ids {
                for text in texts {
                    #expect(!text.contains(id.value), "\(input.name): \(id.masked) appears unmasked")
                    #expect(!text.contains(String(id.value.prefix(14))),
                            "\(input.name): the birth date of \(id.masked) appears after its area code")
                }
            }
        }
        // The edge case lists its single-person member masked.
        let edge = try #require(try Self.sharedCases().first { $0.input.expect?.conclusion == .edge })
        let report = try Self.report(edge.input)
        #expect(!report.outcome.singlePersonEligible.isEmpty)
        #expect(report.outcome.singlePersonEligible == edge.input.expect?.singlePersonEligible.map(\.masked))
        #expect(report.outcome.singlePersonEligible.allSatisfy { $0.contains("********") })
    }

    @Test func theMemberNamesOfTheContextReplaceTheCaseNames() throws {
        let report = try Self.report(Self.truckOwner, Self.context(names: [F.adult.id: "张三"]))
        #expect(report.members.map(\.name) == ["张三", "测试"])
        #expect(try Self.report(Self.truckOwner).members.map(\.name) == ["测试", "测试"])
    }

    @Test(arguments: [
        (VerificationConclusion.dibao, ResidenceKind.urban, "符合城市低保"),
        (.dibao, .rural, "符合农村低保"),
        (.edge, .urban, "低收入（低保边缘）"),
        (.edge, .rural, "低收入（低保边缘）"),
        (.undetermined, .urban, "无法确认"),
        (.ineligible, .rural, "不符合"),
    ])
    func theConclusionLabelFollowsTheConclusionAndResidence(_ conclusion: VerificationConclusion,
                                                            _ residence: ResidenceKind, _ label: String) throws {
        // Incomes that give each conclusion: dibao below the standard, edge between 1× and 1.5×, ineligible above.
        let standard = residence == .urban ? F.urbanStandard : F.ruralStandard
        let monthly: Int64 = switch conclusion {
        case .dibao, .undetermined: standard / 2
        case .edge: standard + standard / 4
        case .ineligible: standard * 2
        }
        var sources = Dictionary(uniqueKeysWithValues: F.requiredSources.map { ($0, SourceStatus.returned) })
        if conclusion == .undetermined { sources["bank"] = .pending }
        let input = F.household([F.adult], F.monthlyIncome(F.adult, monthly), residence: residence, sources: sources)
        let report = try Self.report(input)
        #expect(report.conclusion == conclusion)
        #expect(report.conclusionLabel.zh == label)
        #expect(!report.conclusionLabel.en.isEmpty)
        #expect(report.policy.residence == residence)
        #expect(report.figures.standard == Money(fen: standard))
    }

    @Test func sourcesAreSortedWithTheirTimestampsAndUnaskedRequiredSourcesShowNoStatus() throws {
        var sources = Dictionary(uniqueKeysWithValues: F.requiredSources.map { ($0, SourceStatus.returned) })
        sources["bank"] = nil
        sources["utility"] = .failed
        let input = F.household([F.adult], F.monthlyIncome(F.adult, 10_000), sources: sources)
        let answers = ["tax": SourceAnswer(status: .returned, answeredAt: "2026-06-14T02:00:00Z",
                                           departmentTimestamp: "20260614095959")]
        let report = try Self.report(input, Self.context(answers: answers))
        let names = report.sources.map(\.source)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Set(names) == Set(F.requiredSources + ["utility"]))
        let tax = try #require(report.sources.first { $0.source == "tax" })
        #expect(tax.status == .returned && tax.answeredAt == "2026-06-14T02:00:00Z" && tax.departmentTimestamp == "20260614095959")
        let bank = try #require(report.sources.first { $0.source == "bank" })
        #expect(bank.status == nil && bank.statusName.zh == "未查询")
        #expect(report.sources.first { $0.source == "utility" }?.status == .failed)
        #expect(report.missingSources == ["bank"])
        #expect(report.conclusionLabel.zh == "无法确认")
    }

    @Test func theEdgeThresholdIsTheExactProduct() throws {
        #expect(F.decimal("1.5").exactProduct(74_000) == "111000")
        #expect(F.decimal("1.5").exactProduct(74_001) == "111001.5")
        #expect(F.decimal("1.50").exactProduct(3) == "4.5")
        #expect(F.decimal("0.001").exactProduct(5) == "0.005")
        #expect(F.decimal("2").exactProduct(0) == "0")
        #expect(F.decimal("0").exactProduct(74_000) == "0")
        #expect(F.decimal("1.5").exactProduct(-3) == "-4.5")
        // Beyond Int64: still exact.
        #expect(F.decimal("999999999999999999").exactProduct(Int64.max) == "9223372036854775797776627963145224193")
        #expect(F.decimal("0.999999999999999999").exactProduct(Int64.max) == "9223372036854775797.776627963145224193")

        let odd = try Self.report(F.household([F.adult], [], policy: F.policy { $0.standardUrban = Money(fen: 74_001) }))
        #expect(odd.figures.edgeThreshold == "111001.5")
        #expect(try VerificationReport(document: odd.document).figures.edgeThreshold == "111001.5")
    }

    @Test func aDocumentOfAnotherShapeIsRefusedNamingTheField() throws {
        let report = try Self.report(Self.truckOwner)
        guard case .object(var root) = report.document, case .object(var figures)? = root["figures"] else {
            Issue.record("not an object")
            return
        }
        var wrongFormat = root
        wrongFormat["format"] = .string("something-else/1")
        #expect(userError { try VerificationReport(document: .object(wrongFormat)) }?.field == "format")

        figures["standard"] = nil
        root["figures"] = .object(figures)
        let missing = userError { try VerificationReport(document: .object(root)) }
        #expect(missing?.field == "figures.standard")
        #expect(missing?.code == "verification.required")

        var badVersion = report.document
        if case .object(var object) = badVersion { object["version"] = .integer(0); badVersion = .object(object) }
        #expect(userError { try VerificationReport(document: badVersion) }?.field == "version")

        #expect(userError { try VerificationReport(document: .array([])) } != nil)
        // Nested path through a larger document, as a signed file has it.
        let nested = userError { try VerificationReport(field: CaseField(.object(root), path: "report")) }
        #expect(nested?.field == "report.figures.standard")
    }
}

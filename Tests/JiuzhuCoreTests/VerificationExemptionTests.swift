import Foundation
import Testing
@testable import JiuzhuCore

private typealias F = VerificationFixture

/// 豁免 — a caseworker exempts a record with a reason; it then counts for
/// nothing and is listed once, under its own rule, as exempted.
struct VerificationExemptionTests {
    /// ¥400 a month for one person, and a car worth ¥45,000 (cap ¥30,000): ineligible.
    static func carOwner(exemptions: [Int: String] = [:]) -> VerificationCase {
        var input = F.household([F.adult], F.monthlyIncome(F.adult, 40_000) + [F.vehicle(F.adult, .truck, 4_500_000)])
        input.exemptions = exemptions
        return input
    }

    @Test func exemptingTheDisqualifyingVehicleRemovesTheFlagAndChangesTheConclusion() throws {
        let before = try F.evaluate(Self.carOwner())
        #expect(before.outcome.flags == [.vehicle])
        #expect(before.outcome.conclusion == .ineligible)
        #expect(before.outcome.monthlyBenefit == .zero)

        let after = try F.evaluate(Self.carOwner(exemptions: [3: "用于营运的货车"]))
        #expect(after.outcome.flags.isEmpty)
        #expect(after.outcome.conclusion == .dibao)
        #expect(after.outcome.monthlyBenefit == Money(fen: 34_000))   // 74000 − 40000

        // Exactly one line for the record: rule 5, no flag, the reason in both languages.
        let lines = after.findings.filter { $0.recordIndex == 3 }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.rule == .vehicles)
        #expect(line.flag == nil)
        #expect(line.exemption == "用于营运的货车")
        #expect(line.source == "vehicle")
        #expect(line.member == F.adult.id)
        #expect(line.effect.zh.contains("已豁免（理由：用于营运的货车）：不计入"))
        #expect(line.effect.en.contains("Exempted (reason: 用于营运的货车): not counted"))
        #expect(line.effect.zh.contains("皖C12345"))
        // No other line carries an exemption.
        #expect(after.findings.filter { $0.exemption != nil }.count == 1)
        #expect(before.findings.allSatisfy { $0.exemption == nil })
    }

    @Test func anExemptedIncomeRecordDropsFromTheIncomeWhileItsTwinStillCounts() throws {
        // Two identical ¥900 wage records for March (say, reported by two sources), one exempted.
        let twins = [F.income(F.adult, "2026-03", 90_000), F.income(F.adult, "2026-03", 90_000)]
        let both = try F.outcome(F.household([F.adult], twins))
        #expect(both.perCapitaIncome == Money(fen: 60_000))        // 180000 / 3

        var input = F.household([F.adult], twins)
        input.exemptions = [0: "重复上报"]
        let result = try F.evaluate(input)
        #expect(result.householdIncome == Money(fen: 90_000))
        #expect(result.outcome.perCapitaIncome == Money(fen: 30_000))   // 90000 / 3
        let exempted = result.findings.filter { $0.recordIndex == 0 }
        let counted = result.findings.filter { $0.recordIndex == 1 }
        #expect(exempted.count == 1 && exempted.first?.rule == .income && exempted.first?.exemption == "重复上报")
        #expect(counted.count == 1 && counted.first?.exemption == nil)
        #expect(counted.first?.effect.zh.contains("计入") == true)
    }

    @Test func anExemptedExpenseIsNotDeducted() throws {
        var input = F.household([F.adult], F.monthlyIncome(F.adult, 100_000) + [F.expense(F.adult, "2026-04", 30_000)])
        #expect(try F.evaluate(input).householdIncome == Money(fen: 270_000))
        input.exemptions = [3: "票据不实"]
        let result = try F.evaluate(input)
        #expect(result.householdIncome == Money(fen: 300_000))
        #expect(result.findings.filter { $0.recordIndex == 3 }.map(\.rule) == [.income])
    }

    @Test func anExemptedAssetAndAnExemptedSecondHomeRaiseNoFlag() throws {
        let records = [F.asset(F.adult, account: "6222000011112222", on: date(2026, 5, 31), 5_000_000),
                       F.property(F.adult, .residential), F.property(F.adult, .residential)]
        let before = try F.evaluate(F.household([F.adult], records))
        #expect(before.outcome.flags == [.financialAssets, .homes])

        var input = F.household([F.adult], records)
        input.exemptions = [0: "残疾赔偿金专户", 2: "危房，不宜居住"]
        let after = try F.evaluate(input)
        #expect(after.outcome.flags.isEmpty)
        #expect(after.outcome.perCapitaFinancialAssets == .zero)
        #expect(after.financialAssets == .zero)
        #expect(after.findings.filter { $0.recordIndex == 0 }.map(\.rule) == [.financialAssets])
        #expect(after.findings.filter { $0.recordIndex == 2 }.map(\.rule) == [.property])
        // The account number stays masked in the exempted line too.
        let assetLine = try #require(after.findings.first { $0.recordIndex == 0 })
        #expect(assetLine.effect.zh.contains("****2222"))
        #expect(!assetLine.effect.zh.contains("6222000011112222"))
    }

    @Test func anExemptedDeathLeavesTheMemberCountedUnderRuleOne() throws {
        let records = F.monthlyIncome(F.adult, 60_000) + [F.death(F.spouse, date(2026, 4, 2))]
        #expect(try F.outcome(F.household([F.adult, F.spouse], records)).countedMembers == 1)

        var input = F.household([F.adult, F.spouse], records)
        input.exemptions = [3: "误报死亡，已核实本人健在"]
        let result = try F.evaluate(input)
        #expect(result.outcome.countedMembers == 2)
        #expect(result.countedMemberIDs == [F.adult.id, F.spouse.id])
        #expect(result.outcome.perCapitaIncome == Money(fen: 30_000))
        let lines = result.findings.filter { $0.recordIndex == 3 }
        #expect(lines.count == 1 && lines.first?.rule == .members && lines.first?.exemption != nil)
    }

    @Test func aRecordOfAnUncountedMemberIsListedOnceUnderItsOwnRuleWhenExempted() throws {
        let away = F.person(born: "19810612", sequence: "024", relation: .spouse, status: .prisoner)
        var input = F.household([F.adult, away], [F.vehicle(away, .car, 9_000_000)])
        input.exemptions = [0: "已变卖"]
        let lines = try F.evaluate(input).findings.filter { $0.recordIndex == 0 }
        #expect(lines.map(\.rule) == [.vehicles])
        #expect(lines.first?.exemption == "已变卖")
    }

    @Test func theReasonIsTrimmed() throws {
        let result = try F.evaluate(Self.carOwner(exemptions: [3: "  营运车辆\u{3000}\n"]))
        #expect(result.findings.first { $0.recordIndex == 3 }?.exemption == "营运车辆")
    }

    @Test(arguments: [-1, 4, 100])
    func anExemptionOfARecordThatDoesNotExistIsAnInputError(_ index: Int) {
        let error = userError { try F.evaluate(Self.carOwner(exemptions: [index: "理由"])) }
        #expect(error?.code == "verification.exemption_index")
        #expect(error?.field == "exemptions[\(index)]")
        #expect(error?.message.zh.contains("0 至 3") == true)
        #expect(error?.message.en.contains("0 to 3") == true)
    }

    @Test(arguments: ["", "   ", "\u{3000}", "\n\t"])
    func anExemptionWithoutAReasonIsAnInputError(_ reason: String) {
        let error = userError { try F.evaluate(Self.carOwner(exemptions: [3: reason])) }
        #expect(error?.code == "verification.exemption_reason")
        #expect(error?.field == "exemptions[3]")
        #expect(error?.message.zh.contains("理由") == true)
    }

    @Test func aHouseholdWithoutRecordsCannotExemptAnything() {
        let error = userError {
            try F.evaluate(F.household([F.adult], [], policy: F.policy()).with(exemptions: [0: "理由"]))
        }
        #expect(error?.code == "verification.exemption_index")
        #expect(error?.message.en.contains("no department records") == true)
    }

    @Test func everySharedCaseStillGivesItsExpectedOutcomeWithNoExemptions() throws {
        #expect(!CaseFiles.names.isEmpty, "no case files in \(CaseFiles.directory.path)")
        for name in CaseFiles.names {
            let input = try VerificationCase(json: Data(contentsOf: CaseFiles.directory.appendingPathComponent(name)))
            #expect(input.exemptions.isEmpty, "\(name): exemptions are never read from a case file")
            let result = try VerificationCalculator.evaluate(input)
            #expect(result.outcome == input.expect, "\(name)")
            #expect(result.findings.allSatisfy { $0.exemption == nil }, "\(name)")
        }
    }

    @Test func exemptingEveryRecordOfASharedCaseLeavesOnlyTheMembersAndSources() throws {
        // Case 03: a single person with a car. Everything exempted → no income, no flag, dibao at the full standard.
        let name = try #require(CaseFiles.names.first { $0.hasPrefix("03-") }, "case 03 missing")
        var input = try VerificationCase(json: Data(contentsOf: CaseFiles.directory.appendingPathComponent(name)))
        input.exemptions = Dictionary(uniqueKeysWithValues: input.records.indices.map { ($0, "测试豁免") })
        let result = try VerificationCalculator.evaluate(input)
        #expect(result.outcome.conclusion == .dibao)
        #expect(result.outcome.perCapitaIncome == .zero)
        #expect(result.outcome.monthlyBenefit == Money(fen: 74_000))
        for index in input.records.indices {
            #expect(result.findings.filter { $0.recordIndex == index }.count == 1)
        }
    }
}

private extension VerificationCase {
    func with(exemptions: [Int: String]) -> VerificationCase {
        var copy = self
        copy.exemptions = exemptions
        return copy
    }
}

import JiuzhuCore
import Testing

@Suite struct BatchComparisonTests {
    func outcome(_ conclusion: VerificationConclusion, benefit: Int64 = 0, missing: [String] = []) -> VerificationOutcome {
        VerificationOutcome(conclusion: conclusion, countedMembers: 2, perCapitaIncome: Money(fen: 30_000),
                            perCapitaFinancialAssets: .zero, flags: [], missingSources: missing,
                            monthlyBenefit: Money(fen: benefit), singlePersonEligible: [])
    }

    func before(_ conclusion: VerificationConclusion, benefit: Int64 = 0) -> PreviousVerification {
        PreviousVerification(conclusion: conclusion, monthlyBenefit: Money(fen: benefit))
    }

    @Test func aHouseholdWithoutEarlierResultIsNew() {
        #expect(BatchChange.between(previous: nil, now: outcome(.dibao, benefit: 50_000)) == .new)
        #expect(BatchChange.between(previous: nil, now: outcome(.ineligible)) == .new)
    }

    @Test func undeterminedWinsOverEveryOtherChange() {
        #expect(BatchChange.between(previous: nil, now: outcome(.undetermined, missing: ["tax"])) == .undetermined)
        #expect(BatchChange.between(previous: before(.dibao, benefit: 80_000), now: outcome(.undetermined)) == .undetermined)
        #expect(BatchChange.between(previous: before(.undetermined), now: outcome(.undetermined)) == .undetermined)
    }

    @Test func leavingDibaoIsStoppedNotAClassChange() {
        #expect(BatchChange.between(previous: before(.dibao, benefit: 80_000), now: outcome(.edge)) == .stopped)
        #expect(BatchChange.between(previous: before(.dibao, benefit: 80_000), now: outcome(.ineligible)) == .stopped)
    }

    @Test func otherMovesBetweenConclusionsAreClassChanges() {
        #expect(BatchChange.between(previous: before(.edge), now: outcome(.ineligible)) == .classChanged)
        #expect(BatchChange.between(previous: before(.ineligible), now: outcome(.edge)) == .classChanged)
        #expect(BatchChange.between(previous: before(.edge), now: outcome(.dibao, benefit: 10_000)) == .classChanged)
        #expect(BatchChange.between(previous: before(.undetermined), now: outcome(.dibao, benefit: 10_000)) == .classChanged)
    }

    @Test func dibaoWithAnotherBenefitIsAnAmountChange() {
        #expect(BatchChange.between(previous: before(.dibao, benefit: 80_000), now: outcome(.dibao, benefit: 80_001)) == .amountChanged)
        #expect(BatchChange.between(previous: before(.dibao, benefit: 80_000), now: outcome(.dibao, benefit: 80_000)) == .unchanged)
        #expect(BatchChange.between(previous: before(.edge), now: outcome(.edge)) == .unchanged)
    }

    @Test func theSummaryTalliesConclusionsChangesTotalsAndMissingSources() {
        var summary = BatchSummary()
        #expect(summary.add(previous: before(.dibao, benefit: 80_000), outcome: outcome(.dibao, benefit: 90_000)) == .amountChanged)
        summary.add(previous: before(.dibao, benefit: 50_000), outcome: outcome(.ineligible))
        summary.add(previous: nil, outcome: outcome(.undetermined, missing: ["tax", "bank"]))
        summary.add(previous: before(.edge), outcome: outcome(.undetermined, missing: ["tax"]))
        summary.add(previous: nil, outcome: outcome(.edge))
        #expect(summary.households == 5 && summary.evaluated == 5 && summary.errorCount == 0)
        #expect(summary.count(.dibao) == 1 && summary.count(.ineligible) == 1 && summary.count(VerificationConclusion.undetermined) == 2 && summary.count(.edge) == 1)
        #expect(summary.count(.amountChanged) == 1 && summary.count(.stopped) == 1 && summary.count(BatchChange.undetermined) == 2
                && summary.count(BatchChange.new) == 1 && summary.count(.classChanged) == 0)
        #expect(summary.missingSources == ["tax": 2, "bank": 1])
        #expect(summary.benefitBefore == Money(fen: 130_000) && summary.benefitAfter == Money(fen: 90_000))
    }

    @Test func errorsAreCountedButOnlyTheFirstTwentyKept() {
        var summary = BatchSummary()
        for index in 0..<25 {
            summary.addError(BatchError(household: "h\(index)", error: UserError("verification.no_policy", zh: "无", en: "none")))
        }
        summary.add(previous: nil, outcome: outcome(.dibao, benefit: 1))
        #expect(summary.errorCount == 25 && summary.households == 26)
        #expect(summary.errors.count == BatchSummary.errorsListed && summary.errors.first?.household == "h0"
                && summary.errors.last?.household == "h19")
        #expect(summary.lines.contains { $0.en.contains("h19 [verification.no_policy] none") })
        #expect(!summary.lines.contains { $0.en.contains("h20 ") })
    }

    @Test func mergingTwoTalliesEqualsTallyingTogether() {
        var whole = BatchSummary(), first = BatchSummary(), second = BatchSummary()
        let steps: [(PreviousVerification?, VerificationOutcome)] = [
            (nil, outcome(.dibao, benefit: 5)), (before(.dibao, benefit: 5), outcome(.edge)),
            (before(.edge), outcome(.undetermined, missing: ["bank"])), (before(.ineligible), outcome(.ineligible)),
        ]
        for (index, step) in steps.enumerated() {
            whole.add(previous: step.0, outcome: step.1)
            if index < 2 { first.add(previous: step.0, outcome: step.1) } else { second.add(previous: step.0, outcome: step.1) }
        }
        whole.addError(BatchError(household: "x", error: UserError("e", zh: "z", en: "e")))
        second.addError(BatchError(household: "x", error: UserError("e", zh: "z", en: "e")))
        first.merge(second)
        #expect(first == whole)
    }

    @Test func theStoredSummaryHasEveryCount() throws {
        var summary = BatchSummary()
        summary.add(previous: nil, outcome: outcome(.dibao, benefit: 12_345))
        let text = summary.json.rendered(pretty: false)
        let parsed = try JSONValue.parse(text)
        guard case .object(let root) = parsed, case .object(let conclusions)? = root["conclusions"],
              case .object(let changes)? = root["changes"] else {
            Issue.record("not the expected shape: \(text)")
            return
        }
        #expect(conclusions.count == VerificationConclusion.allCases.count && changes.count == BatchChange.allCases.count)
        #expect(root["benefitAfter"] == .integer(12_345) && conclusions["dibao"] == .integer(1) && changes["new"] == .integer(1))
    }
}

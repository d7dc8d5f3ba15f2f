import Foundation
import Testing
@testable import JiuzhuCore

private typealias F = VerificationFixture

// One suite per rule of cases/FORMAT.md; each household is the smallest that
// shows the rule, with the expected figures worked out in the comments.

struct VerificationMemberRuleTests {
    @Test func countsCoResidentMembersInNormalStatus() throws {
        let outcome = try F.outcome(F.household([F.adult, F.spouse, F.child], F.monthlyIncome(F.adult, 90_000)))
        #expect(outcome.countedMembers == 3)
        #expect(outcome.perCapitaIncome == Money(fen: 30_000))   // 270000 / (3 × 3)
    }

    @Test func aMemberWhoDiedOnAsOfIsNotCountedAndTheirRecordsAreIgnored() throws {
        let records = F.monthlyIncome(F.adult, 60_000) + F.monthlyIncome(F.spouse, 500_000)
            + [F.death(F.spouse, F.asOf)]
        let outcome = try F.outcome(F.household([F.adult, F.spouse], records))
        #expect(outcome.countedMembers == 1)
        #expect(outcome.perCapitaIncome == Money(fen: 60_000))
    }

    @Test func aMemberWhoDiedBeforeAsOfIsNotCounted() throws {
        let outcome = try F.outcome(F.household([F.adult, F.spouse], [F.death(F.spouse, date(2026, 4, 2))]))
        #expect(outcome.countedMembers == 1)
    }

    @Test func aDeathRecordedAfterAsOfDoesNotRemoveTheMember() throws {
        let records = F.monthlyIncome(F.adult, 60_000) + [F.death(F.spouse, F.asOf.adding(days: 1))]
        let outcome = try F.outcome(F.household([F.adult, F.spouse], records))
        #expect(outcome.countedMembers == 2)
        #expect(outcome.perCapitaIncome == Money(fen: 30_000))
    }

    @Test(arguments: MemberStatus.allCases.filter { $0 != .normal })
    func aMemberInSpecialStatusIsExcludedWithAllTheirRecords(_ status: MemberStatus) throws {
        let away = F.person(born: "19810612", sequence: "024", relation: .spouse, status: status,
                            disability: F.disability(.physical, 1))
        // Income, a car, a company and a second home of the absent member: none of it may count.
        let records = F.monthlyIncome(F.adult, 50_000) + F.monthlyIncome(away, 500_000)
            + [F.vehicle(away, .car, 9_000_000), F.company(away, .legalRepresentative), F.property(F.adult, .residential),
               F.property(away, .residential), F.asset(away, account: "A1", on: date(2026, 5, 31), 99_000_000)]
        let outcome = try F.outcome(F.household([F.adult, away], records))
        #expect(outcome.countedMembers == 1)
        #expect(outcome.perCapitaIncome == Money(fen: 50_000))
        #expect(outcome.perCapitaFinancialAssets == .zero)
        #expect(outcome.flags.isEmpty)
        #expect(outcome.conclusion == .dibao)
        #expect(outcome.monthlyBenefit == Money(fen: 24_000))     // no top-up for the absent member
    }

    @Test func aMemberNotLivingWithTheFamilyIsExcluded() throws {
        let apart = F.person(born: "19840722", sequence: "042", relation: .spouse, coResident: false)
        let outcome = try F.outcome(F.household([F.adult, apart], F.monthlyIncome(apart, 500_000)))
        #expect(outcome.countedMembers == 1)
        #expect(outcome.perCapitaIncome == .zero)
    }

    @Test func aRecordOfSomeoneOutsideTheHouseholdIsIgnored() throws {
        let stranger = F.person(born: "19700101", sequence: "051")
        let records = F.monthlyIncome(stranger, 900_000) + [F.vehicle(stranger, .car, 9_000_000)]
        let result = try F.evaluate(F.household([F.adult], records))
        #expect(result.outcome.perCapitaIncome == .zero)
        #expect(result.outcome.flags.isEmpty)
        #expect(result.findings.contains { $0.recordIndex == 3 && $0.rule == .members })
    }

    @Test func aHouseholdWithNoCountedMemberIsAnInputErrorNotADivisionByZero() {
        let error = userError { try F.evaluate(F.household([F.person(born: "19700101", status: .prisoner)])) }
        #expect(error?.code == "verification.no_counted_members")
        #expect(error?.field == "members")
    }
}

struct VerificationWindowRuleTests {
    @Test func onlyTheThreeWholeMonthsBeforeTheMonthOfAsOfCount() throws {
        let records = [F.income(F.adult, "2026-02", 900_000), F.income(F.adult, "2026-06", 900_000)]
            + F.monthlyIncome(F.adult, 50_000)
        let result = try F.evaluate(F.household([F.adult], records))
        #expect(result.outcome.perCapitaIncome == Money(fen: 50_000))
        #expect(result.window == F.month("2026-03")...F.month("2026-05"))
    }

    @Test(arguments: [
        (date(2026, 6, 15), "2026-03", "2026-05"),
        (date(2026, 6, 1), "2026-03", "2026-05"),      // first day of the month: that month still excluded
        (date(2026, 5, 31), "2026-02", "2026-04"),     // last day of the month: that month still excluded
        (date(2026, 1, 1), "2025-10", "2025-12"),      // across the year
        (date(2026, 3, 10), "2025-12", "2026-02"),
    ])
    func theWindowIsTheWholeMonthsBeforeAsOf(asOf: LocalDate, first: String, last: String) throws {
        let before = try #require(F.month(first).adding(months: -1))
        let records = [F.income(F.adult, before.description, 1_000_000), F.income(F.adult, first, 30_000),
                       F.income(F.adult, last, 60_000), F.income(F.adult, YearMonth(asOf).description, 1_000_000)]
        let result = try F.evaluate(F.household([F.adult], records, asOf: asOf))
        #expect(result.window == F.month(first)...F.month(last))
        #expect(result.outcome.perCapitaIncome == Money(fen: 30_000))   // (30000 + 60000) / 3
    }

    @Test func aTwelveMonthWindowReachesBackAYear() throws {
        let policy = F.policy { $0.referenceMonths = 12 }
        let records = [F.income(F.adult, "2025-05", 1_200_000), F.income(F.adult, "2025-06", 120_000),
                       F.income(F.adult, "2026-05", 120_000)]
        let result = try F.evaluate(F.household([F.adult], records, residence: .rural, policy: policy))
        #expect(result.window == F.month("2025-06")...F.month("2026-05"))
        #expect(result.outcome.perCapitaIncome == Money(fen: 20_000))   // 240000 / 12
    }

    @Test func expensesOutsideTheWindowAreNotDeducted() throws {
        let records = F.monthlyIncome(F.adult, 60_000) + [F.expense(F.adult, "2026-06", 180_000)]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaIncome == Money(fen: 60_000))
    }
}

struct VerificationIncomeRuleTests {
    @Test func excludedKindsAddNothing() throws {
        let records = F.monthlyIncome(F.adult, 60_000) + F.monthlyIncome(F.adult, 500_000, kind: "assistance")
            + [F.income(F.adult, "2026-04", 300_000, kind: "scholarship"),
               F.income(F.adult, "2026-04", 300_000, kind: "basicPension")]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaIncome == Money(fen: 60_000))
    }

    @Test(arguments: ["wage", "business", "property", "transferIn", "pension", "unemployment", "other"])
    func everyCountedKindCounts(_ kind: String) throws {
        let outcome = try F.outcome(F.household([F.adult], F.monthlyIncome(F.adult, 40_000, kind: kind)))
        #expect(outcome.perCapitaIncome == Money(fen: 40_000))
    }

    @Test func thePolicysExclusionsWinOverTheCountedKinds() throws {
        let policy = F.policy { $0.excludedIncomeKinds.insert("other") }
        let records = F.monthlyIncome(F.adult, 40_000, kind: "other")
        #expect(try F.outcome(F.household([F.adult], records, policy: policy)).perCapitaIncome == .zero)
    }

    @Test func supportPaidOutsideTheHouseholdIsSubtracted() throws {
        let records = F.monthlyIncome(F.adult, 90_000) + [F.income(F.adult, "2026-04", 90_000, kind: "transferOut")]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaIncome == Money(fen: 60_000))
    }

    @Test func deductibleExpensesAreSubtractedAndOthersAreNot() throws {
        // 300000 − 60000 medical = 240000 over 3 months; employment costs are not deductible here.
        let records = F.monthlyIncome(F.adult, 100_000)
            + [F.expense(F.adult, "2026-03", 60_000), F.expense(F.adult, "2026-04", 30_000, kind: "employmentCost")]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaIncome == Money(fen: 80_000))
        let both = F.policy { $0.deductibleKinds = ["medicalOutOfPocket", "employmentCost"] }
        #expect(try F.outcome(F.household([F.adult], records, policy: both)).perCapitaIncome == Money(fen: 70_000))
    }

    @Test func negativeHouseholdIncomeFloorsToZero() throws {
        // 30000 wages − 50000 support paid − 40000 medical = −60000 → P = 0.
        let records = F.monthlyIncome(F.adult, 10_000)
            + [F.income(F.adult, "2026-04", 50_000, kind: "transferOut"), F.expense(F.adult, "2026-05", 40_000)]
        let result = try F.evaluate(F.household([F.adult], records))
        #expect(result.householdIncome == Money(fen: -60_000))
        #expect(result.outcome.perCapitaIncome == .zero)
        #expect(result.outcome.conclusion == .dibao)
        #expect(result.outcome.monthlyBenefit == Money(fen: F.urbanStandard))
    }

    @Test func aNetBusinessLossReducesIncome() throws {
        let records = F.monthlyIncome(F.adult, 20_000) + [F.income(F.adult, "2026-04", -30_000, kind: "business")]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaIncome == Money(fen: 10_000))
    }

    @Test func perCapitaIncomeRoundsDown() throws {
        // 100000 / (3 months × 3 members) = 11111.1…
        let records = [F.income(F.adult, "2026-04", 100_000)]
        #expect(try F.outcome(F.household([F.adult, F.spouse, F.child], records)).perCapitaIncome == Money(fen: 11_111))
    }

    @Test func anUnknownIncomeKindInACaseBuiltInCodeIsAnErrorOnItsField() {
        let records = [F.income(F.adult, "2026-04", 1), F.income(F.adult, "2026-04", 1, kind: "lottery")]
        let error = userError { try F.evaluate(F.household([F.adult], records)) }
        #expect(error?.code == "verification.income_kind")
        #expect(error?.field == "records[1].kind")
    }
}

struct VerificationFinancialAssetRuleTests {
    @Test func theLatestRecordOfEachAccountCounts() throws {
        let records = [
            F.asset(F.adult, account: "A", on: date(2026, 3, 31), 5_000_000),
            F.asset(F.adult, account: "A", on: date(2026, 5, 31), 1_000_000),
            F.asset(F.adult, account: "A", on: date(2026, 4, 30), 7_000_000),
            F.asset(F.spouse, account: "B", on: date(2026, 4, 30), 500_000, kind: .fund),
        ]
        let result = try F.evaluate(F.household([F.adult, F.spouse], records))
        #expect(result.financialAssets == Money(fen: 1_500_000))
        #expect(result.outcome.perCapitaFinancialAssets == Money(fen: 750_000))
    }

    @Test func aBalanceDatedAfterAsOfIsIgnoredAndOneOnAsOfCounts() throws {
        let records = [
            F.asset(F.adult, account: "A", on: date(2026, 5, 31), 1_000_000),
            F.asset(F.adult, account: "A", on: F.asOf.adding(days: 1), 90_000_000),
            F.asset(F.adult, account: "B", on: F.asOf, 200_000),
            F.asset(F.adult, account: "C", on: date(2026, 7, 1), 90_000_000),   // only a later balance: nothing
        ]
        let outcome = try F.outcome(F.household([F.adult], records))
        #expect(outcome.perCapitaFinancialAssets == Money(fen: 1_200_000))
        #expect(outcome.flags.isEmpty)
    }

    @Test func ofTwoBalancesOnTheSameDayTheLaterRecordCounts() throws {
        let records = [F.asset(F.adult, account: "A", on: date(2026, 5, 31), 1_000_000),
                       F.asset(F.adult, account: "A", on: date(2026, 5, 31), 400_000)]
        #expect(try F.outcome(F.household([F.adult], records)).perCapitaFinancialAssets == Money(fen: 400_000))
    }

    @Test func perCapitaAssetsEqualToTheLimitDoNotDisqualify() throws {
        // Limit 24 × 74000 = 1776000 per person; two members.
        let atLimit = [F.asset(F.adult, account: "A", on: date(2026, 5, 31), 3_552_000)]
        let atOutcome = try F.outcome(F.household([F.adult, F.spouse], atLimit))
        #expect(atOutcome.perCapitaFinancialAssets == Money(fen: 1_776_000))
        #expect(atOutcome.flags.isEmpty)
        #expect(atOutcome.conclusion == .dibao)

        let over = [F.asset(F.adult, account: "A", on: date(2026, 5, 31), 3_552_002)]
        let overOutcome = try F.outcome(F.household([F.adult, F.spouse], over))
        #expect(overOutcome.flags == [.financialAssets])
        #expect(overOutcome.conclusion == .ineligible)
        // 3552001 would floor to the limit itself and not disqualify.
        let justUnder = [F.asset(F.adult, account: "A", on: date(2026, 5, 31), 3_552_001)]
        #expect(try F.outcome(F.household([F.adult, F.spouse], justUnder)).flags.isEmpty)
    }

    @Test func theRuralStandardSetsTheRuralLimit() throws {
        // 24 × 62000 = 1488000.
        let records = [F.asset(F.adult, account: "A", on: date(2026, 5, 31), 1_488_001)]
        #expect(try F.outcome(F.household([F.adult], records, residence: .rural)).flags == [.financialAssets])
        #expect(try F.outcome(F.household([F.adult], records, residence: .urban)).flags.isEmpty)
    }
}

struct VerificationPropertyRuleTests {
    @Test(arguments: [VehicleType.disability, .farm, .motorcycle, .ebike])
    func exemptVehiclesNeverDisqualify(_ type: VehicleType) throws {
        let outcome = try F.outcome(F.household([F.adult], [F.vehicle(F.adult, type, 90_000_000)]))
        #expect(outcome.flags.isEmpty)
        #expect(outcome.conclusion == .dibao)
    }

    @Test(arguments: [VehicleType.car, .truck])
    func aVehicleAboveTheCapDisqualifiesAndOneAtTheCapDoesNot(_ type: VehicleType) throws {
        #expect(try F.outcome(F.household([F.adult], [F.vehicle(F.adult, type, 3_000_000)])).flags.isEmpty)
        let over = try F.outcome(F.household([F.adult], [F.vehicle(F.adult, type, 3_000_001)]))
        #expect(over.flags == [.vehicle])
        #expect(over.conclusion == .ineligible)
        #expect(over.monthlyBenefit == .zero)
    }

    @Test func theExemptionsComeFromThePolicy() throws {
        let policy = F.policy { $0.exemptVehicleTypes = [] }
        let outcome = try F.outcome(F.household([F.adult], [F.vehicle(F.adult, .motorcycle, 3_000_001)], policy: policy))
        #expect(outcome.flags == [.vehicle])
    }

    @Test func homesBeyondTheAllowedNumberDisqualify() throws {
        let one = [F.property(F.adult, .residential)]
        #expect(try F.outcome(F.household([F.adult, F.spouse], one)).flags.isEmpty)
        // Homes of all counted members together.
        let two = one + [F.property(F.spouse, .residential)]
        #expect(try F.outcome(F.household([F.adult, F.spouse], two)).flags == [.homes])
        let twoAllowed = F.policy { $0.maxHomes = 2 }
        #expect(try F.outcome(F.household([F.adult, F.spouse], two, policy: twoAllowed)).flags.isEmpty)
    }

    @Test func nonResidentialPropertyDisqualifiesOnlyWhenThePolicySaysSo() throws {
        let records = [F.property(F.adult, .nonResidential)]
        #expect(try F.outcome(F.household([F.adult], records)).flags == [.nonResidentialProperty])
        let lenient = F.policy { $0.nonResidentialDisqualifies = false }
        let outcome = try F.outcome(F.household([F.adult], records, policy: lenient))
        #expect(outcome.flags.isEmpty)
        #expect(outcome.conclusion == .dibao)
    }

    @Test(arguments: [CompanyRole.legalRepresentative, .director, .shareholder])
    func anActiveCompanyRoleDisqualifies(_ role: CompanyRole) throws {
        let outcome = try F.outcome(F.household([F.adult], [F.company(F.adult, role)]))
        #expect(outcome.flags == [.company])
        #expect(outcome.conclusion == .ineligible)
        #expect(try F.outcome(F.household([F.adult], [F.company(F.adult, role, active: false)])).flags.isEmpty)
        let lenient = F.policy { $0.companyRoleDisqualifies = false }
        #expect(try F.outcome(F.household([F.adult], [F.company(F.adult, role)], policy: lenient)).flags.isEmpty)
    }

    @Test func anActiveSoleTraderIsFlaggedButStillEligible() throws {
        let outcome = try F.outcome(F.household([F.adult], [F.company(F.adult, .soleTrader)]))
        #expect(outcome.flags == [.soleTrader])
        #expect(outcome.conclusion == .dibao)
        #expect(outcome.monthlyBenefit == Money(fen: F.urbanStandard))
        #expect(try F.outcome(F.household([F.adult], [F.company(F.adult, .soleTrader, active: false)])).flags.isEmpty)
    }

    @Test func flagsAreSorted() throws {
        let records = [F.vehicle(F.adult, .car, 9_000_000), F.company(F.adult, .soleTrader),
                       F.property(F.adult, .nonResidential), F.company(F.adult, .director),
                       F.property(F.adult, .residential), F.property(F.adult, .residential),
                       F.asset(F.adult, account: "A", on: date(2026, 5, 31), 90_000_000)]
        let outcome = try F.outcome(F.household([F.adult], records))
        #expect(outcome.flags == [.company, .financialAssets, .homes, .nonResidentialProperty, .soleTrader, .vehicle])
    }
}

struct VerificationConclusionRuleTests {
    private func conclusion(perCapita: Int64, policy: VerificationPolicy = F.policy(),
                            residence: ResidenceKind = .urban) throws -> VerificationOutcome {
        try F.outcome(F.household([F.adult], F.monthlyIncome(F.adult, perCapita), residence: residence, policy: policy))
    }

    @Test func missingSourcesMakeTheOutcomeUndeterminedBeforeAnyFlag() throws {
        var sources = Dictionary(uniqueKeysWithValues: F.requiredSources.map { ($0, SourceStatus.returned) })
        sources["bank"] = .failed
        sources["tax"] = .pending
        sources["vehicle"] = nil            // never asked
        sources["civilAffairs"] = .failed   // not required
        let records = [F.vehicle(F.adult, .car, 9_000_000)]
        let outcome = try F.outcome(F.household([F.adult], records, sources: sources))
        #expect(outcome.conclusion == .undetermined)
        #expect(outcome.missingSources == ["bank", "tax", "vehicle"])
        #expect(outcome.flags == [.vehicle])
        #expect(outcome.monthlyBenefit == .zero)
    }

    @Test(arguments: [SourceStatus.pending, .failed, .unavailable])
    func everyStatusButReturnedIsMissing(_ status: SourceStatus) throws {
        var sources = Dictionary(uniqueKeysWithValues: F.requiredSources.map { ($0, SourceStatus.returned) })
        sources["realEstate"] = status
        #expect(try F.outcome(F.household([F.adult], sources: sources)).missingSources == ["realEstate"])
    }

    @Test func aSourceListedTwiceIsMissingOnce() throws {
        let policy = F.policy { $0.requiredSources = ["bank", "tax", "bank"] }
        let outcome = try F.outcome(F.household([F.adult], policy: policy, sources: ["tax": .returned]))
        #expect(outcome.missingSources == ["bank"])
    }

    @Test(arguments: [(Int64(73_999), VerificationConclusion.dibao), (74_000, .edge), (110_999, .edge),
                      (111_000, .ineligible)])
    func theEdgeBandIsBelowExactlyOneAndAHalfStandards(perCapita: Int64, expected: VerificationConclusion) throws {
        let outcome = try conclusion(perCapita: perCapita)
        #expect(outcome.perCapitaIncome == Money(fen: perCapita))
        #expect(outcome.conclusion == expected)
    }

    @Test func theEdgeComparisonIsExactWhereFloatingPointIsNot() throws {
        // In Double, 1.1 × 30000 = 33000.000000000004, which would wrongly put 33000 in the band.
        let policy = F.policy { $0.standardUrban = Money(fen: 30_000); $0.edgeMultiplier = F.decimal("1.1") }
        #expect(try conclusion(perCapita: 33_000, policy: policy).conclusion == .ineligible)
        #expect(try conclusion(perCapita: 32_999, policy: policy).conclusion == .edge)
        // 1.05 × 33333 = 34999.65: 34999 is inside, 35000 outside; nothing is rounded.
        let odd = F.policy { $0.standardUrban = Money(fen: 33_333); $0.edgeMultiplier = F.decimal("1.05") }
        #expect(try conclusion(perCapita: 34_999, policy: odd).conclusion == .edge)
        #expect(try conclusion(perCapita: 35_000, policy: odd).conclusion == .ineligible)
    }

    @Test(arguments: ["1.5", "1.50", "1.500000000000000000000", "01.5"])
    func trailingAndLeadingZerosDoNotChangeTheMultiplier(_ text: String) throws {
        let policy = F.policy { $0.edgeMultiplier = F.decimal(text) }
        #expect(try conclusion(perCapita: 110_999, policy: policy).conclusion == .edge)
        #expect(try conclusion(perCapita: 111_000, policy: policy).conclusion == .ineligible)
    }

    @Test func aWholeMultiplierWorks() throws {
        let policy = F.policy { $0.edgeMultiplier = F.decimal("2") }
        #expect(try conclusion(perCapita: 147_999, policy: policy).conclusion == .edge)
        #expect(try conclusion(perCapita: 148_000, policy: policy).conclusion == .ineligible)
    }

    @Test func theRuralStandardAppliesToRuralHouseholds() throws {
        #expect(try conclusion(perCapita: 62_000, residence: .rural).conclusion == .edge)
        #expect(try conclusion(perCapita: 62_000, residence: .urban).conclusion == .dibao)
    }

    @Test func aDisqualifyingFlagBeatsLowIncome() throws {
        let outcome = try F.outcome(F.household([F.adult], [F.company(F.adult, .shareholder)]))
        #expect(outcome.conclusion == .ineligible)
        #expect(outcome.monthlyBenefit == .zero)
    }
}

struct VerificationBenefitRuleTests {
    @Test func theBenefitFillsTheGapForEveryCountedMember() throws {
        // (74000 − 50000) × 1.
        let outcome = try F.outcome(F.household([F.adult], F.monthlyIncome(F.adult, 50_000)))
        #expect(outcome.monthlyBenefit == Money(fen: 24_000))
    }

    @Test func aMemberInSeveralGroupsGetsOnlyTheLargestTopUp() throws {
        // 71 years old and grade-1 visual: elderly 20 % or severe disability 30 % → 30 % = 22200.
        let elder = F.person(born: "19550101", sequence: "035", disability: F.disability(.visual, 1))
        let result = try F.evaluate(F.household([elder]))
        #expect(result.outcome.monthlyBenefit == Money(fen: 74_000 + 22_200))
        let topUpLines = result.findings.filter { $0.rule == .benefit && $0.member == elder.id }
        #expect(topUpLines.count == 1)
    }

    @Test func aSeriouslyIllChildGetsTheIllnessTopUpNotTheMinorOne() throws {
        let child = F.person(born: "20150303", sequence: "046", relation: .child, seriousIllness: true)
        #expect(try F.outcome(F.household([child])).monthlyBenefit == Money(fen: 74_000 + 22_200))
    }

    @Test func aGroupWithoutATopUpInThePolicyGetsNone() throws {
        let policy = F.policy { $0.topUps = [TopUp(group: .elderly, percentOfStandard: 20)] }
        let disabled = F.person(born: "19800101", sequence: "013", disability: F.disability(.physical, 1))
        #expect(try F.outcome(F.household([disabled], policy: policy)).monthlyBenefit == Money(fen: 74_000))
    }

    @Test func topUpsRoundDownToTheFen() throws {
        // 74001 × 20 / 100 = 14800.2 → 14800.
        let policy = F.policy { $0.standardUrban = Money(fen: 74_001) }
        #expect(try F.outcome(F.household([F.child], policy: policy)).monthlyBenefit == Money(fen: 74_001 + 14_800))
    }

    @Test(arguments: [
        ("19660615", true, false),   // 60 on asOf: elderly
        ("19660616", false, false),  // 59 until tomorrow
        ("20080615", false, false),  // 18 on asOf: no longer a minor
        ("20080616", false, true),   // 17 until tomorrow
    ])
    func ageGroupsAreTakenOnAsOf(born: String, elderly: Bool, minor: Bool) throws {
        let member = F.person(born: born, sequence: "019")
        let groups = member.topUpGroups(at: F.asOf)
        #expect(groups.contains(.elderly) == elderly)
        #expect(groups.contains(.minor) == minor)
        let topUp: Int64 = elderly || minor ? 14_800 : 0
        #expect(try F.outcome(F.household([member])).monthlyBenefit == Money(fen: 74_000 + topUp))
    }

    @Test(arguments: [
        (DisabilityType.intellectual, 3, true), (.mental, 3, true), (.physical, 3, false),
        (.intellectual, 4, false), (.hearing, 2, true), (.multiple, 1, true),
    ])
    func severeDisabilityIsGradeOneOrTwoOrThreeForIntellectualAndMental(type: DisabilityType, grade: Int,
                                                                        severe: Bool) throws {
        let member = F.person(born: "19800101", sequence: "013", disability: F.disability(type, grade))
        let benefit = try F.outcome(F.household([member])).monthlyBenefit
        #expect(benefit == Money(fen: 74_000 + (severe ? 22_200 : 0)))
    }

    @Test func theSharedTopUpCaseAddsUp() throws {
        // Case 08: (74000 − 10000) × 3 + 14800 (elderly) + 22200 (elderly, severe) + 14800 (minor).
        let husband = F.person(born: "19550101", sequence: "035")
        let wife = F.person(born: "19580707", sequence: "054", relation: .spouse, disability: F.disability(.visual, 1))
        let grandchild = F.person(born: "20150303", sequence: "046", relation: .grandchild)
        let records = F.monthlyIncome(husband, 30_000, kind: "pension") + F.monthlyIncome(husband, 18_000, kind: "basicPension")
        #expect(try F.outcome(F.household([husband, wife, grandchild], records)).monthlyBenefit == Money(fen: 243_800))
    }
}

struct VerificationSinglePersonRuleTests {
    private let ill = F.person(born: "19840722", sequence: "042", relation: .spouse, seriousIllness: true)
    private let disabled = F.person(born: "20120905", sequence: "017", relation: .child,
                                    disability: F.disability(.intellectual, 3))

    /// 810000 over 3 months and 3 members: P = 90000, in the edge band.
    private func edgeHousehold(_ members: [CaseMember]) -> VerificationCase {
        F.household(members, F.monthlyIncome(F.adult, 270_000))
    }

    @Test func listsSeverelyDisabledAndSeriouslyIllMembersInMemberOrder() throws {
        let outcome = try F.outcome(edgeHousehold([F.adult, ill, disabled]))
        #expect(outcome.conclusion == .edge)
        #expect(outcome.singlePersonEligible == [ill.id, disabled.id])
        let reversed = try F.outcome(edgeHousehold([disabled, ill, F.adult]))
        #expect(reversed.singlePersonEligible == [disabled.id, ill.id])
        #expect(outcome.monthlyBenefit == .zero)
    }

    @Test func onlyCountedMembersAreListed() throws {
        let away = F.person(born: "19900101", sequence: "057", relation: .sibling, status: .drugRehab, seriousIllness: true)
        let records = F.monthlyIncome(F.adult, 270_000)
        let outcome = try F.outcome(F.household([F.adult, ill, disabled, away], records))
        #expect(outcome.singlePersonEligible == [ill.id, disabled.id])
    }

    @Test func theListIsEmptyUnlessTheConclusionIsEdge() throws {
        let poor = F.household([F.adult, ill, disabled], F.monthlyIncome(F.adult, 30_000))
        #expect(try F.outcome(poor).conclusion == .dibao)
        #expect(try F.outcome(poor).singlePersonEligible.isEmpty)
        var flagged = edgeHousehold([F.adult, ill, disabled])
        flagged.records.append(F.vehicle(F.adult, .car, 9_000_000))
        #expect(try F.outcome(flagged).conclusion == .ineligible)
        #expect(try F.outcome(flagged).singlePersonEligible.isEmpty)
    }
}

struct VerificationExplanationTests {
    private func prisonerCase() -> VerificationCase {
        let prisoner = F.person(born: "19810612", sequence: "024", relation: .spouse, status: .prisoner)
        return F.household([F.adult, prisoner],
                           F.monthlyIncome(F.adult, 50_000) + [F.income(prisoner, "2026-04", 500_000),
                                                               F.vehicle(F.adult, .car, 9_000_000)])
    }

    @Test func everyLineNamesItsRuleInBothLanguagesAndMasksIDs() throws {
        let input = prisonerCase()
        let result = try F.evaluate(input)
        let zh = result.explanation(.zh), en = result.explanation(.en)
        #expect(zh.count == result.findings.count && en.count == zh.count)
        #expect(zh.allSatisfy { $0.hasPrefix("规则") })
        #expect(en.allSatisfy { $0.hasPrefix("Rule ") })
        for line in zh + en {
            for member in input.members { #expect(!line.contains(member.id.value), "\(line)") }
        }
        #expect(result.findings.map(\.rule) == result.findings.map(\.rule).sorted())
    }

    @Test func eachRecordHasALineWithItsSourceAndEffect() throws {
        let result = try F.evaluate(prisonerCase())
        for index in 0..<5 {
            #expect(result.findings.contains { $0.recordIndex == index }, "records[\(index)] is explained")
        }
        let ignored = try #require(result.findings.first { $0.recordIndex == 3 })
        #expect(ignored.rule == .members)
        #expect(ignored.source == "tax")
        #expect(ignored.text(.en).contains("records[3]"))
        #expect(ignored.text(.en).contains("ignored"))
        let car = try #require(result.findings.first { $0.recordIndex == 4 })
        #expect(car.flag == .vehicle)
        #expect(car.rule == .vehicles)
        #expect(car.text(.zh).contains("超过上限"))
    }

    @Test func theConclusionLineGivesTheReason() throws {
        let result = try F.evaluate(prisonerCase())
        let line = try #require(result.findings.first { $0.rule == .conclusion })
        #expect(line.effect.zh.contains("车辆超限"))
        #expect(line.effect.en.contains("vehicle over the cap"))
    }
}

struct VerificationOutcomeEncodingTests {
    @Test func theOutcomeEncodesEveryFieldWithSortedKeys() throws {
        let outcome = try F.outcome(F.household([F.adult]))
        let text = outcome.json.rendered(pretty: true)
        #expect(text == """
        {
          "conclusion": "dibao",
          "countedMembers": 1,
          "flags": [],
          "missingSources": [],
          "monthlyBenefit": 74000,
          "perCapitaFinancialAssets": 0,
          "perCapitaIncome": 0,
          "singlePersonEligible": []
        }
        """)
        #expect(outcome.json.rendered(pretty: false) == #"{"conclusion":"dibao","countedMembers":1,"flags":[],"missingSources":[],"monthlyBenefit":74000,"perCapitaFinancialAssets":0,"perCapitaIncome":0,"singlePersonEligible":[]}"#)
    }

    @Test func codableEncodingGivesTheSameShape() throws {
        let ill = F.person(born: "19840722", sequence: "042", relation: .spouse, seriousIllness: true)
        let outcome = try F.outcome(F.household([F.adult, ill], F.monthlyIncome(F.adult, 180_000)))
        #expect(outcome.singlePersonEligible == [ill.id])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try JSONValue.parse(encoder.encode(outcome)) == outcome.json)
        #expect(try JSONDecoder().decode(VerificationOutcome.self, from: encoder.encode(outcome)) == outcome)
    }

    @Test func theRenderedOutcomeReadsBackAsTheSameOutcome() throws {
        let ill = F.person(born: "19840722", sequence: "042", relation: .spouse, seriousIllness: true)
        var sources = Dictionary(uniqueKeysWithValues: F.requiredSources.map { ($0, SourceStatus.returned) })
        sources["bank"] = .failed
        let outcome = try F.outcome(F.household([F.adult, ill], F.monthlyIncome(F.adult, 180_000) + [F.company(ill, .soleTrader)]))
        let undetermined = try F.outcome(F.household([F.adult], sources: sources))
        for value in [outcome, undetermined] {
            for pretty in [true, false] {
                let parsed = try JSONValue.parse(value.json.rendered(pretty: pretty))
                #expect(try VerificationOutcome(field: CaseField(parsed), asOf: F.asOf) == value)
            }
        }
    }
}

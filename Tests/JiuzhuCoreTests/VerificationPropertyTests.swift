import Testing
@testable import JiuzhuCore

private typealias F = VerificationFixture

/// Random households from a seed: every run explores the same cases, and a
/// failure names the seed that reproduces it.
struct RandomHousehold {
    var rng: SeededGenerator

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    mutating func day(from: LocalDate, to: LocalDate) -> LocalDate {
        LocalDate(dayNumber: Int.random(in: from.dayNumber...to.dayNumber, using: &rng))
    }

    /// Months around the default window, so that some records fall outside it.
    mutating func month() -> String {
        pick(["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"])
    }

    mutating func member(_ index: Int, forceCounted: Bool) -> CaseMember {
        let born = day(from: date(1935, 1, 1), to: date(2026, 6, 1))
        let digits = String(born.year) + (born.month < 10 ? "0" : "") + String(born.month)
            + (born.day < 10 ? "0" : "") + String(born.day)
        let disability: Disability? = chance(25)
            ? F.disability(pick(DisabilityType.allCases), Int.random(in: 1...4, using: &rng)) : nil
        return F.person(born: digits, sequence: "0" + String(10 + index),
                        relation: index == 0 ? .head : pick(CaseRelation.allCases),
                        coResident: forceCounted || chance(90),
                        status: forceCounted || chance(85) ? .normal : pick(MemberStatus.allCases),
                        disability: disability, seriousIllness: chance(12))
    }

    static let incomeKinds = ["wage", "business", "property", "transferIn", "pension", "unemployment", "other",
                              "transferOut", "assistance", "scholarship", "basicPension"]

    mutating func record(for members: [CaseMember], usedAssetDays: inout Set<String>) -> DepartmentRecord {
        let member = pick(members)
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<50:
            return F.income(member, month(), Int64.random(in: 0...60_000, using: &rng), kind: pick(Self.incomeKinds))
        case 50..<60:
            return F.expense(member, month(), Int64.random(in: 0...80_000, using: &rng),
                             kind: pick(["medicalOutOfPocket", "employmentCost"]))
        case 60..<75:
            // One balance per account and day, so that the record order never matters.
            var account: String, asOfDate: LocalDate
            repeat {
                account = pick(["A", "B", "C", "D"])
                asOfDate = day(from: date(2026, 1, 1), to: date(2026, 7, 31))
            } while !usedAssetDays.insert(account + asOfDate.description).inserted
            return F.asset(member, account: account, on: asOfDate, Int64.random(in: 0...1_000_000, using: &rng),
                           kind: pick(FinancialAssetKind.allCases))
        case 75..<83:
            return F.vehicle(member, pick(VehicleType.allCases), Int64.random(in: 0...3_500_000, using: &rng))
        case 83..<91:
            return F.property(member, chance(80) ? .residential : .nonResidential)
        case 91..<96:
            return F.company(member, pick(CompanyRole.allCases), active: chance(70))
        default:
            return F.death(member, day(from: date(2026, 1, 1), to: date(2026, 12, 31)))
        }
    }

    mutating func household() -> VerificationCase {
        let count = Int.random(in: 1...5, using: &rng)
        let members = (0..<count).map { member($0, forceCounted: $0 == 0) }
        var usedAssetDays: Set<String> = []
        var records = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
            record(for: members, usedAssetDays: &usedAssetDays)
        }
        // The first member must stay counted: no death on or before asOf for them.
        records.removeAll { record in
            if case .death(let day) = record.detail, record.member == members[0].id, day <= F.asOf { return true }
            return false
        }
        let policy = F.policy {
            $0.standardUrban = Money(fen: Int64.random(in: 50_000...100_000, using: &rng))
            $0.edgeMultiplier = F.decimal(pick(["1.5", "1.2", "2", "1.25", "1.333"]))
            $0.maxHomes = pick([0, 1, 1, 2])
            $0.nonResidentialDisqualifies = chance(70)
            $0.companyRoleDisqualifies = chance(70)
            $0.deductibleKinds = chance(50) ? ["medicalOutOfPocket"] : ["medicalOutOfPocket", "employmentCost"]
        }
        // A wage for the head aimed at a per-capita income anywhere from nothing to
        // beyond the edge band, so that every conclusion comes up often.
        let target = Int64.random(in: 0...(policy.standardUrban.fen * 22 / 10), using: &rng)
        records += F.monthlyIncome(members[0], target * Int64(count))
        var sources: [String: SourceStatus] = [:]
        for source in F.requiredSources where chance(99) {
            sources[source] = chance(99) ? .returned : pick(SourceStatus.allCases)
        }
        return F.household(members, records, residence: chance(60) ? .urban : .rural, policy: policy, sources: sources)
    }
}

struct VerificationPropertyTests {
    static let seeds: [UInt64] = Array(1...300)

    private func outcome(_ input: VerificationCase, seed: UInt64) throws -> VerificationOutcome {
        try VerificationCalculator.evaluate(input).outcome
    }

    @Test func addingAnExcludedKindOfIncomeNeverChangesTheOutcome() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            let before = try outcome(input, seed: seed)
            let member = random.pick(input.members)
            let kind = random.pick(Array(input.policy.excludedIncomeKinds))
            input.records.insert(F.income(member, random.month(), Int64.random(in: 1...9_000_000, using: &random.rng),
                                          kind: kind),
                                 at: Int.random(in: 0...input.records.count, using: &random.rng))
            #expect(try outcome(input, seed: seed) == before, "seed \(seed)")
        }
    }

    @Test func addingIncomeNeverIncreasesTheBenefitNorLowersPerCapitaIncome() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            let before = try outcome(input, seed: seed)
            let kind = random.pick(Array(IncomeTreatment.countedKinds))
            input.records.append(F.income(random.pick(input.members), random.month(),
                                          Int64.random(in: 1...500_000, using: &random.rng), kind: kind))
            let after = try outcome(input, seed: seed)
            #expect(after.monthlyBenefit <= before.monthlyBenefit, "seed \(seed)")
            #expect(after.perCapitaIncome >= before.perCapitaIncome, "seed \(seed)")
        }
    }

    @Test func addingSupportPaidOrADeductibleExpenseNeverRaisesPerCapitaIncome() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            let before = try outcome(input, seed: seed)
            let member = random.pick(input.members)
            let amount = Int64.random(in: 1...200_000, using: &random.rng)
            input.records.append(random.chance(50) ? F.income(member, random.month(), amount, kind: "transferOut")
                                                   : F.expense(member, random.month(), amount))
            #expect(try outcome(input, seed: seed).perCapitaIncome <= before.perCapitaIncome, "seed \(seed)")
        }
    }

    @Test func theBenefitIsPaidExactlyWhenTheConclusionIsDibao() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            let input = random.household()
            let result = try VerificationCalculator.evaluate(input)
            let outcome = result.outcome
            if outcome.conclusion == .dibao {
                // At least the gap for every counted member; never more than the gap plus the largest top-up each.
                let gap = (result.standard.fen - outcome.perCapitaIncome.fen) * Int64(outcome.countedMembers)
                let largest = Int64(input.policy.topUps.map(\.percentOfStandard).max() ?? 0)
                #expect(outcome.monthlyBenefit.fen >= gap, "seed \(seed)")
                #expect(outcome.monthlyBenefit.fen <= gap + result.standard.fen * largest / 100 * Int64(outcome.countedMembers),
                        "seed \(seed)")
                #expect(outcome.perCapitaIncome < result.standard, "seed \(seed)")
            } else {
                #expect(outcome.monthlyBenefit == .zero, "seed \(seed)")
            }
            if outcome.conclusion != .edge { #expect(outcome.singlePersonEligible.isEmpty, "seed \(seed)") }
        }
    }

    @Test func theConclusionFollowsTheRuleOrder() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            let outcome = try VerificationCalculator.evaluate(random.household()).outcome
            #expect((outcome.conclusion == .undetermined) == !outcome.missingSources.isEmpty, "seed \(seed)")
            if outcome.missingSources.isEmpty, outcome.flags.contains(where: \.disqualifies) {
                #expect(outcome.conclusion == .ineligible, "seed \(seed)")
            }
            #expect(outcome.flags == outcome.flags.sorted() && Set(outcome.flags).count == outcome.flags.count)
            #expect(outcome.missingSources == outcome.missingSources.sorted())
        }
    }

    @Test func theOrderOfTheRecordsDoesNotMatter() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            let before = try outcome(input, seed: seed)
            input.records.shuffle(using: &random.rng)
            #expect(try outcome(input, seed: seed) == before, "seed \(seed)")
        }
    }

    @Test func recordsOfPeopleOutsideTheCountNeverMatter() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            let before = try outcome(input, seed: seed)
            let stranger = F.person(born: "19700101", sequence: "099")
            let prisoner = F.person(born: "19710101", sequence: "098", relation: .sibling, status: .prisoner,
                                    disability: F.disability(.mental, 1))
            input.members.append(prisoner)
            var unused: Set<String> = []
            for _ in 0..<5 {
                input.records.append(random.record(for: [stranger, prisoner], usedAssetDays: &unused))
            }
            // A new account name each, so that no balance replaces a household account's.
            input.records = input.records.map { record in
                guard record.member == stranger.id || record.member == prisoner.id,
                      case .financialAsset(let kind, let account, let day, let balance) = record.detail
                else { return record }
                return DepartmentRecord(source: record.source, member: record.member,
                                        detail: .financialAsset(kind: kind, account: "X" + account, asOfDate: day, balance: balance))
            }
            #expect(try outcome(input, seed: seed) == before, "seed \(seed)")
        }
    }

    @Test func aDisqualifyingVehicleAlwaysEndsInIneligibleOrUndetermined() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            input.records.append(F.vehicle(input.members[0], .car, input.policy.vehicleValueCap.fen + 1))
            let outcome = try outcome(input, seed: seed)
            #expect(outcome.flags.contains(.vehicle), "seed \(seed)")
            #expect([.ineligible, .undetermined].contains(outcome.conclusion), "seed \(seed)")
        }
    }

    /// The batch's outcome-only evaluation is the report's, without the text:
    /// same outcome for random households, with and without exemptions.
    @Test func theOutcomeAloneIsTheOutcomeOfTheExplainedEvaluation() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            var input = random.household()
            #expect(try VerificationCalculator.outcome(input) == VerificationCalculator.evaluate(input).outcome, "seed \(seed)")
            if !input.records.isEmpty, random.chance(50) {
                input.exemptions = [Int.random(in: 0..<input.records.count, using: &random.rng): "用于生产 / used for work"]
                #expect(try VerificationCalculator.outcome(input) == VerificationCalculator.evaluate(input).outcome,
                        "seed \(seed), exempted")
            }
        }
    }

    @Test func theOutcomeReadsBackFromItsJSON() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            let outcome = try VerificationCalculator.evaluate(random.household()).outcome
            let parsed = try JSONValue.parse(outcome.json.rendered(pretty: seed % 2 == 0))
            #expect(try VerificationOutcome(field: CaseField(parsed), asOf: F.asOf) == outcome, "seed \(seed)")
        }
    }

    @Test func aCaseWrittenAsJSONReadsBackAsTheSameCase() throws {
        for seed in Self.seeds {
            var random = RandomHousehold(seed: seed)
            let input = random.household()
            let read = try VerificationCase(field: CaseField(CaseWriter.json(input)))
            #expect(read == input, "seed \(seed)")
        }
    }
}

/// Writes a case in the file format, so that the reader is tested against
/// every shape the generator makes.
enum CaseWriter {
    static func json(_ input: VerificationCase) -> JSONValue {
        let policy = input.policy
        func strings(_ items: some Sequence<String>) -> JSONValue { .array(items.map { .string($0) }) }
        func money(_ amount: Money) -> JSONValue { .integer(amount.fen) }
        let policyJSON: JSONValue = .object([
            "standardUrban": money(policy.standardUrban), "standardRural": money(policy.standardRural),
            "edgeMultiplier": .string(policy.edgeMultiplier.text), "referenceMonths": .integer(Int64(policy.referenceMonths)),
            "financialAssetMonths": .integer(Int64(policy.financialAssetMonths)), "vehicleValueCap": money(policy.vehicleValueCap),
            "exemptVehicleTypes": strings(policy.exemptVehicleTypes.map(\.rawValue)), "maxHomes": .integer(Int64(policy.maxHomes)),
            "nonResidentialDisqualifies": .bool(policy.nonResidentialDisqualifies),
            "companyRoleDisqualifies": .bool(policy.companyRoleDisqualifies),
            "excludedIncomeKinds": strings(policy.excludedIncomeKinds), "deductibleKinds": strings(policy.deductibleKinds),
            "requiredSources": strings(policy.requiredSources),
            "topUps": .array(policy.topUps.map {
                .object(["group": .string($0.group.rawValue), "percentOfStandard": .integer(Int64($0.percentOfStandard))])
            }),
        ])
        let members: [JSONValue] = input.members.map { member in
            var fields: [String: JSONValue] = [
                "id": .string(member.id.value), "name": .string(member.name), "relation": .string(member.relation.rawValue),
                "coResident": .bool(member.coResident), "status": .string(member.status.rawValue),
                "seriousIllness": .bool(member.seriousIllness),
            ]
            if let disability = member.disability {
                fields["disability"] = .object(["type": .string(disability.type.rawValue),
                                                "grade": .integer(Int64(disability.grade))])
            }
            return .object(fields)
        }
        let records: [JSONValue] = input.records.map { record in
            var fields: [String: JSONValue] = ["source": .string(record.source), "member": .string(record.member.value),
                                               "type": .string(record.detail.type.rawValue)]
            switch record.detail {
            case .income(let kind, let month, let amount), .expense(let kind, let month, let amount):
                fields["kind"] = .string(kind)
                fields["month"] = .string(month.description)
                fields["amount"] = money(amount)
            case .financialAsset(let kind, let account, let day, let balance):
                fields["kind"] = .string(kind.rawValue)
                fields["account"] = .string(account)
                fields["asOfDate"] = .string(day.description)
                fields["balance"] = money(balance)
            case .vehicle(let plate, let type, let value):
                fields["plate"] = .string(plate)
                fields["vehicleType"] = .string(type.rawValue)
                fields["value"] = money(value)
            case .property(let use, let area):
                fields["use"] = .string(use.rawValue)
                fields["area"] = .string(area.text)
            case .company(let role, let active):
                fields["role"] = .string(role.rawValue)
                fields["active"] = .bool(active)
            case .death(let day):
                fields["date"] = .string(day.description)
            }
            return .object(fields)
        }
        return .object([
            "name": .string(input.name), "asOf": .string(input.asOf.description),
            "residence": .string(input.residence.rawValue), "policy": policyJSON, "members": .array(members),
            "sources": .object(input.sources.mapValues { .string($0.rawValue) }), "records": .array(records),
        ])
    }
}

/// 家庭经济状况核对计算 — rules 1–11 of cases/FORMAT.md, the reference
/// calculation, applied exactly as written: integer fen throughout, floors
/// where the rules say floor, exact products for the thresholds.
///
/// Pure: the same case gives the same result, with one explanation line per
/// finding in rule order.
public enum VerificationCalculator {
    public static func evaluate(_ input: VerificationCase) throws(UserError) -> VerificationResult {
        try input.checkConsistency()
        var run = Run(input, exemptions: try input.checkedExemptions(), explain: true)
        return try run.evaluate()
    }

    /// The outcome alone, by the same rules: the explanation lines are not
    /// written (the batch re-verifies a million households and keeps only
    /// their outcomes; a report always comes from `evaluate`). The result is
    /// exactly `evaluate(input).outcome`, and the same inputs are refused.
    public static func outcome(_ input: VerificationCase) throws(UserError) -> VerificationOutcome {
        try input.checkConsistency()
        var run = Run(input, exemptions: try input.checkedExemptions(), explain: false)
        return try run.evaluate().outcome
    }
}

/// The state of one evaluation; the findings are kept per rule so that the
/// explanation reads in rule order whatever order the records come in.
private struct Run {
    let input: VerificationCase
    var policy: VerificationPolicy { input.policy }
    var asOf: LocalDate { input.asOf }
    let standard: Money
    /// The findings and flags so far (a reference, so that `note` can read
    /// the case while it writes here).
    let notes = Notes()
    /// The death records that took a member out of the count (rule 1).
    var decisiveDeaths: Set<Int> = []
    /// Exempted records by index, with the reason (checked, trimmed).
    let exemptions: [Int: String]
    /// Whether findings are written; without, `note` only raises flags.
    let explain: Bool

    init(_ input: VerificationCase, exemptions: [Int: String], explain: Bool) {
        self.input = input
        self.standard = input.policy.standard(for: input.residence)
        self.exemptions = exemptions
        self.explain = explain
    }

    final class Notes {
        var lines: [VerificationRule: [VerificationFinding]] = [:]
        var flags: Set<VerificationFlag> = []
    }

    /// Records a finding (its text is built only when explaining) and raises its flag.
    func note(_ rule: VerificationRule, _ effect: @autoclosure () -> Bilingual, record index: Int? = nil,
              member: ResidentID? = nil, source: String? = nil, flag: VerificationFlag? = nil, exemption: String? = nil) {
        if let flag { notes.flags.insert(flag) }
        guard explain else { return }
        let record = index.map { input.records[$0] }
        let finding = VerificationFinding(rule: rule, source: source ?? record?.source, recordIndex: index,
                                          member: member ?? record?.member, flag: flag, effect: effect(),
                                          exemption: exemption)
        notes.lines[rule, default: []].append(finding)
    }

    mutating func evaluate() throws(UserError) -> VerificationResult {
        // Rule 1 — counted members.
        let counted = countMembers()
        let memberCount = Int64(counted.count)
        guard memberCount > 0 else {
            let text = VerificationText.noCountedMembers
            throw UserError("verification.no_counted_members", field: "members", zh: text.zh, en: text.en)
        }
        let countedIDs = Set(counted.map(\.id))
        let memberIDs = Set(input.members.map(\.id))

        // Rule 2 — the whole calendar months before the month of asOf.
        let asOfMonth = YearMonth(asOf)
        guard let firstMonth = asOfMonth.adding(months: -policy.referenceMonths),
              let lastMonth = asOfMonth.adding(months: -1)
        else {
            let text = VerificationText.windowRange
            throw UserError("verification.window", field: "policy.referenceMonths", zh: text.zh, en: text.en)
        }
        let window = firstMonth...lastMonth
        note(.window, VerificationText.window(window, months: policy.referenceMonths, asOf: asOf))

        var countedIncome: Int64 = 0, supportPaid: Int64 = 0, deductions: Int64 = 0
        var assetRecords: [Int] = []
        var homes = 0

        for (index, record) in input.records.enumerated() {
            // An exempted record counts for nothing, whoever it is about: one line under its own rule.
            if let reason = exemptions[index] {
                note(record.detail.type.rule, VerificationText.exempted(record.detail, reason: reason),
                     record: index, exemption: reason)
                continue
            }
            guard countedIDs.contains(record.member) else {
                // A death that made the member not counted is already the member's own line.
                if decisiveDeaths.contains(index) { continue }
                note(.members, memberIDs.contains(record.member) ? VerificationText.recordOfUncountedMember
                                                                 : VerificationText.recordOfNonMember, record: index)
                continue
            }
            switch record.detail {
            case .income(let kind, let month, let amount):
                guard window.contains(month) else {
                    note(.window, VerificationText.outsideWindow(month, amount), record: index)
                    continue
                }
                guard let treatment = policy.treatment(ofIncome: kind) else {
                    // Unreachable after checkConsistency; an input error all the same, never a trap.
                    let text = VerificationText.unknownIncomeKind(kind)
                    throw UserError("verification.income_kind", field: "records[\(index)].kind", zh: text.zh, en: text.en)
                }
                switch treatment {
                case .counted:
                    countedIncome = try add(countedIncome, amount.fen, record: index)
                    note(.income, VerificationText.incomeCounted(kind, month, amount), record: index)
                case .subtracted:
                    supportPaid = try add(supportPaid, amount.fen, record: index)
                    note(.income, VerificationText.transferOut(month, amount), record: index)
                case .excluded:
                    note(.income, VerificationText.incomeExcluded(kind, month, amount), record: index)
                }
            case .expense(let kind, let month, let amount):
                guard window.contains(month) else {
                    note(.window, VerificationText.outsideWindow(month, amount), record: index)
                    continue
                }
                if policy.deductibleKinds.contains(kind) {
                    deductions = try add(deductions, amount.fen, record: index)
                    note(.income, VerificationText.expenseDeducted(kind, month, amount), record: index)
                } else {
                    note(.income, VerificationText.expenseNotDeductible(kind, month, amount), record: index)
                }
            case .financialAsset:
                assetRecords.append(index)
            case .vehicle(let plate, let type, let value):
                if policy.exemptVehicleTypes.contains(type) {
                    note(.vehicles, VerificationText.vehicleExempt(plate: plate, type: type, value: value), record: index)
                } else {
                    let over = value > policy.vehicleValueCap
                    note(.vehicles, VerificationText.vehicle(plate: plate, type: type, value: value,
                                                             cap: policy.vehicleValueCap, over: over),
                         record: index, flag: over ? .vehicle : nil)
                }
            case .property(let use, let area):
                switch use {
                case .residential:
                    homes += 1
                    note(.property, VerificationText.residential(area: area), record: index)
                case .nonResidential:
                    let disqualifies = policy.nonResidentialDisqualifies
                    note(.property, VerificationText.nonResidential(area: area, disqualifies: disqualifies),
                         record: index, flag: disqualifies ? .nonResidentialProperty : nil)
                }
            case .company(let role, let active):
                if !active {
                    note(.companies, VerificationText.companyInactive(role), record: index)
                } else if role.isCompanyRole {
                    let disqualifies = policy.companyRoleDisqualifies
                    note(.companies, VerificationText.companyRole(role, disqualifies: disqualifies),
                         record: index, flag: disqualifies ? .company : nil)
                } else {
                    note(.companies, VerificationText.soleTrader, record: index, flag: .soleTrader)
                }
            case .death(let date):
                // Counted, so this death is after asOf.
                note(.members, VerificationText.deathAfterAsOf(date, asOf: asOf), record: index)
            }
        }

        // Rule 3 — income.
        guard let afterSupport = ExactArithmetic.sum(countedIncome, -supportPaid),
              let income = ExactArithmetic.sum(afterSupport, -deductions)
        else { throw overflow(field: "records") }
        let divisor = Int64(policy.referenceMonths) * memberCount
        let perCapitaIncome = Money(fen: max(income, 0) / divisor)
        note(.income, VerificationText.incomeSummary(
            counted: Money(fen: countedIncome), paid: Money(fen: supportPaid), deducted: Money(fen: deductions),
            total: Money(fen: income), months: policy.referenceMonths, members: counted.count,
            perCapita: perCapitaIncome))

        // Rule 4 — financial assets.
        let assets = try financialAssets(assetRecords)
        let perCapitaAssets = Money(fen: assets / memberCount)
        let assetMonths = Int64(policy.financialAssetMonths)
        let assetsOver = ExactArithmetic.isLess(assetMonths, standard.fen, than: perCapitaAssets.fen, 1)
        note(.financialAssets, VerificationText.assetSummary(
            total: Money(fen: assets), members: counted.count, perCapita: perCapitaAssets,
            months: policy.financialAssetMonths, standard: standard,
            limit: ExactArithmetic.product(assetMonths, standard.fen).map(Money.init(fen:)), exceeded: assetsOver),
             flag: assetsOver ? .financialAssets : nil)

        // Rule 6 — the household's homes together.
        let tooManyHomes = homes > policy.maxHomes
        note(.property, VerificationText.homes(count: homes, max: policy.maxHomes), flag: tooManyHomes ? .homes : nil)

        // Rule 8 — missing sources.
        var missing: [String] = []
        var listed: Set<String> = []
        for source in policy.requiredSources where listed.insert(source).inserted {
            let status = input.sources[source]
            if status == .returned {
                note(.missingSources, VerificationText.sourceReturned(source), source: source)
            } else {
                missing.append(source)
                note(.missingSources, VerificationText.sourceMissing(source, status: status), source: source)
            }
        }
        missing.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        // Rule 9 — conclusion, in the order of the rules.
        let disqualifying = notes.flags.filter(\.disqualifies).sorted()
        let conclusion: VerificationConclusion
        let residence = input.residence
        if !missing.isEmpty {
            conclusion = .undetermined
            note(.conclusion, VerificationText.undetermined(missing: missing, residence: residence))
        } else if !disqualifying.isEmpty {
            conclusion = .ineligible
            note(.conclusion, VerificationText.disqualified(flags: disqualifying, residence: residence))
        } else if perCapitaIncome < standard {
            conclusion = .dibao
            note(.conclusion, VerificationText.belowStandard(perCapita: perCapitaIncome, standard: standard,
                                                             residence: residence))
        } else if policy.edgeMultiplier.times(standard.fen, exceeds: perCapitaIncome.fen) {
            conclusion = .edge
            note(.conclusion, VerificationText.edgeBand(perCapita: perCapitaIncome, standard: standard,
                                                        multiplier: policy.edgeMultiplier, residence: residence))
        } else {
            conclusion = .ineligible
            note(.conclusion, VerificationText.aboveEdge(perCapita: perCapitaIncome, standard: standard,
                                                         multiplier: policy.edgeMultiplier, residence: residence))
        }

        // Rule 10 — benefit.
        let benefit = conclusion == .dibao
            ? try monthlyBenefit(counted: counted, perCapitaIncome: perCapitaIncome)
            : Money.zero
        if conclusion != .dibao {
            note(.benefit, VerificationText.noBenefit(conclusion, residence: residence))
        }

        // Rule 11 — single-person coverage, in member order.
        var single: [ResidentID] = []
        if conclusion == .edge {
            for member in counted where member.isSeverelyDisabled || member.seriousIllness {
                single.append(member.id)
                note(.singlePerson, VerificationText.singlePerson(severeDisability: member.isSeverelyDisabled,
                                                                  seriousIllness: member.seriousIllness),
                     member: member.id)
            }
            if single.isEmpty { note(.singlePerson, VerificationText.singlePersonNone) }
        }

        let outcome = VerificationOutcome(
            conclusion: conclusion, countedMembers: counted.count, perCapitaIncome: perCapitaIncome,
            perCapitaFinancialAssets: perCapitaAssets, flags: Array(notes.flags), missingSources: missing,
            monthlyBenefit: benefit, singlePersonEligible: single)
        return VerificationResult(
            outcome: outcome, findings: VerificationRule.allCases.flatMap { notes.lines[$0] ?? [] },
            standard: standard, window: window, householdIncome: Money(fen: income), financialAssets: Money(fen: assets),
            countedMemberIDs: counted.map(\.id))
    }

    /// Rule 1: co-resident, normal status, and no death on or before asOf; in member order.
    mutating func countMembers() -> [CaseMember] {
        // The earliest death on or before asOf, should a department report one twice.
        var deaths: [ResidentID: (date: LocalDate, index: Int)] = [:]
        for (index, record) in input.records.enumerated() {
            guard case .death(let date) = record.detail, date <= asOf, exemptions[index] == nil else { continue }
            if let known = deaths[record.member], known.date <= date { continue }
            deaths[record.member] = (date, index)
        }
        var counted: [CaseMember] = []
        for member in input.members {
            if !member.coResident {
                note(.members, VerificationText.memberNotCoResident, member: member.id)
            } else if !member.status.countsInHousehold {
                note(.members, VerificationText.memberStatus(member.status), member: member.id)
            } else if let death = deaths[member.id] {
                decisiveDeaths.insert(death.index)
                note(.members, VerificationText.memberDied(death.date), record: death.index)
            } else {
                counted.append(member)
                note(.members, VerificationText.memberCounted(age: member.id.age(at: asOf)), member: member.id)
            }
        }
        return counted
    }

    /// Rule 4: per account, the record with the latest `asOfDate` not after
    /// asOf (of two on the same day, the later in the file: a department's
    /// correction comes after the original); the sum of their balances.
    mutating func financialAssets(_ indexes: [Int]) throws(UserError) -> Int64 {
        var latest: [String: (date: LocalDate, index: Int)] = [:]
        for index in indexes {
            guard case .financialAsset(_, let account, let date, _) = input.records[index].detail, date <= asOf
            else { continue }
            if let known = latest[account], known.date > date { continue }
            latest[account] = (date, index)
        }
        var total: Int64 = 0
        for index in indexes {
            guard case .financialAsset(let kind, let account, let date, let balance) = input.records[index].detail
            else { continue }
            if date > asOf {
                note(.financialAssets, VerificationText.assetAfterAsOf(kind, account: account, date: date, asOf: asOf),
                     record: index)
            } else if let chosen = latest[account], chosen.index != index {
                note(.financialAssets, VerificationText.assetSuperseded(account: account, date: date, by: chosen.index),
                     record: index)
            } else {
                total = try add(total, balance.fen, record: index)
                note(.financialAssets, VerificationText.assetUsed(kind, account: account, date: date, balance: balance),
                     record: index)
            }
        }
        return total
    }

    /// Rule 10: the gap to the standard for every counted member, plus for
    /// each member the largest top-up of the groups they are in.
    mutating func monthlyBenefit(counted: [CaseMember], perCapitaIncome: Money) throws(UserError) -> Money {
        let gap = standard.fen - perCapitaIncome.fen  // positive: dibao means P < standard
        guard let base = ExactArithmetic.product(gap, Int64(counted.count)) else { throw overflow(field: "policy") }
        note(.benefit, VerificationText.benefitBase(standard: standard, perCapita: perCapitaIncome,
                                                    members: counted.count, amount: Money(fen: base)))
        var total = base
        for member in counted {
            let groups = member.topUpGroups(at: asOf)
            guard let topUp = policy.largestTopUp(among: groups) else { continue }
            guard let scaled = ExactArithmetic.product(standard.fen, Int64(topUp.percentOfStandard)),
                  let sum = ExactArithmetic.sum(total, scaled / 100)
            else { throw overflow(field: "policy.topUps") }
            total = sum
            note(.benefit, VerificationText.topUp(topUp, amount: Money(fen: scaled / 100), groups: groups),
                 member: member.id)
        }
        note(.benefit, VerificationText.benefitTotal(Money(fen: total)))
        return Money(fen: total)
    }

    func add(_ total: Int64, _ amount: Int64, record index: Int) throws(UserError) -> Int64 {
        guard let sum = ExactArithmetic.sum(total, amount) else { throw overflow(field: "records[\(index)]") }
        return sum
    }

    func overflow(field: String) -> UserError {
        let text = VerificationText.overflow
        return UserError("verification.overflow", field: field, zh: text.zh, en: text.en)
    }
}

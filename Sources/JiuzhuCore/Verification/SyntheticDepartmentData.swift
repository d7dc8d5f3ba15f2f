// 模拟部门数据 — what the departments would say about a person of a
// low-income population, for the demo, the department simulator and the
// benchmarks.

/// Deterministic synthetic department records: the same seed, source, person
/// and day give the same records on every machine and run (the generator is
/// seeded by FNV-1a over the three, never by Swift's per-process `Hasher`).
///
/// Shares, per person, for a low-income county:
/// - `tax`: wages for about half of those aged 18–59, in the 12 months before
///   `asOf`, ¥1,000–4,000 a month; a seasonal worker has gaps.
/// - `socialInsurance`: a pension (mostly the small basic pension) for about a
///   third of those 60 and over; occasionally unemployment benefit.
/// - `bank`: most adults 1–2 deposit accounts, balances mostly small, a few
///   large, dated the month end before `asOf`.
/// - `vehicle`: about 5% of adults, mostly e-bikes and motorcycles.
/// - `realEstate`: many adults one residential property, rarely a second or a
///   non-residential one.
/// - `marketRegistration`: rarely a sole trader, more rarely a company role.
/// - `deathCremation`, `securities`, `commercialInsurance`,
///   `internetFinance`, `payroll`: rare records; `householdRegistration`,
///   `marriage`, `unemploymentInsurance`, `providentFund`: none.
///
/// Across the eight standard sources a person has about 4–5 records.
public enum SyntheticDepartmentData {
    public static func records(source: String, member: ResidentID, asOf: LocalDate, seed: UInt64) -> [DepartmentRecord] {
        guard member.birthDate <= asOf else { return [] }
        var generator = Generator(seed: stableSeed(seed: seed, source: source, member: member.value))
        let age = member.age(at: asOf)
        var builder = Builder(source: source, member: member, asOf: asOf)
        switch source {
        case "tax": builder.tax(age: age, &generator)
        case "socialInsurance": builder.socialInsurance(age: age, &generator)
        case "bank": builder.bank(age: age, &generator)
        case "vehicle": builder.vehicle(age: age, &generator)
        case "realEstate": builder.realEstate(age: age, &generator)
        case "marketRegistration": builder.marketRegistration(age: age, &generator)
        case "deathCremation": builder.death(age: age, &generator)
        case "securities": builder.asset(.security, age: age, share: 0.01, range: 100_000...5_000_000, &generator)
        case "commercialInsurance": builder.asset(.insurance, age: age, share: 0.02, range: 100_000...2_000_000, &generator)
        case "internetFinance": builder.asset(.internetFinance, age: age, share: 0.10, range: 100...200_000, &generator)
        case "payroll": builder.payroll(age: age, &generator)
        default: break
        }
        return builder.records
    }

    /// FNV-1a (64-bit) over the seed's bytes, the source and the ID number,
    /// with a zero byte between the parts so that no two inputs run together.
    static func stableSeed(seed: UInt64, source: String, member: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: seed >> UInt64(shift))) }
        mix(0)
        for byte in source.utf8 { mix(byte) }
        mix(0)
        for byte in member.utf8 { mix(byte) }
        return hash
    }

    /// SplitMix64 with its own bounded draws, so that the numbers do not
    /// depend on how the standard library maps a generator to a range.
    struct Generator {
        var base: SplitMix64

        init(seed: UInt64) {
            base = SplitMix64(seed: seed)
        }

        /// True with probability `p`.
        mutating func chance(_ p: Double) -> Bool {
            Double(base.next() >> 11) * 0x1p-53 < p
        }

        /// Uniform in `range` (multiply-high; the bias is far below anything a
        /// synthetic share could show).
        mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
            let width = UInt64(range.upperBound - range.lowerBound) &+ 1
            guard width != 0 else { return Int64(bitPattern: base.next()) }
            return range.lowerBound + Int64(base.next().multipliedFullWidth(by: width).high)
        }

        mutating func pick<T>(_ items: [T]) -> T {
            items[Int(int(0...Int64(items.count - 1)))]
        }

        /// `count` decimal digits.
        mutating func digits(_ count: Int) -> String {
            var text = ""
            for _ in 0..<count { text += String(int(0...9)) }
            return text
        }
    }

    private struct Builder {
        let source: String
        let member: ResidentID
        let asOf: LocalDate
        var records: [DepartmentRecord] = []

        init(source: String, member: ResidentID, asOf: LocalDate) {
            self.source = source
            self.member = member
            self.asOf = asOf
        }

        /// The 12 whole months before the month of `asOf`, oldest first.
        var window: [YearMonth] {
            (1...12).reversed().compactMap { YearMonth(asOf).adding(months: -$0) }
        }

        /// The last day of the month before `asOf`'s: the day banks report balances for.
        var lastMonthEnd: LocalDate {
            LocalDate(year: asOf.year, month: asOf.month, day: 1)?.adding(days: -1) ?? asOf
        }

        mutating func add(_ detail: RecordDetail) {
            records.append(DepartmentRecord(source: source, member: member, detail: detail))
        }

        /// Monthly income of `kind` around `base` (±10%, whole yuan), each
        /// month present with probability `presence`.
        mutating func monthly(_ kind: String, base: Int64, presence: Double, _ generator: inout Generator) {
            for month in window where generator.chance(presence) {
                let spread = base / 10
                let amount = (base + generator.int(-spread...spread)) / 100 * 100
                add(.income(kind: kind, month: month, amount: Money(fen: amount)))
            }
        }

        mutating func tax(age: Int, _ generator: inout Generator) {
            guard (18...59).contains(age), generator.chance(0.5) else { return }
            let base = generator.int(110_000...360_000)
            // Two in five work seasonally (migrant or farm work): most months, not all.
            let presence = generator.chance(0.4) ? 0.6 : 0.97
            monthly("wage", base: base, presence: presence, &generator)
        }

        mutating func socialInsurance(age: Int, _ generator: inout Generator) {
            if age >= 60 {
                guard generator.chance(1.0 / 3.0) else { return }
                if generator.chance(0.7) {
                    // 城乡居民基础养老金: small, excluded by most policies.
                    monthly("basicPension", base: generator.int(15_000...30_000), presence: 1, &generator)
                } else {
                    monthly("pension", base: generator.int(150_000...350_000), presence: 1, &generator)
                }
            } else if (18...59).contains(age), generator.chance(0.02) {
                let amount = generator.int(100_000...180_000) / 100 * 100
                let months = window.suffix(Int(generator.int(2...6)))
                for month in months { add(.income(kind: "unemployment", month: month, amount: Money(fen: amount))) }
            }
        }

        mutating func bank(age: Int, _ generator: inout Generator) {
            let accounts: Int
            if age < 16 {
                accounts = generator.chance(0.25) ? 1 : 0
            } else {
                accounts = generator.chance(0.1) ? 0 : (generator.chance(0.4) ? 2 : 1)
            }
            for _ in 0..<accounts {
                let balance: Int64
                let roll = generator.int(0...99)
                if roll < 80 {
                    balance = generator.int(0...500_000)
                } else if roll < 96 {
                    balance = generator.int(500_000...3_000_000)
                } else {
                    balance = generator.int(3_000_000...30_000_000)
                }
                let account = "62" + generator.pick(["17", "22", "28", "12", "30"]) + generator.digits(15)
                add(.financialAsset(kind: .deposit, account: account, asOfDate: lastMonthEnd, balance: Money(fen: balance)))
            }
        }

        mutating func vehicle(age: Int, _ generator: inout Generator) {
            guard age >= 18, generator.chance(0.05) else { return }
            let type: VehicleType
            let value: Int64
            switch generator.int(0...99) {
            case 0..<40: type = .ebike; value = generator.int(100_000...400_000)
            case 40..<70: type = .motorcycle; value = generator.int(300_000...900_000)
            case 70..<92: type = .car; value = generator.int(1_500_000...12_000_000)
            case 92..<97: type = .truck; value = generator.int(2_000_000...8_000_000)
            default: type = .farm; value = generator.int(500_000...3_000_000)
            }
            let province = generator.pick(["湘", "赣", "黔", "滇", "甘", "豫", "川", "桂"])
            let letter = generator.pick(["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"])
            add(.vehicle(plate: province + letter + generator.digits(5), type: type, value: Money(fen: value)))
        }

        mutating func realEstate(age: Int, _ generator: inout Generator) {
            guard age >= 18 else { return }
            func area(_ generator: inout Generator, _ range: ClosedRange<Int64>) -> ExactDecimal? {
                try? ExactDecimal(parsing: "\(generator.int(range)).\(generator.int(0...9))", field: "area")
            }
            if generator.chance(0.4), let first = area(&generator, 35...140) {
                add(.property(use: .residential, area: first))
                if generator.chance(0.05), let second = area(&generator, 30...90) {
                    add(.property(use: .residential, area: second))
                }
            }
            if generator.chance(0.015), let shop = area(&generator, 15...80) {
                add(.property(use: .nonResidential, area: shop))
            }
        }

        mutating func marketRegistration(age: Int, _ generator: inout Generator) {
            guard (18...75).contains(age) else { return }
            if generator.chance(0.03) {
                add(.company(role: .soleTrader, active: generator.chance(0.7)))
            }
            if generator.chance(0.01) {
                add(.company(role: generator.pick([.legalRepresentative, .director, .shareholder]),
                             active: generator.chance(0.8)))
            }
        }

        mutating func death(age: Int, _ generator: inout Generator) {
            guard age >= 75, generator.chance(0.003) else { return }
            let day = asOf.adding(days: -Int(generator.int(1...365)))
            if day >= member.birthDate { add(.death(date: day)) }
        }

        mutating func asset(_ kind: FinancialAssetKind, age: Int, share: Double, range: ClosedRange<Int64>,
                            _ generator: inout Generator) {
            guard age >= 18, generator.chance(share) else { return }
            let account = kind.rawValue.prefix(3).uppercased() + generator.digits(12)
            add(.financialAsset(kind: kind, account: account, asOfDate: lastMonthEnd, balance: Money(fen: generator.int(range))))
        }

        mutating func payroll(age: Int, _ generator: inout Generator) {
            guard (22...59).contains(age), generator.chance(0.003) else { return }
            monthly("wage", base: generator.int(400_000...700_000), presence: 1, &generator)
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, seedable generator,
/// so that demo data and benchmarks are the same on every run and machine.
/// Not for secrets or tracking codes.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 模拟人口 — households that look like a rural or urban Chinese county's,
/// for `jiuzhu demo` and the benchmarks: family shapes, ages, names, ID
/// numbers, phones, disability and illness in realistic shares.
///
/// Every generated ID number is valid (GB 11643), carries the county code of
/// the person's village and is unique in the population. Uniqueness is by
/// construction, not by luck: each (county, birth day, sex) has 500 sequence
/// numbers, handed out by a counter in a scrambled order; a full day moves
/// the person to the next free day of the allowed birth range. So a county
/// holds up to 500 people of one sex born on one day, far more than the
/// millions of a demo need (a birth range with no number left at all stops
/// the program as a programmer error).
///
/// Residence follows the village code (居委会 001–199 urban, 村委会 200–399
/// rural); a code above village level is treated as rural.
///
/// Deterministic for a seed: no hashing order, no clock, no global state.
public struct SyntheticPopulation: Sendable {
    private struct Village: Sendable {
        let code: RegionCode
        let county: Int
        let residence: ResidenceKind
    }

    private var rng: SplitMix64
    private let villages: [Village]
    /// County area codes (6 ASCII digits each), as ID number prefixes.
    private let counties: [[UInt8]]
    /// Next free sequence counter per county × sex × birth day, allocated on
    /// a county's first use.
    private var slots: [[UInt16]]
    public let asOf: LocalDate
    private let asOfDay: Int
    /// Day numbers n years before `asOf`, for n = 0…maxAge + 1.
    private let yearsBack: [Int]
    /// The earliest birth day anyone may have; index 0 of a slot table.
    private let firstDay: Int

    public private(set) var householdsGenerated = 0
    public private(set) var personsGenerated = 0

    static let maxAge = 100
    static let sequencesPerDay = 500

    /// `villages` should be village-level codes; any code at county level or
    /// below works (its first six digits are the county).
    public init(seed: UInt64, villages: [RegionCode], asOf: LocalDate) {
        precondition(!villages.isEmpty, "a population needs at least one village")
        precondition(villages.allSatisfy { $0.level >= .county }, "villages must be at county level or below")
        self.rng = SplitMix64(seed: seed)
        self.asOf = asOf
        self.asOfDay = asOf.dayNumber
        var countyIndex: [String: Int] = [:]
        var counties: [[UInt8]] = []
        var built: [Village] = []
        for code in villages {
            let county = String(code.value.prefix(6))
            let index = countyIndex[county] ?? counties.count
            if index == counties.count {
                countyIndex[county] = index
                counties.append(Array(county.utf8))
            }
            built.append(Village(code: code, county: index,
                                 residence: ResidenceKind.inferred(from: code) ?? .rural))
        }
        self.villages = built
        self.counties = counties
        self.slots = Array(repeating: [], count: counties.count * 2)
        self.yearsBack = (0...Self.maxAge + 1).map { Self.shift(asOf, years: -$0).dayNumber }
        self.firstDay = yearsBack[Self.maxAge + 1] + 1
    }

    // MARK: Households

    /// The next household, head first. Every household passes
    /// `HouseholdRules.validate(members:)`.
    public mutating func nextHousehold() -> [MemberDraft] {
        let village = villages[uniform(villages.count)]
        var builder = HouseholdBuilder(village: village, address: address(rural: village.residence == .rural))
        let shape = uniform(100)
        switch shape {
        case 0..<14: singleElderly(&builder)
        case 14..<28: elderlyCouple(&builder)
        case 28..<36: youngCouple(&builder)
        case 36..<70: coupleWithChildren(&builder)
        case 70..<85: threeGenerations(&builder)
        case 85..<93: singleParent(&builder)
        default: grandparentsWithGrandchildren(&builder)
        }
        householdsGenerated += 1
        personsGenerated += builder.members.count
        return builder.members
    }

    private struct HouseholdBuilder {
        let village: Village
        let address: String
        var members: [MemberDraft] = []
    }

    private mutating func singleElderly(_ b: inout HouseholdBuilder) {
        let sex: Sex = chance(45) ? .male : .female
        _ = addMember(&b, relation: .head, sex: sex, surname: randomSurname(), born: ageRange(60, 92))
    }

    private mutating func elderlyCouple(_ b: inout HouseholdBuilder) {
        let head = addMember(&b, relation: .head, sex: .male, surname: randomSurname(), born: ageRange(62, 90))
        _ = addSpouse(&b, of: head, minAge: 58)
    }

    private mutating func youngCouple(_ b: inout HouseholdBuilder) {
        let head = addMember(&b, relation: .head, sex: chance(88) ? .male : .female,
                             surname: randomSurname(), born: ageRange(23, 58))
        _ = addSpouse(&b, of: head, minAge: 21)
    }

    private mutating func coupleWithChildren(_ b: inout HouseholdBuilder) {
        let head = addMember(&b, relation: .head, sex: chance(88) ? .male : .female,
                             surname: randomSurname(), born: ageRange(25, 55))
        let spouse = addSpouse(&b, of: head, minAge: 22)
        let count = b.village.residence == .rural ? 1 + uniform(3) : (chance(70) ? 1 : 2)
        addChildren(&b, count: count, parents: [head, spouse], maxAge: 30)
    }

    private mutating func threeGenerations(_ b: inout HouseholdBuilder) {
        let head = addMember(&b, relation: .head, sex: chance(85) ? .male : .female,
                             surname: randomSurname(), born: ageRange(28, 52))
        let spouse = addSpouse(&b, of: head, minAge: 22)
        addChildren(&b, count: 1 + uniform(2), parents: [head, spouse], maxAge: 25)
        // The head's parents: at least 20 years older, at most 95.
        let hi = Self.shift(head.birthDate, years: -20).dayNumber - 1
        let lo = max(Self.shift(head.birthDate, years: -42).dayNumber, yearsBack[96] + 1)
        let father = chance(60)
        let motherSurname = randomSurname()
        if father {
            _ = addMember(&b, relation: .parent, sex: .male, surname: head.surname, born: lo...hi)
        }
        if !father || chance(55) {
            _ = addMember(&b, relation: .parent, sex: .female, surname: motherSurname, born: lo...hi)
        }
    }

    private mutating func singleParent(_ b: inout HouseholdBuilder) {
        let sex: Sex = chance(70) ? .female : .male
        let head = addMember(&b, relation: .head, sex: sex, surname: randomSurname(), born: ageRange(25, 55))
        addChildren(&b, count: 1 + uniform(2), parents: [head], maxAge: 25)
    }

    /// 留守儿童 — grandparents raising the children of parents working away.
    private mutating func grandparentsWithGrandchildren(_ b: inout HouseholdBuilder) {
        let head = addMember(&b, relation: .head, sex: chance(75) ? .male : .female,
                             surname: randomSurname(), born: ageRange(55, 78))
        var elders = [head]
        if chance(70) { elders.append(addSpouse(&b, of: head, minAge: 52)) }
        let lo = max(elders.map { Self.shift($0.birthDate, years: 40).dayNumber + 1 }.max() ?? asOfDay,
                     yearsBack[17] + 1)
        let grandchildSurname = head.sex == .male && chance(75) ? head.surname : randomSurname()
        for _ in 0..<(1 + uniform(2)) {
            let surname = chance(90) ? grandchildSurname : randomSurname()
            _ = addMember(&b, relation: .grandchild, sex: chance(52) ? .male : .female,
                          surname: surname, born: lo...max(lo, asOfDay))
        }
    }

    private struct Placed {
        let surname: String
        let sex: Sex
        let birthDate: LocalDate
    }

    /// A wife up to two years older or five years younger than her husband,
    /// opposite sex to the head, aged `minAge`…95.
    private mutating func addSpouse(_ b: inout HouseholdBuilder, of head: Placed, minAge: Int) -> Placed {
        let headAge = head.birthDate.age(at: asOf)
        let difference = uniform(8) - 2
        let age = min(max(head.sex == .male ? headAge - difference : headAge + difference, minAge), 95)
        return addMember(&b, relation: .spouse, sex: head.sex == .male ? .female : .male,
                         surname: randomSurname(), born: ageRange(age, age))
    }

    /// Children born after every parent's 20th birthday, while the youngest
    /// parent is at most 42, and at most `maxAge` years old today.
    private mutating func addChildren(_ b: inout HouseholdBuilder, count: Int,
                                      parents: [Placed], maxAge: Int) {
        let lo = max(parents.map { Self.shift($0.birthDate, years: 20).dayNumber + 1 }.max() ?? asOfDay,
                     yearsBack[maxAge + 1] + 1)
        let hi = max(lo, min(asOfDay, parents.map { Self.shift($0.birthDate, years: 42).dayNumber }.min() ?? asOfDay))
        let father = parents.first { $0.sex == .male }
        let mother = parents.first { $0.sex == .female }
        for _ in 0..<count {
            let surname: String
            if let father, chance(92) {
                surname = father.surname
            } else if let mother, father != nil || chance(40) {
                surname = mother.surname
            } else {
                surname = randomSurname()
            }
            let sex: Sex = chance(52) ? .male : .female
            _ = addMember(&b, relation: sex == .male ? .son : .daughter, sex: sex, surname: surname, born: lo...hi)
        }
    }

    /// Builds and appends one member born in `born` (day numbers).
    private mutating func addMember(_ b: inout HouseholdBuilder, relation: Relationship, sex: Sex,
                                    surname: String, born: ClosedRange<Int>) -> Placed {
        let upper = max(min(born.upperBound, asOfDay), firstDay)
        let range = min(max(born.lowerBound, firstDay), upper)...upper
        let target = range.lowerBound + uniform(range.count)
        let (day, id) = claimID(county: b.village.county, sex: sex, range: range, preferred: target)
        let birth = LocalDate(dayNumber: day)
        let age = birth.age(at: asOf)

        var disability: Disability?
        if chance(30, per: 1000) {
            disability = Disability(checkedType: Self.disabilityTypes[uniform(Self.disabilityTypes.count)],
                                    grade: 1 + uniform(4))
        }
        let seriousIllness = chance(20, per: 1000)
        let student = studentStatus(age: age)
        let employment = employmentStatus(age: age, student: student, severe: disability?.isSevere == true,
                                          rural: b.village.residence == .rural)
        let phone: PhoneNumber? = age >= 18 && chance(age > 75 ? 25 : 80) ? mobileNumber() : nil

        var status = MemberStatus.normal
        var coResident = true
        if relation != .head, age >= 18 {
            let roll = uniform(1000)
            switch roll {
            case 0..<5: status = .prisoner
            case 5..<7: status = .missing
            case 7..<9: status = .drugRehab
            case 9..<10: status = .religiousApart
            case 10..<50: coResident = false
            default: break
            }
        }

        let name = surname + givenName(sex: sex, bornBefore1975: birth.year < 1975)
        let person = PersonDraft(name: name, id: id, phone: phone, address: b.address, disability: disability,
                                 seriousIllness: seriousIllness, employment: employment, student: student,
                                 hukouRegion: b.village.code, residence: b.village.residence)
        b.members.append(MemberDraft(person: person, relation: relation, coResident: coResident, status: status))
        return Placed(surname: surname, sex: sex, birthDate: birth)
    }

    // MARK: ID numbers

    /// Takes the next free sequence number of (county, sex, day) for the
    /// first day from `preferred` on (wrapping inside `range`) that has one.
    mutating func claimID(county: Int, sex: Sex, range: ClosedRange<Int>, preferred: Int) -> (Int, ResidentID) {
        let table = county * 2 + (sex == .male ? 1 : 0)
        if slots[table].isEmpty {
            slots[table] = [UInt16](repeating: 0, count: asOfDay - firstDay + 1)
        }
        var day = min(max(preferred, range.lowerBound), range.upperBound)
        var tried = 0
        while Int(slots[table][day - firstDay]) >= Self.sequencesPerDay {
            tried += 1
            precondition(tried < range.count, "synthetic population: no free ID sequence number left in the birth range")
            day = day == range.upperBound ? range.lowerBound : day + 1
        }
        let counter = Int(slots[table][day - firstDay])
        slots[table][day - firstDay] += 1
        return (day, makeID(county: counties[county], day: day,
                            sequence: Self.sequenceNumber(counter: counter, day: day, sex: sex)))
    }

    /// The 3-digit sequence number of the `counter`th person of `sex` born on
    /// `day` in a county: odd for men, even for women, and distinct for the
    /// counters 0..<500 of one day. The scramble only makes the numbers look
    /// less like a counter; 193 is coprime to 500, so it is a permutation.
    static func sequenceNumber(counter: Int, day: Int, sex: Sex) -> Int {
        let scrambled = ((counter * 193 + day) % sequencesPerDay + sequencesPerDay) % sequencesPerDay
        return scrambled * 2 + (sex == .male ? 1 : 0)
    }

    /// Digit by digit with plain loops: this runs for every person, also in
    /// the debug builds of the tests, where iterators and closures are slow.
    private func makeID(county: [UInt8], day: Int, sequence: Int) -> ResidentID {
        let birth = LocalDate(dayNumber: day)
        var bytes = [UInt8](repeating: 0x30, count: 18)
        var index = 0
        while index < 6 {
            bytes[index] = county[index]
            index += 1
        }
        var year = birth.year
        index = 9
        while index >= 6 {
            bytes[index] = UInt8(truncatingIfNeeded: 0x30 + year % 10)
            year /= 10
            index -= 1
        }
        bytes[10] = UInt8(truncatingIfNeeded: 0x30 + birth.month / 10)
        bytes[11] = UInt8(truncatingIfNeeded: 0x30 + birth.month % 10)
        bytes[12] = UInt8(truncatingIfNeeded: 0x30 + birth.day / 10)
        bytes[13] = UInt8(truncatingIfNeeded: 0x30 + birth.day % 10)
        bytes[14] = UInt8(truncatingIfNeeded: 0x30 + sequence / 100)
        bytes[15] = UInt8(truncatingIfNeeded: 0x30 + sequence / 10 % 10)
        bytes[16] = UInt8(truncatingIfNeeded: 0x30 + sequence % 10)
        let weights = Self.idWeights
        var sum = 0
        index = 0
        while index < 17 {
            sum += Int(bytes[index] &- 0x30) * weights[index]
            index += 1
        }
        bytes[17] = Self.idCheckBytes[sum % 11]
        return ResidentID(generated: String(decoding: bytes, as: UTF8.self), birthDate: birth)
    }

    private static let idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let idCheckBytes: [UInt8] = Array("10X98765432".utf8)

    // MARK: Attributes

    private mutating func studentStatus(age: Int) -> StudentStatus {
        switch age {
        case 3...5: chance(85) ? .preschool : .none
        case 6...11: .primary
        case 12...14: .juniorSecondary
        case 15...17:
            switch uniform(10) {
            case 0..<6: .seniorSecondary
            case 6..<9: .vocational
            default: .none
            }
        case 18...22:
            switch uniform(20) {
            case 0..<8: .undergraduate
            case 8..<11: .vocational
            default: .none
            }
        case 23...26: chance(6) ? .postgraduate : .none
        default: .none
        }
    }

    private mutating func employmentStatus(age: Int, student: StudentStatus, severe: Bool, rural: Bool) -> EmploymentStatus {
        if age < 16 || student != .none { return .notApplicable }
        if severe { return .unableToWork }
        let roll = uniform(100)
        if age >= 60 {
            if rural {
                return roll < 55 ? .farming : roll < 80 ? .unableToWork : .notApplicable
            }
            return roll < 75 ? .retired : roll < 90 ? .unableToWork : .flexible
        }
        if rural {
            return roll < 40 ? .farming : roll < 70 ? .flexible : roll < 88 ? .employed : .unemployed
        }
        return roll < 55 ? .employed : roll < 80 ? .flexible : .unemployed
    }

    private mutating func mobileNumber() -> PhoneNumber {
        var bytes = [UInt8](repeating: 0x30, count: 11)
        let prefix = Self.mobilePrefixes[uniform(Self.mobilePrefixes.count)]
        bytes[0] = 0x31
        bytes[1] = UInt8(0x30 + prefix / 10)
        bytes[2] = UInt8(0x30 + prefix % 10)
        var rest = rng.next()
        var index = 3
        while index < 11 {
            bytes[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
            index += 1
        }
        return PhoneNumber(trusted: String(decoding: bytes, as: UTF8.self))
    }

    private static let mobilePrefixes = [30, 31, 32, 33, 35, 36, 37, 38, 39, 50, 51, 52, 53, 55, 56, 57, 58, 59,
                                         66, 73, 77, 78, 80, 81, 82, 83, 85, 86, 87, 88, 89, 91, 98, 99]

    private mutating func address(rural: Bool) -> String {
        rural
            ? "第\(1 + uniform(12))村民组\(1 + uniform(80))号"
            : "\(1 + uniform(30))栋\(1 + uniform(4))单元\(1 + uniform(18))0\(1 + uniform(4))室"
    }

    private static let disabilityTypes: [DisabilityType] = {
        // Shares of the 2006 national sample survey of disability, rounded:
        // physical the most common, then multiple, hearing, visual.
        let shares: [(DisabilityType, Int)] = [(.physical, 29), (.multiple, 17), (.hearing, 24), (.visual, 15),
                                               (.mental, 7), (.intellectual, 7), (.speech, 1)]
        return shares.flatMap { Array(repeating: $0.0, count: $0.1) }
    }()

    // MARK: Names

    private mutating func randomSurname() -> String {
        Self.surnameTable[uniform(Self.surnameTable.count)]
    }

    private mutating func givenName(sex: Sex, bornBefore1975: Bool) -> String {
        let pool: [String] = switch (sex, bornBefore1975) {
        case (.male, true): Self.olderMale
        case (.male, false): Self.modernMale
        case (.female, true): Self.olderFemale
        case (.female, false): Self.modernFemale
        }
        let first = pool[uniform(pool.count)]
        return chance(28) ? first : first + pool[uniform(pool.count)]
    }

    /// Common surnames with their rough share of the population in tenths of
    /// a percent (Ministry of Public Security surname statistics, rounded).
    private static let surnameTable: [String] = {
        let weighted: [(String, Int)] = [
            ("王", 71), ("李", 70), ("张", 68), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 25), ("赵", 23),
            ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 15), ("朱", 13), ("胡", 13), ("郭", 12),
            ("何", 12), ("高", 11), ("林", 11), ("罗", 9), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 8),
            ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6),
            ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
            ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
            ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
            ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
            ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3), ("熊", 3), ("秦", 3),
            ("邱", 3), ("江", 3), ("尹", 3), ("薛", 3), ("闫", 3), ("段", 3), ("雷", 3), ("侯", 3),
            ("龙", 3), ("史", 3), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
            ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("武", 2), ("戴", 2), ("孔", 2),
        ]
        return weighted.flatMap { Array(repeating: $0.0, count: $0.1) }
    }()

    private static let olderMale = ["建", "国", "华", "明", "志", "德", "文", "永", "福", "春", "生", "军", "强",
                                    "刚", "平", "成", "林", "海", "忠", "友", "贵", "荣", "兴", "山", "祥", "金",
                                    "宝", "根", "长", "庆"]
    private static let olderFemale = ["秀", "英", "桂", "兰", "玉", "珍", "凤", "芳", "红", "梅", "华", "云", "琴",
                                      "霞", "菊", "萍", "翠", "淑", "娟", "美", "丽", "荣", "花", "素", "春"]
    private static let modernMale = ["浩", "宇", "轩", "子", "博", "文", "杰", "俊", "辰", "睿", "泽", "洋", "鑫",
                                     "磊", "鹏", "飞", "凯", "晨", "皓", "一", "航", "明", "天", "佳", "昊", "乐",
                                     "然", "嘉", "涛", "伟", "超", "勇"]
    private static let modernFemale = ["欣", "怡", "梓", "涵", "诗", "雨", "思", "萱", "佳", "可", "馨", "琪", "悦",
                                       "婷", "雪", "晴", "语", "桐", "若", "依", "颖", "静", "璐", "瑶", "妍", "梦",
                                       "倩", "慧", "敏", "丽"]

    // MARK: Randomness and dates

    private mutating func uniform(_ n: Int) -> Int {
        // Modulo bias is below 1e-17 for these small n.
        Int(rng.next() % UInt64(n))
    }

    private mutating func chance(_ percent: Int) -> Bool { uniform(100) < percent }

    private mutating func chance(_ count: Int, per total: Int) -> Bool { uniform(total) < count }

    /// Birth days of people aged `youngest`…`oldest` on `asOf`.
    private func ageRange(_ youngest: Int, _ oldest: Int) -> ClosedRange<Int> {
        (yearsBack[oldest + 1] + 1)...yearsBack[youngest]
    }

    /// The same month and day `years` later (earlier if negative); Feb 29
    /// becomes Feb 28 in a common year.
    static func shift(_ date: LocalDate, years: Int) -> LocalDate {
        let year = date.year + years
        let day = min(date.day, LocalDate.daysInMonth(year: year, month: date.month))
        return LocalDate(year: year, month: date.month, day: day) ?? date
    }
}

extension ResidentID {
    /// For numbers `SyntheticPopulation` built digit by digit with their
    /// check character; parsing them again would halve its speed.
    init(generated value: String, birthDate: LocalDate) {
        self.value = value
        self.birthDate = birthDate
    }
}

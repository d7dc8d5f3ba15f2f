import Testing
@testable import JiuzhuCore

struct SyntheticPopulationTests {
    static let asOf = date(2026, 6, 15)
    /// Two counties; urban communities (001–199) and rural villages (200–399).
    static let villages = ["340302001001", "340302100201", "340302100399", "340322100203", "340322101105"].map(regionCode)

    /// 200,000+ persons, generated once for every test of the suite.
    static let households: [[MemberDraft]] = {
        var population = SyntheticPopulation(seed: 2026, villages: villages, asOf: asOf)
        var result: [[MemberDraft]] = []
        var persons = 0
        while persons < 200_000 {
            let household = population.nextHousehold()
            persons += household.count
            result.append(household)
        }
        return result
    }()

    static let persons: [MemberDraft] = households.flatMap { $0 }

    @Test func everyIDNumberIsValidAndUniqueAcrossTheWholePopulation() {
        let persons = Self.persons
        #expect(persons.count >= 200_000)
        var invalid: [String] = []
        var seen = Set<String>()
        seen.reserveCapacity(persons.count)
        for member in persons {
            let value = member.person.id.value
            if case .failure = Result(catching: { () throws(UserError) in try ResidentID(value, today: Self.asOf) }) {
                invalid.append(value)
            }
            seen.insert(value)
        }
        #expect(invalid.isEmpty, "\(invalid.prefix(5))")
        #expect(seen.count == persons.count)
    }

    @Test func idNumbersCarryTheVillagesCountyAndTheRightSexDigit() {
        let wrong = Self.persons.filter { member in
            let person = member.person
            guard let village = person.hukouRegion else { return true }
            let id = Array(person.id.value.utf8)
            return !Self.villages.contains(village)
                || !id[0..<6].elementsEqual(village.value.utf8.prefix(6))
                || (id[16] % 2 == 1) != (person.sex == .male)
                || person.residence != ResidenceKind.inferred(from: village)
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(3).map(\.person.id.value))")
        let residences = Set(Self.persons.map(\.person.residence))
        #expect(residences == [.urban, .rural])
    }

    @Test func everyHouseholdPassesTheHouseholdRules() {
        let failing = Self.households.enumerated().filter { !HouseholdRules.validate(members: $0.element).isEmpty }
        #expect(failing.isEmpty, "\(failing.prefix(2).map { HouseholdRules.validate(members: $0.element) })")
        #expect(Self.households.allSatisfy { $0.first?.relation == .head })
    }

    @Test func agesAreConsistentWithRelations() {
        var problems: [String] = []
        for household in Self.households {
            guard let head = household.first?.person else { continue }
            let spouse = household.first { $0.relation == .spouse }?.person
            if head.age(at: Self.asOf) < 18 { problems.append("minor head \(head.id.value)") }
            for member in household {
                let person = member.person
                let age = person.age(at: Self.asOf)
                if person.birthDate > Self.asOf || age > 100 { problems.append("age \(age) \(person.id.value)") }
                switch member.relation {
                case .spouse:
                    if person.sex == head.sex || age < 20 { problems.append("spouse \(person.id.value)") }
                case .son, .daughter:
                    if (member.relation == .son) != (person.sex == .male) { problems.append("child sex \(person.id.value)") }
                    if head.birthDate.age(at: person.birthDate) < 20 { problems.append("child of young head \(person.id.value)") }
                    if let spouse, spouse.birthDate.age(at: person.birthDate) < 20 {
                        problems.append("child of young spouse \(person.id.value)")
                    }
                case .parent:
                    if person.birthDate.age(at: head.birthDate) < 20 { problems.append("young parent \(person.id.value)") }
                case .grandchild:
                    if head.birthDate.age(at: person.birthDate) < 40 { problems.append("young grandparent \(person.id.value)") }
                    if age >= 18 { problems.append("adult left-behind child \(person.id.value)") }
                default:
                    break
                }
                if age < 16, person.employment != .notApplicable { problems.append("working child \(person.id.value)") }
                if person.student != .none, age > 26 { problems.append("old student \(person.id.value)") }
                if person.phone != nil, age < 18 { problems.append("child with phone \(person.id.value)") }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, e.g. \(problems.prefix(5))")
    }

    @Test func familyShapesVary() {
        let households = Self.households
        let sizes = Set(households.map(\.count))
        #expect(sizes.isSuperset(of: [1, 2, 3, 4, 5]))
        #expect(households.contains { $0.count == 1 && $0[0].person.age(at: Self.asOf) >= 60 })
        #expect(households.contains { $0.contains { $0.relation == .parent } && $0.contains { $0.relation == .son || $0.relation == .daughter } })
        #expect(households.contains { $0.contains { $0.relation == .grandchild } })
        #expect(households.contains { !$0.contains { $0.relation == .spouse } && $0.contains { $0.relation == .daughter } })
        let average = Double(Self.persons.count) / Double(households.count)
        #expect((2.2...3.6).contains(average))
    }

    @Test func attributesAppearInRealisticShares() {
        let persons = Self.persons
        let total = Double(persons.count)
        let disabled = Double(persons.filter { $0.person.disability != nil }.count) / total
        let ill = Double(persons.filter(\.person.seriousIllness).count) / total
        let adults = persons.filter { $0.person.age(at: Self.asOf) >= 18 }
        let withPhone = Double(adults.filter { $0.person.phone != nil }.count) / Double(adults.count)
        #expect((0.02...0.04).contains(disabled))
        #expect((0.01...0.03).contains(ill))
        #expect((0.5...0.9).contains(withPhone))
        #expect(Set(persons.compactMap(\.person.disability?.type)) == Set(DisabilityType.allCases))
        #expect(persons.contains { $0.status != .normal })
        #expect(persons.contains { !$0.coResident })
        #expect(Double(persons.filter(\.isCounted).count) / total > 0.95)
    }

    @Test func namesArePlausibleAndChildrenMostlyTakeTheFathersSurname() {
        let persons = Self.persons
        #expect(persons.allSatisfy { (2...3).contains($0.person.name.count) })
        #expect(persons.allSatisfy { (try? TextRules.name($0.person.name, field: "name")) == $0.person.name })
        #expect(Set(persons.map { $0.person.name.prefix(1) }).count > 50)

        var children = 0
        var sharing = 0
        for household in Self.households where household[0].person.sex == .male {
            for member in household where member.relation == .son || member.relation == .daughter {
                children += 1
                if member.person.name.first == household[0].person.name.first { sharing += 1 }
            }
        }
        #expect(children > 10_000)
        #expect(Double(sharing) / Double(children) > 0.85)
    }

    @Test func phoneNumbersAreValidMobileNumbers() {
        let phones = Self.persons.compactMap(\.person.phone)
        #expect(phones.count > 50_000)
        let invalid = phones.filter { phone in
            switch Result(catching: { () throws(UserError) in try PhoneNumber(phone.value) }) {
            case .success(let parsed): parsed != phone || !phone.isMobile
            case .failure: true
            }
        }
        #expect(invalid.isEmpty, "\(invalid.prefix(5).map(\.value))")
    }

    @Test func theSameSeedGivesTheSamePopulation() {
        func first(_ n: Int, seed: UInt64) -> [[MemberDraft]] {
            var population = SyntheticPopulation(seed: seed, villages: Self.villages, asOf: Self.asOf)
            return (0..<n).map { _ in population.nextHousehold() }
        }
        #expect(first(2_000, seed: 2026) == Array(Self.households.prefix(2_000)))
        #expect(first(200, seed: 2027) != first(200, seed: 2026))
    }

    @Test func countsWhatItGenerated() {
        var population = SyntheticPopulation(seed: 1, villages: Self.villages, asOf: Self.asOf)
        let sizes = (0..<100).map { _ in population.nextHousehold().count }
        #expect(population.householdsGenerated == 100)
        #expect(population.personsGenerated == sizes.reduce(0, +))
    }

    /// The sequence numbers of one day, county and sex are a permutation of
    /// the 500 numbers of that sex's parity.
    @Test(arguments: [-40_000, -1, 0, 1, 12_345, 20_619])
    func sequenceNumbersOfADayAreDistinctWithTheSexParity(day: Int) {
        for sex in [Sex.male, .female] {
            let numbers = (0..<500).map { SyntheticPopulation.sequenceNumber(counter: $0, day: day, sex: sex) }
            #expect(Set(numbers).count == 500)
            #expect(numbers.allSatisfy { (0...999).contains($0) && ($0 % 2 == 1) == (sex == .male) })
        }
    }

    /// A full day moves the next person to the following day of the range,
    /// then wraps to its start, never reusing a number.
    @Test func aFullBirthDayMovesPeopleToTheNextFreeDay() {
        var population = SyntheticPopulation(seed: 9, villages: [regionCode("340302100201")], asOf: Self.asOf)
        let first = date(2000, 3, 1).dayNumber
        let claims = (0..<1_400).map { _ in
            population.claimID(county: 0, sex: .female, range: first...(first + 2), preferred: first + 1)
        }
        #expect(Set(claims.map(\.1)).count == 1_400)
        #expect(claims.prefix(500).allSatisfy { $0.0 == first + 1 })
        #expect(claims.dropFirst(500).prefix(500).allSatisfy { $0.0 == first + 2 })
        #expect(claims.dropFirst(1_000).allSatisfy { $0.0 == first })
        #expect(claims.allSatisfy { $0.1.birthDate.dayNumber == $0.0 && $0.1.sex == .female })
        #expect(claims.allSatisfy { (try? ResidentID($0.1.value, today: Self.asOf)) == $0.1 })
    }

    @Test func splitMix64MatchesItsReferenceOutput() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
    }
}

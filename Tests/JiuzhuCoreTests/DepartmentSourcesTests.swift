import Testing
@testable import JiuzhuCore

struct DepartmentSourceCatalogTests {
    @Test func catalogueHasTheFifteenSourcesOnceEach() {
        let codes = DepartmentSourceCatalog.all.map(\.code)
        #expect(codes.count == 15)
        #expect(Set(codes).count == codes.count)
        for code in ["householdRegistration", "tax", "socialInsurance", "unemploymentInsurance", "realEstate", "vehicle",
                     "marketRegistration", "providentFund", "bank", "securities", "commercialInsurance",
                     "internetFinance", "marriage", "deathCremation", "payroll"] {
            #expect(DepartmentSourceCatalog.info(code) != nil, "\(code)")
        }
        #expect(DepartmentSourceCatalog.info("tax")?.name.zh == "税务")
    }

    @Test func standardSourcesAreTheCaseFilesRequiredSources() {
        #expect(DepartmentSourceCatalog.standard == VerificationFixture.requiredSources)
        #expect(DepartmentSourceCatalog.standard.allSatisfy { DepartmentSourceCatalog.info($0) != nil })
    }

    @Test func unknownSourceIsABilingualErrorListingValidCodes() {
        let error = userError { try DepartmentSourceCatalog.require("taxes", field: "source") }
        #expect(error?.code == "department.unknown_source")
        #expect(error?.field == "source")
        #expect(error?.message.zh.contains("socialInsurance") == true)
        #expect(error?.message.en.contains("taxes") == true)
        #expect(userError { try DepartmentSourceCatalog.require("bank") } == nil)
    }
}

struct SyntheticDepartmentDataTests {
    static let asOf = date(2026, 6, 15)
    static let villages = ["340302001001", "340302100201", "340322100203"].map(regionCode)

    /// 20,000+ people with the age mix of the synthetic population.
    static let people: [ResidentID] = {
        var population = SyntheticPopulation(seed: 11, villages: villages, asOf: asOf)
        var result: [ResidentID] = []
        while result.count < 20_000 { result += population.nextHousehold().map(\.person.id) }
        return result
    }()

    @Test func sameInputsGiveTheSameRecordsAndTheSeedChangesThem() {
        let sample = Self.people.prefix(300)
        var differs = false
        for id in sample {
            for source in DepartmentSourceCatalog.all.map(\.code) {
                let first = SyntheticDepartmentData.records(source: source, member: id, asOf: Self.asOf, seed: 7)
                let again = SyntheticDepartmentData.records(source: source, member: id, asOf: Self.asOf, seed: 7)
                #expect(first == again)
                if first != SyntheticDepartmentData.records(source: source, member: id, asOf: Self.asOf, seed: 8) {
                    differs = true
                }
            }
        }
        #expect(differs)
    }

    @Test func seedIsAStableHashNotTheProcessHasher() {
        // FNV-1a of fixed bytes (checked with an independent implementation):
        // a different value means every generated data set changed.
        #expect(SyntheticDepartmentData.stableSeed(seed: 0, source: "", member: "") == 0x69D3_07CC_20F6_EF8D)
        #expect(SyntheticDepartmentData.stableSeed(seed: 2026, source: "tax", member: "110101199001011234")
                == 0x723A_A4F8_F583_F8F8)
        let a = SyntheticDepartmentData.stableSeed(seed: 1, source: "tax", member: "X")
        #expect(a == SyntheticDepartmentData.stableSeed(seed: 1, source: "tax", member: "X"))
        #expect(a != SyntheticDepartmentData.stableSeed(seed: 1, source: "taxX", member: ""))
        #expect(a != SyntheticDepartmentData.stableSeed(seed: 2, source: "tax", member: "X"))
    }

    @Test func everyRecordDecodesBackFromItsJSON() {
        var checked = 0
        for id in Self.people.prefix(3_000) {
            for source in DepartmentSourceCatalog.all.map(\.code) {
                for record in SyntheticDepartmentData.records(source: source, member: id, asOf: Self.asOf, seed: 2026) {
                    #expect(record.source == source)
                    #expect(record.member == id)
                    let json = record.json
                    let decoded = Result { () throws(UserError) in
                        try DepartmentRecord(field: CaseField(try JSONValue.parse(json.rendered(pretty: false))),
                                             asOf: Self.asOf, policy: nil)
                    }
                    #expect(decoded == .success(record), "\(json.rendered(pretty: false))")
                    checked += 1
                }
            }
        }
        #expect(checked > 5_000)
    }

    @Test func proportionsLookLikeALowIncomePopulation() {
        let asOf = Self.asOf
        let window = (1...12).compactMap { YearMonth(asOf).adding(months: -$0) }
        var standardRecords = 0
        var working = 0, withWage = 0, elderly = 0, withPension = 0, adults = 0, withVehicle = 0
        var deposits: [Int64] = []
        var homes = 0, secondHomes = 0
        for id in Self.people {
            let age = id.age(at: asOf)
            var bySource: [String: [DepartmentRecord]] = [:]
            for source in DepartmentSourceCatalog.standard {
                let records = SyntheticDepartmentData.records(source: source, member: id, asOf: asOf, seed: 2026)
                bySource[source] = records
                standardRecords += records.count
            }
            #expect(bySource["householdRegistration"]?.isEmpty == true)
            #expect(bySource["providentFund"]?.isEmpty == true)
            for record in bySource["tax"] ?? [] {
                guard case .income("wage", let month, let amount) = record.detail else {
                    Issue.record("tax gave \(record)")
                    continue
                }
                #expect(window.contains(month))
                #expect((90_000...400_000).contains(amount.fen))
            }
            if (18...59).contains(age) {
                working += 1
                if bySource["tax"]?.isEmpty == false { withWage += 1 }
            }
            if age >= 60 {
                elderly += 1
                if bySource["socialInsurance"]?.contains(where: {
                    if case .income(let kind, _, _) = $0.detail { kind == "pension" || kind == "basicPension" } else { false }
                }) == true { withPension += 1 }
            }
            if age >= 18 {
                adults += 1
                if bySource["vehicle"]?.isEmpty == false { withVehicle += 1 }
                let residential = bySource["realEstate"]?.filter {
                    if case .property(.residential, _) = $0.detail { true } else { false }
                }.count ?? 0
                if residential >= 1 { homes += 1 }
                if residential >= 2 { secondHomes += 1 }
            }
            for record in bySource["bank"] ?? [] {
                guard case .financialAsset(.deposit, _, let day, let balance) = record.detail else {
                    Issue.record("bank gave \(record)")
                    continue
                }
                #expect(day == date(2026, 5, 31))
                deposits.append(balance.fen)
            }
        }
        let average = Double(standardRecords) / Double(Self.people.count)
        #expect((4.0...5.5).contains(average), "average \(average) records per person")
        let wageShare = Double(withWage) / Double(working)
        #expect((0.45...0.55).contains(wageShare), "wage share \(wageShare)")
        let pensionShare = Double(withPension) / Double(elderly)
        #expect((0.28...0.39).contains(pensionShare), "pension share \(pensionShare)")
        let vehicleShare = Double(withVehicle) / Double(adults)
        #expect((0.035...0.065).contains(vehicleShare), "vehicle share \(vehicleShare)")
        #expect(Double(homes) / Double(adults) > 0.3)
        #expect(secondHomes > 0 && Double(secondHomes) / Double(adults) < 0.05)
        let small = deposits.filter { $0 <= 500_000 }.count
        let large = deposits.filter { $0 >= 3_000_000 }.count
        #expect(Double(small) / Double(deposits.count) > 0.7)
        #expect(large > 0 && Double(large) / Double(deposits.count) < 0.08)
    }

    @Test func noRecordsForSomeoneNotYetBorn() {
        let baby = residentID("34030220260601001")
        #expect(SyntheticDepartmentData.records(source: "bank", member: baby, asOf: date(2026, 5, 1), seed: 1).isEmpty)
    }
}

import Testing
@testable import JiuzhuCore

struct CaseTekunTests {
    // MARK: County sampling

    @Test(arguments: [(0, 0), (1, 1), (3, 1), (4, 2), (10, 3), (11, 4), (100, 30), (101, 31)])
    func countyChecksAtLeast30PercentRoundedUp(batch: Int, minimum: Int) throws {
        #expect(try TekunSampling.minimumOnSiteChecks(batchSize: batch) == minimum)
    }

    @Test func aRegionMaySampleMoreButNotLess() throws {
        #expect(try TekunSampling.minimumOnSiteChecks(batchSize: 10, percent: 50) == 5)
        #expect(try TekunSampling.minimumOnSiteChecks(batchSize: 3, percent: 100) == 3)
        #expect(userError { try TekunSampling.minimumOnSiteChecks(batchSize: 10, percent: 29) }?.code == "sampling.percent")
        #expect(userError { try TekunSampling.minimumOnSiteChecks(batchSize: 10, percent: 101) }?.code == "sampling.percent")
    }

    static func batch(_ n: Int) -> [String] { (1...n).map { "TK-2025-\(1000 + $0)" } }

    @Test(arguments: [1, 3, 10, 11, 100])
    func theChoiceHasTheMinimumSizeFromTheBatchWithoutRepeats(n: Int) throws {
        let ids = Self.batch(n)
        let chosen = try TekunSampling.choose(caseIDs: ids, seed: 42)
        #expect(chosen.count == (try TekunSampling.minimumOnSiteChecks(batchSize: n)))
        #expect(Set(chosen).count == chosen.count)
        #expect(Set(chosen).isSubset(of: Set(ids)))
        #expect(chosen == chosen.sorted())
    }

    @Test func theChoiceIsDeterministicAndIndependentOfInputOrder() throws {
        let ids = Self.batch(100)
        let chosen = try TekunSampling.choose(caseIDs: ids, seed: 20250317)
        #expect(try TekunSampling.choose(caseIDs: ids, seed: 20250317) == chosen)
        var generator = SeededGenerator(seed: 7)
        #expect(try TekunSampling.choose(caseIDs: ids.shuffled(using: &generator), seed: 20250317) == chosen)
        #expect(try TekunSampling.choose(caseIDs: ids.reversed(), seed: 20250317) == chosen)
    }

    @Test func theSeedDecidesTheChoiceAndItIsNotJustTheFirstCases() throws {
        let ids = Self.batch(100)
        let choices = try (1...5).map { try TekunSampling.choose(caseIDs: ids, seed: UInt64($0)) }
        #expect(Set(choices).count == 5)
        #expect(!choices.contains(Array(ids.prefix(30))))
        #expect(!choices.contains(Array(ids.suffix(30))))
        // Every case can be drawn: over many seeds all of a small batch appear.
        let small = Self.batch(10)
        let seen = try Set((0..<200).flatMap { try TekunSampling.choose(caseIDs: small, seed: UInt64($0)) })
        #expect(seen == Set(small))
    }

    @Test func aPinnedSeedKeepsItsChoiceAcrossReleases() throws {
        // An auditor re-derives a past sample from its recorded seed: the
        // algorithm must not change silently.
        #expect(try TekunSampling.choose(caseIDs: Self.batch(10), seed: 1) == PinnedSample.seed1Batch10)
    }

    @Test func aBatchListingACaseTwiceIsRefused() {
        #expect(userError { try TekunSampling.choose(caseIDs: ["A", "B", "A"], seed: 1) }?.code == "sampling.duplicate_case")
        #expect(throws: Never.self) { try TekunSampling.choose(caseIDs: [], seed: 1) }
    }
}

enum PinnedSample {
    /// SplitMix64 seeded 1, Fisher–Yates from the end over the sorted IDs,
    /// first ⌈30% × 10⌉ = 3 taken — worked out independently of this code.
    static let seed1Batch10 = ["TK-2025-1003", "TK-2025-1005", "TK-2025-1009"]
}

/// 县级抽查 — before confirming a batch of tekun cases the county checks at
/// least 30% of them on site (《特困人员认定办法》).
public enum TekunSampling {
    public static let minimumPercent = 30

    /// ⌈percent% × batchSize⌉, computed in integers.
    public static func minimumOnSiteChecks(batchSize: Int, percent: Int = minimumPercent) throws(UserError) -> Int {
        try checkPercent(percent)
        guard batchSize > 0 else { return 0 }
        return (batchSize * percent + 99) / 100
    }

    /// Which cases to check: the minimum number, chosen by a seeded shuffle of
    /// the case identifiers in sorted order, so the same batch and seed give
    /// the same choice whatever order the cases arrive in (and the choice can
    /// be re-derived by an auditor from the recorded seed). Returned sorted.
    public static func choose(caseIDs: [String], seed: UInt64, percent: Int = minimumPercent) throws(UserError) -> [String] {
        let ids = Array(Set(caseIDs)).sorted()
        guard ids.count == caseIDs.count else {
            throw UserError("sampling.duplicate_case", field: "cases",
                            zh: "抽查批次中有重复的案件", en: "The batch lists a case more than once")
        }
        let count = try minimumOnSiteChecks(batchSize: ids.count, percent: percent)
        var generator = SplitMix64(seed: seed)
        var shuffled = ids
        // Fisher–Yates with our own generator: the standard library's shuffle
        // algorithm is not promised to stay the same between releases.
        if shuffled.count > 1 {
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                let j = Int(generator.next() % UInt64(i + 1))
                shuffled.swapAt(i, j)
            }
        }
        return Array(shuffled.prefix(count)).sorted()
    }

    private static func checkPercent(_ percent: Int) throws(UserError) {
        guard (minimumPercent...100).contains(percent) else {
            throw UserError("sampling.percent", field: "percent",
                            zh: "抽查比例应在 \(minimumPercent)% 至 100% 之间",
                            en: "The sampling share must be between \(minimumPercent)% and 100%")
        }
    }
}

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

/// Where a tekun case stands in the county's sampling: the batch it was
/// drawn in and whether the draw chose it for an on-site check.
public struct TekunSampleMembership: Sendable, Hashable {
    public let batch: String
    public let sampled: Bool

    public init(batch: String, sampled: Bool) {
        self.batch = batch
        self.sampled = sampled
    }

    /// The confirmation's on-site record against the draw: a case the draw
    /// chose needs its on-site check record; one it left out names its
    /// batch (or was checked anyway); a case in no batch may only be
    /// confirmed on an on-site check of its own.
    public static func check(_ record: TekunSiteCheck, membership: TekunSampleMembership?) throws(UserError) {
        switch (record, membership) {
        case (.checked, _): return
        case (.notSampled, nil):
            throw UserError("sampling.not_drawn", field: "onSiteCheck",
                            zh: "本案件尚未参加县级抽查：请先在“特困抽查”中抽取批次，或填写实地核查记录",
                            en: "This case has not been in a county sampling draw: draw a batch under \"Tekun sampling\" first, or give an on-site check record")
        case (.notSampled, let membership?) where membership.sampled:
            throw UserError("sampling.chosen", field: "onSiteCheck",
                            zh: "本案件在抽查批次 \(membership.batch) 中被抽中，须填写实地核查记录",
                            en: "This case was drawn in batch \(membership.batch): give the on-site check record")
        case (.notSampled(let batch), let membership?):
            guard batch.trimmingWhitespace == membership.batch else {
                throw UserError("sampling.batch", field: "onSiteCheck",
                                zh: "本案件的抽查批次为 \(membership.batch)", en: "This case's sampling batch is \(membership.batch)")
            }
        }
    }
}

/// One of the six activities of daily living (日常生活活动) the tekun
/// self-care assessment asks about.
public enum DailyActivity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// 进食
    case eating
    /// 穿衣
    case dressing
    /// 上下床
    case transferring
    /// 如厕
    case toileting
    /// 室内行走
    case walkingIndoors = "walking_indoors"
    /// 洗澡
    case bathing

    public var name: Bilingual {
        switch self {
        case .eating: Bilingual(zh: "进食", en: "eating")
        case .dressing: Bilingual(zh: "穿衣", en: "dressing")
        case .transferring: Bilingual(zh: "上下床", en: "getting in and out of bed")
        case .toileting: Bilingual(zh: "如厕", en: "toileting")
        case .walkingIndoors: Bilingual(zh: "室内行走", en: "walking indoors")
        case .bathing: Bilingual(zh: "洗澡", en: "bathing")
        }
    }

    public static func < (lhs: DailyActivity, rhs: DailyActivity) -> Bool {
        lhs.formOrder < rhs.formOrder
    }

    /// The position on the assessment form.
    var formOrder: Int {
        switch self {
        case .eating: 0
        case .dressing: 1
        case .transferring: 2
        case .toileting: 3
        case .walkingIndoors: 4
        case .bathing: 5
        }
    }
}

/// 生活自理能力 — the care tier set by the assessment.
public enum SelfCareClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// 具备生活自理能力 — all six activities done unaided.
    case capable
    /// 部分丧失生活自理能力 — one to three activities failed.
    case partlyLost = "partly_lost"
    /// 完全丧失生活自理能力 — four or more activities failed.
    case fullyLost = "fully_lost"

    public var name: Bilingual {
        switch self {
        case .capable: Bilingual(zh: "具备生活自理能力", en: "capable of self-care")
        case .partlyLost: Bilingual(zh: "部分丧失生活自理能力", en: "partly lost self-care")
        case .fullyLost: Bilingual(zh: "完全丧失生活自理能力", en: "fully lost self-care")
        }
    }

    /// The national rule: 0 failed = capable, 1–3 = partly lost, ≥4 = fully lost.
    public init(failedCount: Int) {
        switch failedCount {
        case ...0: self = .capable
        case 1...3: self = .partlyLost
        default: self = .fullyLost
        }
    }
}

/// 生活自理能力评估 — the activities a person could not do unaided, and the
/// class they give.
public struct SelfCareAssessment: Sendable, Hashable, Codable {
    public let failed: Set<DailyActivity>

    public init(failed: Set<DailyActivity>) {
        self.failed = failed
    }

    public var selfCareClass: SelfCareClass { SelfCareClass(failedCount: failed.count) }

    /// The failed activities in the order of the assessment form.
    public var failedInFormOrder: [DailyActivity] { failed.sorted() }
}

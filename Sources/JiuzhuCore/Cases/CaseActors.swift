/// Where an account sits relative to the case it acts on.
public enum CaseRegionRelation: String, Sendable, Codable, CaseIterable {
    /// The case's own village (村/社区).
    case caseVillage = "case_village"
    /// The township the case belongs to (本乡镇).
    case caseTownship = "case_township"
    /// The county the case belongs to (本县).
    case caseCounty = "case_county"
    /// The county a transferring case moves to (迁入县).
    case receivingCounty = "receiving_county"

    public var name: Bilingual {
        switch self {
        case .caseVillage: Bilingual(zh: "本村（社区）", en: "the case's village")
        case .caseTownship: Bilingual(zh: "本乡镇（街道）", en: "the case's township")
        case .caseCounty: Bilingual(zh: "本县（区）", en: "the case's county")
        case .receivingCounty: Bilingual(zh: "迁入地县（区）", en: "the receiving county")
        }
    }

    /// The relation of an account homed at `home` to a case registered at
    /// `caseRegion` (its township or village); nil when the account is
    /// elsewhere or above the county (supervisors watch, they do not act).
    public static func of(home: RegionCode, caseRegion: RegionCode) -> CaseRegionRelation? {
        if home.level == .village { return home == caseRegion ? .caseVillage : nil }
        if home.level == .township, caseRegion.ancestor(at: .township) == home { return .caseTownship }
        if home.level == .county, caseRegion.ancestor(at: .county) == home { return .caseCounty }
        return nil
    }
}

/// Who is acting: their role and where they sit relative to the case.
public struct CaseActor: Sendable, Hashable {
    public let role: StaffRole
    public let relation: CaseRegionRelation?

    public init(role: StaffRole, relation: CaseRegionRelation?) {
        self.role = role
        self.relation = relation
    }

    /// `transferTo`: the village a transferring case moves to; a county
    /// account above it is the receiving county.
    public init(role: StaffRole, home: RegionCode, caseRegion: RegionCode, transferTo: RegionCode? = nil) {
        if let transferTo, home.level == .county, transferTo.ancestor(at: .county) == home,
           caseRegion.ancestor(at: .county) != home {
            self.init(role: role, relation: .receivingCounty)
        } else {
            self.init(role: role, relation: CaseRegionRelation.of(home: home, caseRegion: caseRegion))
        }
    }
}

/// One kind of account that may take a step: a role at a place relative to the case.
public struct CaseActorRule: Sendable, Hashable {
    public let role: StaffRole
    public let relation: CaseRegionRelation

    public init(_ role: StaffRole, at relation: CaseRegionRelation) {
        self.role = role
        self.relation = relation
    }

    public func allows(_ actor: CaseActor) -> Bool {
        actor.role == role && actor.relation == relation
    }

    /// `乡镇经办人（本乡镇（街道））`.
    public var name: Bilingual {
        Bilingual(zh: "\(relation.name.zh)\(role.name.zh)", en: "\(role.name.en.lowercased()) of \(relation.name.en)")
    }
}

// Policy parameters per region with effective dates (政策参数的地区与生效日期).

/// One region's verification policy from a day on.
public struct PolicyVersion: Sendable, Hashable {
    public var region: RegionCode
    /// 生效日期 — in force from this day until the region's next version.
    public var effectiveFrom: LocalDate
    public var policy: VerificationPolicy

    public init(region: RegionCode, effectiveFrom: LocalDate, policy: VerificationPolicy) {
        self.region = region
        self.effectiveFrom = effectiveFrom
        self.policy = policy
    }
}

/// Every region's versions: which policy a household gets on a day. A county
/// that has set its own parameters uses them; otherwise the nearest ancestor's
/// (city, then province) apply. Within a region the latest version whose
/// effective date is on or before the day is in force.
public struct PolicySchedule: Sendable {
    private let versions: [RegionCode: [PolicyVersion]]

    public init(_ versions: [PolicyVersion]) {
        var byRegion: [RegionCode: [PolicyVersion]] = [:]
        for version in versions { byRegion[version.region, default: []].append(version) }
        self.versions = byRegion.mapValues { $0.sorted { $0.effectiveFrom < $1.effectiveFrom } }
    }

    /// The version in force for `region` on `date`, looked up from the region
    /// itself to the province; nil when no region in the lineage has one yet.
    public func version(for region: RegionCode, on date: LocalDate) -> PolicyVersion? {
        for code in region.lineage.reversed() {
            if let found = versions[code]?.last(where: { $0.effectiveFrom <= date }) { return found }
        }
        return nil
    }

    /// Like `version(for:on:)`, or an error the caller can show.
    public func require(for region: RegionCode, on date: LocalDate) throws(UserError) -> PolicyVersion {
        guard let found = version(for: region, on: date) else {
            let text = VerificationText.noPolicy(region: region, date: date)
            throw UserError("verification.no_policy", field: "region", zh: text.zh, en: text.en)
        }
        return found
    }
}

extension VerificationPolicy {
    /// The `policy` object of cases/FORMAT.md; `VerificationPolicy(field:)` reads it back.
    public var json: JSONValue {
        let sortedStrings: (Set<String>) -> JSONValue = { set in
            .array(set.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { .string($0) })
        }
        return .object([
            "standardUrban": .integer(standardUrban.fen),
            "standardRural": .integer(standardRural.fen),
            "edgeMultiplier": .string(edgeMultiplier.text),
            "referenceMonths": .integer(Int64(referenceMonths)),
            "financialAssetMonths": .integer(Int64(financialAssetMonths)),
            "vehicleValueCap": .integer(vehicleValueCap.fen),
            "exemptVehicleTypes": sortedStrings(Set(exemptVehicleTypes.map(\.rawValue))),
            "maxHomes": .integer(Int64(maxHomes)),
            "nonResidentialDisqualifies": .bool(nonResidentialDisqualifies),
            "companyRoleDisqualifies": .bool(companyRoleDisqualifies),
            "excludedIncomeKinds": sortedStrings(excludedIncomeKinds),
            "deductibleKinds": sortedStrings(deductibleKinds),
            "requiredSources": .array(requiredSources.map { .string($0) }),
            "topUps": .array(topUps.map {
                .object(["group": .string($0.group.rawValue), "percentOfStandard": .integer(Int64($0.percentOfStandard))])
            }),
        ])
    }

    /// Reads a stored or uploaded `policy` object.
    public init(json text: String) throws(UserError) {
        try self.init(field: CaseField(try JSONValue.parse(text), path: "policy"))
    }
}

extension DepartmentRecord {
    /// The record as an object of cases/FORMAT.md's `records` — the exchange
    /// format of department files and push messages.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "source": .string(source), "member": .string(member.value), "type": .string(detail.type.rawValue),
        ]
        switch detail {
        case .income(let kind, let month, let amount), .expense(let kind, let month, let amount):
            object["kind"] = .string(kind)
            object["month"] = .string(month.description)
            object["amount"] = .integer(amount.fen)
        case .financialAsset(let kind, let account, let asOfDate, let balance):
            object["kind"] = .string(kind.rawValue)
            object["account"] = .string(account)
            object["asOfDate"] = .string(asOfDate.description)
            object["balance"] = .integer(balance.fen)
        case .vehicle(let plate, let type, let value):
            object["plate"] = .string(plate)
            object["vehicleType"] = .string(type.rawValue)
            object["value"] = .integer(value.fen)
        case .property(let use, let area):
            object["use"] = .string(use.rawValue)
            object["area"] = .string(area.text)
        case .company(let role, let active):
            object["role"] = .string(role.rawValue)
            object["active"] = .bool(active)
        case .death(let date):
            object["date"] = .string(date.description)
        }
        return .object(object)
    }
}

/// The kinds of anomaly, in the order flags are listed.
public enum AnomalyKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 打卡位置偏离登记住址
    case farFromHome = "far_from_home"
    /// 连续打卡间移动速度不合理
    case impossibleSpeed = "impossible_speed"
    /// 短时间内密集打卡
    case burst
    /// 照片重复使用
    case photoReused = "photo_reused"
    /// 不同对象打卡坐标完全相同
    case identicalCoordinates = "identical_coordinates"

    var order: Int {
        switch self {
        case .farFromHome: 0
        case .impossibleSpeed: 1
        case .burst: 2
        case .photoReused: 3
        case .identicalCoordinates: 4
        }
    }
}

/// What a flag rests on: the figures a supervisor needs to judge it.
public enum AnomalyEvidence: Sendable, Hashable {
    /// `distanceMetres` from the registered location with the fix's
    /// `accuracyMetres`; flagged because distance − accuracy > limit.
    case farFromHome(distanceMetres: Double, accuracyMetres: Double, limitMetres: Double)
    /// Two consecutive check-ins of one worker. `creditedDistanceMetres` is the
    /// distance less both accuracies; `speedKmh` is computed from it, and is
    /// nil when both check-ins carry the same second (any real distance is
    /// then impossible).
    case impossibleSpeed(distanceMetres: Double, creditedDistanceMetres: Double, seconds: Int64,
                         speedKmh: Double?, limitKmh: Double)
    /// `visits` different visits checked in by one worker within `spanSeconds`.
    case burst(visits: Int, spanSeconds: Int64, windowMinutes: Int, limitCount: Int)
    /// One photo hash on check-ins of `visitIDs` (sorted).
    case photoReused(photoSHA256: String, visitIDs: [String])
    /// The same coordinates, rounded to `decimalPlaces`, for `personIDs` (sorted).
    case identicalCoordinates(latitude: Double, longitude: Double, decimalPlaces: Int, personIDs: [String])

    public var kind: AnomalyKind {
        switch self {
        case .farFromHome: .farFromHome
        case .impossibleSpeed: .impossibleSpeed
        case .burst: .burst
        case .photoReused: .photoReused
        case .identicalCoordinates: .identicalCoordinates
        }
    }
}

/// 异常打卡 — a check-in pattern for a supervisor to review. A flag is a
/// question, not a finding: the description says what was seen.
public struct AnomalyFlag: Sendable, Hashable {
    /// The check-ins involved, in time order (ties by id).
    public let checkInIDs: [String]
    public let evidence: AnomalyEvidence
    public let description: Bilingual

    public var kind: AnomalyKind { evidence.kind }
}

/// The anomaly checks on a set of check-ins (say, a township's month).
///
/// - Check-ins are taken once per `id`: an offline queue that submits one
///   twice does not make a burst or a reused photo.
/// - A person without a registered location is not checked for distance.
/// - GPS accuracy is credited to the worker: distance from home counts as
///   distance − accuracy, and travel between two check-ins as distance − both
///   accuracies, so that a poor fix alone never raises a flag.
public enum AnomalyRules {
    public static func check(checkIns: [CheckIn], registeredLocations: [String: GeoPoint],
                             policy: VisitPolicy) -> [AnomalyFlag] {
        var seen = Set<String>()
        let unique = checkIns.filter { seen.insert($0.id).inserted }
        let ordered = unique.sorted { ($0.unixSeconds, $0.id) < ($1.unixSeconds, $1.id) }
        let timeByID = Dictionary(uniqueKeysWithValues: ordered.map { ($0.id, $0.unixSeconds) })

        var flags: [AnomalyFlag] = []
        flags += farFromHome(ordered, registeredLocations, policy)
        flags += impossibleSpeed(ordered, policy)
        flags += bursts(ordered, policy)
        flags += photoReuse(ordered)
        flags += identicalCoordinates(ordered, registeredLocations, policy)

        return flags.sorted { a, b in
            if a.kind.order != b.kind.order { return a.kind.order < b.kind.order }
            let (ta, tb) = (timeByID[a.checkInIDs[0]] ?? 0, timeByID[b.checkInIDs[0]] ?? 0)
            if ta != tb { return ta < tb }
            return a.checkInIDs.lexicographicallyPrecedes(b.checkInIDs)
        }
    }

    static func farFromHome(_ ordered: [CheckIn], _ homes: [String: GeoPoint], _ policy: VisitPolicy) -> [AnomalyFlag] {
        ordered.compactMap { checkIn in
            guard let home = homes[checkIn.personID] else { return nil }
            let distance = checkIn.location.distance(to: home)
            guard distance - checkIn.accuracyMetres > policy.maxDistanceFromHomeMetres else { return nil }
            let evidence = AnomalyEvidence.farFromHome(distanceMetres: distance, accuracyMetres: checkIn.accuracyMetres,
                                                       limitMetres: policy.maxDistanceFromHomeMetres)
            return AnomalyFlag(checkInIDs: [checkIn.id], evidence: evidence, description: VisitText.describe(evidence))
        }
    }

    static func impossibleSpeed(_ ordered: [CheckIn], _ policy: VisitPolicy) -> [AnomalyFlag] {
        var flags: [AnomalyFlag] = []
        for (_, trail) in byWorker(ordered) {
            for (earlier, later) in zip(trail, trail.dropFirst()) {
                let distance = earlier.location.distance(to: later.location)
                let credited = max(0, distance - earlier.accuracyMetres - later.accuracyMetres)
                guard credited > 0 else { continue }
                let seconds = later.unixSeconds - earlier.unixSeconds
                let speed: Double? = seconds > 0 ? credited / Double(seconds) * 3.6 : nil
                if let speed, speed <= policy.maxSpeedKmh { continue }
                let evidence = AnomalyEvidence.impossibleSpeed(distanceMetres: distance, creditedDistanceMetres: credited,
                                                               seconds: seconds, speedKmh: speed, limitKmh: policy.maxSpeedKmh)
                flags.append(AnomalyFlag(checkInIDs: [earlier.id, later.id], evidence: evidence,
                                         description: VisitText.describe(evidence)))
            }
        }
        return flags
    }

    /// Counts visits, not check-ins (several photos at one visit are normal):
    /// each visit enters at its worker's first check-in for it. Overlapping
    /// windows that each reach the count are merged into one flag.
    static func bursts(_ ordered: [CheckIn], _ policy: VisitPolicy) -> [AnomalyFlag] {
        let window = Int64(policy.burstWindowMinutes) * 60
        var flags: [AnomalyFlag] = []
        for (_, trail) in byWorker(ordered) {
            var visits = Set<String>()
            let firsts = trail.filter { visits.insert($0.visitID).inserted }
            var runs: [ClosedRange<Int>] = []
            var end = 0
            for start in firsts.indices {
                end = max(end, start)
                while end + 1 < firsts.count, firsts[end + 1].unixSeconds - firsts[start].unixSeconds <= window { end += 1 }
                guard end - start + 1 >= policy.burstCount else { continue }
                if let last = runs.last, last.upperBound >= start {
                    runs[runs.count - 1] = last.lowerBound...max(last.upperBound, end)
                } else {
                    runs.append(start...end)
                }
            }
            for run in runs {
                let members = firsts[run]
                let evidence = AnomalyEvidence.burst(
                    visits: members.count, spanSeconds: firsts[run.upperBound].unixSeconds - firsts[run.lowerBound].unixSeconds,
                    windowMinutes: policy.burstWindowMinutes, limitCount: policy.burstCount)
                flags.append(AnomalyFlag(checkInIDs: members.map(\.id), evidence: evidence,
                                         description: VisitText.describe(evidence)))
            }
        }
        return flags
    }

    static func photoReuse(_ ordered: [CheckIn]) -> [AnomalyFlag] {
        var groups: [String: [CheckIn]] = [:]
        for checkIn in ordered { groups[checkIn.photoSHA256.lowercased(), default: []].append(checkIn) }
        return groups.compactMap { hash, group in
            let visitIDs = Set(group.map(\.visitID)).sorted()
            guard visitIDs.count > 1 else { return nil }
            let evidence = AnomalyEvidence.photoReused(photoSHA256: hash, visitIDs: visitIDs)
            return AnomalyFlag(checkInIDs: group.map(\.id), evidence: evidence, description: VisitText.describe(evidence))
        }
    }

    /// People who share a registered home (a couple visited together) are
    /// expected at the same coordinates and are not flagged.
    static func identicalCoordinates(_ ordered: [CheckIn], _ homes: [String: GeoPoint],
                                     _ policy: VisitPolicy) -> [AnomalyFlag] {
        let places = policy.coordinateDecimalPlaces
        struct Key: Hashable { let lat: Int64, lon: Int64 }
        var groups: [Key: [CheckIn]] = [:]
        for checkIn in ordered {
            guard let (lat, lon) = checkIn.location.roundedKey(places: places) else { continue }
            groups[Key(lat: lat, lon: lon), default: []].append(checkIn)
        }
        return groups.compactMap { key, group in
            let people = Set(group.map(\.personID)).sorted()
            guard people.count > 1 else { return nil }
            let homeKeys = people.map { person in
                homes[person].flatMap { $0.roundedKey(places: places) }.map { Key(lat: $0.0, lon: $0.1) }
            }
            if let first = homeKeys[0], homeKeys.allSatisfy({ $0 == first }) { return nil }
            var scale = 1.0
            for _ in 0..<max(0, places) { scale *= 10 }
            let evidence = AnomalyEvidence.identicalCoordinates(
                latitude: Double(key.lat) / scale, longitude: Double(key.lon) / scale,
                decimalPlaces: places, personIDs: people)
            return AnomalyFlag(checkInIDs: group.map(\.id), evidence: evidence, description: VisitText.describe(evidence))
        }
    }

    /// Each worker's check-ins in time order (the input is already ordered).
    private static func byWorker(_ ordered: [CheckIn]) -> [String: [CheckIn]] {
        Dictionary(grouping: ordered, by: \.workerID)
    }
}

import func Foundation.asin
import func Foundation.cos
import func Foundation.sin
import func Foundation.sqrt

/// A point on the Earth in WGS-84 degrees, as a phone reports it.
public struct GeoPoint: Sendable, Hashable, Codable {
    public let latitude: Double
    public let longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The mean Earth radius (IUGG), in metres.
    public static let earthRadiusMetres = 6_371_008.8

    /// Great-circle (haversine) distance in metres.
    public func distance(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let phi1 = latitude * radians, phi2 = other.latitude * radians
        let dPhi = phi2 - phi1
        let dLambda = (other.longitude - longitude) * radians
        let a = sin(dPhi / 2) * sin(dPhi / 2) + cos(phi1) * cos(phi2) * sin(dLambda / 2) * sin(dLambda / 2)
        return 2 * Self.earthRadiusMetres * asin(min(1, sqrt(a)))
    }

    /// The coordinates rounded to `places` decimals, as integers, for exact
    /// comparison (no two doubles "almost" equal); nil for coordinates out of
    /// range (an unvalidated NaN must not trap).
    func roundedKey(places: Int) -> (Int64, Int64)? {
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        let (lat, lon) = ((latitude * scale).rounded(), (longitude * scale).rounded())
        guard abs(latitude) <= 90, abs(longitude) <= 180, abs(lat) < 9e18, abs(lon) < 9e18 else { return nil }
        return (Int64(lat), Int64(lon))
    }
}

/// 走访打卡 — one mobile check-in at a visit. Core has no clock: the time is
/// the phone's record of the moment, in Unix seconds (UTC).
public struct CheckIn: Sendable, Hashable, Codable {
    /// Unique per check-in (the phone makes it, so an offline retry repeats it).
    public let id: String
    /// The visit this check-in belongs to; several check-ins may record one visit.
    public let visitID: String
    public let workerID: String
    public let personID: String
    public let unixSeconds: Int64
    public let location: GeoPoint
    /// The reported horizontal accuracy (radius), in metres.
    public let accuracyMetres: Double
    /// SHA-256 of the photo, 64 lowercase hex digits.
    public let photoSHA256: String
    /// The activities the person could not do unaided, as observed at this
    /// visit; nil when the worker did not observe them.
    public let observedFailedActivities: Set<DailyActivity>?
    /// Needs the worker noted (free text, one per entry).
    public let needs: [String]

    public init(id: String, visitID: String, workerID: String, personID: String, unixSeconds: Int64,
                location: GeoPoint, accuracyMetres: Double, photoSHA256: String,
                observedFailedActivities: Set<DailyActivity>? = nil, needs: [String] = []) {
        self.id = id
        self.visitID = visitID
        self.workerID = workerID
        self.personID = personID
        self.unixSeconds = unixSeconds
        self.location = location
        self.accuracyMetres = accuracyMetres
        self.photoSHA256 = photoSHA256
        self.observedFailedActivities = observedFailedActivities
        self.needs = needs
    }

    /// The calendar day of the check-in at a fixed offset from UTC (China,
    /// UTC+8, by default): the visit date that schedules and compliance use.
    public func localDate(secondsFromGMT: Int = 8 * 3600) -> LocalDate {
        let seconds = unixSeconds + Int64(secondsFromGMT)
        let (quotient, remainder) = seconds.quotientAndRemainder(dividingBy: 86_400)
        return LocalDate(dayNumber: Int(remainder < 0 ? quotient - 1 : quotient))
    }
}

/// Checks on a check-in as submitted (online or from the offline queue),
/// before it is stored. Duplicates by `id` are the store's business.
public enum CheckInValidation {
    /// Every problem with the submission, in field order; empty if it is
    /// acceptable. `now` is the server's time in Unix seconds.
    public static func problems(_ checkIn: CheckIn, now: Int64, policy: VisitPolicy) -> [UserError] {
        var problems: [UserError] = []
        if checkIn.id.trimmingWhitespace.isEmpty { problems.append(VisitText.missing(field: "id")) }
        if checkIn.visitID.trimmingWhitespace.isEmpty { problems.append(VisitText.missing(field: "visitID")) }
        if checkIn.workerID.trimmingWhitespace.isEmpty { problems.append(VisitText.missing(field: "workerID")) }
        if checkIn.personID.trimmingWhitespace.isEmpty { problems.append(VisitText.missing(field: "personID")) }
        let lat = checkIn.location.latitude, lon = checkIn.location.longitude
        if !(lat.isFinite && (-90...90).contains(lat)) { problems.append(VisitText.latitudeRange) }
        if !(lon.isFinite && (-180...180).contains(lon)) { problems.append(VisitText.longitudeRange) }
        if !(checkIn.accuracyMetres.isFinite && checkIn.accuracyMetres >= 0) { problems.append(VisitText.accuracyRange) }
        if checkIn.unixSeconds > now + Int64(policy.maxClockSkewSeconds) {
            problems.append(VisitText.timeInFuture)
        } else if checkIn.unixSeconds < now - Int64(policy.maxCheckInAgeDays) * 86_400 {
            problems.append(VisitText.timeTooOld(days: policy.maxCheckInAgeDays))
        }
        if !isSHA256Hex(checkIn.photoSHA256) { problems.append(VisitText.photoHashFormat) }
        return problems
    }

    /// Throws the first problem, for callers that show one message.
    public static func validate(_ checkIn: CheckIn, now: Int64, policy: VisitPolicy) throws(UserError) {
        if let first = problems(checkIn, now: now, policy: policy).first { throw first }
    }

    /// 64 lowercase hexadecimal digits. Upper case is refused rather than
    /// folded, so that one photo has one spelling in the store.
    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

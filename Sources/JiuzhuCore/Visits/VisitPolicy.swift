/// 走访政策 — a region's parameters for visits to tekun people (and anyone
/// else the region puts on a visit plan): how often, how long before an
/// overdue visit goes to the township supervisor, and the thresholds of the
/// anomaly checks on mobile check-ins.
///
/// No national text fixes any of these numbers (domain.md §2.2), so every one
/// is a field; `example` is a demonstration set, not a rule.
public struct VisitPolicy: Sendable, Hashable, Codable {
    /// Calendar days from one visit (or enrolment) to the next due date, per
    /// self-care class. Days rather than weeks or months so that "every 2
    /// weeks" and "monthly" (taken as 30 days) are one arithmetic, and a
    /// region can set any other span.
    public var intervalDaysFullyLost: Int
    public var intervalDaysPartlyLost: Int
    public var intervalDaysCapable: Int
    /// A due date on a rest day moves to the next working day, as an office
    /// would count it. Off: the plain calendar date stands.
    public var dueDateMovesToWorkingDay: Bool
    /// 宽限期 — working days after the due date during which an unmade visit
    /// is overdue but not yet escalated to the township supervisor.
    public var escalationGraceWorkingDays: Int
    /// A check-in further than this from the person's registered location,
    /// after subtracting the reported GPS accuracy, is flagged.
    public var maxDistanceFromHomeMetres: Double
    /// Faster than this between two consecutive check-ins of one worker is
    /// flagged as impossible travel.
    public var maxSpeedKmh: Double
    /// `burstCount` or more check-ins by one worker within `burstWindowMinutes`
    /// (first to last, inclusive) are flagged.
    public var burstWindowMinutes: Int
    public var burstCount: Int
    /// Coordinates are compared after rounding to this many decimal places
    /// (5 ≈ 1.1 m of latitude).
    public var coordinateDecimalPlaces: Int
    /// 10 个工作日 — a self-care change seen at a visit must be re-assessed
    /// within this many working days.
    public var reassessmentWorkingDays: Int
    /// A check-in submitted later than this (offline queue) is refused.
    public var maxCheckInAgeDays: Int
    /// A check-in time ahead of the server's "now" by up to this much is
    /// accepted (phone clocks drift); more is refused.
    public var maxClockSkewSeconds: Int

    public init(intervalDaysFullyLost: Int, intervalDaysPartlyLost: Int, intervalDaysCapable: Int,
                dueDateMovesToWorkingDay: Bool = true, escalationGraceWorkingDays: Int,
                maxDistanceFromHomeMetres: Double, maxSpeedKmh: Double,
                burstWindowMinutes: Int, burstCount: Int, coordinateDecimalPlaces: Int = 5,
                reassessmentWorkingDays: Int = 10, maxCheckInAgeDays: Int = 7, maxClockSkewSeconds: Int = 300) {
        self.intervalDaysFullyLost = intervalDaysFullyLost
        self.intervalDaysPartlyLost = intervalDaysPartlyLost
        self.intervalDaysCapable = intervalDaysCapable
        self.dueDateMovesToWorkingDay = dueDateMovesToWorkingDay
        self.escalationGraceWorkingDays = escalationGraceWorkingDays
        self.maxDistanceFromHomeMetres = maxDistanceFromHomeMetres
        self.maxSpeedKmh = maxSpeedKmh
        self.burstWindowMinutes = burstWindowMinutes
        self.burstCount = burstCount
        self.coordinateDecimalPlaces = coordinateDecimalPlaces
        self.reassessmentWorkingDays = reassessmentWorkingDays
        self.maxCheckInAgeDays = maxCheckInAgeDays
        self.maxClockSkewSeconds = maxClockSkewSeconds
    }

    /// EXAMPLE values for demonstrations and tests — not a national or
    /// regional rule: weekly / fortnightly / 30-day visits, 5 working days'
    /// grace, 500 m from home, 120 km/h, 3 check-ins in 10 minutes, 5 decimal
    /// places. The 10-working-day re-assessment is the national figure.
    public static let example = VisitPolicy(
        intervalDaysFullyLost: 7, intervalDaysPartlyLost: 14, intervalDaysCapable: 30,
        escalationGraceWorkingDays: 5, maxDistanceFromHomeMetres: 500, maxSpeedKmh: 120,
        burstWindowMinutes: 10, burstCount: 3)

    public func intervalDays(for selfCare: SelfCareClass) -> Int {
        switch selfCare {
        case .fullyLost: intervalDaysFullyLost
        case .partlyLost: intervalDaysPartlyLost
        case .capable: intervalDaysCapable
        }
    }

    /// Refuses a policy an administrator may have entered wrongly; the field
    /// names are those of this type.
    public func validate() throws(UserError) {
        func positive(_ value: Int, _ field: String) throws(UserError) {
            guard value > 0 else { throw VisitText.policyNotPositive(field: field) }
        }
        func positive(_ value: Double, _ field: String) throws(UserError) {
            guard value.isFinite, value > 0 else { throw VisitText.policyNotPositive(field: field) }
        }
        func notNegative(_ value: Int, _ field: String) throws(UserError) {
            guard value >= 0 else { throw VisitText.policyNegative(field: field) }
        }
        try positive(intervalDaysFullyLost, "intervalDaysFullyLost")
        try positive(intervalDaysPartlyLost, "intervalDaysPartlyLost")
        try positive(intervalDaysCapable, "intervalDaysCapable")
        try notNegative(escalationGraceWorkingDays, "escalationGraceWorkingDays")
        try positive(maxDistanceFromHomeMetres, "maxDistanceFromHomeMetres")
        try positive(maxSpeedKmh, "maxSpeedKmh")
        try positive(burstWindowMinutes, "burstWindowMinutes")
        guard burstCount >= 2 else { throw VisitText.policyBurstCount }
        guard (0...9).contains(coordinateDecimalPlaces) else { throw VisitText.policyDecimalPlaces }
        try positive(reassessmentWorkingDays, "reassessmentWorkingDays")
        try positive(maxCheckInAgeDays, "maxCheckInAgeDays")
        try notNegative(maxClockSkewSeconds, "maxClockSkewSeconds")
    }
}

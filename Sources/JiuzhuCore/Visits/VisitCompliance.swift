/// One visit that fell due: the person, the region they live in, the due
/// date, and the day the visit was made (nil: not made).
public struct VisitObligation: Sendable, Hashable, Codable {
    public let personID: String
    public let region: RegionCode
    public let dueDate: LocalDate
    public let visitDate: LocalDate?

    public init(personID: String, region: RegionCode, dueDate: LocalDate, visitDate: LocalDate?) {
        self.personID = personID
        self.region = region
        self.dueDate = dueDate
        self.visitDate = visitDate
    }
}

/// An exact share `numerator / denominator`, shown as a percentage with one
/// decimal, rounded half up in integer arithmetic: the figure on the page is
/// the same on every machine and adds up with the counts beside it.
public struct Share: Sendable, Hashable, Codable {
    public let numerator: Int
    public let denominator: Int

    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Tenths of a percent, rounded half up; nil when there is nothing to share.
    public var permille: Int? {
        guard denominator > 0 else { return nil }
        return (numerator * 2000 + denominator) / (2 * denominator)
    }

    /// `66.7%`, or `—` when the denominator is 0.
    public var percentText: String {
        guard let permille else { return "—" }
        return "\(permille / 10).\(permille % 10)%"
    }
}

/// 走访合规 — the compliance figures of a region over a period, for the
/// supervision page.
///
/// Counted: the obligations whose due date is in the period and not after
/// `asOf` (what has fallen due so far). A visit made after `asOf` is not yet
/// known and counts as not made.
public struct VisitCompliance: Sendable, Hashable, Codable {
    /// Visits that have fallen due.
    public let due: Int
    /// Of those, visits made (on time or late).
    public let done: Int
    /// Visits made on or before their due date.
    public let doneOnTime: Int
    /// Not made, and the due date is before `asOf`.
    public let overdue: Int
    /// Not made, due on `asOf` itself: not late yet.
    public let dueToday: Int
    /// `doneOnTime / due`.
    public var shareOnTime: Share { Share(doneOnTime, of: due) }

    public init(_ obligations: some Sequence<VisitObligation>, from start: LocalDate, through end: LocalDate,
                asOf: LocalDate) {
        var (due, done, onTime, overdue, today) = (0, 0, 0, 0, 0)
        for item in obligations where item.dueDate >= start && item.dueDate <= end && item.dueDate <= asOf {
            due += 1
            if let visited = item.visitDate, visited <= asOf {
                done += 1
                if visited <= item.dueDate { onTime += 1 }
            } else if item.dueDate < asOf {
                overdue += 1
            } else {
                today += 1
            }
        }
        self.due = due
        self.done = done
        self.doneOnTime = onTime
        self.overdue = overdue
        self.dueToday = today
    }

    /// The figures of each region at `level` (a township, say) that has an
    /// obligation in the list, in region-code order. Obligations recorded above
    /// that level are left out.
    public static func byRegion(_ obligations: [VisitObligation], level: RegionLevel, from start: LocalDate,
                                through end: LocalDate, asOf: LocalDate) -> [(region: RegionCode, figures: VisitCompliance)] {
        var groups: [RegionCode: [VisitObligation]] = [:]
        for item in obligations {
            guard let region = item.region.ancestor(at: level) else { continue }
            groups[region, default: []].append(item)
        }
        return groups.keys.sorted().map { region in
            (region, VisitCompliance(groups[region] ?? [], from: start, through: end, asOf: asOf))
        }
    }
}

extension VisitObligation {
    /// The visits a person on a plan owed up to `through`, from their
    /// enrolment and the days they were visited: the first falls due one
    /// interval (by `VisitSchedule`) after enrolment; each visit made after
    /// the last anchor settles the one due and starts the next interval. A
    /// visit not made stays one obligation (not made), and none follow it
    /// until it is made — as the schedule on the worker's phone shows it.
    /// The self-care class is the plan's current one.
    public static func history(personID: String, region: RegionCode, selfCare: SelfCareClass, enrolledOn: LocalDate,
                               visits: [LocalDate], policy: VisitPolicy, calendar: WorkingCalendar,
                               through end: LocalDate) -> [VisitObligation] {
        let days = Array(Set(visits)).sorted()
        var obligations: [VisitObligation] = []
        var anchor = enrolledOn
        var next = days.startIndex
        while true {
            let due = VisitSchedule(policy: policy, selfCare: selfCare, lastVisitOrEnrolment: anchor, calendar: calendar).dueDate
            guard due <= end else { break }
            while next < days.endIndex, days[next] <= anchor { next += 1 }
            let visit = next < days.endIndex ? days[next] : nil
            obligations.append(VisitObligation(personID: personID, region: region, dueDate: due, visitDate: visit))
            guard let visit else { break }
            anchor = visit
        }
        return obligations
    }
}

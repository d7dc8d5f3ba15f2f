import FluentKit
import Foundation
import JiuzhuCore

/// The demo's visit plans: until the case workflow approves tekun cases, the
/// demo puts up to eight synthetic persons of the demo village assistant's
/// village (else township) on plans, with the assistant responsible, mixed
/// self-care classes and enrolment dates that leave some visits upcoming,
/// one due today and some overdue — so the phone page, the compliance page
/// and the escalation tasks have something to show.
public enum DemoVisits {
    public static let assistant = "demo.village"
    public static let village = "340321100201"
    /// The registered homes lie around this point (怀远县城关镇, illustrative).
    static let centre = GeoPoint(latitude: 32.9600, longitude: 117.2000)

    @discardableResult
    public static func seed(on db: any Database, keys: KeyRing, today: LocalDate, now: Date) async throws -> Int {
        guard try await VisitPlanRecord.query(on: db).count() == 0,
              let worker = try await StaffUser.query(on: db).filter(\.$username == assistant).first(),
              let workerID = worker.id
        else { return 0 }
        var people = try await PersonRecord.query(on: db).filter(\.$regionCode == village).sort(\.$birthDate).limit(8).all()
        if people.isEmpty {
            let township = RegionScope(root: try RegionCode(String(village.prefix(9))))
            people = try await PersonRecord.query(on: db).filter(\.$regionCode >= township.root.value)
                .filter(\.$regionCode < township.upperBound).sort(\.$birthDate).limit(8).all()
        }
        let repository = VisitRepository(db: db, keys: keys)
        // (self-care, days since enrolment): weekly due today; two weeks
        // overdue past grace; monthly upcoming; ...
        let pattern: [(SelfCareClass, Int)] = [(.fullyLost, 7), (.partlyLost, 25), (.capable, 10), (.fullyLost, 3),
                                                (.capable, 40), (.partlyLost, 5), (.capable, 2), (.partlyLost, 14)]
        for (index, person) in people.enumerated() {
            guard let personID = person.id else { continue }
            let (selfCare, ago) = pattern[index % pattern.count]
            let offset = Double(index) * 0.0021
            _ = try await repository.enrol(
                person: personID, region: try RegionCode(person.regionCode), responsible: workerID, selfCare: selfCare,
                on: today.adding(days: -ago), home: GeoPoint(latitude: centre.latitude + offset, longitude: centre.longitude - offset),
                now: now)
        }
        return people.count
    }
}

import Testing
@testable import JiuzhuCore

let samplePhoto = String(repeating: "ab", count: 32)

func sampleCheckIn(id: String = "c1", visit: String? = nil, worker: String = "w1", person: String = "p1",
                   at seconds: Int64 = 1_741_000_000, lat: Double = 32.9, lon: Double = 117.3,
                   accuracy: Double = 0, photo: String? = nil, observed: Set<DailyActivity>? = nil) -> CheckIn {
    CheckIn(id: id, visitID: visit ?? "v-\(id)", workerID: worker, personID: person, unixSeconds: seconds,
            location: GeoPoint(latitude: lat, longitude: lon), accuracyMetres: accuracy,
            photoSHA256: photo ?? distinctPhoto(id), observedFailedActivities: observed)
}

/// A valid hash of its own for each check-in id (its bytes in hex, padded).
func distinctPhoto(_ id: String) -> String {
    let hex = id.utf8.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
    return String((hex + String(repeating: "0", count: 64)).prefix(64))
}

struct VisitCheckInTests {
    let now: Int64 = 1_741_000_000

    @Test func haversineGivesTheMeanRadiusArc() {
        let a = GeoPoint(latitude: 32.9, longitude: 117.3)
        let oneDegreeNorth = GeoPoint(latitude: 33.9, longitude: 117.3)
        #expect(abs(a.distance(to: oneDegreeNorth) - 111_195.08) < 0.01)
        #expect(abs(GeoPoint(latitude: 0, longitude: 0).distance(to: GeoPoint(latitude: 0, longitude: 1)) - 111_195.08) < 0.01)
        #expect(a.distance(to: a) == 0)
        #expect(abs(a.distance(to: oneDegreeNorth) - oneDegreeNorth.distance(to: a)) < 1e-6)
        // Antipodes: half the circumference, no NaN from rounding.
        let far = GeoPoint(latitude: -32.9, longitude: -62.7).distance(to: a)
        #expect(abs(far - GeoPoint.earthRadiusMetres * Double.pi) < 0.01)
    }

    @Test func localDateIsTheChinaCalendarDay() {
        // 2024-12-31T16:00:00Z is midnight in Beijing.
        #expect(sampleCheckIn(at: 1_735_660_800).localDate() == date(2025, 1, 1))
        #expect(sampleCheckIn(at: 1_735_660_799).localDate() == date(2024, 12, 31))
        #expect(sampleCheckIn(at: -1).localDate(secondsFromGMT: 0) == date(1969, 12, 31))
    }

    @Test func acceptsAGoodCheckIn() throws {
        try CheckInValidation.validate(sampleCheckIn(accuracy: 25, photo: samplePhoto), now: now, policy: .example)
    }

    @Test func timeWindowBoundaries() {
        let policy = VisitPolicy.example
        func codes(_ at: Int64) -> [String] {
            CheckInValidation.problems(sampleCheckIn(at: at, photo: samplePhoto), now: now, policy: policy).map(\.code)
        }
        #expect(codes(now + 300) == [])
        #expect(codes(now + 301) == ["checkin.time_future"])
        #expect(codes(now - 7 * 86_400) == [])
        #expect(codes(now - 7 * 86_400 - 1) == ["checkin.time_too_old"])
    }

    @Test(arguments: [
        (90.0001, 117.3, 0.0, samplePhoto, "checkin.latitude", "latitude"),
        (Double.nan, 117.3, 0.0, samplePhoto, "checkin.latitude", "latitude"),
        (32.9, -180.5, 0.0, samplePhoto, "checkin.longitude", "longitude"),
        (32.9, Double.infinity, 0.0, samplePhoto, "checkin.longitude", "longitude"),
        (32.9, 117.3, -0.1, samplePhoto, "checkin.accuracy", "accuracy"),
        (32.9, 117.3, Double.nan, samplePhoto, "checkin.accuracy", "accuracy"),
        (32.9, 117.3, 0.0, samplePhoto.uppercased(), "checkin.photo_hash", "photoSHA256"),
        (32.9, 117.3, 0.0, String(samplePhoto.dropLast()), "checkin.photo_hash", "photoSHA256"),
        (32.9, 117.3, 0.0, String(samplePhoto.dropLast()) + "g", "checkin.photo_hash", "photoSHA256"),
    ] as [(Double, Double, Double, String, String, String)])
    func rejectsBadFieldsNamingTheField(lat: Double, lon: Double, accuracy: Double, photo: String,
                                        code: String, field: String) {
        let checkIn = sampleCheckIn(lat: lat, lon: lon, accuracy: accuracy, photo: photo)
        let problems = CheckInValidation.problems(checkIn, now: now, policy: .example)
        #expect(problems.map(\.code) == [code])
        #expect(problems.first?.field == field)
        #expect(userError { try CheckInValidation.validate(checkIn, now: now, policy: .example) }?.code == code)
        #expect(problems.first.map { !$0.message.zh.isEmpty && !$0.message.en.isEmpty } == true)
    }

    @Test func boundaryCoordinatesAreAccepted() {
        for (lat, lon) in [(90.0, 180.0), (-90.0, -180.0)] {
            #expect(CheckInValidation.problems(sampleCheckIn(lat: lat, lon: lon, photo: samplePhoto),
                                               now: now, policy: .example).isEmpty)
        }
    }

    @Test func reportsEveryProblemInFieldOrder() {
        let bad = CheckIn(id: " ", visitID: "v", workerID: "", personID: "p", unixSeconds: now + 10_000,
                          location: GeoPoint(latitude: 91, longitude: 181), accuracyMetres: -1, photoSHA256: "x")
        let problems = CheckInValidation.problems(bad, now: now, policy: .example)
        #expect(problems.map(\.code) == ["checkin.missing", "checkin.missing", "checkin.latitude", "checkin.longitude",
                                         "checkin.accuracy", "checkin.time_future", "checkin.photo_hash"])
        #expect(problems.prefix(2).map(\.field) == ["id", "workerID"])
    }

    // MARK: Self-care change

    @Test func aWorseningCreatesATaskDueInTenWorkingDays() throws {
        // Mon 20 Jan 2025: 21–24, make-up Sun 26, 27, then 5, 6, 7 Feb, make-up Sat 8 Feb.
        let task = try #require(SelfCareChange.reassessment(
            personID: "p1", assessed: .capable, observedFailed: [.bathing, .eating], observedOn: date(2025, 1, 20),
            policy: .example, calendar: visitCalendar))
        #expect(task.observed == .partlyLost)
        #expect(task.observedFailed == [.eating, .bathing])
        #expect(task.dueDate == date(2025, 2, 8))
        #expect(task.rule.zh.contains("10 个工作日"))
        #expect(task.rule.en.contains("within 10 working days"))
    }

    @Test func anImprovementAlsoNeedsReassessment() {
        let task = SelfCareChange.reassessment(personID: "p1", assessed: .fullyLost, observedFailed: [.bathing],
                                               observedOn: date(2025, 3, 3), policy: .example, calendar: visitCalendar)
        #expect(task?.observed == .partlyLost)
        #expect(task?.dueDate == date(2025, 3, 17))
    }

    @Test func noTaskWhenTheClassIsUnchangedOrNothingWasObserved() {
        let same = SelfCareChange.reassessment(personID: "p1", assessed: .partlyLost, observedFailed: [.bathing, .dressing, .eating],
                                               observedOn: date(2025, 3, 3), policy: .example, calendar: visitCalendar)
        #expect(same == nil)
        let unobserved = SelfCareChange.reassessment(personID: "p1", assessed: .capable, observedFailed: nil,
                                                     observedOn: date(2025, 3, 3), policy: .example, calendar: visitCalendar)
        #expect(unobserved == nil)
    }

    @Test func fromACheckInUsesItsChinaDayAndThePolicyDeadline() throws {
        var policy = VisitPolicy.example
        policy.reassessmentWorkingDays = 3
        // 2025-01-23T17:00:00Z is Fri 24 Jan 01:00 in Beijing.
        let checkIn = sampleCheckIn(at: 1_737_651_600, observed: Set(DailyActivity.allCases))
        let task = try #require(SelfCareChange.reassessment(for: checkIn, assessed: .capable, policy: policy,
                                                            calendar: visitCalendar))
        #expect(task.observedOn == date(2025, 1, 24))
        #expect(task.observed == .fullyLost)
        #expect(task.dueDate == date(2025, 2, 5))   // make-up Sun 26, Mon 27, then Wed 5 Feb
    }
}

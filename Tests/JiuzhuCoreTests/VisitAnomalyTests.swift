import Testing
@testable import JiuzhuCore

/// Metres in one degree of latitude on the mean-radius sphere.
private let metresPerDegree = 111_195.0797
private let otherPhoto = String(repeating: "cd", count: 32)
private let thirdPhoto = String(repeating: "ef", count: 32)

struct VisitAnomalyTests {
    let policy = VisitPolicy.example   // 500 m, 120 km/h, 3 visits in 10 min, 5 places
    let home = ["p1": GeoPoint(latitude: 32.9, longitude: 117.3)]

    func flags(_ checkIns: [CheckIn], homes: [String: GeoPoint] = [:]) -> [AnomalyFlag] {
        AnomalyRules.check(checkIns: checkIns, registeredLocations: homes, policy: policy)
    }

    // MARK: Far from the registered location

    @Test func flagsACheckInBeyondTheDistanceAfterAccuracy() throws {
        // 0.005° = 556 m; less 50 m accuracy = 506 m > 500 m.
        let result = flags([sampleCheckIn(lat: 32.905, accuracy: 50)], homes: home)
        #expect(result.count == 1)
        let flag = try #require(result.first)
        #expect(flag.kind == .farFromHome)
        #expect(flag.checkInIDs == ["c1"])
        guard case let .farFromHome(distance, accuracy, limit) = flag.evidence else { Issue.record("evidence"); return }
        #expect(abs(distance - 0.005 * metresPerDegree) < 0.01)
        #expect(accuracy == 50)
        #expect(limit == 500)
        #expect(flag.description.zh == "打卡位置距登记住址 556 米（定位精度 50 米），超过允许的 500 米")
        #expect(flag.description.en.contains("556 m from the registered address"))
    }

    @Test func aPoorFixExcusesTheSameDistance() {
        // 556 m less 60 m accuracy = 496 m.
        #expect(flags([sampleCheckIn(lat: 32.905, accuracy: 60)], homes: home).isEmpty)
    }

    @Test func justInsideAndJustBeyondTheDistance() {
        #expect(flags([sampleCheckIn(lat: 32.9044)], homes: home).isEmpty)          // 489 m
        #expect(flags([sampleCheckIn(lat: 32.9045)], homes: home).map(\.kind) == [.farFromHome])   // 500.4 m
    }

    @Test func aPersonWithoutARegisteredLocationIsNotCheckedForDistance() {
        #expect(flags([sampleCheckIn(person: "p9", lat: 40)], homes: home).isEmpty)
    }

    @Test func aCheckInSubmittedTwiceIsFlaggedOnce() {
        let once = sampleCheckIn(lat: 32.91)
        #expect(flags([once, once], homes: home).count == 1)
    }

    // MARK: Impossible speed

    @Test func flagsTravelFasterThanTheLimit() throws {
        // 0.2° = 22,239 m; less 2 × 10 m = 22,219 m in 600 s = 133.3 km/h.
        let a = sampleCheckIn(id: "a", at: 1_000, lat: 32.9, accuracy: 10)
        let b = sampleCheckIn(id: "b", person: "p2", at: 1_600, lat: 33.1, accuracy: 10)
        let result = flags([b, a])
        #expect(result.count == 1)
        let flag = try #require(result.first)
        #expect(flag.kind == .impossibleSpeed)
        #expect(flag.checkInIDs == ["a", "b"])
        guard case let .impossibleSpeed(distance, credited, seconds, speed, limit) = flag.evidence else {
            Issue.record("evidence"); return
        }
        #expect(abs(distance - 0.2 * metresPerDegree) < 0.01)
        #expect(abs(credited - (0.2 * metresPerDegree - 20)) < 0.01)
        #expect(seconds == 600)
        #expect(abs((speed ?? 0) - credited / 600 * 3.6) < 1e-9)
        #expect(limit == 120)
        #expect(flag.description.en.contains("133.3 km/h, above 120.0 km/h"))
    }

    @Test func plausibleTravelIsNotFlagged() {
        // The same 22 km in 700 s is 114.4 km/h.
        let a = sampleCheckIn(id: "a", at: 1_000, lat: 32.9)
        let b = sampleCheckIn(id: "b", person: "p2", at: 1_700, lat: 33.1)
        #expect(flags([a, b]).isEmpty)
    }

    @Test func gpsAccuracyExcusesAShortHop() {
        // 44.5 m in one second is 160 km/h — but both fixes are ±25 m.
        let a = sampleCheckIn(id: "a", at: 1_000, lat: 32.9, accuracy: 25)
        let b = sampleCheckIn(id: "b", person: "p2", at: 1_001, lat: 32.9004, accuracy: 25)
        #expect(flags([a, b]).isEmpty)
        let sharp = [sampleCheckIn(id: "a", at: 1_000, lat: 32.9), sampleCheckIn(id: "b", person: "p2", at: 1_001, lat: 32.9004)]
        #expect(flags(sharp).map(\.kind) == [.impossibleSpeed])
    }

    @Test func twoPlacesAtTheSameSecondIsImpossibleWithoutDividingByZero() throws {
        let a = sampleCheckIn(id: "a", at: 1_000, lat: 32.9, accuracy: 10)
        let b = sampleCheckIn(id: "b", person: "p2", at: 1_000, lat: 32.909, accuracy: 10)   // 1,001 m
        let flag = try #require(flags([a, b]).first)
        guard case let .impossibleSpeed(_, _, seconds, speed, _) = flag.evidence else { Issue.record("evidence"); return }
        #expect(seconds == 0)
        #expect(speed == nil)
        #expect(flag.description.zh == "同一工作人员在同一时刻于相距 1001 米的两处打卡")
    }

    @Test func theSameSecondAtTheSamePlaceIsNotFlagged() {
        let a = sampleCheckIn(id: "a", at: 1_000)
        let b = sampleCheckIn(id: "b", visit: "v-a", at: 1_000)
        #expect(flags([a, b]).isEmpty)
    }

    @Test func onlyConsecutiveCheckInsOfOneWorkerAreCompared() {
        // Two workers far apart at nearly the same time: no one travelled.
        let a = sampleCheckIn(id: "a", worker: "w1", at: 1_000, lat: 32.9)
        let b = sampleCheckIn(id: "b", worker: "w2", person: "p2", at: 1_010, lat: 33.9)
        #expect(flags([a, b]).isEmpty)
        // One worker out 11 km in 300 s (133 km/h) and back in 900 s (44 km/h).
        // Given out of time order, pairs in input order would flag nothing.
        let out = [sampleCheckIn(id: "b", person: "p2", at: 1_300, lat: 33.0),
                   sampleCheckIn(id: "c", at: 2_200, lat: 32.9),
                   sampleCheckIn(id: "a", at: 1_000, lat: 32.9)]
        let result = flags(out)
        #expect(result.map(\.checkInIDs) == [["a", "b"]])
    }

    // MARK: Bursts

    func visit(_ id: String, at seconds: Int64, worker: String = "w1", visit: String? = nil) -> CheckIn {
        // Each visit at its own person and place, 111 m apart: no other rule fires.
        let index = Double(Int(id.dropFirst()) ?? 0)
        return sampleCheckIn(id: id, visit: visit, worker: worker, person: "p-\(visit ?? id)", at: seconds,
                             lat: 32.9 + 0.001 * index)
    }

    @Test func flagsTheCountOfVisitsWithinTheWindow() throws {
        let result = flags([visit("c1", at: 0), visit("c2", at: 300), visit("c3", at: 600)])
        let flag = try #require(result.first)
        #expect(result.count == 1)
        #expect(flag.checkInIDs == ["c1", "c2", "c3"])
        #expect(flag.evidence == .burst(visits: 3, spanSeconds: 600, windowMinutes: 10, limitCount: 3))
        #expect(flag.description.zh.contains("600 秒内为 3 次走访打卡"))
    }

    @Test func oneSecondOutsideTheWindowIsNotABurst() {
        #expect(flags([visit("c1", at: 0), visit("c2", at: 300), visit("c3", at: 601)]).isEmpty)
    }

    @Test func severalCheckInsOfOneVisitCountOnce() {
        let photos = [visit("c1", at: 0, visit: "v1"), visit("c2", at: 100, visit: "v1"), visit("c3", at: 200)]
        #expect(flags(photos).filter { $0.kind == .burst }.isEmpty)
    }

    @Test func overlappingWindowsMergeIntoOneFlag() throws {
        let result = flags([visit("c1", at: 0), visit("c2", at: 300), visit("c3", at: 600), visit("c4", at: 900)])
        #expect(result.count == 1)
        let flag = try #require(result.first)
        #expect(flag.checkInIDs == ["c1", "c2", "c3", "c4"])
        #expect(flag.evidence == .burst(visits: 4, spanSeconds: 900, windowMinutes: 10, limitCount: 3))
    }

    @Test func separateBurstsAreSeparateFlags() {
        let day = [visit("c1", at: 0), visit("c2", at: 60), visit("c3", at: 120),
                   visit("c4", at: 7_200), visit("c5", at: 7_260), visit("c6", at: 7_320)]
        #expect(flags(day).map(\.checkInIDs) == [["c1", "c2", "c3"], ["c4", "c5", "c6"]])
    }

    @Test func differentWorkersDoNotMakeABurstTogether() {
        let result = flags([visit("c1", at: 0, worker: "w1"), visit("c2", at: 60, worker: "w2"),
                            visit("c3", at: 120, worker: "w1")])
        #expect(result.isEmpty)
    }

    // MARK: Photo reuse

    @Test func flagsOnePhotoOnDifferentVisits() throws {
        let a = sampleCheckIn(id: "a", worker: "w1", person: "p1", at: 0, lat: 32.9, photo: samplePhoto)
        let b = sampleCheckIn(id: "b", worker: "w2", person: "p2", at: 86_400, lat: 33.5, photo: samplePhoto.uppercased())
        let result = flags([a, b])
        #expect(result.count == 1)
        let flag = try #require(result.first)
        #expect(flag.checkInIDs == ["a", "b"])
        #expect(flag.evidence == .photoReused(photoSHA256: samplePhoto, visitIDs: ["v-a", "v-b"]))
        #expect(flag.description.zh.contains("2 次不同走访"))
    }

    @Test func onePhotoSentTwiceForOneVisitIsNotReuse() {
        let a = sampleCheckIn(id: "a", visit: "v1", at: 0, photo: samplePhoto)
        let b = sampleCheckIn(id: "b", visit: "v1", at: 30, photo: samplePhoto)
        #expect(flags([a, b]).isEmpty)
    }

    // MARK: Identical coordinates

    @Test func flagsTheSameCoordinatesForDifferentPeople() throws {
        let a = sampleCheckIn(id: "a", worker: "w1", person: "p1", at: 0, lat: 32.900001, lon: 117.3)
        let b = sampleCheckIn(id: "b", worker: "w2", person: "p2", at: 86_400, lat: 32.900004, lon: 117.3)
        let result = flags([a, b])
        #expect(result.count == 1)
        let flag = try #require(result.first)
        #expect(flag.checkInIDs == ["a", "b"])
        #expect(flag.evidence == .identicalCoordinates(latitude: 32.9, longitude: 117.3, decimalPlaces: 5,
                                                       personIDs: ["p1", "p2"]))
    }

    @Test func coordinatesDifferingAtThePrecisionAreNotIdentical() {
        let a = sampleCheckIn(id: "a", person: "p1", at: 0, lat: 32.90001)
        let b = sampleCheckIn(id: "b", person: "p2", at: 86_400, lat: 32.90002)
        #expect(flags([a, b]).isEmpty)
        var coarse = policy
        coarse.coordinateDecimalPlaces = 4
        #expect(AnomalyRules.check(checkIns: [a, b], registeredLocations: [:], policy: coarse).map(\.kind)
                == [.identicalCoordinates])
    }

    @Test func theSamePersonAtTheSamePlaceIsNormal() {
        let a = sampleCheckIn(id: "a", person: "p1", at: 0)
        let b = sampleCheckIn(id: "b", person: "p1", at: 86_400 * 7)
        #expect(flags([a, b]).isEmpty)
    }

    @Test func peopleSharingARegisteredHomeAreNotFlagged() {
        let a = sampleCheckIn(id: "a", person: "p1", at: 0)
        let b = sampleCheckIn(id: "b", person: "p2", at: 600)
        let together = ["p1": GeoPoint(latitude: 32.9, longitude: 117.3), "p2": GeoPoint(latitude: 32.9, longitude: 117.3)]
        #expect(flags([a, b], homes: together).isEmpty)
        let apart = ["p1": GeoPoint(latitude: 32.9, longitude: 117.3), "p2": GeoPoint(latitude: 32.9, longitude: 117.3001)]
        #expect(flags([a, b], homes: apart).map(\.kind) == [.identicalCoordinates])
    }

    @Test func unvalidatedNonsenseCoordinatesRaiseNothingAndDoNotTrap() {
        let a = sampleCheckIn(id: "a", person: "p1", at: 0, lat: .nan, lon: 117.3)
        let b = sampleCheckIn(id: "b", person: "p2", at: 86_400, lat: .nan, lon: 117.3)
        let c = sampleCheckIn(id: "c", person: "p3", at: 90_000, lat: 1e300, lon: 1e300)
        #expect(flags([a, b, c]).filter { $0.kind == .identicalCoordinates }.isEmpty)
    }

    // MARK: Ordering

    @Test func flagsComeInKindThenTimeOrderWhateverTheInputOrder() {
        let checkIns = [
            sampleCheckIn(id: "far2", person: "p1", at: 90_000, lat: 32.95),
            sampleCheckIn(id: "far1", person: "p1", at: 80_000, lat: 32.95, lon: 117.31),
            visit("c1", at: 0), visit("c2", at: 60), visit("c3", at: 120),
            sampleCheckIn(id: "s2", worker: "w5", person: "p6", at: 50_010, lat: 34.1),
            sampleCheckIn(id: "s1", worker: "w5", person: "p5", at: 50_000, lat: 34.0),
            sampleCheckIn(id: "t2", worker: "w6", person: "p10", at: 40_010, lat: 35.1),
            sampleCheckIn(id: "t1", worker: "w6", person: "p9", at: 40_000, lat: 35.0),
            sampleCheckIn(id: "d1", worker: "w7", person: "pd1", at: 10_000, lat: 37.001),
            sampleCheckIn(id: "d2", worker: "w7", person: "pd2", at: 10_060, lat: 37.002),
            sampleCheckIn(id: "d3", worker: "w7", person: "pd3", at: 10_120, lat: 37.003),
            sampleCheckIn(id: "u2", worker: "w11", person: "p13", at: 45_010, lat: 38.1),
            sampleCheckIn(id: "u1", worker: "w11", person: "p14", at: 45_000, lat: 38.0),
            sampleCheckIn(id: "e3", worker: "w12", person: "pe3", at: 20_120, lat: 39.003),
            sampleCheckIn(id: "e1", worker: "w12", person: "pe1", at: 20_000, lat: 39.001),
            sampleCheckIn(id: "e2", worker: "w12", person: "pe2", at: 20_060, lat: 39.002),
            sampleCheckIn(id: "z1", worker: "w13", person: "p15", at: 170_000, lat: 40.0, photo: thirdPhoto),
            sampleCheckIn(id: "z2", worker: "w14", person: "p16", at: 170_000, lat: 40.5, photo: thirdPhoto),
            sampleCheckIn(id: "q1", worker: "w15", person: "p20", at: 300_000, lat: 41.0),
            sampleCheckIn(id: "q2", worker: "w16", person: "p21", at: 300_000, lat: 41.0),
            sampleCheckIn(id: "y1", worker: "w8", person: "p11", at: 150_000, lat: 36.0, photo: otherPhoto),
            sampleCheckIn(id: "y2", worker: "w10", person: "p12", at: 150_000, lat: 36.5, photo: otherPhoto),
            sampleCheckIn(id: "x1", worker: "w9", person: "p7", at: 200_000, lat: 33.5, photo: samplePhoto),
            sampleCheckIn(id: "x2", worker: "w9", person: "p8", at: 200_000, lat: 33.5, photo: samplePhoto),
        ]
        let expected = flags(checkIns, homes: home)
        // Several flags of a kind (from rules that group by worker, photo or
        // place) come in time order, not in hash-table order.
        #expect(expected.map(\.checkInIDs) == [
            ["far1"], ["far2"],
            ["t1", "t2"], ["u1", "u2"], ["s1", "s2"],
            ["c1", "c2", "c3"], ["d1", "d2", "d3"], ["e1", "e2", "e3"],
            ["y1", "y2"], ["z1", "z2"], ["x1", "x2"],
            ["x1", "x2"], ["q1", "q2"],
        ])
        #expect(expected.map(\.kind) == [.farFromHome, .farFromHome, .impossibleSpeed, .impossibleSpeed, .impossibleSpeed,
                                         .burst, .burst, .burst, .photoReused, .photoReused, .photoReused,
                                         .identicalCoordinates, .identicalCoordinates])
        var generator = SeededGenerator(seed: 6)
        for _ in 0..<20 {
            #expect(flags(checkIns.shuffled(using: &generator), homes: home) == expected)
        }
    }
}

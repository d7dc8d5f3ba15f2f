import FluentKit
import Crypto
import Foundation
import JiuzhuCore
@testable import JiuzhuStore
import JiuzhuTestSupport
import SQLKit
import Testing
import Vapor

/// The batch's digests (BatchDigests.swift): a household is read from its
/// digest only while no row it was made of has changed, whoever changed it.
@Suite struct BatchDigestTests {
    static let single = BatchFixture.single
    static let elder = BatchFixture.elder

    static func sample() -> BatchHouseholdRows {
        var household = BatchHouseholdRows(id: UUID(), regionCode: "340321100201", headPersonID: "A-HEAD", residence: "rural")
        household.members = [
            .init(personID: "A-HEAD", idBlind: "blind-1", idSealed: "", relation: "head", coResident: true, status: "normal",
                  opened: .init(idNumber: TestPeople.father, disability: nil, health: "健康")),
            .init(personID: "B", idBlind: "", idSealed: "", relation: "spouse", coResident: false, status: "deceased",
                  opened: .init(idNumber: "", disability: "\u{1F}\u{0}", health: nil)),
        ]
        household.records = [
            .init(rowID: Int64.max, member: 1, source: "tax", type: "income", kind: "wage", period: "2026-05", amount: -12,
                  active: true, area: "", accountIndex: "账户\n"),
            .init(rowID: 1, member: 0, source: "bank", type: "balance", kind: "deposit", period: "2026-05-31",
                  amount: Int64.min, active: false, area: String(repeating: "区", count: 300), accountIndex: ""),
        ]
        return household
    }

    static let cipher = TestKeys.ring.fieldCipher

    @Test func aDigestGivesBackExactlyTheRowsItWasMadeOf() throws {
        let household = Self.sample()
        let body = [UInt8](try #require(try BatchDigest.seal(household, cipher: Self.cipher)))
        var read = BatchHouseholdRows(id: household.id, regionCode: household.regionCode, headPersonID: "A-HEAD")
        #expect(BatchDigest.decode(body, into: &read, cipher: Self.cipher))
        #expect(try read.sameRows(as: household, cipher: Self.cipher) && read.records == household.records && read.members == household.members)

        var empty = BatchHouseholdRows(id: UUID(), regionCode: "340321100201", headPersonID: "H")
        let emptyBody = [UInt8](try #require(try BatchDigest.seal(empty, cipher: Self.cipher)))
        empty.residence = "urban"
        #expect(BatchDigest.decode(emptyBody, into: &empty, cipher: Self.cipher) && empty.residence == nil && empty.members.isEmpty)

        // A member whose fields were not opened: no digest.
        var unopened = household
        unopened.members[1].opened = nil
        #expect(BatchDigest.encode(unopened) == nil)
    }

    /// The ID numbers are in the digest only sealed, and only for this
    /// household: moved to another household's row, it does not open.
    @Test func aDigestIsSealedAndBoundToItsHousehold() throws {
        let household = Self.sample()
        let body = [UInt8](try #require(try BatchDigest.seal(household, cipher: Self.cipher)))
        #expect(!String(decoding: body, as: UTF8.self).contains(TestPeople.father))
        var other = BatchHouseholdRows(id: UUID(), regionCode: household.regionCode, headPersonID: "A-HEAD")
        #expect(!BatchDigest.decode(body, into: &other, cipher: Self.cipher) && other.members.isEmpty)
        let stranger = KeyRing(current: MasterKey(key: SymmetricKey(size: .bits256)))
        var read = BatchHouseholdRows(id: household.id, regionCode: household.regionCode, headPersonID: "A-HEAD")
        #expect(!BatchDigest.decode(body, into: &read, cipher: stranger.fieldCipher) && read.members.isEmpty)
    }

    /// Cut short, one byte too many, another format, another head, a record
    /// of a member that is not there: never a household.
    @Test func aDigestThatDoesNotParseIsNotUsed() throws {
        let household = Self.sample()
        let body = try #require(BatchDigest.encode(household))
        func rejected(_ bytes: [UInt8], head: String = "A-HEAD") -> Bool {
            var read = BatchHouseholdRows(id: household.id, regionCode: household.regionCode, headPersonID: head)
            return !BatchDigest.decode(plain: bytes, into: &read) && read.members.isEmpty && read.residence == nil
        }
        #expect(!rejected(body))
        for length in [0, 1, 5, body.count / 2, body.count - 1] {
            #expect(rejected(Array(body.prefix(length))), "cut at \(length)")
        }
        #expect(rejected(body + [0]))
        #expect(rejected([1] + body.dropFirst()))
        #expect(rejected(body, head: "ANOTHER"))
        var stray = household
        stray.records[0] = stray.records[0].of(member: 2)
        #expect(rejected(try #require(BatchDigest.encode(stray))))
        #expect(rejected([UInt8](repeating: 0xFF, count: 40)))
    }

    /// `BatchFixture.county`, the mother earning a little.
    private func county(_ f: BatchFixture) async throws -> (family: UUID, single: UUID, elder: UUID) {
        let households = try await f.county()
        try await f.wages(TestPeople.mother, 20_000)
        return households
    }

    private func reader(_ f: BatchFixture, digests: Bool = true) async throws -> ActiveHouseholdReader {
        let schedule = try await PolicyRepository(db: f.app.db, audit: AuditChain(keys: f.keys)).schedule()
        let sources = try await BatchVerification(db: f.app.db, keys: f.keys)
            .sourceStatuses(required: Set(DepartmentSourceCatalog.standard))
        var reader = ActiveHouseholdReader(db: f.app.db, keys: f.keys, region: try RegionCode("340321"), asOf: BatchFixture.asOf,
                                           schedule: schedule, sources: sources)
        reader.useDigests = digests
        return reader
    }

    /// The households read anew (the rest came from their digests), after
    /// checking that every household reads the same as from its rows alone.
    private func readAnew(_ f: BatchFixture) async throws -> Set<UUID> {
        let withDigests = try await reader(f).page(after: nil, previousBefore: nil)
        let fromRows = try await reader(f, digests: false).page(after: nil, previousBefore: nil)
        #expect(withDigests.count == fromRows.count)
        for (digest, rows) in zip(withDigests, fromRows) {
            #expect(try digest.sameRows(as: rows, cipher: f.keys.fieldCipher), "household \(rows.id) reads as its rows")
        }
        return Set(withDigests.filter { !$0.fromDigest }.map(\.id))
    }

    private func digestCount(_ app: Application) async throws -> Int {
        try await app.sql.raw("SELECT COUNT(*) AS n FROM household_batch_digests").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    @Test(arguments: TestDatabase.all)
    func aSecondRunReadsTheDigestsAndFindsTheSameOutcomes(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await county(f)
            let first = try await f.run("340321", pageSize: 2)
            #expect(first.fromDigests == 0 && first.readAnew == 3)
            #expect(try await digestCount(app) == 3)
            #expect(try await readAnew(f).isEmpty)
            let second = try await f.run("340321", pageSize: 2)
            #expect(second.fromDigests == 3 && second.readAnew == 0)
            #expect(second.members == first.members && second.records == first.records)
            #expect(second.summary.count(.unchanged) == 3 && second.summary.errorCount == 0)
            let before = try await f.results(run: first.runID)
            let after = try await f.results(run: second.runID)
            for id in [ids.family, ids.single, ids.elder] {
                #expect(after[id]?.conclusion == before[id]?.conclusion && after[id]?.monthlyBenefit == before[id]?.monthlyBenefit)
                #expect(after[id]?.perCapitaIncome == before[id]?.perCapitaIncome && after[id]?.flags == before[id]?.flags)
            }
        }
    }

    /// Each way the rows of a digest change — through the models as the
    /// application writes them, or by hand in SQL — sends exactly the
    /// households concerned back to their rows; the others keep their digests.
    @Test(arguments: TestDatabase.all)
    func everyChangeToAHouseholdsRowsMakesItsDigestStale(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await county(f)
            _ = try await f.run("340321")
            let sql = app.sql
            let cipher = f.keys.fieldCipher
            func person(_ id: String) async throws -> PersonRecord {
                try #require(try await PersonRecord.query(on: app.db).filter(\.$idBlind == f.keys.blindIndex(id)).first())
            }
            func member(_ household: UUID, _ position: Int) async throws -> MemberRecord {
                try #require(try await MemberRecord.query(on: app.db).filter(\.$householdID == household)
                    .filter(\.$position == position).first())
            }
            let mother = try await person(TestPeople.mother)
            let elder = try await person(Self.elder)
            let changes: [(String, Set<UUID>, () async throws -> Void)] = [
                ("a record arrives", [ids.family], { try await f.wages(TestPeople.child, 50_000, months: ["2026-04"]) }),
                ("a record's amount is changed by hand", [ids.single], {
                    try await sql.raw("UPDATE department_records SET amount = amount + 1 WHERE member_index = \(bind: f.keys.blindIndex(Self.single))").run()
                }),
                ("a record is deleted", [ids.family], {
                    try await sql.raw("DELETE FROM department_records WHERE member_index = \(bind: f.keys.blindIndex(TestPeople.mother))").run()
                }),
                ("a sealed field is sealed again (a key rotation)", [ids.family], {
                    mother.idSealed = try cipher.seal(TestPeople.mother, context: PeopleRepository.context("id_sealed", try mother.requireID()))
                    try await mother.update(on: app.db)
                }),
                ("the head's residence changes", [ids.elder], {
                    try await sql.raw("UPDATE persons SET residence = 'urban' WHERE id = \(bind: try elder.requireID())").run()
                }),
                ("a member's status changes", [ids.family], {
                    let row = try await member(ids.family, 2)
                    row.status = MemberStatus.missing.rawValue
                    try await row.update(on: app.db)
                }),
                ("a member leaves", [ids.family], {
                    let row = try await member(ids.family, 1)
                    row.leftMillis = BatchFixture.now.millis
                    try await row.update(on: app.db)
                }),
                ("a member joins", [ids.elder], {
                    let lodger = try await person(Self.single)
                    let row = MemberRecord()
                    row.id = UUID()
                    row.householdID = ids.elder
                    row.personID = try lodger.requireID()
                    row.regionCode = "340321101201"
                    row.relation = Relationship.nonRelative.rawValue
                    row.coResident = true
                    row.status = MemberStatus.normal.rawValue
                    row.position = 1
                    row.joinedMillis = BatchFixture.now.millis
                    try await row.create(on: app.db)
                }),
                // The single earner is now also the elder's member: both households.
                ("a record of a person in two households", [ids.single, ids.elder], {
                    try await f.wages(Self.single, 10_000, months: ["2026-02"])
                }),
                ("a membership row is deleted by hand", [ids.elder], {
                    try await sql.raw("DELETE FROM household_members WHERE household_id = \(bind: ids.elder) AND position = 1").run()
                }),
                ("the head changes", [ids.family], {
                    try await sql.raw("UPDATE households SET head_person_id = \(bind: try mother.requireID()) WHERE id = \(bind: ids.family)").run()
                }),
                // The mother left above: she heads the household from outside it.
                ("the residence of a head who is not a member changes", [ids.family], {
                    try await sql.raw("UPDATE persons SET residence = 'urban' WHERE id = \(bind: try mother.requireID())").run()
                }),
            ]
            for (name, concerned, change) in changes {
                #expect(try await readAnew(f).isEmpty, "before: \(name)")
                try await change()
                #expect(try await readAnew(f) == concerned, "\(name)")
                let run = try await f.run("340321")
                #expect(run.readAnew == concerned.count && run.fromDigests == 3 - concerned.count, "\(name)")
            }
        }
    }

    /// The race a version guards against: the rows are read, then changed,
    /// then the digest made from the first read is stored. It carries the
    /// version read before the change, so it is never used.
    @Test(arguments: TestDatabase.all)
    func aDigestMadeBeforeAChangeIsNeverUsed(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await county(f)
            let early = try await reader(f).page(after: nil, previousBefore: nil)
            try await f.wages(Self.single, 1, months: ["2026-01"])
            try await BatchVerification(db: app.db, keys: f.keys).write([], digests: early.map { household in
                [.uuid(household.id), .integer(household.dataVersion), .blob(try #require(household.digest))]
            })
            #expect(try await digestCount(app) == 3)
            #expect(try await readAnew(f) == [ids.single])
            let page = try await reader(f).page(after: nil, previousBefore: nil)
            #expect(page.first { $0.id == ids.single }?.recordCount == 4)
        }
    }

    /// A digest whose bytes do not parse (or of a format to come) is read
    /// anew, and the run replaces it.
    @Test(arguments: TestDatabase.all)
    func aDamagedDigestIsReadAnewAndReplaced(_ database: TestDatabase) async throws {
        try await withTestApp(database) { app in
            let f = BatchFixture(app: app)
            let ids = try await county(f)
            _ = try await f.run("340321")
            try await app.sql.raw("UPDATE household_batch_digests SET body = \(bind: Data([1, 2, 3])) WHERE household_id = \(bind: ids.elder)").run()
            #expect(try await readAnew(f) == [ids.elder])
            let run = try await f.run("340321")
            #expect(run.readAnew == 1 && run.summary.count(.unchanged) == 3)
            #expect(try await readAnew(f).isEmpty)
        }
    }
}

extension BatchHouseholdRows {
    /// The same household as far as the batch can tell: the same rows, the
    /// members' fields opened (sealed values differ with every sealing).
    func sameRows(as other: Self, cipher: any FieldCipher) throws -> Bool {
        func plain(_ members: [Member]) throws -> [Member] {
            try members.map { member in
                var member = member
                member.opened = try member.fields(cipher)
                (member.idSealed, member.disabilitySealed, member.healthSealed) = ("", nil, nil)
                return member
            }
        }
        let (mine, theirs) = (try plain(members), try plain(other.members))
        return id == other.id && regionCode == other.regionCode && headPersonID == other.headPersonID && residence == other.residence
            && mine == theirs && records.sorted { $0.rowID < $1.rowID } == other.records.sorted { $0.rowID < $1.rowID }
    }
}

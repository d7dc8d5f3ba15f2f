import FluentKit
import Foundation
import SQLKit

// 核对输入摘要 — a household's batch inputs, kept in household order.
//
// The batch reads, for every household, its current members, their person
// rows and their department records. Those rows sit all over the file (the
// records by the blind index of an ID number, the persons by a random id), so
// each member costs two random seeks. The digest is a copy of exactly those
// rows, the members' ID number, disability and health opened and the whole
// sealed again as one field (see `BatchDigest`), one row per household, keyed
// by the household id: a run reads it in the order it walks the households,
// one sequential pass, and opens one field a household.
//
// A copy is only as good as its freshness. Every household carries
// `data_version`, raised by triggers of the database itself on every
// insert, update and delete of the rows a digest is made of — whatever
// writes them: an import, a push, a pull, the intake, a transfer, a key
// rotation or an edit by hand. A digest is used only when it was made at the
// household's current version and names the household's current head;
// otherwise the run reads the rows anew and writes a new digest. The version
// is read before the rows it stamps: a change that commits in between leaves
// the digest a version behind, so it is read anew next time, never trusted.

/// The digest table, `households.data_version` and the triggers that raise it.
struct M022BatchDigests: AsyncMigration {
    static let table = "household_batch_digests"
    static let householdsIndex = "households_batch_columns_idx"

    /// One table whose rows a digest is made of: the key column of the
    /// changed row, and the queries of the households that row belongs to,
    /// given the changed keys (`keys` is a list of values on SQLite, a
    /// subquery on PostgreSQL).
    struct Dependency: Sendable {
        let name: String
        let table: String
        let key: String
        let households: [@Sendable (_ keys: String) -> String]
    }

    /// SQLite writes one transaction at a time.
    static func raise(_ households: String) -> String {
        "UPDATE households SET data_version = data_version + 1 WHERE id IN (\(households));"
    }

    /// PostgreSQL: the rows locked in id order first, so that two
    /// transactions raising overlapping households (two departments' feeds at
    /// once) queue behind each other instead of deadlocking.
    static func raiseInOrder(_ households: String) -> String {
        "PERFORM 1 FROM households WHERE id IN (\(households)) ORDER BY id FOR UPDATE; " + raise(households)
    }

    static let dependencies: [Dependency] = [
        // A record belongs to whoever holds the ID number it is indexed by.
        Dependency(name: "records", table: DepartmentRecordRow.schema, key: "member_index", households: [{ keys in
            "SELECT m.household_id FROM persons p JOIN household_members m ON m.person_id = p.id WHERE p.id_blind IN (\(keys))"
        }]),
        // A person's sealed fields and residence: every household they were
        // ever a member of, and the one they head (its residence is theirs).
        Dependency(name: "persons", table: PersonRecord.schema, key: "id", households: [
            { keys in "SELECT household_id FROM household_members WHERE person_id IN (\(keys))" },
            { keys in "SELECT id FROM households WHERE head_person_id IN (\(keys))" },
        ]),
        Dependency(name: "members", table: MemberRecord.schema, key: "household_id", households: [{ keys in keys }]),
    ]

    static let events = ["INSERT", "UPDATE", "DELETE"]

    func prepare(on database: any Database) async throws {
        try await database.schema(HouseholdRecord.schema).field("data_version", .int64, .required, .sql(.default(0))).update()
        // The page's first read (M021) now carries the version too.
        try await database.sql.drop(index: Self.householdsIndex).ifExists().run()
        try await database.sql.create(index: Self.householdsIndex).on(HouseholdRecord.schema)
            .column("id").column("region_code").column("head_person_id").column("data_version").run()
        if database.isPostgres {
            try await database.sql.raw("""
                CREATE TABLE household_batch_digests (household_id uuid PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE, \
                data_version bigint NOT NULL, body bytea NOT NULL)
                """).run()
            for statement in Self.postgresTriggers() { try await database.sql.raw(SQLQueryString(statement)).run() }
        } else {
            // A table with rowids: a row of up to 4 KiB stays in its leaf
            // page (a table without rowid keeps only about 1 KiB there and
            // puts the rest of a 1.4 KB digest on an overflow page of its
            // own: 3.4 GB for a million households instead of 1.4). Rows go
            // in the order the batch writes them, which is household order.
            // The key is declared as Fluent declares households.id (UUID,
            // numeric affinity): with another affinity the join could not
            // seek it and would scan the table for every household.
            try await database.sql.raw("""
                CREATE TABLE household_batch_digests (household_id UUID PRIMARY KEY NOT NULL REFERENCES households(id) \
                ON DELETE CASCADE, data_version INTEGER NOT NULL, body BLOB NOT NULL)
                """).run()
            for statement in Self.sqliteTriggers() { try await database.sql.raw(SQLQueryString(statement)).run() }
        }
    }

    func revert(on database: any Database) async throws {
        for dependency in Self.dependencies {
            for event in Self.events {
                try await database.sql.raw(SQLQueryString(
                    "DROP TRIGGER IF EXISTS \(Self.triggerName(dependency, event))" + (database.isPostgres ? " ON \(dependency.table)" : "")
                )).run()
            }
            if database.isPostgres {
                try await database.sql.raw(SQLQueryString("DROP FUNCTION IF EXISTS \(Self.functionName(dependency))()")).run()
            }
        }
        try await database.sql.raw("DROP TABLE household_batch_digests").run()
        try await database.sql.drop(index: Self.householdsIndex).run()
        try await database.sql.create(index: Self.householdsIndex).on(HouseholdRecord.schema)
            .column("id").column("region_code").column("head_person_id").run()
        try await database.schema(HouseholdRecord.schema).deleteField("data_version").update()
    }

    static func triggerName(_ dependency: Dependency, _ event: String) -> String {
        "digest_\(dependency.name)_\(event.lowercased())"
    }

    static func functionName(_ dependency: Dependency) -> String { "digest_\(dependency.name)_changed" }

    /// Row triggers: the changed row's old and new key.
    static func sqliteTriggers() -> [String] {
        dependencies.flatMap { dependency in
            events.map { event in
                let keys = switch event {
                case "INSERT": "NEW.\(dependency.key)"
                case "DELETE": "OLD.\(dependency.key)"
                default: "OLD.\(dependency.key), NEW.\(dependency.key)"
                }
                let body = dependency.households.map { raise($0(keys)) }.joined(separator: " ")
                return "CREATE TRIGGER \(triggerName(dependency, event)) AFTER \(event) ON \(dependency.table) FOR EACH ROW BEGIN \(body) END"
            }
        }
    }

    /// Statement triggers with transition tables: one statement a bulk
    /// insert, however many rows it writes.
    static func postgresTriggers() -> [String] {
        dependencies.flatMap { dependency -> [String] in
            func bumps(_ keys: String) -> String { dependency.households.map { raiseInOrder($0(keys)) }.joined(separator: " ") }
            let function = """
                CREATE FUNCTION \(functionName(dependency))() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                IF TG_OP = 'INSERT' THEN \(bumps("SELECT \(dependency.key) FROM new_rows")) \
                ELSIF TG_OP = 'DELETE' THEN \(bumps("SELECT \(dependency.key) FROM old_rows")) \
                ELSE \(bumps("SELECT \(dependency.key) FROM old_rows UNION SELECT \(dependency.key) FROM new_rows")) END IF; \
                RETURN NULL; END $$
                """
            let triggers = events.map { event in
                let tables = switch event {
                case "INSERT": "NEW TABLE AS new_rows"
                case "DELETE": "OLD TABLE AS old_rows"
                default: "OLD TABLE AS old_rows NEW TABLE AS new_rows"
                }
                return "CREATE TRIGGER \(triggerName(dependency, event)) AFTER \(event) ON \(dependency.table) REFERENCING \(tables) "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION \(functionName(dependency))()"
            }
            return [function] + triggers
        }
    }
}

/// The digest's bytes: a format byte, then the household's head and
/// residence, its members (their ID numbers, disability and health opened)
/// and its records, each string as its UTF-8 length (LEB128) and bytes; the
/// whole sealed as one field of the digest's row (`FieldCipher`, bound to the
/// household id), so that a run opens one field a household instead of three
/// a member. Bytes that do not open (a retired key), another format, or bytes
/// that do not parse make the digest stale: the household is read anew.
enum BatchDigest {
    static let format: UInt8 = 2

    static func context(_ household: UUID) -> FieldContext {
        FieldContext(table: M022BatchDigests.table, column: "body", row: household.uuidString)
    }

    /// nil unless every member's fields are opened.
    static func encode(_ household: BatchHouseholdRows) -> [UInt8]? {
        var writer = Writer()
        writer.bytes.reserveCapacity(96 + household.members.count * 180 + household.records.count * 80)
        writer.bytes.append(format)
        writer.string(household.headPersonID)
        writer.optional(household.residence)
        writer.count(household.members.count)
        for member in household.members {
            guard let opened = member.opened else { return nil }
            writer.string(member.personID)
            writer.string(member.idBlind)
            writer.string(opened.idNumber)
            writer.string(member.relation)
            writer.bool(member.coResident)
            writer.string(member.status)
            writer.optional(opened.disability)
            writer.optional(opened.health)
        }
        writer.count(household.records.count)
        for record in household.records {
            writer.int64(record.rowID)
            writer.count(record.member)
            writer.string(record.source)
            writer.string(record.type)
            writer.string(record.kind)
            writer.string(record.period)
            writer.int64(record.amount)
            writer.bool(record.active)
            writer.string(record.area)
            writer.string(record.accountIndex)
        }
        return writer.bytes
    }

    static func seal(_ household: BatchHouseholdRows, cipher: any FieldCipher) throws -> Data? {
        guard let bytes = encode(household) else { return nil }
        return Data(try cipher.seal(bytes: bytes, context: context(household.id)))
    }

    /// The members, records and residence of `household` from `bytes`; false
    /// (and `household` untouched) unless the bytes open and are a whole
    /// digest of this format naming `household`'s head.
    static func decode(_ bytes: [UInt8], into household: inout BatchHouseholdRows, cipher: any FieldCipher) -> Bool {
        guard let plain = try? cipher.open(bytes: bytes, context: context(household.id)) else { return false }
        return decode(plain: plain, into: &household)
    }

    static func decode(plain bytes: [UInt8], into household: inout BatchHouseholdRows) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var reader = Reader(buffer: buffer)
            guard let decoded = try? reader.household(head: household.headPersonID), reader.atEnd else { return false }
            household.residence = decoded.residence
            household.members = decoded.members
            household.records = decoded.records
            return true
        }
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func count(_ value: Int) {
            var rest = UInt64(max(0, value))
            repeat {
                let low = UInt8(rest & 0x7F)
                rest >>= 7
                bytes.append(rest == 0 ? low : low | 0x80)
            } while rest != 0
        }

        mutating func string(_ value: String) {
            count(value.utf8.count)
            bytes.append(contentsOf: value.utf8)
        }

        mutating func optional(_ value: String?) {
            bool(value != nil)
            if let value { string(value) }
        }

        mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

        mutating func int64(_ value: Int64) {
            let bits = UInt64(bitPattern: value)
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((bits >> UInt64(shift)) & 0xFF)) }
        }
    }

    struct Malformed: Error {}

    struct Reader {
        let buffer: UnsafeRawBufferPointer
        var offset = 0

        var atEnd: Bool { offset == buffer.count }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < buffer.count else { throw Malformed() }
            defer { offset += 1 }
            return buffer[offset]
        }

        mutating func count() throws(Malformed) -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 63 else { throw Malformed() }
                value |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { break }
                shift += 7
            }
            guard value <= UInt64(buffer.count) else { throw Malformed() }
            return Int(value)
        }

        mutating func string() throws(Malformed) -> String {
            let length = try count()
            guard length <= buffer.count - offset else { throw Malformed() }
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]), as: UTF8.self)
        }

        mutating func optional() throws(Malformed) -> String? {
            try bool() ? try string() : nil
        }

        mutating func bool() throws(Malformed) -> Bool {
            switch try byte() {
            case 0: false
            case 1: true
            default: throw Malformed()
            }
        }

        mutating func int64() throws(Malformed) -> Int64 {
            guard buffer.count - offset >= 8 else { throw Malformed() }
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(buffer[offset + index]) << UInt64(8 * index) }
            offset += 8
            return Int64(bitPattern: bits)
        }

        mutating func household(head: String) throws(Malformed)
            -> (residence: String?, members: [BatchHouseholdRows.Member], records: [BatchHouseholdRows.Record]) {
            guard try byte() == BatchDigest.format, try string() == head else { throw Malformed() }
            let residence = try optional()
            let memberCount = try count()
            var members: [BatchHouseholdRows.Member] = []
            members.reserveCapacity(memberCount)
            for _ in 0..<memberCount {
                let personID = try string(), idBlind = try string(), idNumber = try string(), relation = try string()
                let coResident = try bool(), status = try string(), disability = try optional(), health = try optional()
                members.append(BatchHouseholdRows.Member(
                    personID: personID, idBlind: idBlind, idSealed: "", relation: relation, coResident: coResident, status: status,
                    disabilitySealed: nil, healthSealed: nil,
                    opened: .init(idNumber: idNumber, disability: disability, health: health)))
            }
            let recordCount = try count()
            var records: [BatchHouseholdRows.Record] = []
            records.reserveCapacity(recordCount)
            for _ in 0..<recordCount {
                let rowID = try int64()
                let member = try count()
                guard member < memberCount else { throw Malformed() }
                records.append(BatchHouseholdRows.Record(
                    rowID: rowID, member: member, source: try string(), type: try string(), kind: try string(), period: try string(),
                    amount: try int64(), active: try bool(), area: try string(), accountIndex: try string()))
            }
            return (residence, members, records)
        }
    }
}

import FluentKit
import Foundation
import JiuzhuCore
import SQLKit

/// `jiuzhu keys rotate`: re-seals every personal field (and recomputes the
/// blind indexes) under the current master key, a batch per transaction;
/// once all is done, the batch's digests are deleted (they are remade).
/// Servers run with the new key as current and the old one as previous, so
/// they read both while this runs; a killed run resumes where it stopped,
/// because only values not yet under the current key are selected.
public struct KeyRotation: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    struct Target {
        let table: String
        let columns: [String]
        /// For persons: the blind index follows the sealed ID number.
        var blind: (sealed: String, column: String)? = nil
    }

    static let targets: [Target] = [
        Target(table: PersonRecord.schema, columns: PersonRecord.sealedColumns, blind: ("id_sealed", "id_blind")),
        Target(table: HouseholdRecord.schema, columns: ["address_sealed"]),
        Target(table: ApplicationRecord.schema, columns: ["entrustment_sealed"]),
        Target(table: StaffUser.schema, columns: ["totp_secret"]),
        Target(table: DocumentRecord.schema, columns: ["data_sealed"]),
        Target(table: VerificationReportRecord.schema, columns: ["signed_sealed", "input_sealed"]),
        Target(table: VisitCheckInRecord.schema, columns: ["photo_sealed", "notes_sealed", "needs_sealed"]),
        Target(table: CaseRecord.schema, columns: ["extension_sealed", "inputs_sealed", "payee_sealed"]),
        Target(table: PaymentLineRecord.schema, columns: ["payee_sealed"]),
        Target(table: CaseEventRecord.schema, columns: ["inputs_sealed"]),
        Target(table: CaseObjectionRecord.schema, columns: ["text_sealed"]),
    ]

    /// Rows still sealed by an older key, per table.
    public func pending() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for target in Self.targets {
            let query = db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(target.table)
            let row = try await stale(query, target).first()
            counts[target.table] = try row?.decode(column: "n", as: Int.self) ?? 0
        }
        let records = try await staleDepartmentRecords(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(DepartmentRecordRow.schema)).first()
        counts[DepartmentRecordRow.schema] = try records?.decode(column: "n", as: Int.self) ?? 0
        return counts
    }

    private func staleDepartmentRecords<B: SQLPredicateBuilder>(_ builder: B) -> B {
        builder.where("detail_sealed", .notLike, SQLBind("v1:\(keys.current.id):%"))
    }

    /// Restricts a query to rows with a value not sealed by the current key.
    private func stale<B: SQLPredicateBuilder>(_ builder: B, _ target: Target) -> B {
        let current = "v1:\(keys.current.id):%"
        return builder.where(group: { group in
            for column in target.columns {
                _ = group.orWhere(group: { inner in
                    inner.where(SQLIdentifier(column), .isNot, SQLLiteral.null)
                        .where(SQLIdentifier(column), .notLike, SQLBind(current))
                })
            }
            return group
        })
    }

    /// Re-seals up to `maxBatches` batches (all when nil). Returns the rows re-sealed.
    @discardableResult
    public func run(batchSize: Int = 500, maxBatches: Int? = nil, progress: (String, Int) -> Void = { _, _ in }) async throws -> Int {
        var total = 0
        var batches = 0
        let cipher = keys.fieldCipher
        for target in Self.targets {
            while maxBatches.map({ batches < $0 }) ?? true {
                let columns = target.columns.map { SQLIdentifier($0) }
                let extra = target.blind.map { [SQLIdentifier($0.column)] } ?? []
                let batch = try await stale(db.sql.select().column("id").columns(columns + extra).from(target.table), target)
                    .orderBy("id").limit(batchSize).all()
                if batch.isEmpty { break }
                try await db.transaction { tx in
                    for row in batch {
                        let id = try row.decode(column: "id", as: UUID.self)
                        var update = tx.sql.update(target.table)
                        for column in target.columns {
                            guard let sealed = try row.decodeNil(column: column) ? nil : row.decode(column: column, as: String.self) else { continue }
                            let context = FieldContext(table: target.table, column: column, row: id.uuidString)
                            let plain = try cipher.open(sealed, context: context)
                            update = update.set(SQLIdentifier(column), to: SQLBind(try cipher.seal(plain, context: context)))
                            if let blind = target.blind, blind.sealed == column {
                                let fresh = keys.blindIndex(plain)
                                update = update.set(SQLIdentifier(blind.column), to: SQLBind(fresh))
                                // The one-active-dibao-household key follows the person's blind index.
                                let old = try row.decode(column: blind.column, as: String.self)
                                if old != fresh {
                                    try await tx.sql.update(DibaoClaimRecord.schema).set("person_blind", to: SQLBind(fresh))
                                        .where("person_blind", .equal, SQLBind(old)).run()
                                }
                            }
                        }
                        try await update.where("id", .equal, SQLBind(id)).run()
                    }
                }
                total += batch.count
                batches += 1
                progress(target.table, batch.count)
            }
        }
        // Department records: the sealed record as sent, and the blind indexes
        // of its member and account, which follow the key.
        while maxBatches.map({ batches < $0 }) ?? true {
            let batch = try await staleDepartmentRecords(db.sql.select().columns("id", "source", "record_key", "detail_sealed")
                .from(DepartmentRecordRow.schema)).orderBy("id").limit(batchSize).all()
            if batch.isEmpty { break }
            try await db.transaction { tx in
                for row in batch {
                    let id = try row.decode(column: "id", as: Int64.self)
                    let context = DepartmentRecordRow.context(source: try row.decode(column: "source", as: String.self),
                                                              recordKey: try row.decode(column: "record_key", as: String.self))
                    let plain = try cipher.open(try row.decode(column: "detail_sealed", as: String.self), context: context)
                    guard case .object(let fields) = try JSONValue.parse(plain), case .string(let member)? = fields["member"] else {
                        throw FieldCipherError.malformed
                    }
                    var account = ""
                    if case .string(let number)? = fields["account"] { account = keys.blindIndex(number, purpose: "account") }
                    try await tx.sql.update(DepartmentRecordRow.schema)
                        .set("detail_sealed", to: SQLBind(try cipher.seal(plain, context: context)))
                        .set("member_index", to: SQLBind(keys.blindIndex(member)))
                        .set("account_index", to: SQLBind(account))
                        .where("id", .equal, SQLBind(id)).run()
                }
            }
            total += batch.count
            batches += 1
            progress(DepartmentRecordRow.schema, batch.count)
        }
        // Finished: the batch's digests (sealed by the key they were made
        // under, of rows now re-sealed) go; the next batch, or `verify --batch
        // --digests-only`, makes them again under the current key.
        if try await pending().values.allSatisfy({ $0 == 0 }) {
            try await db.sql.delete(from: M022BatchDigests.table).run()
        }
        return total
    }
}

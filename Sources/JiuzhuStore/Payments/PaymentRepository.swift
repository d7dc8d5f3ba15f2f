import FluentKit
import FluentSQL
import Foundation
import JiuzhuCore
import SQLKit

/// What importing the bank's result file did.
public struct BankResultSummary: Sendable, Equatable {
    public var paid = 0
    public var failed = 0
    /// Lines already recorded with the same result (the file imported again).
    public var unchanged = 0
    public var problems: [UserError] = []

    public init(problems: [UserError] = []) {
        self.problems = problems
    }
}

/// 资金发放 — payees, monthly rolls, bank files, the bank's results.
public struct PaymentRepository: Sendable {
    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    static func context(_ table: String, _ id: UUID) -> FieldContext {
        FieldContext(table: table, column: "payee_sealed", row: id.uuidString)
    }

    // MARK: Payees

    /// Records who is paid for a case (the name as on the account), sealed; audited.
    public func setPayee(_ record: CaseRecord, name: String, account: String, audit: (chain: AuditChain, entry: AuditEntry),
                         now: Date = Date()) async throws {
        let payee = try Payee(validatingName: name, account: account)
        let id = try record.requireID()
        let json = String(decoding: try JSONEncoder().encode(payee), as: UTF8.self)
        let sealed = try keys.fieldCipher.seal(json, context: Self.context(CaseRecord.schema, id))
        try await db.transaction { tx in
            try await tx.sql.update(CaseRecord.schema).set("payee_sealed", to: SQLBind(sealed)).where("id", .equal, SQLBind(id)).run()
            var entry = audit.entry
            entry.objectType = "case"
            entry.objectID = id.uuidString
            try await audit.chain.append(entry, on: tx, now: now)
        }
    }

    public func payee(of record: CaseRecord) throws -> Payee? {
        guard let sealed = record.payeeSealed else { return nil }
        let json = try keys.fieldCipher.open(sealed, context: Self.context(CaseRecord.schema, try record.requireID()))
        return try JSONDecoder().decode(Payee.self, from: Data(json.utf8))
    }

    // MARK: Rolls

    /// The cases of `county` due for `month` (Core `PaymentRule`: approved,
    /// awaiting a receiving county, or stopped with this month still paid)
    /// and not yet in any roll for it, split by whether a payee is recorded.
    public func due(county: RegionCode, month: YearMonth) async throws -> (ready: [CaseRecord], withoutPayee: [CaseRecord]) {
        let scope = RegionScope(root: county)
        let candidates = try await CaseRecord.query(on: db)
            .filter(\.$regionCode >= scope.root.value).filter(\.$regionCode < scope.upperBound)
            .group(.or) { or in
                or.filter(\.$state ~~ [CaseState.approved.rawValue, CaseState.transferring.rawValue])
                or.group(.and) { $0.filter(\.$state == CaseState.terminated.rawValue).filter(\.$lastMonth >= month.description) }
            }
            .sort(\.$regionCode).sort(\.$id).all()
        let paidAlready = Set(try await PaymentLineRecord.query(on: db).filter(\.$month == month.description)
            .filter(\.$caseID ~~ candidates.compactMap(\.id)).all().map(\.caseID))
        let due = candidates.filter { record in
            guard let id = record.id, !paidAlready.contains(id), let fen = record.monthlyFen, fen > 0,
                  let state = record.caseState else { return false }
            return PaymentRule.isPaid(state: state, firstMonth: record.firstPaidMonth, lastMonth: record.lastPaidMonth, month: month)
        }
        return (due.filter { $0.payeeSealed != nil }, due.filter { $0.payeeSealed == nil })
    }

    /// Freezes `county`'s roll for `month` from the cases due with a payee. A
    /// roll made before (by anyone, also concurrently) is returned as it is:
    /// nothing is added to it and nothing is paid twice.
    public func freeze(county: RegionCode, month: YearMonth, actor: String, audit: (chain: AuditChain, entry: AuditEntry),
                       now: Date = Date()) async throws -> PaymentRollRecord {
        guard county.level == .county else {
            throw UserError("payment.county", field: "county", zh: "发放名册按区县编制", en: "Payment rolls are made per county")
        }
        if let existing = try await roll(county: county, month: month) { return existing }
        let (ready, _) = try await due(county: county, month: month)
        let rollID = UUID()
        var lines: [PaymentLineRecord] = []
        for (index, record) in ready.enumerated() {
            guard let caseID = record.id, let payee = try payee(of: record), let fen = record.monthlyFen else { continue }
            let line = PaymentLineRecord()
            let lineID = UUID()
            line.id = lineID
            line.rollID = rollID
            line.caseID = caseID
            line.householdID = record.householdID
            line.regionCode = record.regionCode
            line.programme = record.programme
            line.month = month.description
            line.amountFen = fen
            line.payeeSealed = try keys.fieldCipher.seal(String(decoding: try JSONEncoder().encode(payee), as: UTF8.self),
                                                         context: Self.context(PaymentLineRecord.schema, lineID))
            line.reference = "P\(month.description.replacingOccurrences(of: "-", with: ""))\(county.value)\(String(format: "%05d", index + 1))"
            line.status = "pending"
            lines.append(line)
        }
        let total = lines.reduce(Int64(0)) { $0 + $1.amountFen }
        let frozen = lines
        do {
            try await db.transaction { tx in
                let inserted = try await tx.sql.insert(into: PaymentRollRecord.schema)
                    .columns("id", "county_code", "month", "line_count", "total_fen", "created_by", "created_ms")
                    .values(SQLBind(rollID), SQLBind(county.value), SQLBind(month.description), SQLBind(frozen.count), SQLBind(total),
                            SQLBind(actor), SQLBind(now.millis))
                    .ignoringConflicts(with: ["county_code", "month"])
                    .returning("id").all()
                guard !inserted.isEmpty else { throw RollExists() }
                for line in frozen { try await line.create(on: tx) }
                var entry = audit.entry
                entry.objectType = "payment_roll"
                entry.objectID = rollID.uuidString
                entry.detail = "county=\(county.value) month=\(month) lines=\(frozen.count) total=\(total)"
                try await audit.chain.append(entry, on: tx, now: now)
            }
        } catch is RollExists {
            // Someone froze it at the same moment: theirs stands.
        }
        guard let roll = try await roll(county: county, month: month) else { throw RollExists() }
        return roll
    }

    struct RollExists: Error {}

    public func roll(county: RegionCode, month: YearMonth) async throws -> PaymentRollRecord? {
        try await PaymentRollRecord.query(on: db).filter(\.$countyCode == county.value).filter(\.$month == month.description).first()
    }

    public func roll(id: UUID, in scope: RegionScope) async throws -> PaymentRollRecord? {
        guard let roll = try await PaymentRollRecord.find(id, on: db), let county = try? RegionCode(roll.countyCode),
              scope.allows(county) else { return nil }
        return roll
    }

    public func rolls(in scope: RegionScope) async throws -> [PaymentRollRecord] {
        try await PaymentRollRecord.query(on: db)
            .filter(\.$countyCode >= scope.root.value).filter(\.$countyCode < scope.upperBound)
            .sort(\.$month, .descending).sort(\.$countyCode).all()
    }

    public func lines(of roll: PaymentRollRecord) async throws -> [PaymentLineRecord] {
        try await PaymentLineRecord.query(on: db).filter(\.$rollID == roll.requireID()).sort(\.$reference).all()
    }

    public func payee(of line: PaymentLineRecord) throws -> Payee {
        let json = try keys.fieldCipher.open(line.payeeSealed, context: Self.context(PaymentLineRecord.schema, try line.requireID()))
        return try JSONDecoder().decode(Payee.self, from: Data(json.utf8))
    }

    /// The bank file's lines of a roll (payees opened; the caller audits).
    public func bankLines(of roll: PaymentRollRecord) async throws -> [BankFileLine] {
        let month = try YearMonth(parsing: roll.month)
        return try await lines(of: roll).compactMap { line in
            guard let programme = Programme(rawValue: line.programme) else { return nil }
            let payee = try payee(of: line)
            return BankFileLine(reference: line.reference, payee: payee.name, account: payee.account, amount: Money(fen: line.amountFen),
                                month: month, programme: programme, county: roll.countyCode)
        }
    }

    /// Applies the bank's result file to a roll: pending lines become paid or
    /// failed (a failure opens a task for the payment officer); a line
    /// already recorded the same way is unchanged; a reference not in the
    /// roll, or a result contradicting one recorded, is listed as a problem.
    /// One transaction with the audit event.
    public func applyResults(_ text: String, to roll: PaymentRollRecord, audit: (chain: AuditChain, entry: AuditEntry),
                             now: Date = Date()) async throws -> BankResultSummary {
        let (results, problems) = BankResultFile.parse(text)
        let county = try RegionCode(roll.countyCode)
        return try await db.transaction { tx in
            var summary = BankResultSummary(problems: problems)
            let lines = try await PaymentLineRecord.query(on: tx).filter(\.$rollID == roll.requireID()).all()
            let byReference = Dictionary(uniqueKeysWithValues: lines.map { ($0.reference, $0) })
            for result in results {
                guard let line = byReference[result.reference] else {
                    summary.problems.append(UserError("bank_result.unknown", field: "line \(result.lineNumber)",
                                                      zh: "第 \(result.lineNumber) 行：流水号 \(result.reference) 不在本名册中",
                                                      en: "Line \(result.lineNumber): reference \(result.reference) is not in this roll"))
                    continue
                }
                let status = result.paid ? "paid" : "failed"
                if line.status == status { summary.unchanged += 1; continue }
                guard line.status == "pending" else {
                    summary.problems.append(UserError("bank_result.conflict", field: "line \(result.lineNumber)",
                                                      zh: "第 \(result.lineNumber) 行：流水号 \(result.reference) 已记录为其他结果，未更改",
                                                      en: "Line \(result.lineNumber): reference \(result.reference) already has another result; left as it is"))
                    continue
                }
                line.status = status
                line.reason = result.reason.isEmpty ? nil : String(result.reason.prefix(200))
                line.resultMillis = now.millis
                try await line.update(on: tx)
                if result.paid {
                    summary.paid += 1
                } else {
                    summary.failed += 1
                    let today = LocalDate.today(now: now)
                    try await TaskRepository.open(TaskDraft(
                        kind: .paymentFailed, region: county, subjectType: "payment_line", subjectID: try line.requireID().uuidString,
                        dedupeKey: "payfail:\(try line.requireID().uuidString)", due: today,
                        rule: Bilingual(zh: "银行退回：\(result.reason)", en: "Returned by the bank: \(result.reason)"),
                        detail: ["case": line.caseID.uuidString, "month": line.month, "reference": line.reference]), on: tx, now: now)
                }
            }
            var entry = audit.entry
            entry.objectType = "payment_roll"
            entry.objectID = try roll.requireID().uuidString
            entry.detail = "paid=\(summary.paid) failed=\(summary.failed) unchanged=\(summary.unchanged) problems=\(summary.problems.count)"
            try await audit.chain.append(entry, on: tx, now: now)
            return summary
        }
    }

    /// 发放明细 — a household's payments, newest month first.
    public func statement(household: UUID) async throws -> [PaymentLineRecord] {
        try await PaymentLineRecord.query(on: db).filter(\.$householdID == household).sort(\.$month, .descending).all()
    }
}

import Crypto
import Foundation
import JiuzhuCore

/// A department record ready for `department_records`: its key, the plain
/// columns the calculator reads, and the sealed record as sent. Every way in
/// (file, push, pull, generated benchmark data) prepares rows here, so that
/// every way out reads the same columns.
public struct PreparedDepartmentRecord: Sendable {
    public let source: String
    public let recordKey: String
    public let memberIndex: String
    public let type: String
    public let kind: String
    public let period: String
    public let amount: Int64
    public let active: Bool
    public let area: String
    public let accountIndex: String
    public let detailSealed: String
    public let departmentTimestamp: String?

    /// `recordID` is the department's own id when it sends one; otherwise the
    /// SHA-256 of the record's canonical JSON is the key, so the same record
    /// sent twice is stored once.
    public init(_ record: DepartmentRecord, recordID: String?, timestamp: String?, keys: KeyRing) throws {
        let canonical = record.json.rendered(pretty: false)
        let key = recordID.map { "id:\($0)" }
            ?? "sha256:" + hexString(SHA256.hash(data: Data(canonical.utf8)))
        source = record.source
        recordKey = key
        memberIndex = keys.blindIndex(record.member.value)
        type = record.detail.type.rawValue
        departmentTimestamp = timestamp
        var kind = "", period = "", amount: Int64 = 0, active = true, area = "", account = ""
        switch record.detail {
        case .income(let k, let month, let value), .expense(let k, let month, let value):
            kind = k; period = month.description; amount = value.fen
        case .financialAsset(let k, let number, let day, let balance):
            kind = k.rawValue; period = day.description; amount = balance.fen
            account = keys.blindIndex(number, purpose: "account")
        case .vehicle(_, let vehicleType, let value):
            kind = vehicleType.rawValue; amount = value.fen
        case .property(let use, let floorArea):
            kind = use.rawValue; area = floorArea.text
        case .company(let role, let isActive):
            kind = role.rawValue; active = isActive
        case .death(let date):
            period = date.description
        }
        self.kind = kind
        self.period = period
        self.amount = amount
        self.active = active
        self.area = area
        self.accountIndex = account
        detailSealed = try keys.fieldCipher.seal(canonical, context: DepartmentRecordRow.context(source: source, recordKey: key))
    }
}

extension DepartmentRecordRow {
    /// The record the calculator reads, rebuilt from the plain columns for
    /// `member` (whose blind index is `memberIndex`): the account is its blind
    /// index and the plate is left out, which changes no rule. Reports that
    /// show plates and accounts open `detailSealed` instead (`openRecord`).
    public static func record(source: String, member: ResidentID, type: String, kind: String, period: String,
                              amount: Int64, active: Bool, area: String, accountIndex: String) throws(UserError) -> DepartmentRecord {
        let recordType = RecordType(rawValue: type)
        let field = recordType.flatMap { Self.typeFields[$0] } ?? "department_records.\(type)"
        let detail: RecordDetail
        switch recordType {
        case .income:
            detail = .income(kind: kind, month: try YearMonth(parsing: period, field: field), amount: Money(fen: amount))
        case .expense:
            detail = .expense(kind: kind, month: try YearMonth(parsing: period, field: field), amount: Money(fen: amount))
        case .financialAsset:
            detail = .financialAsset(kind: try choice(FinancialAssetKind.self, kind, field), account: accountIndex,
                                     asOfDate: try LocalDate(parsing: period, field: field), balance: Money(fen: amount))
        case .vehicle:
            detail = .vehicle(plate: "", type: try choice(VehicleType.self, kind, field), value: Money(fen: amount))
        case .property:
            detail = .property(use: try choice(PropertyUse.self, kind, field), area: try ExactDecimal(parsing: area, field: field))
        case .company:
            detail = .company(role: try choice(CompanyRole.self, kind, field), active: active)
        case .death:
            detail = .death(date: try LocalDate(parsing: period, field: field))
        case nil:
            throw UserError("department_record.type", field: field, zh: "未知的记录类型：\(type)", en: "Unknown record type: \(type)")
        }
        return DepartmentRecord(source: source, member: member, detail: detail)
    }

    /// `department_records.income` …, the field errors name: written once, not per row.
    private static let typeFields = Dictionary(uniqueKeysWithValues: RecordType.allCases.map { ($0, "department_records.\($0.rawValue)") })

    /// The record as the department sent it (with plate and account number).
    public func openRecord(keys: KeyRing, asOf: LocalDate) throws -> DepartmentRecord {
        let text = try keys.fieldCipher.open(detailSealed, context: Self.context(source: source, recordKey: recordKey))
        return try DepartmentRecord(field: CaseField(try JSONValue.parse(text)), asOf: asOf, policy: nil)
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ raw: String, _ field: String) throws(UserError) -> T
        where T.RawValue == String {
        guard let value = T(rawValue: raw) else {
            throw UserError("department_record.kind", field: field, zh: "未知的类别：\(raw)", en: "Unknown kind: \(raw)")
        }
        return value
    }
}

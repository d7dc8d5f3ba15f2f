// Department files (cases/FORMAT.md, "Department files"): JSON Lines with one
// record object per line, or CSV whose header row names the same fields.
// Every line becomes the same record object and goes through the same
// `DepartmentRecord(field:asOf:policy:)` as a case file and a push message,
// so every path into the calculator reads alike.

/// One record of a department file or push message, with what the
/// department says about it beside the record itself.
public struct DepartmentFileItem: Sendable, Hashable {
    public var record: DepartmentRecord
    /// The department's own record id (`recordId`), when it gives one.
    public var recordID: String?
    /// The department's timestamp of the record (`timestamp`), as sent.
    public var timestamp: String?

    public init(record: DepartmentRecord, recordID: String? = nil, timestamp: String? = nil) {
        self.record = record
        self.recordID = recordID
        self.timestamp = timestamp
    }
}

/// The two file formats.
public enum DepartmentFileFormat: String, Sendable, CaseIterable {
    case jsonLines = "jsonl"
    case csv

    /// By the file name's extension: `.csv`; `.jsonl`, `.ndjson` or `.json`.
    public init(fileName: String) throws(UserError) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".csv") {
            self = .csv
        } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") {
            self = .jsonLines
        } else {
            let text = DepartmentText.unknownFormat
            throw UserError("department.file_format", field: "file", zh: text.zh, en: text.en)
        }
    }
}

/// Reading one line (or CSV record) of a department file.
public enum DepartmentFile {
    /// Longest `recordId` kept: it is part of a unique key.
    public static let maxRecordIDLength = 128
    public static let maxTimestampLength = 64

    /// CSV columns whose cells are integers of fen.
    static let integerColumns: Set<String> = ["amount", "balance", "value"]
    static let boolColumns: Set<String> = ["active"]
    /// The columns a CSV file must have: no record is valid without them.
    static let requiredColumns = ["member", "type"]

    /// One line of a JSON Lines file (the bytes between two line breaks).
    /// `source` is the import's source: a `source` key must match it and is
    /// filled in when absent. ID numbers are checked against `today`.
    public static func item(jsonLine bytes: some Collection<UInt8>, source: String, today: LocalDate) throws(UserError) -> DepartmentFileItem {
        try item(object: CaseField(try JSONValue.parse(bytes)), source: source, today: today)
    }

    /// A record object of a file line or of a push message's `records`.
    public static func item(object field: CaseField, source: String, today: LocalDate) throws(UserError) -> DepartmentFileItem {
        guard case .object(var members)? = field.value else {
            _ = try field.object()  // the type error, on this field
            throw field.error("verification.type", VerificationText.wrongType(expected: .object, found: nil))
        }
        let sourceField = try field.field("source")
        if sourceField.isAbsent {
            members["source"] = .string(source)
        } else if try sourceField.string() != source {
            throw sourceField.error("department.source_mismatch", DepartmentText.sourceMismatch(try sourceField.string(), expected: source))
        }
        let complete = CaseField(.object(members), path: field.path)
        let record = try DepartmentRecord(field: complete, asOf: today, policy: nil)

        var recordID: String?
        let idField = try field.field("recordId")
        switch idField.value {
        case nil, .null?: recordID = nil
        case .string(let text)?: recordID = text
        case .number?: recordID = String(try idField.int64())
        default: _ = try idField.string(); recordID = nil
        }
        if let id = recordID {
            guard !id.isEmpty, id.count <= maxRecordIDLength, id.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw idField.error("department.record_id", DepartmentText.recordID)
            }
        }
        let timestampField = try field.field("timestamp")
        let timestamp = timestampField.isAbsent ? nil : try timestampField.string()
        if let timestamp, !isTimestamp(timestamp) {
            throw timestampField.error("department.timestamp", DepartmentText.timestamp)
        }
        return DepartmentFileItem(record: record, recordID: recordID, timestamp: timestamp)
    }

    /// ISO 8601 as departments write it: a date, optionally `T` and a time
    /// and zone (`2026-05-31`, `2026-05-31T08:00:00+08:00`); checked for the
    /// date and a sane length, the rest is kept as sent.
    static func isTimestamp(_ text: String) -> Bool {
        guard text.utf8.count <= maxTimestampLength, text.utf8.count >= 10 else { return false }
        guard (try? LocalDate(parsing: String(text.prefix(10)))) != nil else { return false }
        let rest = text.dropFirst(10)
        if rest.isEmpty { return true }
        return (rest.first == "T" || rest.first == " ")
            && rest.unicodeScalars.allSatisfy { "0123456789:.+-TZ ".unicodeScalars.contains($0) }
    }

    /// Checks a CSV header row: no empty or repeated names, and `member` and
    /// `type` present. Columns the format does not define are ignored, as
    /// unknown keys of a JSON record are.
    public static func checkHeader(_ header: [String]) throws(UserError) {
        var seen: Set<String> = []
        for (index, raw) in header.enumerated() {
            let name = String(raw.trimmingWhitespace)
            guard !name.isEmpty else {
                let text = DepartmentText.emptyColumn(index + 1)
                throw UserError("department.csv_header", field: nil, zh: text.zh, en: text.en)
            }
            guard seen.insert(name).inserted else {
                let text = DepartmentText.repeatedColumn(name)
                throw UserError("department.csv_header", field: name, zh: text.zh, en: text.en)
            }
        }
        for name in requiredColumns where !seen.contains(name) {
            let text = DepartmentText.missingColumn(name)
            throw UserError("department.csv_header", field: name, zh: text.zh, en: text.en)
        }
    }

    /// One CSV record under `header` (checked with `checkHeader`). Empty
    /// cells are absent fields; `amount`, `balance`, `value` are integers of
    /// fen and `active` is `true` or `false`.
    public static func item(csvFields cells: [String], header: [String], source: String,
                            today: LocalDate) throws(UserError) -> DepartmentFileItem {
        guard cells.count == header.count else {
            let text = DepartmentText.cellCount(cells.count, expected: header.count)
            throw UserError("department.csv_cells", field: nil, zh: text.zh, en: text.en)
        }
        var members: [String: JSONValue] = [:]
        for (raw, cell) in zip(header, cells) {
            let name = String(raw.trimmingWhitespace)
            let value = String(cell.trimmingWhitespace)
            guard !value.isEmpty else { continue }
            if integerColumns.contains(name) {
                var digits = Substring(value)
                if digits.first == "-" { digits = digits.dropFirst() }
                guard !digits.isEmpty, digits.isASCIIDigits else {
                    throw UserError("verification.not_integer", field: name,
                                    zh: VerificationText.notInteger.zh, en: VerificationText.notInteger.en)
                }
                members[name] = .number(value)
            } else if boolColumns.contains(name) {
                switch value.lowercased() {
                case "true": members[name] = .bool(true)
                case "false": members[name] = .bool(false)
                default:
                    throw UserError("department.csv_bool", field: name,
                                    zh: DepartmentText.boolCell.zh, en: DepartmentText.boolCell.en)
                }
            } else {
                members[name] = .string(value)
            }
        }
        return try item(object: CaseField(.object(members)), source: source, today: today)
    }
}

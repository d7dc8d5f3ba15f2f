/// RFC 4180 CSV, read from bytes as they arrive (a file need not fit in
/// memory): fields separated by commas, records by CRLF (a bare LF or CR is
/// accepted too), a field in double quotes may hold commas, line breaks and
/// doubled quotes. A UTF-8 byte-order mark at the start is skipped; blank
/// lines are skipped.
///
/// A record that breaks the rules (a quote inside an unquoted field, text
/// after a closing quote, a quote never closed, bytes that are not UTF-8, a
/// record longer than `maxRecordBytes`) is still returned, with its
/// `problem`, so that the reader of a file can report it by line and go on.
public struct CSVReader: Sendable {
    public struct Record: Sendable, Hashable {
        /// The line the record starts on (1-based, counting every line break,
        /// also those inside quotes).
        public let line: Int
        public let fields: [String]
        public let problem: UserError?
    }

    /// A longer record is refused (its text is not kept): a quote that is
    /// never closed must not make the reader hold the whole file.
    public static let defaultMaxRecordBytes = 1 << 20

    private enum State: Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    private let maxRecordBytes: Int
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var recordBytes = 0
    private var recordLine = 1
    private var line = 1
    private var problem: UserError?
    private var sawQuote = false
    /// A CR was the last byte: a following LF belongs to the same break.
    private var afterCR = false
    private var bomMatched = 0
    private var started = false
    private var output: [Record] = []

    public init(maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// Reads more bytes; returns the records they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Record] {
        for byte in bytes { consume(byte) }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// The end of the input: the last record if it has no line break after
    /// it, or the record whose quote was never closed.
    public mutating func finish() -> [Record] {
        if bomMatched > 0 && !started { replayBOM() }
        switch state {
        case .quoted:
            fail(.unterminatedQuote)
            endRecord()
        case .unquoted, .quoteInQuoted:
            endRecord()
        case .fieldStart:
            if !fields.isEmpty || sawQuote { endRecord() }
        }
        defer { output.removeAll() }
        return output
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func consume(_ byte: UInt8) {
        if !started {
            if byte == Self.bom[bomMatched] {
                bomMatched += 1
                if bomMatched == 3 { started = true }
                return
            }
            started = true
            replayBOM()
        }
        if afterCR {
            afterCR = false
            if byte == 0x0A {  // CRLF: the break was counted at the CR
                if state == .quoted { append(byte) }
                return
            }
        }
        switch state {
        case .fieldStart:
            switch byte {
            case UInt8(ascii: "\""): state = .quoted; sawQuote = true
            case UInt8(ascii: ","): endField()
            case 0x0D, 0x0A: lineBreak(byte); endRecord()
            default: append(byte); state = .unquoted
            }
        case .unquoted:
            switch byte {
            case UInt8(ascii: ","): endField(); state = .fieldStart
            case 0x0D, 0x0A: lineBreak(byte); endRecord()
            case UInt8(ascii: "\""): fail(.quoteInUnquotedField); append(byte)
            default: append(byte)
            }
        case .quoted:
            switch byte {
            case UInt8(ascii: "\""): state = .quoteInQuoted
            case 0x0D, 0x0A: lineBreak(byte); append(byte)
            default: append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case UInt8(ascii: "\""): append(byte); state = .quoted  // "" is one quote
            case UInt8(ascii: ","): endField(); state = .fieldStart
            case 0x0D, 0x0A: lineBreak(byte); endRecord()
            default: fail(.textAfterQuote); append(byte); state = .unquoted
            }
        }
    }

    /// Bytes that looked like the start of a byte-order mark but were not one.
    private mutating func replayBOM() {
        let pending = Self.bom.prefix(bomMatched)
        bomMatched = 0
        started = true
        for byte in pending { consume(byte) }
    }

    private mutating func lineBreak(_ byte: UInt8) {
        line += 1
        if byte == 0x0D { afterCR = true }
    }

    private mutating func append(_ byte: UInt8) {
        recordBytes += 1
        if recordBytes > maxRecordBytes {
            if recordBytes == maxRecordBytes + 1 { fail(.tooLong) }
            return
        }
        field.append(byte)
    }

    private mutating func fail(_ kind: CSVProblem) {
        guard problem == nil else { return }
        let text = DepartmentText.csvProblem(kind)
        problem = UserError("csv.syntax", field: nil, zh: text.zh, en: text.en)
    }

    private mutating func endField() {
        let text = String(decoding: field, as: UTF8.self)
        // Decoding replaces bad bytes: a text that does not re-encode to them was not UTF-8.
        if text.utf8.elementsEqual(field) {
            fields.append(text)
        } else {
            fields.append("")
            fail(.notUTF8)
        }
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord() {
        endField()
        let blank = fields.count == 1 && fields[0].isEmpty && !sawQuote && problem == nil
        if !blank {
            output.append(Record(line: recordLine, fields: fields, problem: problem))
        }
        fields.removeAll(keepingCapacity: true)
        state = .fieldStart
        sawQuote = false
        problem = nil
        recordBytes = 0
        recordLine = line
    }
}

enum CSVProblem: Sendable {
    case quoteInUnquotedField, textAfterQuote, unterminatedQuote, notUTF8, tooLong
}

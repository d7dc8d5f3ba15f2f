import Crypto
import FluentKit
import Foundation
import JiuzhuCore
import JiuzhuStore

/// 部门数据文件导入 — `jiuzhu import --source S FILE`: reads a JSON Lines or
/// CSV file (cases/FORMAT.md, "Department files") as a stream, stores the
/// valid records and reports the invalid lines with their line numbers.
///
/// The file is committed in chunks; each chunk's records and the batch's
/// `next_line` and counters commit in one transaction, so a killed import
/// resumes at `next_line` and stores nothing twice (the unique
/// `(source, record_key)` would refuse a twice-stored record anyway). The
/// batch id is given or the SHA-256 of the file: importing a completed
/// batch again is a no-op.
public struct DepartmentImport: Sendable {
    public struct Options: Sendable {
        public var source: String
        /// `--batch`; the SHA-256 of the file content when nil.
        public var batchID: String?
        /// Who imports (the audit actor).
        public var actor: String
        /// Lines (records) per transaction.
        public var chunkLines: Int
        /// Stops (as if killed) after this many chunks: for tests of resuming.
        public var stopAfterChunks: Int?
        /// ID numbers born after this day are invalid.
        public var today: LocalDate

        public init(source: String, batchID: String? = nil, actor: String = "cli", chunkLines: Int = 1_000,
                    stopAfterChunks: Int? = nil, today: LocalDate = LocalDate.today()) {
            self.source = source
            self.batchID = batchID
            self.actor = actor
            self.chunkLines = max(1, chunkLines)
            self.stopAfterChunks = stopAfterChunks
            self.today = today
        }
    }

    /// How an import ended.
    public enum Status: String, Sendable {
        /// Every line read; the batch is complete.
        case completed
        /// The batch had been imported in full before: nothing was done.
        case alreadyCompleted
        /// Stopped by `stopAfterChunks`: a rerun resumes.
        case stopped
    }

    public struct Summary: Sendable {
        public var batchID: String
        public var status: Status
        /// For the whole batch (all runs).
        public var stored: Int
        public var duplicates: Int
        public var invalid: Int
        /// The line this run started at (1 for a new batch).
        public var resumedAt: Int
        /// The first invalid lines kept in the batch's report (at most `shownProblems`).
        public var problems: [DepartmentRecordProblem]
    }

    /// Invalid lines a summary carries (the report keeps more).
    public static let shownProblems = 50
    /// A JSON line longer than this is refused without being parsed.
    public static let maxLineBytes = 1 << 20

    let db: any Database
    let keys: KeyRing

    public init(db: any Database, keys: KeyRing) {
        self.db = db
        self.keys = keys
    }

    /// Imports `path`; `progress` gets the fraction of the file's bytes read.
    public func run(path: String, options: Options, now: @escaping @Sendable () -> Date = { Date() },
                    progress: (Double) -> Void = { _ in }) async throws -> Summary {
        try DepartmentSourceCatalog.require(options.source, field: "source")
        let format = try DepartmentFileFormat(fileName: path)
        let size = try Self.fileSize(path)
        let digest = try Self.sha256(path)
        let batchID = options.batchID ?? digest
        guard !batchID.isEmpty, batchID.count <= 128 else {
            let text = ImportText.badBatchID
            throw UserError("department.batch_id", field: "batch", zh: text.zh, en: text.en)
        }
        var header: [String] = []
        if format == .csv {
            header = try Self.csvHeader(path)
            try DepartmentFile.checkHeader(header)
        }

        let store = DepartmentRecordStore(db: db)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let resumedAt: Int
        switch try await store.startBatch(id: batchID, source: options.source, channel: "file", fileName: fileName,
                                          contentSHA256: digest, actor: options.actor, now: now()) {
        case .alreadyCompleted(let done):
            try await audit(done, status: .alreadyCompleted, now: now())
            return try summary(done, status: .alreadyCompleted, resumedAt: done.nextLine)
        case .started:
            resumedAt = 1
        case .resuming(let resumed):
            resumedAt = resumed.nextLine
        }

        var run = ChunkRun(store: store, keys: keys, batchID: batchID, options: options, resumeAt: resumedAt, now: now)
        let stopped: Bool
        switch format {
        case .jsonLines: stopped = try await readJSONLines(path, size: size, run: &run, progress: progress)
        case .csv: stopped = try await readCSV(path, size: size, header: header, run: &run, progress: progress)
        }
        if stopped {
            guard let current = try await store.batch(id: batchID) else { throw DepartmentStoreError.noSuchBatch(batchID) }
            try await audit(current, status: .stopped, now: now())
            return try summary(current, status: .stopped, resumedAt: resumedAt)
        }
        let done = try await store.completeBatch(id: batchID, now: now())
        try await audit(done, status: .completed, now: now())
        return try summary(done, status: .completed, resumedAt: resumedAt)
    }

    /// The lines of one run, gathered into chunks and committed.
    struct ChunkRun {
        let store: DepartmentRecordStore
        let keys: KeyRing
        let batchID: String
        let options: Options
        let resumeAt: Int
        let now: @Sendable () -> Date
        var records: [PreparedDepartmentRecord] = []
        var problems: [DepartmentRecordProblem] = []
        var pending = 0
        var chunks = 0

        init(store: DepartmentRecordStore, keys: KeyRing, batchID: String, options: Options, resumeAt: Int,
             now: @escaping @Sendable () -> Date) {
            self.store = store
            self.keys = keys
            self.batchID = batchID
            self.options = options
            self.resumeAt = resumeAt
            self.now = now
        }

        /// Takes one line's outcome; returns true when the run must stop.
        mutating func take(line: Int, nextLine: Int, _ parse: () throws(UserError) -> DepartmentFileItem) async throws -> Bool {
            guard line >= resumeAt else { return false }
            switch Result(catching: parse) {
            case .success(let item):
                records.append(try PreparedDepartmentRecord(item.record, recordID: item.recordID,
                                                            timestamp: item.timestamp, keys: keys))
            case .failure(let error):
                problems.append(DepartmentRecordProblem(line: line, error: error))
            }
            pending += 1
            guard pending >= options.chunkLines else { return false }
            try await commit(nextLine: nextLine)
            return options.stopAfterChunks.map { chunks >= $0 } ?? false
        }

        mutating func problem(line: Int, nextLine: Int, _ error: UserError) async throws -> Bool {
            try await take(line: line, nextLine: nextLine) { () throws(UserError) -> DepartmentFileItem in throw error }
        }

        mutating func commit(nextLine: Int) async throws {
            _ = try await store.commitChunk(batchID: batchID, records: records, problems: problems,
                                            nextLine: max(nextLine, resumeAt), now: now())
            records.removeAll(keepingCapacity: true)
            problems.removeAll(keepingCapacity: true)
            pending = 0
            chunks += 1
        }
    }

    /// Returns true when stopped by `stopAfterChunks`.
    private func readJSONLines(_ path: String, size: Int64, run: inout ChunkRun,
                               progress: (Double) -> Void) async throws -> Bool {
        var splitter = LineSplitter(maxLineBytes: Self.maxLineBytes)
        var read: Int64 = 0
        var lastLine = 0
        let source = run.options.source
        let today = run.options.today
        let handle = try Self.open(path)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            read += Int64(chunk.count)
            for line in splitter.feed(chunk) {
                lastLine = line.number
                if try await takeLine(line, run: &run, source: source, today: today) { return true }
            }
            progress(size > 0 ? Double(read) / Double(size) : 1)
        }
        for line in splitter.finish() {
            lastLine = line.number
            if try await takeLine(line, run: &run, source: source, today: today) { return true }
        }
        try await run.commit(nextLine: max(lastLine, splitter.linesSeen) + 1)
        progress(1)
        return false
    }

    private func takeLine(_ line: LineSplitter.Line, run: inout ChunkRun, source: String, today: LocalDate) async throws -> Bool {
        if line.tooLong {
            let text = DepartmentText.lineTooLong(Self.maxLineBytes)
            return try await run.problem(line: line.number, nextLine: line.number + 1,
                                         UserError("department.line_too_long", field: nil, zh: text.zh, en: text.en))
        }
        return try await run.take(line: line.number, nextLine: line.number + 1) { () throws(UserError) in
            try DepartmentFile.item(jsonLine: line.bytes, source: source, today: today)
        }
    }

    private func readCSV(_ path: String, size: Int64, header: [String], run: inout ChunkRun,
                         progress: (Double) -> Void) async throws -> Bool {
        var reader = CSVReader()
        var read: Int64 = 0
        var seenHeader = false
        var lastLine = 1
        let source = run.options.source
        let today = run.options.today
        let handle = try Self.open(path)
        defer { try? handle.close() }
        func take(_ record: CSVReader.Record, _ run: inout ChunkRun) async throws -> Bool {
            lastLine = record.line
            if !seenHeader {
                seenHeader = true
                return false
            }
            if let problem = record.problem {
                return try await run.problem(line: record.line, nextLine: record.line + 1, problem)
            }
            return try await run.take(line: record.line, nextLine: record.line + 1) { () throws(UserError) in
                try DepartmentFile.item(csvFields: record.fields, header: header, source: source, today: today)
            }
        }
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            read += Int64(chunk.count)
            for record in reader.feed(chunk) {
                if try await take(record, &run) { return true }
            }
            progress(size > 0 ? Double(read) / Double(size) : 1)
        }
        for record in reader.finish() {
            if try await take(record, &run) { return true }
        }
        try await run.commit(nextLine: lastLine + 1)
        progress(1)
        return false
    }

    private func summary(_ batch: DepartmentBatchRecord, status: Status, resumedAt: Int) throws -> Summary {
        Summary(batchID: batch.id ?? "", status: status, stored: batch.stored, duplicates: batch.duplicates,
                invalid: batch.invalid, resumedAt: resumedAt,
                problems: Array(try DepartmentRecordStore.problems(of: batch).prefix(Self.shownProblems)))
    }

    /// One audit event per run (`verification.import`), with the counts.
    private func audit(_ batch: DepartmentBatchRecord, status: Status, now: Date) async throws {
        try await AuditChain(keys: keys).append(
            AuditEntry(actor: batch.actor, role: "", region: "", action: "verification.import",
                       objectType: "department_batch", objectID: batch.id ?? "", outcome: .success, client: "cli",
                       detail: "source=\(batch.source) file=\(batch.fileName) status=\(status.rawValue) stored=\(batch.stored) duplicates=\(batch.duplicates) invalid=\(batch.invalid) nextLine=\(batch.nextLine)"),
            on: db, now: now)
    }

    // MARK: - Files

    static func open(_ path: String) throws -> FileHandle {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let text = ImportText.cannotRead(path)
            throw UserError("department.file_unreadable", field: "file", zh: text.zh, en: text.en)
        }
        return handle
    }

    static func fileSize(_ path: String) throws -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        else {
            let text = ImportText.cannotRead(path)
            throw UserError("department.file_unreadable", field: "file", zh: text.zh, en: text.en)
        }
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The SHA-256 of the file, read in pieces.
    static func sha256(_ path: String) throws -> String {
        let handle = try open(path)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hexString(hasher.finalize())
    }

    /// The header row of a CSV file (read up to its end only).
    static func csvHeader(_ path: String) throws -> [String] {
        let handle = try open(path)
        defer { try? handle.close() }
        var reader = CSVReader()
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            if let first = reader.feed(chunk).first { return try headerFields(first) }
        }
        if let first = reader.finish().first { return try headerFields(first) }
        let text = DepartmentText.emptyFile
        throw UserError("department.empty_file", field: "file", zh: text.zh, en: text.en)
    }

    private static func headerFields(_ record: CSVReader.Record) throws -> [String] {
        if let problem = record.problem { throw problem }
        return record.fields
    }
}

/// Splits bytes into lines at LF (a CR before it is dropped), numbering them
/// from 1; blank lines are counted but not returned. A line longer than
/// `maxLineBytes` is returned empty and marked, and not kept in memory.
struct LineSplitter {
    struct Line {
        let number: Int
        let bytes: [UInt8]
        let tooLong: Bool
    }

    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var overflow = false
    private(set) var linesSeen = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func feed(_ data: some Sequence<UInt8>) -> [Line] {
        var lines: [Line] = []
        for byte in data {
            if byte == 0x0A {
                if let line = endLine() { lines.append(line) }
            } else if !overflow {
                buffer.append(byte)
                if buffer.count > maxLineBytes + 1 {
                    overflow = true
                    buffer.removeAll()
                }
            }
        }
        return lines
    }

    mutating func finish() -> [Line] {
        guard !buffer.isEmpty || overflow else { return [] }
        return endLine().map { [$0] } ?? []
    }

    private mutating func endLine() -> Line? {
        linesSeen += 1
        defer {
            buffer.removeAll(keepingCapacity: true)
            overflow = false
        }
        if overflow { return Line(number: linesSeen, bytes: [], tooLong: true) }
        if buffer.last == 0x0D { buffer.removeLast() }
        var content = buffer[...]
        if linesSeen == 1, content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        guard content.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
        return Line(number: linesSeen, bytes: Array(buffer), tooLong: false)
    }
}

enum ImportText {
    static let badBatchID = Bilingual(zh: "批次号应为 1–128 个字符", en: "The batch id must be 1–128 characters")

    static func cannotRead(_ path: String) -> Bilingual {
        Bilingual(zh: "无法读取文件：\(path)", en: "Cannot read the file: \(path)")
    }
}

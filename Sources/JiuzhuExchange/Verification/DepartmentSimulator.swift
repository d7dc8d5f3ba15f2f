import Foundation
import JiuzhuCore
import Vapor

/// 模拟部门 — answers department queries from `SyntheticDepartmentData`, as
/// slowly and as unreliably as configured, so that the demo and the tests
/// meet the delays and failures of real department systems. The same value
/// serves in-process (`SimulatedDepartmentSource`, no network) and over HTTP
/// (`register(on:)`, behind `jiuzhu department-sim`).
///
/// HTTP: `POST /query` with `{"source": "tax", "asOf": "2026-06-15",
/// "members": ["<ID>", …]}` answers 200 `{"source", "answeredAt",
/// "records": [record objects of cases/FORMAT.md with "timestamp"]}`; a
/// switched-off source 404 `{"status": "unavailable"}`; a simulated failure
/// 503 `{"status": "failed"}`; a bad query 400. `GET /health` answers 200.
public final class DepartmentSimulator: Sendable {
    public struct Configuration: Sendable {
        /// Each answer takes a time in this range (milliseconds).
        public var latencyMilliseconds: ClosedRange<Int>
        /// The share of queries that fail (0…1), drawn from the seeded generator.
        public var failureRate: Double
        /// Seeds both the data and the failures.
        public var seed: UInt64
        /// Sources that answer `unavailable`.
        public var unavailable: Set<String>

        public init(latencyMilliseconds: ClosedRange<Int> = 0...0, failureRate: Double = 0, seed: UInt64 = 2026,
                    unavailable: Set<String> = []) {
            self.latencyMilliseconds = max(0, latencyMilliseconds.lowerBound)...max(0, latencyMilliseconds.upperBound)
            self.failureRate = min(1, max(0, failureRate.isNaN ? 0 : failureRate))
            self.seed = seed
            self.unavailable = unavailable
        }
    }

    public let configuration: Configuration
    /// One generator for every query: the sequence of failures and delays is
    /// the same for the same sequence of queries.
    private let generator: LockedGenerator

    /// Most members one query may name.
    public static let maxMembers = 1_000

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        generator = LockedGenerator(seed: configuration.seed ^ 0x5EED_F00D)
    }

    /// The answer of `source` about `members` on `asOf`, after the delay.
    public func answer(source: String, members: [ResidentID], asOf: LocalDate) async throws(DepartmentFetchError) -> DepartmentAnswer {
        let (delay, fails) = generator.draw(latency: configuration.latencyMilliseconds, failureRate: configuration.failureRate)
        if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        guard DepartmentSourceCatalog.info(source) != nil, !configuration.unavailable.contains(source) else {
            throw .unavailable("\(source): switched off in the simulator")
        }
        if fails { throw .failed("\(source): simulated failure") }
        let stamp = "\(asOf)T00:00:00+08:00"
        var items: [DepartmentAnswer.Item] = []
        for member in members {
            for record in SyntheticDepartmentData.records(source: source, member: member, asOf: asOf, seed: configuration.seed) {
                items.append(DepartmentAnswer.Item(record: record, timestamp: stamp))
            }
        }
        return DepartmentAnswer(items: items, answeredAt: ISO8601DateFormatter().string(from: Date()))
    }

    // MARK: - HTTP

    /// Adds `POST /query` and `GET /health`.
    public func register(on routes: any RoutesBuilder) {
        routes.get("health") { _ in "ok" }
        routes.on(.POST, "query", body: .collect(maxSize: "1mb")) { [self] request async -> Response in
            await self.respond(to: request)
        }
    }

    private func respond(to request: Request) async -> Response {
        let bytes = request.body.data.map { Array($0.readableBytesView) } ?? []
        let query: (source: String, asOf: LocalDate, members: [ResidentID])
        switch Result(catching: { () throws(UserError) in try Self.readQuery(bytes) }) {
        case .success(let read): query = read
        case .failure(let error):
            return Self.json(.badRequest, .object(["status": .string("invalid"), "code": .string(error.code),
                                                   "field": error.field.map(JSONValue.string) ?? .null,
                                                   "messageZh": .string(error.message.zh), "messageEn": .string(error.message.en)]))
        }
        do throws(DepartmentFetchError) {
            let answer = try await self.answer(source: query.source, members: query.members, asOf: query.asOf)
            let records: [JSONValue] = answer.items.map { item in
                guard case .object(var object) = item.record.json else { return item.record.json }
                if let timestamp = item.timestamp { object["timestamp"] = .string(timestamp) }
                if let id = item.recordID { object["recordId"] = .string(id) }
                return .object(object)
            }
            return Self.json(.ok, .object(["source": .string(query.source), "answeredAt": .string(answer.answeredAt ?? ""),
                                           "records": .array(records)]))
        } catch {
            switch error {
            case .unavailable(let reason):
                return Self.json(.notFound, .object(["status": .string("unavailable"), "reason": .string(reason)]))
            case .failed(let reason):
                return Self.json(.serviceUnavailable, .object(["status": .string("failed"), "reason": .string(reason)]))
            }
        }
    }

    static func readQuery(_ bytes: [UInt8]) throws(UserError) -> (source: String, asOf: LocalDate, members: [ResidentID]) {
        let root = CaseField(try JSONValue.parse(bytes))
        let source = try root.field("source").string()
        let asOf = try root.field("asOf").date()
        let list = try root.field("members").array()
        guard list.count <= maxMembers else {
            throw try root.field("members").error("department.too_many_members",
                                                  Bilingual(zh: "一次最多查询 \(maxMembers) 人", en: "At most \(maxMembers) members per query"))
        }
        var members: [ResidentID] = []
        for item in list { members.append(try item.residentID(asOf: asOf)) }
        return (source, asOf, members)
    }

    static func json(_ status: HTTPResponseStatus, _ value: JSONValue) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: value.rendered(pretty: false)))
    }
}

/// A department source answered by the simulator, in-process.
public struct SimulatedDepartmentSource: DepartmentSourceAdapter {
    public let source: String
    public let simulator: DepartmentSimulator

    public init(source: String, simulator: DepartmentSimulator) {
        self.source = source
        self.simulator = simulator
    }

    public func fetch(members: [ResidentID], asOf: LocalDate) async throws(DepartmentFetchError) -> DepartmentAnswer {
        try await simulator.answer(source: source, members: members, asOf: asOf)
    }
}

/// SplitMix64 behind a lock: queries arrive concurrently.
final class LockedGenerator: @unchecked Sendable {
    private var generator: SplitMix64
    private let lock = NSLock()

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// A delay in `latency` and whether this query fails.
    func draw(latency: ClosedRange<Int>, failureRate: Double) -> (delay: Int, fails: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let width = UInt64(latency.upperBound - latency.lowerBound) + 1
        let delay = latency.lowerBound + Int(generator.next().multipliedFullWidth(by: width).high)
        let roll = Double(generator.next() >> 11) * 0x1p-53
        return (delay, roll < failureRate)
    }
}

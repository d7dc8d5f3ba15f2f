import Foundation
import JiuzhuCore
import Vapor

/// 数据源登记 — which department sources can be pulled, and how. The
/// verification jobs ask `adapter(for:)`; a source without an adapter is
/// not queried (its records come by file import or signed push only).
///
/// `fromEnvironment` chooses, in this order:
/// 1. `JIUZHU_DEPARTMENT_URL` set: one HTTP service answers for every source
///    of the catalogue (`POST <url>/query`, e.g. `jiuzhu department-sim`, or a
///    provincial data-sharing gateway); `JIUZHU_DEPARTMENT_TIMEOUT_SECONDS`
///    (default 10) bounds each query.
/// 2. `--demo`: the in-process simulator for every source, 0–300 ms per
///    answer, failing at `JIUZHU_DEPARTMENT_SIM_FAILURE_RATE` (0 to 1,
///    default 0), seeded by `JIUZHU_DEPARTMENT_SIM_SEED` (default 2026).
/// 3. Otherwise none.
///
/// Wiring: `DepartmentSourceRegistry.fromEnvironment(Environment.process…,
/// demo: options.demo, httpClient: app.http.client.shared).adapter(for:)` is
/// the closure the verification service takes.
public struct DepartmentSourceRegistry: Sendable {
    private let adapters: [String: any DepartmentSourceAdapter]

    /// Explicit adapters by source (tests, custom installations).
    public init(adapters: [String: any DepartmentSourceAdapter]) {
        self.adapters = adapters
    }

    /// No pulling at all.
    public static let none = DepartmentSourceRegistry(adapters: [:])

    public func adapter(for source: String) -> (any DepartmentSourceAdapter)? {
        adapters[source]
    }

    /// The sources that can be pulled, sorted.
    public var sources: [String] { adapters.keys.sorted() }

    public static func fromEnvironment(_ env: [String: String], demo: Bool, httpClient: HTTPClient) -> Self {
        let codes = DepartmentSourceCatalog.all.map(\.code)
        if let url = env["JIUZHU_DEPARTMENT_URL"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            let seconds = env["JIUZHU_DEPARTMENT_TIMEOUT_SECONDS"].flatMap(Int64.init).map { min(max($0, 1), 600) } ?? 10
            return Self(adapters: Dictionary(uniqueKeysWithValues: codes.map {
                ($0, HTTPDepartmentSource(source: $0, baseURL: url, client: httpClient, timeout: .seconds(seconds)) as any DepartmentSourceAdapter)
            }))
        }
        guard demo else { return .none }
        let rate = env["JIUZHU_DEPARTMENT_SIM_FAILURE_RATE"].flatMap(Double.init) ?? 0
        let seed = env["JIUZHU_DEPARTMENT_SIM_SEED"].flatMap(UInt64.init) ?? 2026
        let simulator = DepartmentSimulator(.init(latencyMilliseconds: 0...300, failureRate: rate, seed: seed))
        return Self(adapters: Dictionary(uniqueKeysWithValues: codes.map {
            ($0, SimulatedDepartmentSource(source: $0, simulator: simulator) as any DepartmentSourceAdapter)
        }))
    }
}

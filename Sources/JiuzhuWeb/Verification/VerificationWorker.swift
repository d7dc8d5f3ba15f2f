import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import Vapor

/// How the application reaches the department sources (pull adapters).
struct DepartmentAdaptersKey: StorageKey {
    typealias Value = @Sendable (String) -> (any DepartmentSourceAdapter)?
}

/// Set while `serve` runs the background worker.
struct VerificationWorkerKey: StorageKey {
    typealias Value = VerificationWorker
}

extension Application {
    /// The pull adapters: set by tests, else from the environment
    /// (`JIUZHU_DEPARTMENT_URL`, or the in-process simulator in the demo).
    var departmentAdapters: @Sendable (String) -> (any DepartmentSourceAdapter)? {
        if let adapters = storage[DepartmentAdaptersKey.self] { return adapters }
        let registry = DepartmentSourceRegistry.fromEnvironment(ProcessInfo.processInfo.environment, demo: jiuzhu.demo,
                                                                 httpClient: http.client.shared)
        let adapters: @Sendable (String) -> (any DepartmentSourceAdapter)? = { registry.adapter(for: $0) }
        storage[DepartmentAdaptersKey.self] = adapters
        return adapters
    }
}

/// 核对任务 — the loop that runs due department jobs and issues the reports
/// that are ready, every few seconds while the server runs. Several servers
/// may run it: jobs are claimed with a lease and report versions are unique.
final class VerificationWorker: LifecycleHandler, @unchecked Sendable {
    static let interval: Duration = .seconds(5)
    private var task: Task<Void, Never>?

    func didBoot(_ application: Application) throws {
        let service = VerificationService(db: application.db, keys: application.jiuzhu.keys,
                                          adapters: application.departmentAdapters)
        let clock = application.jiuzhu.clock
        let logger = application.logger
        task = Task {
            while !Task.isCancelled {
                do {
                    try await service.runDueJobs(now: clock(), today: LocalDate.today(now: clock()))
                } catch {
                    logger.warning("verification worker: \(String(describing: error))")
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }

    /// Turns the worker on for `serve`.
    static func enable(on app: Application) {
        let worker = VerificationWorker()
        app.storage[VerificationWorkerKey.self] = worker
        app.lifecycle.use(worker)
    }
}

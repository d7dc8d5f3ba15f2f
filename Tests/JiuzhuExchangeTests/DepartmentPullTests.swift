import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuTestSupport
import NIOCore
import Testing
import Vapor

@Suite struct DepartmentPullTests {
    /// These tests are about what an answer means, not about time: under a full parallel run on two
    /// cores the local simulator may answer after the adapter's 10 s default, so they wait up to a minute.
    let patient: TimeAmount = .seconds(60)

    static let asOf = LocalDate(year: 2026, month: 6, day: 15)!  // programmer error: a fixed valid date

    /// Enough people that every source has something to say about some of them.
    static let members: [ResidentID] = {
        var population = SyntheticPopulation(seed: 5, villages: [try! RegionCode("340321100201")], asOf: asOf)  // programmer error: valid code
        var people: [ResidentID] = []
        while people.count < 60 { people += population.nextHousehold().map(\.person.id) }
        return people
    }()

    /// Runs `body` with a simulator served over real HTTP on a free port, and an HTTP client.
    private func withSimulator(_ configuration: DepartmentSimulator.Configuration,
                               _ body: (_ baseURL: String, _ client: HTTPClient) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        DepartmentSimulator(configuration).register(on: app)
        do {
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            try await body("http://127.0.0.1:\(port)", app.http.client.shared)
        } catch {
            await app.server.shutdown()
            try await app.asyncShutdown()
            throw error
        }
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    private func outcome(_ adapter: any DepartmentSourceAdapter) async -> Result<DepartmentAnswer, DepartmentFetchError> {
        do throws(DepartmentFetchError) {
            return .success(try await adapter.fetch(members: Self.members, asOf: Self.asOf))
        } catch {
            return .failure(error)
        }
    }

    @Test func recordsComeBackOverHTTPAsTheSimulatorMadeThem() async throws {
        try await withSimulator(.init(seed: 2026)) { url, client in
            for source in ["tax", "bank", "realEstate"] {
                let adapter = HTTPDepartmentSource(source: source, baseURL: url + "/", client: client, timeout: patient)
                guard case .success(let answer) = await outcome(adapter) else {
                    Issue.record("\(source) did not answer")
                    continue
                }
                let expected = Self.members.flatMap {
                    SyntheticDepartmentData.records(source: source, member: $0, asOf: Self.asOf, seed: 2026)
                }
                #expect(!expected.isEmpty)
                #expect(answer.items.map(\.record) == expected)
                #expect(answer.items.allSatisfy { $0.timestamp == "2026-06-15T00:00:00+08:00" })
                #expect(answer.answeredAt?.isEmpty == false)
            }
            // The in-process source gives the same records without a network.
            let local = SimulatedDepartmentSource(source: "tax", simulator: DepartmentSimulator(.init(seed: 2026)))
            let remote = HTTPDepartmentSource(source: "tax", baseURL: url, client: client, timeout: patient)
            let here = try await outcome(local).get().items.map(\.record)
            let there = try await outcome(remote).get().items.map(\.record)
            #expect(here == there)
        }
    }

    @Test func failureRateOneFails() async throws {
        try await withSimulator(.init(failureRate: 1)) { url, client in
            let result = await outcome(HTTPDepartmentSource(source: "tax", baseURL: url, client: client, timeout: patient))
            guard case .failure(.failed(let reason)) = result else {
                Issue.record("expected failed, got \(result)")
                return
            }
            #expect(reason.contains("503"))
        }
    }

    @Test func switchedOffSourceIsUnavailable() async throws {
        try await withSimulator(.init(unavailable: ["bank"])) { url, client in
            let bank = await outcome(HTTPDepartmentSource(source: "bank", baseURL: url, client: client, timeout: patient))
            guard case .failure(.unavailable) = bank else {
                Issue.record("expected unavailable, got \(bank)")
                return
            }
            // The others still answer.
            guard case .success = await outcome(HTTPDepartmentSource(source: "tax", baseURL: url, client: client, timeout: patient)) else {
                Issue.record("tax should answer")
                return
            }
        }
    }

    @Test func latencyAboveTheTimeoutFails() async throws {
        // The answer would take 5 s; the adapter gives up at 0.3 s: the failure's reason says the
        // timeout ended it (no clock is read — a busy machine must not fail the test).
        try await withSimulator(.init(latencyMilliseconds: 5_000...5_000)) { url, client in
            let result = await outcome(HTTPDepartmentSource(source: "tax", baseURL: url, client: client, timeout: .milliseconds(300)))
            guard case .failure(.failed(let reason)) = result else {
                Issue.record("expected failed, got \(result)")
                return
            }
            #expect(reason.contains("timed out"))
        }
    }

    @Test func refusedConnectionAndGarbageFail() async throws {
        // A port with nothing listening.
        let app = try await Application.make(.testing)
        let refused = await outcome(HTTPDepartmentSource(source: "tax", baseURL: "http://127.0.0.1:1", client: app.http.client.shared,
                                                         timeout: .seconds(1)))
        if case .failure(.failed) = refused {} else { Issue.record("expected failed, got \(refused)") }
        // A service that answers something else.
        app.post("query") { _ in #"{"records": [{"member": "nobody", "type": "death", "date": "2026-01-01"}]}"# }
        app.post("other", "query") { _ in "<html>oops</html>" }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let badRecord = await outcome(HTTPDepartmentSource(source: "tax", baseURL: "http://127.0.0.1:\(port)", client: app.http.client.shared, timeout: patient))
        let garbage = await outcome(HTTPDepartmentSource(source: "tax", baseURL: "http://127.0.0.1:\(port)/other", client: app.http.client.shared, timeout: patient))
        await app.server.shutdown()
        try await app.asyncShutdown()
        guard case .failure(.failed(let reason)) = badRecord else {
            Issue.record("expected failed, got \(badRecord)")
            return
        }
        #expect(reason.contains("records[0].member"))
        if case .failure(.failed) = garbage {} else { Issue.record("expected failed, got \(garbage)") }
    }

    @Test func registryFromTheEnvironment() async throws {
        let app = try await Application.make(.testing)
        let client = app.http.client.shared
        let http = DepartmentSourceRegistry.fromEnvironment(["JIUZHU_DEPARTMENT_URL": "http://127.0.0.1:8091"], demo: true, httpClient: client)
        #expect(http.sources.count == DepartmentSourceCatalog.all.count)
        #expect(http.adapter(for: "tax") is HTTPDepartmentSource)
        let demo = DepartmentSourceRegistry.fromEnvironment(["JIUZHU_DEPARTMENT_SIM_FAILURE_RATE": "1"], demo: true, httpClient: client)
        #expect(demo.adapter(for: "bank") is SimulatedDepartmentSource)
        #expect((demo.adapter(for: "bank") as? SimulatedDepartmentSource)?.simulator.configuration.failureRate == 1)
        #expect(DepartmentSourceRegistry.fromEnvironment([:], demo: false, httpClient: client).sources.isEmpty)
        #expect(DepartmentSourceRegistry.fromEnvironment([:], demo: false, httpClient: client).adapter(for: "tax") == nil)
        let explicit = DepartmentSourceRegistry(adapters: ["tax": SimulatedDepartmentSource(source: "tax", simulator: DepartmentSimulator(.init()))])
        #expect(explicit.sources == ["tax"])
        try await app.asyncShutdown()
    }

    @Test func simulatorFailuresFollowTheSeededRate() async {
        let simulator = DepartmentSimulator(.init(failureRate: 0.3, seed: 9))
        var failures = 0
        for _ in 0..<400 {
            do throws(DepartmentFetchError) {
                _ = try await simulator.answer(source: "vehicle", members: Array(Self.members.prefix(2)), asOf: Self.asOf)
            } catch {
                failures += 1
            }
        }
        #expect((90...150).contains(failures), "\(failures) of 400")
    }
}

import JiuzhuCore
@testable import JiuzhuWeb
import Testing

@Suite struct DepartmentSimCommandTests {
    private func parse(_ arguments: [String]) -> Result<DepartmentSimCommand.Settings, UserError> {
        Result { () throws(UserError) in try DepartmentSimCommand.parse(arguments) }
    }

    @Test func defaultsAndOptions() throws {
        let defaults = try parse([]).get()
        #expect(defaults.port == 8091 && defaults.latency == 200...200 && defaults.failureRate == 0.1 && defaults.seed == 2026)
        let set = try parse(["--port", "9000", "--latency-ms", "100-300", "--failure-rate", "0", "--seed", "7",
                             "--unavailable", "tax,bank", "--hostname", "0.0.0.0"]).get()
        #expect(set.port == 9000 && set.latency == 100...300 && set.failureRate == 0 && set.seed == 7)
        #expect(set.unavailable == ["tax", "bank"] && set.hostname == "0.0.0.0")
    }

    @Test func badValuesAreRefusedNamingTheOption() {
        for (arguments, field) in [(["--port", "70000"], "--port"), (["--latency-ms", "300-100"], "--latency-ms"),
                                   (["--failure-rate", "1.5"], "--failure-rate"), (["--unavailable", "taxes"], "unavailable"),
                                   (["--seed"], "--seed"), (["--colour", "red"], "--colour")] {
            guard case .failure(let error) = parse(arguments) else {
                Issue.record("accepted \(arguments)")
                continue
            }
            #expect(error.field == field, "\(arguments)")
        }
    }
}

@testable import JiuzhuCore

/// SplitMix64: a small deterministic generator, so that property tests
/// explore many cases yet fail the same way on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The `UserError` that `body` throws, or nil if it succeeds (or throws
/// something else), so that a test can compare the stable code.
func userError<T>(_ body: () throws -> T) -> UserError? {
    do {
        _ = try body()
        return nil
    } catch let error as UserError {
        return error
    } catch {
        return nil
    }
}

/// A date the test knows exists.
func date(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
    guard let date = LocalDate(year: year, month: month, day: day) else {
        preconditionFailure("test date \(year)-\(month)-\(day) does not exist")
    }
    return date
}

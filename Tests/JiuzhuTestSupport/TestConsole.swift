import ConsoleKit
import JiuzhuWeb
import NIOConcurrencyHelpers
import Vapor

/// A console that keeps everything a command prints, errors included.
public final class CapturingConsole: Console, @unchecked Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    private let info = NIOLockedValueBox<[AnySendableHashable: any Sendable]>([:])
    public var printed: String { lines.withLockedValue { $0.joined() } }

    public init() {}

    public var size: (width: Int, height: Int) { (80, 24) }
    public func input(isSecure: Bool) -> String { "" }
    public func output(_ text: ConsoleText, newLine: Bool) { lines.withLockedValue { $0.append(text.description + (newLine ? "\n" : "")) } }
    public func clear(_ type: ConsoleClear) {}
    public func report(error: String, newLine: Bool) { lines.withLockedValue { $0.append(error + (newLine ? "\n" : "")) } }
    public var userInfo: [AnySendableHashable: any Sendable] {
        get { info.withLockedValue { $0 } }
        set { info.withLockedValue { $0 = newValue } }
    }
}

/// Runs `command` as `jiuzhu <arguments>` on `app`: what it printed, and the
/// exit status it asked for (0 when it returned normally).
public func runCommand(_ command: some AnyAsyncCommand, on app: Application, _ arguments: [String]) async throws -> (printed: String, status: Int32) {
    let console = CapturingConsole()
    var context = CommandContext(console: console, input: CommandInput(arguments: ["jiuzhu"] + arguments))
    context.application = app
    do {
        try await command.run(using: &context)
        return (console.printed, 0)
    } catch let exit as CommandExit {
        return (console.printed, exit.status)
    }
}

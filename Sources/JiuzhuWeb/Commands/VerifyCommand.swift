import Foundation
import JiuzhuCore

/// `jiuzhu verify --case FILE` — 家庭经济状况核对 of one case file
/// (cases/FORMAT.md): prints the outcome as JSON, exactly the `expect`
/// object's shape, pretty-printed with two-space indents and sorted keys.
///
/// A pure calculation over one file: it runs before the application is
/// built, so it needs neither a database nor the master key.
///
/// Exit status: 0 with the outcome on stdout; 2 when the arguments, the file
/// or its contents are wrong, with a bilingual message naming the field on
/// stderr and nothing on stdout.
public enum VerifyCommand {
    /// Larger files are refused before reading: a household's case is a few kilobytes.
    static let maxFileBytes = 64 << 20

    static let usage = Bilingual(zh: "用法：jiuzhu verify --case 案例文件.json", en: "usage: jiuzhu verify --case FILE.json")

    /// For the launcher: the arguments after `verify`, the real stdout and stderr.
    public static func main(arguments: [String]) -> Int32 {
        run(arguments: arguments,
            output: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            errorOutput: { text in FileHandle.standardError.write(Data(text.utf8)) })
    }

    /// The command with its output captured, so that tests see exactly what a user would.
    public static func run(arguments: [String], output: (String) -> Void, errorOutput: (String) -> Void) -> Int32 {
        let path: String
        switch parse(arguments) {
        case .help:
            output(usage.zh + "\n" + usage.en + "\n")
            return 0
        case .file(let file):
            path = file
        case .invalid(let message):
            errorOutput("错误 / error: \(message.zh)\n\(message.en)\n\(usage.zh)\n\(usage.en)\n")
            return 2
        }

        let bytes: Data
        switch read(path) {
        case .success(let data): bytes = data
        case .failure(let problem):
            errorOutput("错误 / error: \(problem.zh)\n\(problem.en)\n")
            return 2
        }

        do {
            let input = try VerificationCase(json: bytes)
            let result = try VerificationCalculator.evaluate(input)
            output(result.outcome.json.rendered(pretty: true) + "\n")
            return 0
        } catch {
            errorOutput(describe(error, file: path))
            return 2
        }
    }

    private enum Arguments {
        case file(String)
        case help
        case invalid(Bilingual)
    }

    /// `--case FILE` or `--case=FILE`; `--help`.
    private static func parse(_ arguments: [String]) -> Arguments {
        var file: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--help" || argument == "-h" { return .help }
            if argument == "--case" {
                guard let value = rest.popFirst(), !value.isEmpty else {
                    return .invalid(Bilingual(zh: "--case 后面应写案例文件的路径", en: "--case needs the path of a case file"))
                }
                file = value
            } else if argument.hasPrefix("--case=") {
                file = String(argument.dropFirst("--case=".count))
            } else {
                return .invalid(Bilingual(zh: "无法识别的参数：\(argument)", en: "Unknown argument: \(argument)"))
            }
        }
        guard let file, !file.isEmpty else {
            return .invalid(Bilingual(zh: "请用 --case 指定案例文件", en: "Name the case file with --case"))
        }
        return .file(file)
    }

    private struct ReadProblem: Error {
        let zh: String
        let en: String
    }

    private static func read(_ path: String) -> Result<Data, ReadProblem> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadProblem(zh: "找不到案例文件：\(path)", en: "Case file not found: \(path)"))
        }
        guard !isDirectory.boolValue else {
            return .failure(ReadProblem(zh: "这是一个目录，不是案例文件：\(path)", en: "This is a directory, not a case file: \(path)"))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileBytes {
            return .failure(ReadProblem(zh: "案例文件过大（超过 64 MiB）：\(path)", en: "The case file is too large (over 64 MiB): \(path)"))
        }
        do {
            return .success(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .failure(ReadProblem(zh: "无法读取案例文件：\(path)", en: "Cannot read the case file: \(path)"))
        }
    }

    /// The file, the field, the message in both languages and the stable code.
    static func describe(_ error: any Error, file: String) -> String {
        guard let error = error as? UserError else {
            // The reader and the calculator throw only UserError; anything else is a bug, reported without a trace.
            return "错误 / error: 无法处理案例文件 / cannot process the case file \(file): \(error)\n"
        }
        var lines = ["错误 / error: 案例文件有误 / invalid case file: \(file)"]
        if let field = error.field { lines.append("字段 / field: \(field)") }
        lines.append(error.message.zh)
        lines.append(error.message.en)
        lines.append("(\(error.code))")
        return lines.joined(separator: "\n") + "\n"
    }
}

import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore

/// `jiuzhu report verify FILE [--public-key BASE64]` — checks the Ed25519
/// signature of a signed verification report (核对报告) file and says whose
/// key made it.
///
/// Runs before the application is built: no database. The trusted keys are
/// the `--public-key` values if any are given (repeatable), else the
/// installation's keys from `JIUZHU_MASTER_KEY` (and
/// `JIUZHU_PREVIOUS_MASTER_KEYS`, so that a report signed before a key
/// rotation still counts as ours) when set, else none — then a valid
/// signature only shows that the report was not altered, not who signed it.
///
/// Exit status: 0 valid (and trusted, when trusted keys were given);
/// 1 signature invalid, or valid but by a key outside the trusted set;
/// 2 arguments, key settings or the file unreadable (the field named on stderr).
public enum ReportCommand {
    /// A report is tens of kilobytes; anything far larger is not one.
    static let maxFileBytes = 16 << 20

    static let usage = Bilingual(zh: "用法：jiuzhu report verify 报告文件.json [--public-key 公钥BASE64]",
                                 en: "usage: jiuzhu report verify FILE.json [--public-key BASE64]")

    /// For the launcher: the arguments after `report verify`, the process environment, the real stdout and stderr.
    public static func main(arguments: [String]) -> Int32 {
        run(arguments: arguments, environment: ProcessInfo.processInfo.environment,
            output: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            errorOutput: { text in FileHandle.standardError.write(Data(text.utf8)) })
    }

    /// The command with its environment given and its output captured, so that tests see what a user would.
    public static func run(arguments: [String], environment: [String: String],
                           output: (String) -> Void, errorOutput: (String) -> Void) -> Int32 {
        let parsed: Arguments
        switch parse(arguments) {
        case .success(let value): parsed = value
        case .failure(let problem):
            errorOutput("错误 / error: \(problem.zh)\n\(problem.en)\n\(usage.zh)\n\(usage.en)\n")
            return 2
        }
        if parsed.help {
            output(usage.zh + "\n" + usage.en + "\n")
            return 0
        }

        let trust: Trust
        switch trustedKeys(given: parsed.publicKeys, environment: environment) {
        case .success(let value): trust = value
        case .failure(let error):
            errorOutput("错误 / error [\(error.code)]: " + (error.field.map { "\($0): " } ?? "")
                        + "\(error.message.zh)\n\(error.message.en)\n")
            return 2
        }

        let bytes: Data
        switch read(parsed.file) {
        case .success(let data): bytes = data
        case .failure(let problem):
            errorOutput("错误 / error: \(problem.zh)\n\(problem.en)\n")
            return 2
        }
        let signed: SignedReport
        switch Result(catching: { () throws(UserError) -> SignedReport in try SignedReport(fileBytes: bytes) }) {
        case .success(let value): signed = value
        case .failure(let error):
            var lines = ["错误 / error: 报告文件有误 / invalid report file: \(parsed.file)"]
            if let field = error.field { lines.append("字段 / field: \(field)") }
            lines += [error.message.zh, error.message.en, "(\(error.code))"]
            errorOutput(lines.joined(separator: "\n") + "\n")
            return 2
        }

        let verdict = ReportSigner.verify(signed, trustedKeys: trust.keys)
        let status: Int32
        var lines: [String] = []
        switch verdict {
        case .valid(let keyID, let trusted?) where trusted:
            lines.append("签名有效 / signature valid — key \(keyID), \(trust.label.zh) / \(trust.label.en)")
            status = 0
        case .valid(let keyID, .some):
            lines.append("签名有效但密钥不受信任 / valid signature by an untrusted key \(keyID)")
            lines.append("（\(trust.untrustedLabel.zh) / \(trust.untrustedLabel.en)）")
            status = 1
        case .valid(let keyID, nil):
            lines.append("签名有效 / signature valid — key \(keyID)")
            lines.append("（未指定受信任的密钥：只说明报告未被改动，不说明由谁签发 / no trusted key given: this shows the report is unaltered, not who signed it）")
            status = 0
        case .invalid:
            lines.append("签名无效 / signature INVALID — 报告内容已被改动，或签名不属于所附公钥 / the report was altered, or the signature is not by the enclosed key")
            lines.append("（以下内容未经验证 / the details below are NOT verified）")
            status = 1
        }
        let report = signed.report
        let label = report.conclusionLabel
        lines.append("核对请求 / request: \(report.requestID)  版本 / version: \(report.version)")
        lines.append("结论 / conclusion: \(label.zh) / \(label.en)")
        lines.append("月保障金 / monthly benefit: \(report.monthlyBenefit.formatted)")
        lines.append("核对人 / verifier: \(report.verifier)  签发时间 / issued: \(report.issuedAt)")
        lines.append("公钥 / public key: \(signed.publicKey.base64EncodedString())")
        output(lines.joined(separator: "\n") + "\n")
        return status
    }

    private struct Arguments {
        var file = ""
        var publicKeys: [String] = []
        var help = false
    }

    /// `FILE`, `--public-key BASE64` or `--public-key=BASE64` (repeatable), `--help`.
    private static func parse(_ arguments: [String]) -> Result<Arguments, Problem> {
        var parsed = Arguments()
        var file: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--help" || argument == "-h" {
                parsed.help = true
                return .success(parsed)
            } else if argument == "--public-key" {
                guard let value = rest.popFirst(), !value.isEmpty else {
                    return .failure(Problem(zh: "--public-key 后面应写 base64 编码的 Ed25519 公钥",
                                            en: "--public-key needs a base64 Ed25519 public key"))
                }
                parsed.publicKeys.append(value)
            } else if argument.hasPrefix("--public-key=") {
                parsed.publicKeys.append(String(argument.dropFirst("--public-key=".count)))
            } else if argument.hasPrefix("-") || file != nil {
                return .failure(Problem(zh: "无法识别的参数：\(argument)", en: "Unknown argument: \(argument)"))
            } else {
                file = argument
            }
        }
        guard let file, !file.isEmpty else {
            return .failure(Problem(zh: "请指定要验证的报告文件", en: "Name the report file to verify"))
        }
        parsed.file = file
        return .success(parsed)
    }

    /// The trusted keys and how to name them in the verdict.
    private struct Trust {
        let keys: [String: ReportPublicKey]?
        /// Said of a trusted key, and of one that is not.
        let label: Bilingual
        let untrustedLabel: Bilingual
    }

    private static func trustedKeys(given: [String], environment: [String: String]) -> Result<Trust, UserError> {
        if !given.isEmpty {
            var keys: [String: ReportPublicKey] = [:]
            for (index, text) in given.enumerated() {
                switch Result(catching: { () throws(UserError) -> ReportPublicKey in
                    try ReportSigner.publicKey(base64: text, field: "--public-key")
                }) {
                case .success(let key): keys["given-\(index + 1)"] = key
                case .failure(let error): return .failure(error)
                }
            }
            return .success(Trust(keys: keys, label: Bilingual(zh: "与指定公钥一致", en: "matches the given public key"),
                                  untrustedLabel: Bilingual(zh: "签名密钥不是指定的公钥", en: "the signing key is not a given public key")))
        }
        guard let current = environment["JIUZHU_MASTER_KEY"], !current.isEmpty else {
            return .success(Trust(keys: nil, label: Bilingual(zh: "", en: ""), untrustedLabel: Bilingual(zh: "", en: "")))
        }
        return Result { () throws(UserError) -> Trust in
            let ring = try KeyRing(current: current, previous: environment["JIUZHU_PREVIOUS_MASTER_KEYS"])
            return Trust(keys: ring.reportVerificationKeys, label: Bilingual(zh: "本机构密钥", en: "this installation's key"),
                         untrustedLabel: Bilingual(zh: "签名密钥不是本机构的密钥（JIUZHU_MASTER_KEY）",
                                                   en: "the signing key is not this installation's (JIUZHU_MASTER_KEY)"))
        }
    }

    private struct Problem: Error {
        let zh: String
        let en: String
    }

    private static func read(_ path: String) -> Result<Data, Problem> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(Problem(zh: "找不到报告文件：\(path)", en: "Report file not found: \(path)"))
        }
        guard !isDirectory.boolValue else {
            return .failure(Problem(zh: "这是一个目录，不是报告文件：\(path)", en: "This is a directory, not a report file: \(path)"))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileBytes {
            return .failure(Problem(zh: "报告文件过大（超过 16 MiB）：\(path)", en: "The report file is too large (over 16 MiB): \(path)"))
        }
        do {
            return .success(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .failure(Problem(zh: "无法读取报告文件：\(path)", en: "Cannot read the report file: \(path)"))
        }
    }
}

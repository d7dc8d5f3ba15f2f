import Foundation
import JiuzhuCore
import JiuzhuStore
import Vapor

/// A kind of per-region parameters the command line shows and sets
/// (visit policies, workflow options).
protocol RegionSettingKind: Sendable {
    associatedtype Value: Codable & Sendable
    /// `走访参数` / `visit policy`.
    static var name: Bilingual { get }
    /// The audit action and error prefix, e.g. `visit_policy`.
    static var key: String { get }
    static func value(for region: RegionCode, on app: Application) async throws -> (Value, RegionCode?)
    static func set(_ value: Value, for region: RegionCode, on app: Application,
                    audit: (chain: AuditChain, entry: AuditEntry)) async throws
}

/// `show` and `set` for one kind of parameters.
struct RegionSettingCommand<Kind: RegionSettingKind>: AsyncCommandGroup {
    var help: String { "A region's \(Kind.name.en) / \(Kind.name.zh): show, set" }
    var commands: [String: any AnyAsyncCommand] { ["show": RegionSettingShowCommand<Kind>(), "set": RegionSettingSetCommand<Kind>()] }
}

/// `… show --region CODE` prints what a region works under (and which region set it).
struct RegionSettingShowCommand<Kind: RegionSettingKind>: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
    }

    var help: String { "Show the \(Kind.name.en) a region works under / 查看\(Kind.name.zh)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            let (value, setFor) = try await Kind.value(for: region, on: app)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            context.console.print("# \(setFor.map { "设定于 / set for \($0.value)" } ?? "内置默认 / built-in default")")
            context.console.print(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
    }
}

/// `… set --region CODE FILE.json` sets a region's own after the Core
/// checks. A wrong file prints a bilingual message naming the field and
/// exits 2, storing nothing.
struct RegionSettingSetCommand<Kind: RegionSettingKind>: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "region", help: "region code, e.g. 340321")
        var region: String?
        @Argument(name: "file", help: "the parameters as JSON (the fields `show` prints)")
        var file: String
    }

    var help: String { "Set a region's \(Kind.name.en) / 设置\(Kind.name.zh): --region CODE FILE.json" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await PolicyCommand.reporting(context.console, file: signature.file) {
            let region = try RegionCode(signature.region ?? "", field: "region")
            guard let data = FileManager.default.contents(atPath: signature.file) else {
                throw UserError("\(Kind.key).file", field: "file", zh: "找不到参数文件", en: "The parameter file cannot be read")
            }
            let value: Kind.Value
            do {
                value = try JSONDecoder().decode(Kind.Value.self, from: data)
            } catch let error as DecodingError {
                throw UserError("\(Kind.key).json", field: Self.field(of: error),
                                zh: "参数文件格式有误（字段缺失、类型不符或取值无效）",
                                en: "The parameter file is malformed (a field is missing, of the wrong type or invalid)")
            }
            try await Kind.set(value, for: region, on: app, audit: (
                AuditChain(keys: app.jiuzhu.keys), AuditEntry(actor: "cli", role: "", region: region.value, action: "\(Kind.key).set")))
            context.console.print("已设定 / set: \(region.value)")
        }
    }

    static func field(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: path = []
        }
        return path.map(\.stringValue).joined(separator: ".")
    }
}

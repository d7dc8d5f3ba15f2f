import Fluent
import Foundation
import JiuzhuCore
import JiuzhuExchange
import JiuzhuStore
import Vapor

/// `jiuzhu import --source tax [--batch ID] FILE.csv|FILE.jsonl`: stores a
/// department's file (cases/FORMAT.md, "Department files"), line by line:
/// valid lines are stored, invalid ones listed with their line numbers and
/// reasons. Importing the same batch again does nothing; an import that was
/// killed resumes where it stopped when run again.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "source", help: "department source code, e.g. tax, bank, socialInsurance")
        var source: String?
        @Option(name: "batch", help: "batch id (default: the SHA-256 of the file)")
        var batch: String?
        @Option(name: "chunk", help: "lines per transaction (default 1000)")
        var chunk: Int?
        @Option(name: "stop-after-chunks", help: "stop after this many chunks, as if killed (for testing resume)")
        var stopAfterChunks: Int?
        // Declared after the options, so that `--source tax FILE` reads as written
        // (ConsoleKit takes values in declaration order).
        @Argument(name: "file", help: "a .csv or .jsonl file of department records")
        var file: String
    }

    var help: String { "Import a department data file / 导入部门数据文件" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let source = signature.source, !source.isEmpty else {
            throw UserError("cli.source", field: "source", zh: "请用 --source 指定数据源", en: "Give the department source with --source")
        }
        let options = DepartmentImport.Options(source: source, batchID: signature.batch, actor: "cli",
                                               chunkLines: signature.chunk ?? 1_000, stopAfterChunks: signature.stopAfterChunks,
                                               today: LocalDate.today(now: app.jiuzhu.clock()))
        let bar = context.console.progressBar(title: "导入 / importing \(URL(fileURLWithPath: signature.file).lastPathComponent)")
        bar.start()
        let clock = app.jiuzhu.clock
        let summary: DepartmentImport.Summary
        do {
            summary = try await DepartmentImport(db: app.db, keys: app.jiuzhu.keys)
                .run(path: signature.file, options: options, now: clock) { fraction in
                    bar.activity.currentProgress = min(1, max(0, fraction))
                }
        } catch {
            bar.fail()
            throw error
        }
        bar.succeed()
        let console = context.console
        switch summary.status {
        case .alreadyCompleted:
            console.print("该批次已导入，未做任何改动 / batch \(summary.batchID) was imported before: nothing to do")
        case .stopped:
            console.print("已中止，可重新运行以继续 / stopped; run again to resume (batch \(summary.batchID))")
        case .completed:
            if summary.resumedAt > 1 { console.print("从第 \(summary.resumedAt) 行继续 / resumed at line \(summary.resumedAt)") }
            console.print("批次 / batch \(summary.batchID)")
        }
        for problem in summary.problems {
            let field = problem.field.map { " [\($0)]" } ?? ""
            console.print("第 \(problem.line ?? 0) 行 / line \(problem.line ?? 0)\(field): \(problem.messageZh) / \(problem.messageEn)")
        }
        if summary.invalid > summary.problems.count {
            console.print("… 共 \(summary.invalid) 行无效，仅显示前 \(summary.problems.count) 行 / \(summary.invalid) invalid lines in all, first \(summary.problems.count) shown")
        }
        console.print("已存储 / stored \(summary.stored)，重复 / duplicates \(summary.duplicates)，无效 / invalid \(summary.invalid)")
        if summary.status == .stopped { throw CommandExit(status: 1) }
    }
}

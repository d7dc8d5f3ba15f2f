// The words of department data coming in (sources, files, push messages),
// Chinese first, in one table.

public enum DepartmentText {
    public static func unknownSource(_ code: String, known: [String]) -> Bilingual {
        Bilingual(zh: "未知的数据源“\(code)”，应为：\(known.joined(separator: "、"))",
                  en: "Unknown department source \"\(code)\"; use one of: \(known.joined(separator: ", "))")
    }

    // MARK: - Files

    public static let unknownFormat = Bilingual(zh: "无法识别文件格式：文件名应以 .csv 或 .jsonl 结尾",
                                         en: "Unknown file format: the file name must end in .csv or .jsonl")

    public static func sourceMismatch(_ found: String, expected: String) -> Bilingual {
        Bilingual(zh: "记录的数据源“\(found)”与导入的数据源“\(expected)”不一致",
                  en: "The record's source \"\(found)\" differs from the source being imported, \"\(expected)\"")
    }

    public static let recordID = Bilingual(zh: "部门记录编号 recordId 应为 1–\(DepartmentFile.maxRecordIDLength) 个字符的文本，不含控制字符",
                                    en: "The department's recordId must be text of 1–\(DepartmentFile.maxRecordIDLength) characters without control characters")
    public static let timestamp = Bilingual(zh: "时间戳应为 ISO 8601 格式，例如 2026-05-31T08:00:00+08:00",
                                     en: "The timestamp must be ISO 8601, for example 2026-05-31T08:00:00+08:00")
    public static let boolCell = Bilingual(zh: "应为 true 或 false", en: "Must be true or false")

    public static func emptyColumn(_ position: Int) -> Bilingual {
        Bilingual(zh: "表头第 \(position) 列没有列名", en: "Column \(position) of the header has no name")
    }

    public static func repeatedColumn(_ name: String) -> Bilingual {
        Bilingual(zh: "表头中列名“\(name)”重复出现", en: "The header names the column \"\(name)\" twice")
    }

    public static func missingColumn(_ name: String) -> Bilingual {
        Bilingual(zh: "表头缺少必需的列“\(name)”", en: "The header lacks the required column \"\(name)\"")
    }

    public static func cellCount(_ count: Int, expected: Int) -> Bilingual {
        Bilingual(zh: "本行有 \(count) 个单元格，表头有 \(expected) 列", en: "The row has \(count) cells; the header has \(expected) columns")
    }

    public static let emptyFile = Bilingual(zh: "文件为空（CSV 文件至少需要表头行）", en: "The file is empty (a CSV file needs at least its header row)")

    public static func lineTooLong(_ limit: Int) -> Bilingual {
        Bilingual(zh: "该行超过 \(limit) 字节，未读取", en: "The line is longer than \(limit) bytes and was not read")
    }

    static func csvProblem(_ problem: CSVProblem) -> Bilingual {
        switch problem {
        case .quoteInUnquotedField:
            Bilingual(zh: "CSV 格式错误：未加引号的单元格中出现引号（单元格内的引号需整体加引号并写成两个引号）",
                      en: "CSV error: a quote inside an unquoted cell (quote the cell and double the quote)")
        case .textAfterQuote:
            Bilingual(zh: "CSV 格式错误：结束引号之后还有文字", en: "CSV error: text after a closing quote")
        case .unterminatedQuote:
            Bilingual(zh: "CSV 格式错误：引号没有结束，直到文件末尾", en: "CSV error: a quote is never closed before the end of the file")
        case .notUTF8:
            Bilingual(zh: "该行不是 UTF-8 编码的文本", en: "The line is not UTF-8 text")
        case .tooLong:
            Bilingual(zh: "CSV 记录过长（超过 1 MB），未读取", en: "The CSV record is too long (over 1 MB) and was not read")
        }
    }
}

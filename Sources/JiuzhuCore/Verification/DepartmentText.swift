// The words of department data coming in (sources, files, push messages),
// Chinese first, in one table.

public enum DepartmentText {
    static func unknownSource(_ code: String, known: [String]) -> Bilingual {
        Bilingual(zh: "未知的数据源“\(code)”，应为：\(known.joined(separator: "、"))",
                  en: "Unknown department source \"\(code)\"; use one of: \(known.joined(separator: ", "))")
    }
}

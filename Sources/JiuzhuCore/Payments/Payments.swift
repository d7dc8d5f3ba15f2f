/// 资金发放 — the monthly payment of approved cases through a bank.
public enum PaymentRule {
    /// An approved case is paid for every month from its first paid month
    /// (the month after approval) while it stays approved or waits for a
    /// receiving county, up to its last paid month when a taper set one. A
    /// stopped case is paid up to its last paid month (the month of the
    /// decision: a stop takes effect from the next month), never after.
    public static func isPaid(state: CaseState, firstMonth: YearMonth?, lastMonth: YearMonth? = nil, month: YearMonth) -> Bool {
        guard let firstMonth, firstMonth <= month else { return false }
        switch state {
        case .approved, .transferring: return lastMonth.map { month <= $0 } ?? true
        case .terminated: return lastMonth.map { month <= $0 } ?? false
        default: return false
        }
    }

    /// 终止 — the last month paid after a stop decided on `terminatedOn`: the
    /// month of the decision, or an earlier end a taper had already set.
    public static func lastPaidMonth(terminatedOn: LocalDate, current: YearMonth?) -> YearMonth {
        let month = YearMonth(terminatedOn)
        guard let current else { return month }
        return min(current, month)
    }
}

/// 收款人 — who is paid: the name as on the account and the account number.
public struct Payee: Sendable, Hashable, Codable {
    public let name: String
    public let account: String

    public static let nameLength = 1...50

    public init(name: String, account: String) {
        self.name = name
        self.account = account
    }

    /// The name trimmed (1–50 characters) and the account normalised and checked.
    public init(validatingName name: String, account: String) throws(UserError) {
        let name = String(name.trimmingWhitespace)
        guard Self.nameLength.contains(name.count) else {
            throw UserError("payee.name", field: "payeeName", zh: "请填写户名（与银行账户一致）", en: "Give the account holder's name")
        }
        self.init(name: name, account: try BankAccountNumber.normalise(account, field: "payeeAccount"))
    }
}

/// A column of the bank file. Banks differ: a county sets its columns.
public enum BankFileColumn: String, Sendable, Codable, CaseIterable {
    /// 业务流水号 — the line's reference, echoed in the bank's result file.
    case reference
    case payee
    case account
    /// Yuan with two decimals, `620.00`.
    case amount
    /// Fen, `62000`.
    case amountFen = "amount_fen"
    case month
    case programme
    case county

    public var header: String {
        switch self {
        case .reference: "流水号"
        case .payee: "户名"
        case .account: "账号"
        case .amount: "金额"
        case .amountFen: "金额（分）"
        case .month: "发放月份"
        case .programme: "项目"
        case .county: "区县"
        }
    }
}

/// 银行代发文件格式 — the columns, in order, and whether a header line comes first.
public struct BankFileFormat: Sendable, Hashable, Codable {
    public var columns: [BankFileColumn]
    public var header: Bool

    public init(columns: [BankFileColumn], header: Bool = true) {
        self.columns = columns
        self.header = header
    }

    public static let standard = BankFileFormat(columns: [.reference, .payee, .account, .amount, .month])

    /// Parses `reference,payee,account,amount`: every column known, no repeats,
    /// the reference and the account present (the bank answers by reference).
    public init(parsing text: String, header: Bool = true, field: String = "columns") throws(UserError) {
        let names = text.split(separator: ",").map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.map(String.init)
        var columns: [BankFileColumn] = []
        for name in names {
            guard let column = BankFileColumn(rawValue: name) else {
                throw UserError("bank_format.column", field: field, zh: "未知的列：\(name)（可用：\(BankFileColumn.allCases.map(\.rawValue).joined(separator: ", "))）",
                                en: "Unknown column: \(name) (known: \(BankFileColumn.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !columns.contains(column) else {
                throw UserError("bank_format.repeated", field: field, zh: "列重复：\(name)", en: "Column repeated: \(name)")
            }
            columns.append(column)
        }
        guard columns.contains(.reference), columns.contains(.account), columns.contains(.amount) || columns.contains(.amountFen) else {
            throw UserError("bank_format.required", field: field, zh: "须含流水号、账号和金额列", en: "The reference, account and amount columns are required")
        }
        self.init(columns: columns, header: header)
    }
}

/// One line of a bank file.
public struct BankFileLine: Sendable, Hashable {
    public let reference: String
    public let payee: String
    public let account: String
    public let amount: Money
    public let month: YearMonth
    public let programme: Programme
    public let county: String

    public init(reference: String, payee: String, account: String, amount: Money, month: YearMonth, programme: Programme, county: String) {
        self.reference = reference
        self.payee = payee
        self.account = account
        self.amount = amount
        self.month = month
        self.programme = programme
        self.county = county
    }
}

public enum BankFile {
    /// The file's text (CSV, CRLF; cells guarded against spreadsheet formulas).
    public static func render(_ lines: [BankFileLine], format: BankFileFormat) -> String {
        var out = format.header ? CSVText.row(format.columns.map(\.header)) : ""
        for line in lines {
            out += CSVText.row(format.columns.map { column in
                switch column {
                case .reference: line.reference
                case .payee: line.payee
                case .account: line.account
                case .amount: line.amount.plainYuan
                case .amountFen: String(line.amount.fen)
                case .month: line.month.description
                case .programme: line.programme.rawValue
                case .county: line.county
                }
            })
        }
        return out
    }
}

/// 银行回盘 — the bank's answer for one line.
public struct BankResultLine: Sendable, Hashable {
    public let lineNumber: Int
    public let reference: String
    public let paid: Bool
    public let reason: String
}

public enum BankResultFile {
    /// Parses the bank's result file: `reference,status[,reason]` per line
    /// (a header line starting with `reference` or `流水号` is skipped);
    /// status `success`/`成功` or `failed`/`失败`. Good lines are returned,
    /// bad ones listed with their line numbers; nothing is guessed.
    public static func parse(_ text: String) -> (lines: [BankResultLine], problems: [UserError]) {
        var lines: [BankResultLine] = []
        var problems: [UserError] = []
        var seen = Set<String>()
        let rows = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\u{FEFF}", with: "")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in rows.enumerated() {
            let number = index + 1
            let row = raw.trimmingWhitespace
            if row.isEmpty { continue }
            let cells = row.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map { String($0.trimmingWhitespace) }
            if number == 1, let first = cells.first, first == "reference" || first == "流水号" { continue }
            guard cells.count >= 2, !cells[0].isEmpty else {
                problems.append(UserError("bank_result.line", field: "line \(number)", zh: "第 \(number) 行：应为 流水号,状态[,原因]",
                                          en: "Line \(number): expected reference,status[,reason]"))
                continue
            }
            let paid: Bool
            switch cells[1].lowercased() {
            case "success", "成功": paid = true
            case "failed", "失败": paid = false
            default:
                problems.append(UserError("bank_result.status", field: "line \(number)", zh: "第 \(number) 行：未知状态“\(cells[1])”（应为 成功/失败）",
                                          en: "Line \(number): unknown status \"\(cells[1])\" (success or failed)"))
                continue
            }
            guard seen.insert(cells[0]).inserted else {
                problems.append(UserError("bank_result.repeated", field: "line \(number)", zh: "第 \(number) 行：流水号 \(cells[0]) 重复",
                                          en: "Line \(number): reference \(cells[0]) appears twice"))
                continue
            }
            lines.append(BankResultLine(lineNumber: number, reference: cells[0], paid: paid, reason: cells.count > 2 ? cells[2] : ""))
        }
        return (lines, problems)
    }
}

/// 收款账户 — a bank account number as the bank file needs it.
public enum BankAccountNumber {
    /// Digits only after removing spaces and dashes; 10 to 30 of them.
    public static func normalise(_ text: String, field: String = "account") throws(UserError) -> String {
        let digits = text.filter { $0 != " " && $0 != "-" && $0 != "\u{3000}" }
        guard (10...30).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw UserError("account.format", field: field, zh: "银行账号应为 10 至 30 位数字", en: "A bank account number is 10 to 30 digits")
        }
        return digits
    }

    /// `**** 0123`: the last four digits only, for lists.
    public static func masked(_ account: String) -> String {
        "**** " + account.suffix(4)
    }
}

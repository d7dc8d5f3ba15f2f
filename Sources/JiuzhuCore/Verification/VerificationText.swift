// The words of the verification: input errors and the explanation lines,
// Chinese first. Kept in one table so that the report and the CLI say the
// same thing and a translator finds every sentence here.

enum VerificationText {
    // MARK: - Input errors

    static let notUTF8 = Bilingual(zh: "文件不是 UTF-8 编码的文本", en: "The file is not UTF-8 text")
    static let required = Bilingual(zh: "缺少此项（必填）", en: "This field is required")
    static let notInteger = Bilingual(zh: "应为整数（金额以分为单位，不带小数）",
                                      en: "Must be a whole number (amounts are in fen, without decimals)")
    static let integerRange = Bilingual(zh: "数值超出允许范围", en: "The number is too large")
    static let negative = Bilingual(zh: "不能为负数", en: "Must not be negative")
    static let monthFormat = Bilingual(zh: "月份格式应为 YYYY-MM，例如 2026-03",
                                       en: "Enter the month as YYYY-MM, for example 2026-03")
    static let decimalFormat = Bilingual(zh: "应为写成文本的非负小数，例如 \"1.5\"",
                                         en: "Must be a non-negative decimal written as a string, for example \"1.5\"")
    static let decimalRange = Bilingual(zh: "小数的有效数字过多（最多18位）",
                                        en: "The decimal has too many significant digits (at most 18)")
    static let duplicateMember = Bilingual(zh: "该身份证号码在家庭成员中重复出现",
                                           en: "This ID number appears twice among the members")
    static func noPolicy(region: RegionCode, date: LocalDate) -> Bilingual {
        Bilingual(zh: "地区 \(region) 及其上级在 \(date) 没有生效的核对政策参数，请先由系统管理员设置",
                  en: "No verification policy is in force for region \(region) or its parents on \(date); a system administrator must set one")
    }

    static func exemptionIndex(_ index: Int, count: Int) -> Bilingual {
        count == 0
            ? Bilingual(zh: "豁免的记录序号 \(index) 不存在：本家庭没有部门记录",
                        en: "The exempted record number \(index) does not exist: the household has no department records")
            : Bilingual(zh: "豁免的记录序号 \(index) 不存在：应为 0 至 \(count - 1) 之间的整数",
                        en: "The exempted record number \(index) does not exist: use a number from 0 to \(count - 1)")
    }

    static let exemptionReasonRequired = Bilingual(zh: "豁免须填写理由（例如：用于营运的货车）",
                                                   en: "An exemption needs a reason (for example: truck used for work)")

    static let noCountedMembers = Bilingual(
        zh: "没有计入家庭人口的成员（均不共同生活、状态特殊或已死亡），无法计算人均数",
        en: "No member is counted (none lives with the family in normal status and alive), so no per-capita figure exists")
    static let overflow = Bilingual(zh: "金额合计过大，无法计算", en: "The amounts add up to more than can be computed")
    static let windowRange = Bilingual(zh: "收入核算期超出日历范围", en: "The income period falls outside the calendar")

    static func outOfRange(_ range: ClosedRange<Int>) -> Bilingual {
        Bilingual(zh: "应为 \(range.lowerBound) 至 \(range.upperBound) 之间的整数",
                  en: "Must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }

    static func unknownValue(_ value: String, allowed: [String]) -> Bilingual {
        Bilingual(zh: "未知的取值“\(value)”，应为：\(allowed.joined(separator: "、"))",
                  en: "Unknown value \"\(value)\"; use one of: \(allowed.joined(separator: ", "))")
    }

    static func unknownIncomeKind(_ kind: String) -> Bilingual {
        let known = (IncomeTreatment.countedKinds.sorted() + [IncomeTreatment.transferOutKind])
        return Bilingual(
            zh: "未知的收入类别“\(kind)”：应为 \(known.joined(separator: "、")) 之一，或政策 excludedIncomeKinds 中列出的类别",
            en: "Unknown income kind \"\(kind)\": use one of \(known.joined(separator: ", ")), or a kind listed in the policy's excludedIncomeKinds")
    }

    static func unknownExpenseKind(_ kind: String) -> Bilingual {
        let known = ExpenseKinds.known.sorted().joined(separator: ", ")
        return Bilingual(zh: "未知的支出类别“\(kind)”：应为 \(known) 之一，或政策 deductibleKinds 中列出的类别",
                         en: "Unknown expense kind \"\(kind)\": use one of \(known), or a kind listed in the policy's deductibleKinds")
    }

    static func wrongType(expected: JSONKind, found: JSONKind?) -> Bilingual {
        guard let found else { return required }
        return Bilingual(zh: "应为\(kindName(expected).zh)，实际为\(kindName(found).zh)",
                         en: "Must be \(kindName(expected).en), found \(kindName(found).en)")
    }

    static func kindName(_ kind: JSONKind) -> Bilingual {
        switch kind {
        case .null: Bilingual(zh: "空值 null", en: "null")
        case .bool: Bilingual(zh: "true 或 false", en: "true or false")
        case .integer: Bilingual(zh: "整数", en: "a whole number")
        case .number: Bilingual(zh: "数字", en: "a number")
        case .string: Bilingual(zh: "文本（带引号）", en: "a string (in quotes)")
        case .array: Bilingual(zh: "数组 [...]", en: "an array [...]")
        case .object: Bilingual(zh: "对象 {...}", en: "an object {...}")
        }
    }

    static func jsonSyntax(_ problem: JSONSyntaxProblem, line: Int, column: Int) -> Bilingual {
        let what: Bilingual
        switch problem {
        case .unexpectedEnd: what = Bilingual(zh: "文件意外结束", en: "the file ends too early")
        case .unexpectedCharacter: what = Bilingual(zh: "此处不应出现该字符", en: "unexpected character")
        case .trailingContent: what = Bilingual(zh: "JSON 结束后还有多余内容", en: "extra text after the JSON value")
        case .expectedKey: what = Bilingual(zh: "应为带引号的字段名", en: "expected a field name in quotes")
        case .expectedColon: what = Bilingual(zh: "字段名后应为冒号", en: "expected a colon after the field name")
        case .expectedCommaOrEnd: what = Bilingual(zh: "应为逗号或结束括号", en: "expected a comma or a closing bracket")
        case .unterminatedString: what = Bilingual(zh: "文本缺少结束引号", en: "a string is not closed")
        case .invalidEscape: what = Bilingual(zh: "无效的转义序列", en: "invalid escape sequence")
        case .controlCharacterInString: what = Bilingual(zh: "文本中有未转义的控制字符（如换行）",
                                                         en: "unescaped control character (such as a line break) in a string")
        case .invalidNumber: what = Bilingual(zh: "数字格式不正确", en: "malformed number")
        case .duplicateKey: what = Bilingual(zh: "字段重复出现", en: "the field appears twice")
        case .tooDeep: what = Bilingual(zh: "嵌套层数过多", en: "nested too deeply")
        }
        return Bilingual(zh: "JSON 格式错误（第 \(line) 行第 \(column) 列）：\(what.zh)",
                         en: "Not valid JSON (line \(line), column \(column)): \(what.en)")
    }

    // MARK: - Reports

    static func reportFormat(expected: String) -> Bilingual {
        Bilingual(zh: "不是核对报告文件：format 应为 \(expected)",
                  en: "Not a verification report: format must be \(expected)")
    }

    static let reportVersion = Bilingual(zh: "报告版本号应为从 1 起的整数", en: "The report version must be a whole number from 1")

    // MARK: - Names

    static func ruleName(_ rule: VerificationRule) -> Bilingual {
        switch rule {
        case .members: Bilingual(zh: "家庭人口", en: "members")
        case .window: Bilingual(zh: "核算期", en: "income period")
        case .income: Bilingual(zh: "收入", en: "income")
        case .financialAssets: Bilingual(zh: "金融资产", en: "financial assets")
        case .vehicles: Bilingual(zh: "车辆", en: "vehicles")
        case .property: Bilingual(zh: "房产", en: "property")
        case .companies: Bilingual(zh: "市场主体", en: "companies")
        case .missingSources: Bilingual(zh: "数据源", en: "sources")
        case .conclusion: Bilingual(zh: "结论", en: "conclusion")
        case .benefit: Bilingual(zh: "保障金", en: "benefit")
        case .singlePerson: Bilingual(zh: "单人户施保", en: "single-person coverage")
        }
    }

    static func ruleLabel(_ rule: VerificationRule) -> Bilingual {
        let name = ruleName(rule)
        return Bilingual(zh: "规则\(rule.rawValue) \(name.zh)", en: "Rule \(rule.rawValue) \(name.en)")
    }

    static func incomeKindName(_ kind: String) -> Bilingual {
        switch kind {
        case "wage": Bilingual(zh: "工资性收入", en: "wages")
        case "business": Bilingual(zh: "经营净收入", en: "net business income")
        case "property": Bilingual(zh: "财产净收入", en: "net property income")
        case "transferIn": Bilingual(zh: "转移性收入", en: "transfers received")
        case "pension": Bilingual(zh: "养老金", en: "pension")
        case "unemployment": Bilingual(zh: "失业保险金", en: "unemployment benefit")
        case "other": Bilingual(zh: "其他收入", en: "other income")
        case "transferOut": Bilingual(zh: "支付的赡养（抚养、扶养）费", en: "support paid outside the household")
        case "assistance": Bilingual(zh: "社会救助金", en: "social assistance")
        case "preferentialPension": Bilingual(zh: "优待抚恤金", en: "preferential pension")
        case "scholarship": Bilingual(zh: "奖学金", en: "scholarship")
        case "bravery": Bilingual(zh: "见义勇为奖励", en: "bravery award")
        case "familyPlanning": Bilingual(zh: "计划生育奖励与扶助金", en: "family-planning award")
        case "basicPension": Bilingual(zh: "城乡居民基础养老金", en: "basic pension")
        default: Bilingual(zh: kind, en: kind)
        }
    }

    static func expenseKindName(_ kind: String) -> Bilingual {
        switch kind {
        case "medicalOutOfPocket": Bilingual(zh: "自付医疗费用", en: "out-of-pocket medical costs")
        case "employmentCost": Bilingual(zh: "必要就业成本", en: "necessary employment costs")
        default: Bilingual(zh: kind, en: kind)
        }
    }

    static func assetKindName(_ kind: FinancialAssetKind) -> Bilingual {
        switch kind {
        case .deposit: Bilingual(zh: "存款", en: "deposit")
        case .security: Bilingual(zh: "证券", en: "securities")
        case .fund: Bilingual(zh: "基金", en: "fund")
        case .insurance: Bilingual(zh: "商业保险", en: "insurance")
        case .internetFinance: Bilingual(zh: "互联网金融", en: "internet finance")
        }
    }

    static func vehicleTypeName(_ type: VehicleType) -> Bilingual {
        switch type {
        case .car: Bilingual(zh: "小汽车", en: "car")
        case .truck: Bilingual(zh: "货车", en: "truck")
        case .disability: Bilingual(zh: "残疾人专用车", en: "disability vehicle")
        case .farm: Bilingual(zh: "农用车辆", en: "farm vehicle")
        case .motorcycle: Bilingual(zh: "摩托车", en: "motorcycle")
        case .ebike: Bilingual(zh: "电动自行车", en: "e-bike")
        }
    }

    static func roleName(_ role: CompanyRole) -> Bilingual {
        switch role {
        case .legalRepresentative: Bilingual(zh: "法定代表人", en: "legal representative")
        case .director: Bilingual(zh: "董事", en: "director")
        case .shareholder: Bilingual(zh: "股东", en: "shareholder")
        case .soleTrader: Bilingual(zh: "个体工商户经营者", en: "sole trader")
        }
    }

    static func groupName(_ group: TopUpGroup) -> Bilingual {
        switch group {
        case .elderly: Bilingual(zh: "老年人", en: "elderly")
        case .minor: Bilingual(zh: "未成年人", en: "minor")
        case .severeDisability: Bilingual(zh: "重度残疾人", en: "severe disability")
        case .seriousIllness: Bilingual(zh: "重病患者", en: "serious illness")
        }
    }

    static func conclusionName(_ conclusion: VerificationConclusion, residence: ResidenceKind) -> Bilingual {
        switch conclusion {
        case .dibao: residence == .urban ? Bilingual(zh: "符合城市低保", en: "eligible for urban dibao")
                                         : Bilingual(zh: "符合农村低保", en: "eligible for rural dibao")
        case .edge: Bilingual(zh: "低保边缘（低收入）", en: "dibao edge (low income)")
        case .ineligible: Bilingual(zh: "不符合", en: "not eligible")
        case .undetermined: Bilingual(zh: "无法确认", en: "cannot be determined")
        }
    }

    /// The conclusion as the report (核对报告) states it.
    static func reportConclusionLabel(_ conclusion: VerificationConclusion, residence: ResidenceKind) -> Bilingual {
        switch conclusion {
        case .dibao: conclusionName(.dibao, residence: residence)
        case .edge: Bilingual(zh: "低收入（低保边缘）", en: "low income (dibao edge)")
        case .ineligible: Bilingual(zh: "不符合", en: "not eligible")
        case .undetermined: Bilingual(zh: "无法确认", en: "cannot be determined")
        }
    }

    static func sourceStatusName(_ status: SourceStatus?) -> Bilingual {
        switch status {
        case .pending?: Bilingual(zh: "等待反馈", en: "pending")
        case .returned?: Bilingual(zh: "已反馈", en: "returned")
        case .failed?: Bilingual(zh: "查询失败", en: "failed")
        case .unavailable?: Bilingual(zh: "无法查询", en: "unavailable")
        case nil: Bilingual(zh: "未查询", en: "not asked")
        }
    }

    static func flagName(_ flag: VerificationFlag) -> Bilingual {
        switch flag {
        case .financialAssets: Bilingual(zh: "金融资产超限", en: "financial assets over the limit")
        case .vehicle: Bilingual(zh: "车辆超限", en: "vehicle over the cap")
        case .homes: Bilingual(zh: "住房超限", en: "too many homes")
        case .nonResidentialProperty: Bilingual(zh: "非住宅房产", en: "non-residential property")
        case .company: Bilingual(zh: "企业任职或持股", en: "company role")
        case .soleTrader: Bilingual(zh: "个体工商户", en: "sole trader")
        }
    }

    /// `****1234`: enough to tell accounts apart in a report, not to use one.
    static func maskedAccount(_ account: String) -> String {
        account.count <= 4 ? String(repeating: "*", count: account.count) : "****" + String(account.suffix(4))
    }

    private static func joined(_ names: [Bilingual]) -> Bilingual {
        Bilingual(zh: names.map(\.zh).joined(separator: "、"), en: names.map(\.en).joined(separator: ", "))
    }

    // MARK: - Exemptions

    /// What a record says, in a few words: the start of the line of an exempted record.
    static func recordSummary(_ detail: RecordDetail) -> Bilingual {
        switch detail {
        case .income(let kind, let month, let amount):
            let name = incomeKindName(kind)
            return Bilingual(zh: "\(name.zh) \(amount)（\(month)）", en: "\(name.en) of \(amount) (\(month))")
        case .expense(let kind, let month, let amount):
            let name = expenseKindName(kind)
            return Bilingual(zh: "\(name.zh) \(amount)（\(month)）", en: "\(name.en) of \(amount) (\(month))")
        case .financialAsset(let kind, let account, let date, let balance):
            let name = assetKindName(kind)
            return Bilingual(zh: "\(name.zh)账户 \(maskedAccount(account)) 截至 \(date) 余额 \(balance)",
                             en: "\(name.en) account \(maskedAccount(account)): balance \(balance) on \(date)")
        case .vehicle(let plate, let type, let value):
            let name = vehicleTypeName(type)
            return Bilingual(zh: "\(name.zh) \(plate)，价值 \(value)", en: "\(name.en) \(plate), worth \(value)")
        case .property(let use, let area):
            return use == .residential
                ? Bilingual(zh: "住宅一套，面积 \(area) 平方米", en: "one home, \(area) m²")
                : Bilingual(zh: "非住宅房产，面积 \(area) 平方米", en: "non-residential property, \(area) m²")
        case .company(let role, let active):
            let name = roleName(role)
            return active
                ? Bilingual(zh: "在营市场主体的\(name.zh)", en: "\(name.en) of an active entity")
                : Bilingual(zh: "已不在营市场主体的\(name.zh)", en: "\(name.en) of an inactive entity")
        case .death(let date):
            return Bilingual(zh: "死亡登记（\(date)）", en: "death registered (\(date))")
        }
    }

    static func exempted(_ detail: RecordDetail, reason: String) -> Bilingual {
        let summary = recordSummary(detail)
        return Bilingual(zh: "\(summary.zh)；已豁免（理由：\(reason)）：不计入",
                         en: "\(summary.en). Exempted (reason: \(reason)): not counted")
    }

    // MARK: - Rule 1: members

    static func memberCounted(age: Int) -> Bilingual {
        Bilingual(zh: "计入家庭人口（\(age)周岁）", en: "counted as a member (aged \(age))")
    }

    static let memberNotCoResident = Bilingual(zh: "不共同生活，不计入家庭人口，其记录不予考虑",
                                               en: "does not live with the family: not counted, their records ignored")

    static func memberStatus(_ status: MemberStatus) -> Bilingual {
        Bilingual(zh: "\(status.name.zh)，不计入家庭人口，其记录不予考虑",
                  en: "\(status.name.en): not counted, their records ignored")
    }

    static func memberDied(_ date: LocalDate) -> Bilingual {
        Bilingual(zh: "已于 \(date) 死亡，不计入家庭人口，其记录不予考虑",
                  en: "died on \(date): not counted, their records ignored")
    }

    static let recordOfUncountedMember = Bilingual(zh: "该成员不计入家庭人口，记录不予考虑",
                                                   en: "the member is not counted: record ignored")
    static let recordOfNonMember = Bilingual(zh: "记录中的人员不是本家庭成员，记录不予考虑",
                                             en: "the person is not a member of this household: record ignored")

    static func deathAfterAsOf(_ date: LocalDate, asOf: LocalDate) -> Bilingual {
        Bilingual(zh: "死亡日期 \(date) 晚于核对基准日 \(asOf)，仍计入家庭人口",
                  en: "death dated \(date), after the verification date \(asOf): still counted")
    }

    // MARK: - Rule 2: window

    static func window(_ window: ClosedRange<YearMonth>, months: Int, asOf: LocalDate) -> Bilingual {
        Bilingual(zh: "核对基准日 \(asOf)，收入核算期为 \(window.lowerBound) 至 \(window.upperBound)，共 \(months) 个月",
                  en: "verification date \(asOf): income period \(window.lowerBound) to \(window.upperBound), \(months) months")
    }

    static func outsideWindow(_ month: YearMonth, _ amount: Money) -> Bilingual {
        Bilingual(zh: "\(month) 的记录 \(amount) 不在核算期内，不予计算",
                  en: "\(month) record of \(amount) is outside the income period: ignored")
    }

    // MARK: - Rule 3: income

    static func incomeCounted(_ kind: String, _ month: YearMonth, _ amount: Money) -> Bilingual {
        let name = incomeKindName(kind)
        return Bilingual(zh: "计入\(name.zh) \(amount)（\(month)）", en: "\(name.en) counted: \(amount) (\(month))")
    }

    static func incomeExcluded(_ kind: String, _ month: YearMonth, _ amount: Money) -> Bilingual {
        let name = incomeKindName(kind)
        return Bilingual(zh: "\(name.zh) \(amount)（\(month)）按政策不计入收入",
                         en: "\(name.en) of \(amount) (\(month)) is not counted under the policy")
    }

    static func transferOut(_ month: YearMonth, _ amount: Money) -> Bilingual {
        let name = incomeKindName(IncomeTreatment.transferOutKind)
        return Bilingual(zh: "扣除\(name.zh) \(amount)（\(month)）", en: "\(name.en) subtracted: \(amount) (\(month))")
    }

    static func expenseDeducted(_ kind: String, _ month: YearMonth, _ amount: Money) -> Bilingual {
        let name = expenseKindName(kind)
        return Bilingual(zh: "扣减\(name.zh) \(amount)（\(month)）", en: "\(name.en) deducted: \(amount) (\(month))")
    }

    static func expenseNotDeductible(_ kind: String, _ month: YearMonth, _ amount: Money) -> Bilingual {
        let name = expenseKindName(kind)
        return Bilingual(zh: "\(name.zh) \(amount)（\(month)）按政策不可扣减",
                         en: "\(name.en) of \(amount) (\(month)) is not deductible under the policy")
    }

    static func incomeSummary(counted: Money, paid: Money, deducted: Money, total: Money, months: Int,
                              members: Int, perCapita: Money) -> Bilingual {
        Bilingual(
            zh: "计入收入 \(counted) − 赡养费支出 \(paid) − 扣减支出 \(deducted) = \(total)；月人均收入 = \(total.isNegative ? "0" : total.description) ÷（\(months)个月 × \(members)人）= \(perCapita)（不足一分舍去）",
            en: "counted income \(counted) − support paid \(paid) − deductions \(deducted) = \(total); per-capita monthly income = \(total.isNegative ? "0" : total.description) ÷ (\(months) months × \(members) members) = \(perCapita) (rounded down to the fen)")
    }

    // MARK: - Rule 4: financial assets

    static func assetAfterAsOf(_ kind: FinancialAssetKind, account: String, date: LocalDate, asOf: LocalDate) -> Bilingual {
        let name = assetKindName(kind)
        return Bilingual(zh: "\(name.zh)账户 \(maskedAccount(account)) 在 \(date) 的余额晚于核对基准日 \(asOf)，不予考虑",
                         en: "\(name.en) account \(maskedAccount(account)): balance of \(date) is after the verification date \(asOf): ignored")
    }

    static func assetUsed(_ kind: FinancialAssetKind, account: String, date: LocalDate, balance: Money) -> Bilingual {
        let name = assetKindName(kind)
        return Bilingual(zh: "\(name.zh)账户 \(maskedAccount(account)) 截至 \(date) 余额 \(balance)，计入",
                         en: "\(name.en) account \(maskedAccount(account)): balance \(balance) on \(date) counted")
    }

    static func assetSuperseded(account: String, date: LocalDate, by index: Int) -> Bilingual {
        Bilingual(zh: "账户 \(maskedAccount(account)) 在 \(date) 的余额已由较新的 records[\(index)] 取代",
                  en: "account \(maskedAccount(account)): the balance of \(date) is superseded by the later records[\(index)]")
    }

    static func assetSummary(total: Money, members: Int, perCapita: Money, months: Int, standard: Money,
                             limit: Money?, exceeded: Bool) -> Bilingual {
        let limitZh = limit.map { " = \($0)" } ?? ""
        return Bilingual(
            zh: "金融资产合计 \(total)，人均 \(perCapita)（÷\(members)人）；上限 \(months) × \(standard)\(limitZh)：\(exceeded ? "超过上限" : "未超过上限")",
            en: "financial assets \(total), per capita \(perCapita) (÷ \(members)); limit \(months) × \(standard)\(limitZh): \(exceeded ? "over the limit" : "within the limit")")
    }

    // MARK: - Rules 5–7: vehicles, property, companies

    static func vehicleExempt(plate: String, type: VehicleType, value: Money) -> Bilingual {
        let name = vehicleTypeName(type)
        return Bilingual(zh: "\(name.zh) \(plate)，价值 \(value)，属豁免类别", en: "\(name.en) \(plate), worth \(value): exempt type")
    }

    static func vehicle(plate: String, type: VehicleType, value: Money, cap: Money, over: Bool) -> Bilingual {
        let name = vehicleTypeName(type)
        return over
            ? Bilingual(zh: "\(name.zh) \(plate)，价值 \(value)，超过上限 \(cap)",
                        en: "\(name.en) \(plate), worth \(value), above the cap of \(cap)")
            : Bilingual(zh: "\(name.zh) \(plate)，价值 \(value)，未超过上限 \(cap)",
                        en: "\(name.en) \(plate), worth \(value), within the cap of \(cap)")
    }

    static func residential(area: ExactDecimal) -> Bilingual {
        Bilingual(zh: "住宅一套，面积 \(area) 平方米", en: "one home, \(area) m²")
    }

    static func nonResidential(area: ExactDecimal, disqualifies: Bool) -> Bilingual {
        disqualifies
            ? Bilingual(zh: "非住宅房产，面积 \(area) 平方米，按政策不符合",
                        en: "non-residential property, \(area) m²: disqualifies under the policy")
            : Bilingual(zh: "非住宅房产，面积 \(area) 平方米，按政策不影响结论",
                        en: "non-residential property, \(area) m²: does not disqualify under the policy")
    }

    static func homes(count: Int, max: Int) -> Bilingual {
        count > max
            ? Bilingual(zh: "住宅 \(count) 套，超过上限 \(max) 套", en: "\(count) homes, more than the \(max) allowed")
            : Bilingual(zh: "住宅 \(count) 套，未超过上限 \(max) 套", en: "\(count) homes, within the \(max) allowed")
    }

    static func companyInactive(_ role: CompanyRole) -> Bilingual {
        let name = roleName(role)
        return Bilingual(zh: "\(name.zh)（市场主体已不在营），不影响结论", en: "\(name.en) of an inactive entity: no effect")
    }

    static func companyRole(_ role: CompanyRole, disqualifies: Bool) -> Bilingual {
        let name = roleName(role)
        return disqualifies
            ? Bilingual(zh: "在营企业的\(name.zh)，按政策不符合", en: "\(name.en) of an active company: disqualifies under the policy")
            : Bilingual(zh: "在营企业的\(name.zh)，按政策不影响结论", en: "\(name.en) of an active company: does not disqualify under the policy")
    }

    static let soleTrader = Bilingual(zh: "在营个体工商户，列为提示项，不单独导致不符合",
                                      en: "active sole trader: noted for the caseworker, does not disqualify by itself")

    // MARK: - Rule 8: sources

    static func sourceReturned(_ source: String) -> Bilingual {
        Bilingual(zh: "必查数据源 \(source) 已反馈", en: "required source \(source) returned")
    }

    static func sourceMissing(_ source: String, status: SourceStatus?) -> Bilingual {
        let state = sourceStatusName(status)
        return Bilingual(zh: "必查数据源 \(source) \(state.zh)，列为缺失", en: "required source \(source) \(state.en): missing")
    }

    // MARK: - Rule 9: conclusion

    static func undetermined(missing: [String], residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(.undetermined, residence: residence)
        return Bilingual(zh: "\(name.zh)：缺少数据源 \(missing.joined(separator: "、"))",
                         en: "\(name.en): sources missing: \(missing.joined(separator: ", "))")
    }

    static func disqualified(flags: [VerificationFlag], residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(.ineligible, residence: residence)
        let reasons = joined(flags.map(flagName))
        return Bilingual(zh: "\(name.zh)：\(reasons.zh)", en: "\(name.en): \(reasons.en)")
    }

    static func belowStandard(perCapita: Money, standard: Money, residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(.dibao, residence: residence)
        return Bilingual(zh: "\(name.zh)：月人均收入 \(perCapita) 低于标准 \(standard)",
                         en: "\(name.en): per-capita income \(perCapita) is below the standard \(standard)")
    }

    static func edgeBand(perCapita: Money, standard: Money, multiplier: ExactDecimal, residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(.edge, residence: residence)
        return Bilingual(zh: "\(name.zh)：月人均收入 \(perCapita) 不低于标准 \(standard)，但低于其 \(multiplier) 倍",
                         en: "\(name.en): per-capita income \(perCapita) is at least the standard \(standard) but below \(multiplier) times it")
    }

    static func aboveEdge(perCapita: Money, standard: Money, multiplier: ExactDecimal, residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(.ineligible, residence: residence)
        return Bilingual(zh: "\(name.zh)：月人均收入 \(perCapita) 不低于标准 \(standard) 的 \(multiplier) 倍",
                         en: "\(name.en): per-capita income \(perCapita) is at least \(multiplier) times the standard \(standard)")
    }

    // MARK: - Rules 10–11: benefit, single person

    static func benefitBase(standard: Money, perCapita: Money, members: Int, amount: Money) -> Bilingual {
        Bilingual(zh: "差额保障（\(standard) − \(perCapita)）× \(members)人 = \(amount)",
                  en: "gap (\(standard) − \(perCapita)) × \(members) members = \(amount)")
    }

    static func topUp(_ chosen: TopUp, amount: Money, groups: [TopUpGroup]) -> Bilingual {
        let name = groupName(chosen.group)
        let all = joined(groups.map(groupName))
        let several = groups.count > 1
        return Bilingual(
            zh: "分类施保（\(name.zh)）\(chosen.percentOfStandard)% = \(amount)" + (several ? "；同属\(all.zh)，只取最高一项" : ""),
            en: "top-up (\(name.en)) \(chosen.percentOfStandard)% = \(amount)" + (several ? "; in several groups (\(all.en)), only the largest applies" : ""))
    }

    static func benefitTotal(_ amount: Money) -> Bilingual {
        Bilingual(zh: "月保障金合计 \(amount)", en: "monthly benefit \(amount)")
    }

    static func noBenefit(_ conclusion: VerificationConclusion, residence: ResidenceKind) -> Bilingual {
        let name = conclusionName(conclusion, residence: residence)
        return Bilingual(zh: "结论为“\(name.zh)”，不发放保障金", en: "conclusion is \"\(name.en)\": no benefit")
    }

    static func singlePerson(severeDisability: Bool, seriousIllness: Bool) -> Bilingual {
        var reasons: [TopUpGroup] = []
        if severeDisability { reasons.append(.severeDisability) }
        if seriousIllness { reasons.append(.seriousIllness) }
        let names = joined(reasons.map(groupName))
        return Bilingual(zh: "\(names.zh)，可单独纳入低保（单人户施保）",
                         en: "\(names.en): may be covered alone (single-person dibao)")
    }

    static let singlePersonNone = Bilingual(zh: "无重度残疾或重病成员，不适用单人户施保",
                                            en: "no member with a severe disability or serious illness: single-person coverage does not apply")
}

import JiuzhuCore

/// Words of the case pages (案件办理).
enum CT {
    static let cases = Bilingual(zh: "案件办理", en: "Cases")
    static let caseTitle = Bilingual(zh: "案件", en: "Case")
    static let pendingOnly = Bilingual(zh: "在办", en: "Pending")
    static let all = Bilingual(zh: "全部", en: "All")
    static let programme = Bilingual(zh: "救助项目", en: "Programme")
    static let household = Bilingual(zh: "家庭（户主）", en: "Household (head)")
    static let region = Bilingual(zh: "地区", en: "Region")
    static let state = Bilingual(zh: "状态", en: "State")
    static let acceptedOn = Bilingual(zh: "受理日期", en: "Accepted")
    static let nextStep = Bilingual(zh: "下一步", en: "Next step")
    static let due = Bilingual(zh: "期限", en: "Due")
    static let noCases = Bilingual(zh: "没有案件。", en: "No cases.")
    static let deadlines = Bilingual(zh: "办理时限", en: "Time limits")
    static let timeline = Bilingual(zh: "办理记录", en: "Record of steps")
    static let recorded = Bilingual(zh: "已登记的办理材料", en: "What has been recorded")
    static let actions = Bilingual(zh: "可办理的事项", en: "What you can do")
    static let noActions = Bilingual(zh: "您的角色现在没有可办理的事项。", en: "Nothing for your role to do on this case now.")
    static let date = Bilingual(zh: "办理日期", en: "Date")
    static let investigators = Bilingual(zh: "调查人员（至少 2 人，用顿号或逗号分隔）", en: "Investigators (at least 2, separated by commas)")
    static let visitedOn = Bilingual(zh: "入户日期", en: "Visited on")
    static let signedByFamily = Bilingual(zh: "调查表已由申请人签字确认", en: "The family signed the form")
    static let signedByInvestigators = Bilingual(zh: "调查人员均已签字", en: "The investigators signed the form")
    static let reportNumber = Bilingual(zh: "核对报告编号", en: "Verification report number")
    static let proposedAmount = Bilingual(zh: "拟月救助金额（元，公示用）", en: "Proposed monthly amount (yuan, for the notice)")
    static let monthlyAmount = Bilingual(zh: "月救助金额（元）", en: "Monthly amount (yuan)")
    static let amount = Bilingual(zh: "金额（元）", en: "Amount (yuan)")
    static let onePerLine = Bilingual(zh: "每行一条", en: "one per line")
    static let checked = Bilingual(zh: "已实地核查（填写核查记录）", en: "Checked on site (give the record)")
    static let notSampled = Bilingual(zh: "未被抽中（填写抽查批次）", en: "Not sampled (give the batch)")
    static let recipient = Bilingual(zh: "救助对象", en: "Recipient")
    static let signatures = Bilingual(zh: "签字人（用逗号分隔）", en: "Signed by (separated by commas)")
    static let done = Bilingual(zh: "已办理。", en: "Done.")
    static let letter = Bilingual(zh: "决定书", en: "Decision letter")
    static let approvalLetter = Bilingual(zh: "批准决定书", en: "Notice of approval")
    static let rejectionLetter = Bilingual(zh: "不予批准决定书", en: "Notice of rejection")
    static let delivered = Bilingual(zh: "登记已送达", en: "Record as delivered")
    static let deliveredDone = Bilingual(zh: "已登记送达。", en: "Recorded as delivered.")
    static let accept = Bilingual(zh: "材料已齐全，受理", en: "Materials complete: accept")
    static let accepted = Bilingual(zh: "已受理，案件已开始计时。", en: "Accepted; the cases' clocks are running.")
    static let openCase = Bilingual(zh: "办理", en: "Open")
    static let version = Bilingual(zh: "版本", en: "Version")
    static let choose = Bilingual(zh: "请选择", en: "Choose")
    static let changeKind = Bilingual(zh: "变化类别", en: "Kind of change")
    static let changeOccurredOn = Bilingual(zh: "变化发生日期", en: "Date of the change")
    static let changeDetail = Bilingual(zh: "变化情况", en: "What changed")
    static let lateReport = Bilingual(zh: "预警：该变化发生 3 个月后才报告", en: "Warning: this change was reported more than 3 months after it happened")
    static let transferDestination = Bilingual(zh: "迁入地村（社区）区划代码", en: "Destination village code")
    static let transferReason = Bilingual(zh: "迁移原因及新住址", en: "Reason for the move and the new address")
    static let transferringTo = Bilingual(zh: "迁往", en: "Moving to")
    static let reviewClass = Bilingual(zh: "分类管理", en: "Review class")
    static let nextReview = Bilingual(zh: "下次复核", en: "Next review")
    static let lastPaidMonth = Bilingual(zh: "发放至", en: "Paid until")
    static let taperLetter = Bilingual(zh: "渐退决定书", en: "Notice of a taper")
    static let reserveFund = Bilingual(zh: "备用金台账", en: "Reserve fund")
    static let noTownships = Bilingual(zh: "没有乡镇（街道）。", en: "No townships.")
    static let balance = Bilingual(zh: "余额", en: "Balance")
    static let limitPerCase = Bilingual(zh: "每案先行救助额度", en: "Limit per case paid first")
    static let topUpAmount = Bilingual(zh: "拨付金额（元）", en: "Amount to add (yuan)")
    static let topUp = Bilingual(zh: "拨付备用金", en: "Add to the fund")
    static let toppedUp = Bilingual(zh: "已拨付。", en: "Added.")
    static let fundEntries = Bilingual(zh: "收支记录", en: "Entries")
    static let noEntries = Bilingual(zh: "还没有收支记录。", en: "No entries yet.")
    static let entryKind = Bilingual(zh: "类别", en: "Kind")
    static let topUpKind = Bilingual(zh: "拨付", en: "Top-up")
    static let drawKind = Bilingual(zh: "先行救助支取", en: "Paid first")
    static let actor = Bilingual(zh: "经办人", en: "By")
    static let sampling = Bilingual(zh: "特困抽查", en: "Tekun sampling")
    static let samplingCountyOnly = Bilingual(zh: "特困抽查由县级审核人员办理。", en: "Tekun sampling is done by county reviewers.")
    static let samplingRule = Bilingual(zh: "县级在审核确认前对待确认的特困案件按不低于 30% 的比例抽取实地核查；抽取由系统按随机种子完成，可由审计复核。",
                                        en: "Before confirming, the county checks at least 30% of the tekun cases awaiting confirmation on site; the platform draws them from a recorded random seed that an auditor can re-derive.")
    static let noneToSample = Bilingual(zh: "没有待抽查的特困案件。", en: "No tekun case is waiting to be sampled.")
    static let samplePercent = Bilingual(zh: "抽查比例（%，不低于 30）", en: "Share to check (%, at least 30)")
    static let draw = Bilingual(zh: "抽取", en: "Draw the sample")
    static let drawn = Bilingual(zh: "已抽取。被抽中的案件须实地核查后再作确认。", en: "Drawn. The cases chosen are checked on site before they are confirmed.")
    static let batches = Bilingual(zh: "抽查批次", en: "Sampling batches")
    static let noBatches = Bilingual(zh: "还没有抽查批次。", en: "No sampling batch yet.")
    static let seed = Bilingual(zh: "随机种子", en: "seed")
    static let chosen = Bilingual(zh: "抽中：须实地核查", en: "Chosen: check on site")
    static let notChosen = Bilingual(zh: "未抽中", en: "Not chosen")
    static let inSample = Bilingual(zh: "本案件在抽查批次中被抽中，须填写实地核查记录：", en: "This case was drawn for an on-site check; give the record. Batch: ")
    static let notInSample = Bilingual(zh: "本案件未被抽中，抽查批次：", en: "This case was not drawn. Batch: ")

    static func toSample(_ count: Int, _ minimum: Int) -> Bilingual {
        Bilingual(zh: "待抽查的特困案件 \(count) 件，至少抽取 \(minimum) 件。", en: "\(count) tekun cases wait; at least \(minimum) will be drawn.")
    }

    static func sampledOf(_ sampled: Int, _ total: Int) -> Bilingual {
        Bilingual(zh: "抽中 \(sampled) / \(total) 件", en: "\(sampled) of \(total) drawn")
    }

    static func months(_ count: Int) -> Bilingual { Bilingual(zh: "\(count) 个月", en: count == 1 ? "1 month" : "\(count) months") }

    static func taperText(_ head: String, _ programme: Programme, _ last: String) -> Bilingual {
        Bilingual(zh: "\(head)家庭：经审核，你家收入已超过\(programme.name.zh)标准，给予渐退期，救助金继续发放至 \(last) 止，此后终止，原因如下。如有异议，可依法申请复核、行政复议或提起行政诉讼。",
                  en: "\(head)'s household: your income is now above the \(programme.name.en) standard. Support continues, tapering, until \(last) and then stops, for the reason below. You may ask for a review, an administrative reconsideration or bring a lawsuit.")
    }

    static func approvalText(_ head: String, _ programme: Programme, _ amount: String, _ month: String) -> Bilingual {
        Bilingual(zh: "\(head)家庭：经审核确认，你家符合\(programme.name.zh)条件，自 \(month) 起按月发放 \(amount)。如家庭情况发生变化，请及时告知乡镇（街道）。",
                  en: "\(head)'s household: your household qualifies for \(programme.name.en). \(amount) will be paid monthly from \(month). Please tell the township office of any change in your circumstances.")
    }

    static let changeLetter = Bilingual(zh: "救助金额调整决定书", en: "Notice of a changed amount")
    static let terminationLetter = Bilingual(zh: "终止救助决定书", en: "Notice of termination")

    static func changeText(_ head: String, _ programme: Programme, _ old: String, _ new: String) -> Bilingual {
        Bilingual(zh: "\(head)家庭：经审核，你家的\(programme.name.zh)月救助金额由 \(old) 调整为 \(new)，原因如下。如有异议，可依法申请复核、行政复议或提起行政诉讼。",
                  en: "\(head)'s household: your monthly \(programme.name.en) changes from \(old) to \(new), for the reason below. You may ask for a review, an administrative reconsideration or bring a lawsuit.")
    }

    static func terminationText(_ head: String, _ programme: Programme) -> Bilingual {
        Bilingual(zh: "\(head)家庭：经审核，自下月起终止你家的\(programme.name.zh)，理由如下。如有异议，可依法申请复核、行政复议或提起行政诉讼。",
                  en: "\(head)'s household: your \(programme.name.en) stops from next month, for the reasons below. You may ask for a review, an administrative reconsideration or bring a lawsuit.")
    }

    static func rejectionText(_ head: String, _ programme: Programme) -> Bilingual {
        Bilingual(zh: "\(head)家庭：经审核，你家的\(programme.name.zh)申请不予批准，理由如下。如有异议，可自收到本决定书之日起依法申请复核、行政复议或提起行政诉讼。",
                  en: "\(head)'s household: your application for \(programme.name.en) is not approved, for the reasons below. You may ask for a review, an administrative reconsideration or bring a lawsuit from the day you receive this notice.")
    }
}

// Reading a case file (cases/FORMAT.md) into a `VerificationCase`. Every input
// error is a `UserError` whose `field` is the JSON path of the bad value.
// Keys the format does not define are ignored: department exports add their
// own (`recordId`, `timestamp`).

extension VerificationCase {
    /// Reads a case file's bytes (UTF-8 JSON).
    public init(json bytes: some Collection<UInt8>) throws(UserError) {
        try self.init(field: CaseField(try JSONValue.parse(bytes)))
    }

    /// Reads a case file's text.
    public init(json text: String) throws(UserError) {
        try self.init(json: Array(text.utf8))
    }

    /// Reads a parsed case file; `root` is the whole document.
    public init(field root: CaseField) throws(UserError) {
        _ = try root.object()  // a document that is not an object fails here, on no field
        name = try root.field("name").string()
        asOf = try root.field("asOf").date()
        residence = try root.field("residence").choice(ResidenceKind.self)
        policy = try VerificationPolicy(field: try root.field("policy"))

        var members: [CaseMember] = []
        for item in try root.field("members").array() {
            members.append(try CaseMember(field: item, asOf: asOf))
        }
        self.members = members

        var sources: [String: SourceStatus] = [:]
        for (key, item) in try root.field("sources").object() {
            sources[key] = try item.choice(SourceStatus.self)
        }
        self.sources = sources

        var records: [DepartmentRecord] = []
        for item in try root.field("records").array() {
            records.append(try DepartmentRecord(field: item, asOf: asOf, policy: policy))
        }
        self.records = records

        let expectField = try root.field("expect")
        expect = expectField.isAbsent ? nil : try VerificationOutcome(field: expectField, asOf: asOf)

        try checkConsistency()
    }

    /// What no single field shows: an ID listed twice, a kind the policy
    /// does not know. The calculator checks again, for cases built in code.
    public func checkConsistency() throws(UserError) {
        var seen: Set<ResidentID> = []
        for (index, member) in members.enumerated() {
            guard seen.insert(member.id).inserted else {
                let text = VerificationText.duplicateMember
                throw UserError("verification.duplicate_member", field: "members[\(index)].id", zh: text.zh, en: text.en)
            }
        }
        for (index, record) in records.enumerated() {
            switch record.detail {
            case .income(let kind, _, _) where policy.treatment(ofIncome: kind) == nil:
                let text = VerificationText.unknownIncomeKind(kind)
                throw UserError("verification.income_kind", field: "records[\(index)].kind", zh: text.zh, en: text.en)
            case .expense(let kind, _, _) where !policy.knowsExpense(kind):
                let text = VerificationText.unknownExpenseKind(kind)
                throw UserError("verification.expense_kind", field: "records[\(index)].kind", zh: text.zh, en: text.en)
            default:
                continue
            }
        }
    }
}

extension VerificationPolicy {
    /// Reads the `policy` object; every parameter is required.
    public init(field: CaseField) throws(UserError) {
        _ = try field.object()
        standardUrban = try field.field("standardUrban").money()
        standardRural = try field.field("standardRural").money()
        edgeMultiplier = try field.field("edgeMultiplier").decimal()
        // At least one month (the divisor); at most a century keeps the window on the calendar.
        referenceMonths = try field.field("referenceMonths").int(in: 1...1200)
        financialAssetMonths = try field.field("financialAssetMonths").int(in: 0...Int(Int32.max))
        vehicleValueCap = try field.field("vehicleValueCap").money()
        var exempt: Set<VehicleType> = []
        for item in try field.field("exemptVehicleTypes").array() { exempt.insert(try item.choice(VehicleType.self)) }
        exemptVehicleTypes = exempt
        maxHomes = try field.field("maxHomes").int(in: 0...Int(Int32.max))
        nonResidentialDisqualifies = try field.field("nonResidentialDisqualifies").bool()
        companyRoleDisqualifies = try field.field("companyRoleDisqualifies").bool()
        var excluded: Set<String> = []
        for item in try field.field("excludedIncomeKinds").array() { excluded.insert(try item.string()) }
        excludedIncomeKinds = excluded
        var deductible: Set<String> = []
        for item in try field.field("deductibleKinds").array() { deductible.insert(try item.string()) }
        deductibleKinds = deductible
        var required: [String] = []
        for item in try field.field("requiredSources").array() { required.append(try item.string()) }
        requiredSources = required
        var topUps: [TopUp] = []
        for item in try field.field("topUps").array() {
            _ = try item.object()
            topUps.append(TopUp(group: try item.field("group").choice(TopUpGroup.self),
                                percentOfStandard: try item.field("percentOfStandard").int(in: 0...10_000)))
        }
        self.topUps = topUps
    }
}

extension CaseMember {
    /// Reads one `members[i]`; `disability` and `seriousIllness` may be absent.
    public init(field: CaseField, asOf: LocalDate) throws(UserError) {
        _ = try field.object()
        id = try field.field("id").residentID(asOf: asOf)
        name = try field.field("name").string()
        relation = try field.field("relation").choice(CaseRelation.self)
        coResident = try field.field("coResident").bool()
        status = try field.field("status").choice(MemberStatus.self)
        let disabilityField = try field.field("disability")
        if disabilityField.isAbsent {
            disability = nil
        } else {
            _ = try disabilityField.object()
            let type = try disabilityField.field("type").choice(DisabilityType.self)
            let gradeField = try disabilityField.field("grade")
            disability = try Disability(type: type, grade: try gradeField.int(in: Int(Int32.min)...Int(Int32.max)),
                                        field: gradeField.path)
        }
        let illnessField = try field.field("seriousIllness")
        seriousIllness = illnessField.isAbsent ? false : try illnessField.bool()
    }
}

extension DepartmentRecord {
    /// Reads one `records[i]`. The income kind is checked against `policy`
    /// here, so that an unknown kind is reported on its field; without a
    /// policy (a department file, before any household is known) against the
    /// kinds of the national rules.
    public init(field: CaseField, asOf: LocalDate, policy: VerificationPolicy?) throws(UserError) {
        _ = try field.object()
        source = try field.field("source").string()
        member = try field.field("member").residentID(asOf: asOf)
        switch try field.field("type").choice(RecordType.self) {
        case .income:
            let kindField = try field.field("kind")
            let kind = try kindField.string()
            guard policy.map({ $0.treatment(ofIncome: kind) != nil }) ?? IncomeTreatment.nationalKinds.contains(kind) else {
                throw kindField.error("verification.income_kind", VerificationText.unknownIncomeKind(kind))
            }
            let month = try field.field("month").month()
            // Only a net income can be a loss; a wage or a pension cannot be negative.
            let amount = try field.field("amount").money(allowNegative: IncomeTreatment.netKinds.contains(kind))
            detail = .income(kind: kind, month: month, amount: amount)
        case .expense:
            let kindField = try field.field("kind")
            let kind = try kindField.string()
            guard policy?.knowsExpense(kind) ?? ExpenseKinds.known.contains(kind) else {
                throw kindField.error("verification.expense_kind", VerificationText.unknownExpenseKind(kind))
            }
            detail = .expense(kind: kind, month: try field.field("month").month(),
                              amount: try field.field("amount").money())
        case .financialAsset:
            detail = .financialAsset(kind: try field.field("kind").choice(FinancialAssetKind.self),
                                     account: try field.field("account").string(),
                                     asOfDate: try field.field("asOfDate").date(),
                                     balance: try field.field("balance").money())
        case .vehicle:
            detail = .vehicle(plate: try field.field("plate").string(),
                              type: try field.field("vehicleType").choice(VehicleType.self),
                              value: try field.field("value").money())
        case .property:
            detail = .property(use: try field.field("use").choice(PropertyUse.self),
                               area: try field.field("area").decimal())
        case .company:
            detail = .company(role: try field.field("role").choice(CompanyRole.self),
                              active: try field.field("active").bool())
        case .death:
            detail = .death(date: try field.field("date").date())
        }
    }
}

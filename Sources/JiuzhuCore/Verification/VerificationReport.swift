// 核对报告 — the verification report as one JSON document: what was asked,
// what each source answered, every finding as a line, the figures against
// their thresholds, the conclusion and the benefit. The document is what is
// stored, printed and signed (Ed25519 over `canonicalBytes`, in
// JiuzhuExchange); a new version is built for every new set of exemptions or
// re-computation, each naming the digest of the one before.

/// How one department source answered the request.
public struct SourceAnswer: Sendable, Hashable {
    public var status: SourceStatus
    /// When we received the answer (ISO 8601 UTC).
    public var answeredAt: String?
    /// The department's own timestamp of its answer, as it gave it.
    public var departmentTimestamp: String?

    public init(status: SourceStatus, answeredAt: String? = nil, departmentTimestamp: String? = nil) {
        self.status = status
        self.answeredAt = answeredAt
        self.departmentTimestamp = departmentTimestamp
    }
}

/// What the report says that the calculation does not know: the request, the
/// policy's origin, the verifier, the time, the sources' timestamps.
public struct ReportContext: Sendable, Hashable {
    /// 核对请求编号.
    public var requestID: String
    /// 1, 2, …: a new version per exemption set or re-computation.
    public var version: Int
    /// `initial` | `recheck` (复核).
    public var kind: String
    /// 授权书编号.
    public var authorisationNumber: String
    /// The household's region.
    public var region: RegionCode
    /// Where the policy in force was set (the region itself or an ancestor).
    public var policyRegion: RegionCode
    public var policyEffectiveFrom: LocalDate
    /// 核对人 — staff display name or username.
    public var verifier: String
    /// ISO 8601 UTC (`2026-06-15T08:30:00Z`), supplied by the caller: Core has no clock.
    public var issuedAt: String
    /// Names to print; the case's own names are used when nil (or for a member not listed).
    public var memberNames: [ResidentID: String]?
    /// Per source: its status and the timestamps.
    public var sourceAnswers: [String: SourceAnswer]
    /// Record index → stored record key (`id:…`, `sha256:…`).
    public var recordKeys: [Int: String]
    /// SHA-256 hex of the previous version's canonical bytes; nil for version 1.
    public var previousVersionDigest: String?

    public init(requestID: String, version: Int, kind: String, authorisationNumber: String, region: RegionCode,
                policyRegion: RegionCode, policyEffectiveFrom: LocalDate, verifier: String, issuedAt: String,
                memberNames: [ResidentID: String]? = nil, sourceAnswers: [String: SourceAnswer] = [:],
                recordKeys: [Int: String] = [:], previousVersionDigest: String? = nil) {
        self.requestID = requestID
        self.version = version
        self.kind = kind
        self.authorisationNumber = authorisationNumber
        self.region = region
        self.policyRegion = policyRegion
        self.policyEffectiveFrom = policyEffectiveFrom
        self.verifier = verifier
        self.issuedAt = issuedAt
        self.memberNames = memberNames
        self.sourceAnswers = sourceAnswers
        self.recordKeys = recordKeys
        self.previousVersionDigest = previousVersionDigest
    }
}

/// 核对报告 — the document and typed readers of it for views.
///
/// `document` is the whole report, a JSON object (keys in camelCase, every
/// field present, absent values as `null`):
/// `format` (`jiuzhu-verification-report/1`), `requestId`, `version`, `kind`,
/// `authorisationNumber`, `region`, `policy` {region, effectiveFrom, standard,
/// residence, edgeMultiplier, financialAssetMonths, vehicleValueCap, maxHomes},
/// `asOf`, `window` {first, last}, `members` [{idMasked, name, relation,
/// counted}], `sources` [{source, status, answeredAt, departmentTimestamp}]
/// sorted by source, `lines` [{rule, ruleNameZh, ruleNameEn, source, recordKey,
/// recordIndex, member, flag, exemption, effectZh, effectEn}], `figures`
/// {householdIncome, perCapitaIncome, standard, edgeThreshold, financialAssets,
/// perCapitaFinancialAssets, financialAssetCap}, `outcome` (the `expect` shape
/// with masked IDs), `conclusionLabel` {zh, en}, `verifier`, `issuedAt`,
/// `previousVersionDigest`. Money in fen. No full ID number appears anywhere.
public struct VerificationReport: Sendable, Hashable {
    public static let format = "jiuzhu-verification-report/1"

    public let document: JSONValue
    private let body: ReportBody

    /// Builds the report of `result`, which the calculator gave for `input`.
    public static func build(case input: VerificationCase, result: VerificationResult,
                             context: ReportContext) -> VerificationReport {
        let standard = result.standard
        let policy = ReportPolicy(
            region: context.policyRegion.value, effectiveFrom: context.policyEffectiveFrom.description,
            standard: standard, residence: input.residence, edgeMultiplier: input.policy.edgeMultiplier.text,
            financialAssetMonths: input.policy.financialAssetMonths, vehicleValueCap: input.policy.vehicleValueCap,
            maxHomes: input.policy.maxHomes)

        let counted = Set(result.countedMemberIDs)
        let members = input.members.map { member in
            ReportMember(idMasked: member.id.masked, name: context.memberNames?[member.id] ?? member.name,
                         relation: member.relation, counted: counted.contains(member.id))
        }

        // Every source the case or the context knows, and every required one (unasked: status null).
        // The status is the one the calculation saw, so that the lines and this list agree.
        let names = Set(input.sources.keys).union(context.sourceAnswers.keys).union(input.policy.requiredSources)
        let sources = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { name in
            let answer = context.sourceAnswers[name]
            return ReportSource(source: name, status: input.sources[name] ?? answer?.status,
                                answeredAt: answer?.answeredAt, departmentTimestamp: answer?.departmentTimestamp)
        }

        let lines = result.findings.map { finding in
            ReportLine(rule: finding.rule.rawValue, ruleNameZh: finding.rule.name.zh, ruleNameEn: finding.rule.name.en,
                       source: finding.source, recordKey: finding.recordIndex.flatMap { context.recordKeys[$0] },
                       recordIndex: finding.recordIndex, memberMasked: finding.member?.masked, flag: finding.flag,
                       exemption: finding.exemption, effectZh: finding.effect.zh, effectEn: finding.effect.en)
        }

        let outcome = result.outcome
        let figures = ReportFigures(
            householdIncome: result.householdIncome, perCapitaIncome: outcome.perCapitaIncome, standard: standard,
            edgeThreshold: input.policy.edgeMultiplier.exactProduct(standard.fen),
            financialAssets: result.financialAssets, perCapitaFinancialAssets: outcome.perCapitaFinancialAssets,
            financialAssetCap: ExactArithmetic.product(Int64(input.policy.financialAssetMonths), standard.fen)
                .map(Money.init(fen:)))

        let body = ReportBody(
            requestID: context.requestID, version: context.version, kind: context.kind,
            authorisationNumber: context.authorisationNumber, region: context.region.value, policy: policy,
            asOf: input.asOf.description, windowFirst: result.window.lowerBound.description,
            windowLast: result.window.upperBound.description, members: members, sources: sources, lines: lines,
            figures: figures, outcome: ReportOutcome(outcome),
            conclusionLabel: VerificationText.reportConclusionLabel(outcome.conclusion, residence: input.residence),
            verifier: context.verifier, issuedAt: context.issuedAt,
            previousVersionDigest: context.previousVersionDigest)
        return VerificationReport(document: body.json, body: body)
    }

    private init(document: JSONValue, body: ReportBody) {
        self.document = document
        self.body = body
    }

    /// Reads a report back from a stored or printed document, checking its
    /// shape; an error names the field (`figures.standard`).
    public init(document: JSONValue) throws(UserError) {
        try self.init(field: CaseField(document))
    }

    /// Like `init(document:)` for a report inside a larger document (a signed
    /// file's `report`), so that errors carry the whole path.
    public init(field: CaseField) throws(UserError) {
        body = try ReportBody(field: field)
        document = try field.required()
    }

    /// UTF-8 of the document without whitespace, keys sorted: what is signed.
    /// The same document always gives the same bytes, however it was printed.
    public var canonicalBytes: [UInt8] { Array(document.rendered(pretty: false).utf8) }

    // MARK: Readers for views

    public var requestID: String { body.requestID }
    public var version: Int { body.version }
    /// `initial` | `recheck`.
    public var kind: String { body.kind }
    public var authorisationNumber: String { body.authorisationNumber }
    /// The household's region code.
    public var region: String { body.region }
    public var policy: ReportPolicy { body.policy }
    /// 核对基准日, `YYYY-MM-DD`.
    public var asOf: String { body.asOf }
    /// 收入核算期, first and last month (`YYYY-MM`).
    public var window: (first: String, last: String) { (body.windowFirst, body.windowLast) }
    public var members: [ReportMember] { body.members }
    /// Sorted by source name.
    public var sources: [ReportSource] { body.sources }
    /// One line per finding, in rule order.
    public var lines: [ReportLine] { body.lines }
    public var figures: ReportFigures { body.figures }
    public var outcome: ReportOutcome { body.outcome }
    public var conclusion: VerificationConclusion { body.outcome.conclusion }
    /// 符合城市低保 / 符合农村低保 / 低收入（低保边缘）/ 无法确认 / 不符合.
    public var conclusionLabel: Bilingual { body.conclusionLabel }
    public var monthlyBenefit: Money { body.outcome.monthlyBenefit }
    public var flags: [VerificationFlag] { body.outcome.flags }
    public var missingSources: [String] { body.outcome.missingSources }
    public var verifier: String { body.verifier }
    public var issuedAt: String { body.issuedAt }
    public var previousVersionDigest: String? { body.previousVersionDigest }
}

/// The policy in force as the report states it.
public struct ReportPolicy: Sendable, Hashable {
    /// Where the policy was set.
    public let region: String
    /// `YYYY-MM-DD`.
    public let effectiveFrom: String
    /// The standard applied (urban or rural by the household's residence).
    public let standard: Money
    public let residence: ResidenceKind
    /// As the policy writes it (`"1.5"`).
    public let edgeMultiplier: String
    public let financialAssetMonths: Int
    public let vehicleValueCap: Money
    public let maxHomes: Int

    var json: JSONValue {
        .object([
            "region": .string(region), "effectiveFrom": .string(effectiveFrom), "standard": .integer(standard.fen),
            "residence": .string(residence.rawValue), "edgeMultiplier": .string(edgeMultiplier),
            "financialAssetMonths": .integer(Int64(financialAssetMonths)),
            "vehicleValueCap": .integer(vehicleValueCap.fen), "maxHomes": .integer(Int64(maxHomes)),
        ])
    }

    init(region: String, effectiveFrom: String, standard: Money, residence: ResidenceKind, edgeMultiplier: String,
         financialAssetMonths: Int, vehicleValueCap: Money, maxHomes: Int) {
        self.region = region
        self.effectiveFrom = effectiveFrom
        self.standard = standard
        self.residence = residence
        self.edgeMultiplier = edgeMultiplier
        self.financialAssetMonths = financialAssetMonths
        self.vehicleValueCap = vehicleValueCap
        self.maxHomes = maxHomes
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        region = try field.field("region").string()
        effectiveFrom = try field.field("effectiveFrom").string()
        standard = try field.field("standard").money()
        residence = try field.field("residence").choice(ResidenceKind.self)
        edgeMultiplier = try field.field("edgeMultiplier").string()
        financialAssetMonths = try field.field("financialAssetMonths").int(in: 0...Int(Int32.max))
        vehicleValueCap = try field.field("vehicleValueCap").money()
        maxHomes = try field.field("maxHomes").int(in: 0...Int(Int32.max))
    }
}

/// A member as the report lists them: the ID masked.
public struct ReportMember: Sendable, Hashable {
    /// `340302********0315`.
    public let idMasked: String
    public let name: String
    public let relation: CaseRelation
    /// 计入家庭人口 (rule 1).
    public let counted: Bool

    var json: JSONValue {
        .object(["idMasked": .string(idMasked), "name": .string(name), "relation": .string(relation.rawValue),
                 "counted": .bool(counted)])
    }

    init(idMasked: String, name: String, relation: CaseRelation, counted: Bool) {
        self.idMasked = idMasked
        self.name = name
        self.relation = relation
        self.counted = counted
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        idMasked = try field.field("idMasked").string()
        name = try field.field("name").string()
        relation = try field.field("relation").choice(CaseRelation.self)
        counted = try field.field("counted").bool()
    }
}

/// One department source in the report.
public struct ReportSource: Sendable, Hashable {
    public let source: String
    /// nil: a required source that was never asked.
    public let status: SourceStatus?
    public let answeredAt: String?
    public let departmentTimestamp: String?

    /// 已反馈 / 等待反馈 / 查询失败 / 无法查询 / 未查询.
    public var statusName: Bilingual { VerificationText.sourceStatusName(status) }

    var json: JSONValue {
        .object(["source": .string(source), "status": status.map { .string($0.rawValue) } ?? .null,
                 "answeredAt": answeredAt.map(JSONValue.string) ?? .null,
                 "departmentTimestamp": departmentTimestamp.map(JSONValue.string) ?? .null])
    }

    init(source: String, status: SourceStatus?, answeredAt: String?, departmentTimestamp: String?) {
        self.source = source
        self.status = status
        self.answeredAt = answeredAt
        self.departmentTimestamp = departmentTimestamp
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        source = try field.field("source").string()
        let statusField = try field.field("status")
        status = statusField.isAbsent ? nil : try statusField.choice(SourceStatus.self)
        answeredAt = try field.field("answeredAt").optionalString()
        departmentTimestamp = try field.field("departmentTimestamp").optionalString()
    }
}

/// One finding as a line of the report: rule, source, record, member (masked), flag, exemption, effect.
public struct ReportLine: Sendable, Hashable {
    /// The rule number of cases/FORMAT.md (1–11).
    public let rule: Int
    public let ruleNameZh: String
    public let ruleNameEn: String
    public let source: String?
    /// The stored record's key (`id:…`, `sha256:…`), when the caller gave one.
    public let recordKey: String?
    /// The index into the case's records: what an exemption names.
    public let recordIndex: Int?
    public let memberMasked: String?
    public let flag: VerificationFlag?
    /// The caseworker's reason when the record was exempted.
    public let exemption: String?
    public let effectZh: String
    public let effectEn: String

    public var ruleName: Bilingual { Bilingual(zh: ruleNameZh, en: ruleNameEn) }
    public var effect: Bilingual { Bilingual(zh: effectZh, en: effectEn) }

    var json: JSONValue {
        .object([
            "rule": .integer(Int64(rule)), "ruleNameZh": .string(ruleNameZh), "ruleNameEn": .string(ruleNameEn),
            "source": source.map(JSONValue.string) ?? .null, "recordKey": recordKey.map(JSONValue.string) ?? .null,
            "recordIndex": recordIndex.map { .integer(Int64($0)) } ?? .null,
            "member": memberMasked.map(JSONValue.string) ?? .null,
            "flag": flag.map { .string($0.rawValue) } ?? .null,
            "exemption": exemption.map(JSONValue.string) ?? .null,
            "effectZh": .string(effectZh), "effectEn": .string(effectEn),
        ])
    }

    init(rule: Int, ruleNameZh: String, ruleNameEn: String, source: String?, recordKey: String?, recordIndex: Int?,
         memberMasked: String?, flag: VerificationFlag?, exemption: String?, effectZh: String, effectEn: String) {
        self.rule = rule
        self.ruleNameZh = ruleNameZh
        self.ruleNameEn = ruleNameEn
        self.source = source
        self.recordKey = recordKey
        self.recordIndex = recordIndex
        self.memberMasked = memberMasked
        self.flag = flag
        self.exemption = exemption
        self.effectZh = effectZh
        self.effectEn = effectEn
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        rule = try field.field("rule").int(in: 1...VerificationRule.allCases.count)
        ruleNameZh = try field.field("ruleNameZh").string()
        ruleNameEn = try field.field("ruleNameEn").string()
        source = try field.field("source").optionalString()
        recordKey = try field.field("recordKey").optionalString()
        let indexField = try field.field("recordIndex")
        recordIndex = indexField.isAbsent ? nil : try indexField.int(in: 0...Int(Int32.max))
        memberMasked = try field.field("member").optionalString()
        let flagField = try field.field("flag")
        flag = flagField.isAbsent ? nil : try flagField.choice(VerificationFlag.self)
        exemption = try field.field("exemption").optionalString()
        effectZh = try field.field("effectZh").string()
        effectEn = try field.field("effectEn").string()
    }
}

/// The figures against their thresholds, in fen.
public struct ReportFigures: Sendable, Hashable {
    /// I: may be negative.
    public let householdIncome: Money
    public let perCapitaIncome: Money
    public let standard: Money
    /// edgeMultiplier × standard, exactly, as decimal text (`"111000"`, `"111000.5"`).
    public let edgeThreshold: String
    public let financialAssets: Money
    public let perCapitaFinancialAssets: Money
    /// financialAssetMonths × standard; nil only when it exceeds what an amount can hold.
    public let financialAssetCap: Money?

    var json: JSONValue {
        .object([
            "householdIncome": .integer(householdIncome.fen), "perCapitaIncome": .integer(perCapitaIncome.fen),
            "standard": .integer(standard.fen), "edgeThreshold": .string(edgeThreshold),
            "financialAssets": .integer(financialAssets.fen),
            "perCapitaFinancialAssets": .integer(perCapitaFinancialAssets.fen),
            "financialAssetCap": financialAssetCap.map { .integer($0.fen) } ?? .null,
        ])
    }

    init(householdIncome: Money, perCapitaIncome: Money, standard: Money, edgeThreshold: String,
         financialAssets: Money, perCapitaFinancialAssets: Money, financialAssetCap: Money?) {
        self.householdIncome = householdIncome
        self.perCapitaIncome = perCapitaIncome
        self.standard = standard
        self.edgeThreshold = edgeThreshold
        self.financialAssets = financialAssets
        self.perCapitaFinancialAssets = perCapitaFinancialAssets
        self.financialAssetCap = financialAssetCap
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        householdIncome = try field.field("householdIncome").money(allowNegative: true)
        perCapitaIncome = try field.field("perCapitaIncome").money()
        standard = try field.field("standard").money()
        let thresholdField = try field.field("edgeThreshold")
        edgeThreshold = try thresholdField.string()
        // The text of an exact product: digits, perhaps a sign and a fraction.
        let unsigned = edgeThreshold.hasPrefix("-") ? edgeThreshold.dropFirst() : Substring(edgeThreshold)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy(\.isASCIIDigits) else {
            throw thresholdField.error("decimal.format", VerificationText.decimalFormat)
        }
        financialAssets = try field.field("financialAssets").money()
        perCapitaFinancialAssets = try field.field("perCapitaFinancialAssets").money()
        let capField = try field.field("financialAssetCap")
        financialAssetCap = capField.isAbsent ? nil : try capField.money()
    }
}

/// The outcome as in a case file's `expect`, single-person IDs masked.
public struct ReportOutcome: Sendable, Hashable {
    public let conclusion: VerificationConclusion
    public let countedMembers: Int
    public let perCapitaIncome: Money
    public let perCapitaFinancialAssets: Money
    public let flags: [VerificationFlag]
    public let missingSources: [String]
    public let monthlyBenefit: Money
    /// Masked IDs, in member order.
    public let singlePersonEligible: [String]

    init(_ outcome: VerificationOutcome) {
        conclusion = outcome.conclusion
        countedMembers = outcome.countedMembers
        perCapitaIncome = outcome.perCapitaIncome
        perCapitaFinancialAssets = outcome.perCapitaFinancialAssets
        flags = outcome.flags
        missingSources = outcome.missingSources
        monthlyBenefit = outcome.monthlyBenefit
        singlePersonEligible = outcome.singlePersonEligible.map(\.masked)
    }

    var json: JSONValue {
        .object([
            "conclusion": .string(conclusion.rawValue),
            "countedMembers": .integer(Int64(countedMembers)),
            "perCapitaIncome": .integer(perCapitaIncome.fen),
            "perCapitaFinancialAssets": .integer(perCapitaFinancialAssets.fen),
            "flags": .array(flags.map { .string($0.rawValue) }),
            "missingSources": .array(missingSources.map { .string($0) }),
            "monthlyBenefit": .integer(monthlyBenefit.fen),
            "singlePersonEligible": .array(singlePersonEligible.map { .string($0) }),
        ])
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        conclusion = try field.field("conclusion").choice(VerificationConclusion.self)
        countedMembers = try field.field("countedMembers").int(in: 0...Int(Int32.max))
        perCapitaIncome = try field.field("perCapitaIncome").money()
        perCapitaFinancialAssets = try field.field("perCapitaFinancialAssets").money()
        var flags: [VerificationFlag] = []
        for item in try field.field("flags").array() { flags.append(try item.choice(VerificationFlag.self)) }
        self.flags = flags
        var missing: [String] = []
        for item in try field.field("missingSources").array() { missing.append(try item.string()) }
        missingSources = missing
        monthlyBenefit = try field.field("monthlyBenefit").money()
        var single: [String] = []
        for item in try field.field("singlePersonEligible").array() { single.append(try item.string()) }
        singlePersonEligible = single
    }
}

/// Everything the document says, typed; `json` writes it, `init(field:)` reads it.
private struct ReportBody: Sendable, Hashable {
    var requestID: String
    var version: Int
    var kind: String
    var authorisationNumber: String
    var region: String
    var policy: ReportPolicy
    var asOf: String
    var windowFirst: String
    var windowLast: String
    var members: [ReportMember]
    var sources: [ReportSource]
    var lines: [ReportLine]
    var figures: ReportFigures
    var outcome: ReportOutcome
    var conclusionLabel: Bilingual
    var verifier: String
    var issuedAt: String
    var previousVersionDigest: String?

    init(requestID: String, version: Int, kind: String, authorisationNumber: String, region: String,
         policy: ReportPolicy, asOf: String, windowFirst: String, windowLast: String, members: [ReportMember],
         sources: [ReportSource], lines: [ReportLine], figures: ReportFigures, outcome: ReportOutcome,
         conclusionLabel: Bilingual, verifier: String, issuedAt: String, previousVersionDigest: String?) {
        self.requestID = requestID
        self.version = version
        self.kind = kind
        self.authorisationNumber = authorisationNumber
        self.region = region
        self.policy = policy
        self.asOf = asOf
        self.windowFirst = windowFirst
        self.windowLast = windowLast
        self.members = members
        self.sources = sources
        self.lines = lines
        self.figures = figures
        self.outcome = outcome
        self.conclusionLabel = conclusionLabel
        self.verifier = verifier
        self.issuedAt = issuedAt
        self.previousVersionDigest = previousVersionDigest
    }

    var json: JSONValue {
        .object([
            "format": .string(VerificationReport.format),
            "requestId": .string(requestID),
            "version": .integer(Int64(version)),
            "kind": .string(kind),
            "authorisationNumber": .string(authorisationNumber),
            "region": .string(region),
            "policy": policy.json,
            "asOf": .string(asOf),
            "window": .object(["first": .string(windowFirst), "last": .string(windowLast)]),
            "members": .array(members.map(\.json)),
            "sources": .array(sources.map(\.json)),
            "lines": .array(lines.map(\.json)),
            "figures": figures.json,
            "outcome": outcome.json,
            "conclusionLabel": .object(["zh": .string(conclusionLabel.zh), "en": .string(conclusionLabel.en)]),
            "verifier": .string(verifier),
            "issuedAt": .string(issuedAt),
            "previousVersionDigest": previousVersionDigest.map(JSONValue.string) ?? .null,
        ])
    }

    init(field: CaseField) throws(UserError) {
        _ = try field.object()
        let formatField = try field.field("format")
        guard try formatField.string() == VerificationReport.format else {
            throw formatField.error("report.format", VerificationText.reportFormat(expected: VerificationReport.format))
        }
        requestID = try field.field("requestId").string()
        let versionField = try field.field("version")
        guard let number = try? versionField.int(in: 1...Int(Int32.max)) else {
            _ = try versionField.int64()  // a missing or non-integer version reports that first
            throw versionField.error("report.version", VerificationText.reportVersion)
        }
        version = number
        kind = try field.field("kind").string()
        authorisationNumber = try field.field("authorisationNumber").string()
        region = try field.field("region").string()
        policy = try ReportPolicy(field: try field.field("policy"))
        asOf = try field.field("asOf").string()
        let window = try field.field("window")
        windowFirst = try window.field("first").string()
        windowLast = try window.field("last").string()
        var members: [ReportMember] = []
        for item in try field.field("members").array() { members.append(try ReportMember(field: item)) }
        self.members = members
        var sources: [ReportSource] = []
        for item in try field.field("sources").array() { sources.append(try ReportSource(field: item)) }
        self.sources = sources
        var lines: [ReportLine] = []
        for item in try field.field("lines").array() { lines.append(try ReportLine(field: item)) }
        self.lines = lines
        figures = try ReportFigures(field: try field.field("figures"))
        outcome = try ReportOutcome(field: try field.field("outcome"))
        let label = try field.field("conclusionLabel")
        conclusionLabel = Bilingual(zh: try label.field("zh").string(), en: try label.field("en").string())
        verifier = try field.field("verifier").string()
        issuedAt = try field.field("issuedAt").string()
        previousVersionDigest = try field.field("previousVersionDigest").optionalString()
    }
}

extension CaseField {
    /// A string, or nil when absent or `null`.
    func optionalString() throws(UserError) -> String? {
        isAbsent ? nil : try string()
    }
}

extension ExactDecimal {
    /// `self × value`, exactly, as decimal text without needless zeros:
    /// `1.5 × 74000` is `"111000"`, `1.5 × 74001` is `"111001.5"`. Long
    /// multiplication on decimal digits, so that no product overflows.
    public func exactProduct(_ value: Int64) -> String {
        func digits(_ n: UInt64) -> [Int] {  // least significant first
            var n = n, result: [Int] = []
            repeat { result.append(Int(n % 10)); n /= 10 } while n > 0
            return result
        }
        let a = digits(UInt64(numerator)), b = digits(value.magnitude)
        var product = [Int](repeating: 0, count: a.count + b.count + 1)
        for i in a.indices {
            var carry = 0
            for j in b.indices {
                let sum = product[i + j] + a[i] * b[j] + carry
                product[i + j] = sum % 10
                carry = sum / 10
            }
            var k = i + b.count
            while carry > 0 {
                let sum = product[k] + carry
                product[k] = sum % 10
                carry = sum / 10
                k += 1
            }
        }
        // Split at the scale, then drop the zeros that say nothing.
        while product.count <= scale { product.append(0) }
        var fraction = Array(product[0..<scale])
        var integer = Array(product[scale...])
        while fraction.first == 0 { fraction.removeFirst() }
        while integer.count > 1, integer.last == 0 { integer.removeLast() }
        let integerText = integer.reversed().map(String.init).joined()
        let fractionText = fraction.reversed().map(String.init).joined()
        let text = fractionText.isEmpty ? integerText : integerText + "." + fractionText
        return value < 0 && text != "0" ? "-" + text : text
    }
}

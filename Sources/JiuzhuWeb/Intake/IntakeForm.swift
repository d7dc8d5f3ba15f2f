import JiuzhuCore
import JiuzhuStore
import Plot
import Vapor

/// The one-window form as the browser sends it. Members arrive as
/// `members[0][name]`, …; spare blank rows are ignored.
struct IntakeForm: Content {
    var region: String?
    var address: String?
    var members: MemberRows?
    var programmes: [String]?
    var needs: [String]?
    var materials: [String]?
    var channel: String?
    var conflict: String?
    var proxyName: String?
    var proxyRelation: String?
    var proxyScope: String?
    var proxyDate: String?
    var proxyDocument: String?
    /// The scanned written entrustment (multipart upload).
    var proxyScan: File?
    var rows: Int?
    var action: String?

    /// Member rows in index order, blank ones included (so their positions keep their errors).
    var memberRows: [PersonForm] {
        (members?.rows ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    static let maxRows = 30

    /// A row counts once a name, ID number or phone is typed: its selects and
    /// ticks always carry defaults, so they say nothing about a spare row.
    static func isUnfilled(_ row: PersonForm) -> Bool {
        row.isBlank || [row.name, row.idNumber, row.phone, row.address].allSatisfy { ($0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Validates everything, collecting every error with its field.
    func validate(channelFor role: StaffRole?, today: LocalDate) -> Result<IntakeDraft, HouseholdRules.Errors> {
        var errors: [UserError] = []
        var region: RegionCode?
        switch Result(catching: { () throws(UserError) in try RegionCode(self.region ?? "", field: "region") }) {
        case .success(let code):
            if code.level == .township || code.level == .village { region = code } else {
                errors.append(UserError("intake.region_level", field: "region", zh: "请选择所在乡镇或村（社区）",
                                        en: "Choose the township or village where the family lives"))
            }
        case .failure(let error): errors.append(error)
        }
        var address: String?
        switch Result(catching: { () throws(UserError) in try TextRules.optionalFreeText(self.address ?? "", field: "address", max: 120) }) {
        case .success(let text): address = text
        case .failure(let error): errors.append(error)
        }
        var members: [MemberDraft] = []
        var rowIndices: [Int] = []
        let rows = memberRows
        if rows.count > Self.maxRows {
            errors.append(UserError("intake.too_many_rows", field: "members", zh: "成员过多", en: "Too many member rows"))
        }
        for (index, row) in rows.prefix(Self.maxRows).enumerated() where !Self.isUnfilled(row) {
            switch HouseholdRules.validate(row, prefix: "members[\(index)].", today: today) {
            case .success(let member):
                members.append(member)
                rowIndices.append(index)
            case .failure(let rowErrors): errors += rowErrors.all
            }
        }
        if members.isEmpty, !errors.contains(where: { $0.field?.hasPrefix("members[") == true }) {
            errors.append(UserError("household.no_members", field: "members", zh: "请至少填写一名家庭成员", en: "Enter at least one family member"))
        } else if errors.isEmpty {
            errors += HouseholdRules.validate(members: members, rowIndices: rowIndices)
        }
        var programmes = Set<Programme>()
        for code in self.programmes ?? [] {
            if let programme = Programme(rawValue: code) { programmes.insert(programme) } else {
                errors.append(UserError("intake.programme", field: "programmes", zh: "未知救助项目", en: "Unknown programme"))
            }
        }
        var needs = Set<ReferralNeed>()
        for code in self.needs ?? [] {
            if let need = ReferralNeed(rawValue: code) { needs.insert(need) } else {
                errors.append(UserError("intake.need", field: "needs", zh: "未知转介需求", en: "Unknown referral need"))
            }
        }
        if programmes.isEmpty && needs.isEmpty {
            errors.append(UserError("intake.nothing_requested", field: "programmes", zh: "请至少选择一个救助项目或转介需求",
                                    en: "Choose at least one programme or referral need"))
        }
        var channel: IntakeChannel = role == nil ? .online : (role == .villageAssistant ? .villageAssistant : .window)
        var entrustment: Entrustment?
        var scan: ScannedFile?
        if role != nil, self.channel == IntakeChannel.proxy.rawValue {
            channel = .proxy
            let date = (try? LocalDate(parsing: proxyDate ?? "")) ?? today.adding(days: 1)
            switch Entrustment.validate(proxyName: proxyName ?? "", relation: proxyRelation ?? "", scope: proxyScope ?? "",
                                        date: date, documentReference: proxyDocument ?? "", today: today) {
            case .success(let value): entrustment = value
            case .failure(let proxyErrors): errors += proxyErrors.all
            }
            let bytes = proxyScan.map { Array($0.data.readableBytesView) } ?? []
            switch Result(catching: { () throws(UserError) in try ScannedDocument.kind(of: bytes, field: "proxyScan") }) {
            case .success(let kind): scan = ScannedFile(kind: kind, bytes: bytes)
            case .failure(let error): errors.append(error)
            }
            if (try? LocalDate(parsing: proxyDate ?? "")) == nil, !errors.contains(where: { $0.field == "proxyDate" }) {
                errors.append(UserError("date.format", field: "proxyDate", zh: "请填写委托日期（年-月-日）", en: "Enter the date of the entrustment (YYYY-MM-DD)"))
            }
        }
        let conflict = ConflictOfInterest(rawValue: self.conflict ?? "") ?? .none
        guard errors.isEmpty, let region else { return .failure(HouseholdRules.Errors(errors)) }
        var draft = IntakeDraft(region: region, address: address, members: members, programmes: programmes, needs: needs,
                                channel: channel, entrustment: entrustment, conflict: conflict,
                                materialsProvided: Set(materials ?? []))
        draft.entrustmentScan = scan
        return .success(draft)
    }
}

/// `members[0][name]`, … arrive as a dictionary keyed by row number from a
/// URL-encoded form and as an array from a multipart form (the one with a
/// file); both read into row number → row.
struct MemberRows: Codable, Sendable {
    var rows: [Int: PersonForm]

    init(rows: [Int: PersonForm]) { self.rows = rows }

    private struct RowKey: CodingKey {
        let stringValue: String
        var intValue: Int? { Int(stringValue) }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { self.stringValue = String(intValue) }
    }

    init(from decoder: any Decoder) throws {
        var rows: [Int: PersonForm] = [:]
        if let keyed = try? decoder.container(keyedBy: RowKey.self) {
            for key in keyed.allKeys {
                guard let index = key.intValue, (0..<IntakeForm.maxRows * 2).contains(index) else { continue }
                rows[index] = try keyed.decode(PersonForm.self, forKey: key)
            }
        } else {
            var list = try decoder.unkeyedContainer()
            while !list.isAtEnd, rows.count < IntakeForm.maxRows * 2 {
                rows[rows.count] = try list.decode(PersonForm.self)
            }
        }
        self.rows = rows
    }

    func encode(to encoder: any Encoder) throws {
        var keyed = encoder.container(keyedBy: RowKey.self)
        for (index, row) in rows {
            if let key = RowKey(intValue: index) { try keyed.encode(row, forKey: key) }
        }
    }
}

extension Result where Failure == UserError {
    init(catching body: () throws(UserError) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}

/// The form's HTML, shared by the window, the village assistant and the public page.
struct IntakeFormView {
    let form: IntakeForm
    let errors: [String: UserError]
    let regions: [(String, String)]
    let checklist: MaterialChecklist
    let staffRole: StaffRole?
    let action: String
    let c: ViewContext

    var rowCount: Int { min(IntakeForm.maxRows, max(form.rows ?? 0, form.memberRows.count, staffRole == nil ? 3 : 4)) }

    func render() -> PageNode {
        let rows = form.memberRows
        return .form(.id("intake-form"), .method(.post), .action(action), .enctype(.multipartData), csrfField(c),
            .input(.type(.hidden), .name("rows"), .value(String(rowCount))),
            formError(errors.isEmpty ? nil : UserError("form", zh: S.fixErrors.zh, en: S.fixErrors.en)),
            .fieldset(.element(named: "legend", text: c.t(T.household)),
                selectField("region", label: T.residenceRegion, options: [("", "—")] + regions, selected: form.region ?? "", errors: errors, c),
                field("address", label: T.address, value: form.address ?? "", errors: errors, c, required: false)),
            errorLine("members"),
            .forEach(0..<rowCount) { index in
                memberRow(index, rows.indices.contains(index) ? rows[index] : PersonForm())
            },
            .button(.type(.submit), .attribute(named: "name", value: "action"), .attribute(named: "value", value: "add_rows"), .attribute(named: "formnovalidate", value: "formnovalidate"), .text(c.t(T.addRows))),
            .fieldset(.element(named: "legend", text: c.t(T.programmes)),
                errorLine("programmes"),
                .forEach(Programme.allCases) { p in checkbox("programmes[]", value: p.rawValue, label: c.t(p.name), checked: form.programmes?.contains(p.rawValue) == true) }),
            .fieldset(.element(named: "legend", text: c.t(T.needs)),
                errorLine("needs"),
                .forEach(ReferralNeed.allCases) { n in checkbox("needs[]", value: n.rawValue, label: "\(c.t(n.name))（\(c.t(n.department.name))）", checked: form.needs?.contains(n.rawValue) == true) }),
            .if(staffRole != nil, .group(staffSections())),
            .button(.id("intake-submit"), .type(.submit), .attribute(named: "name", value: "action"), .attribute(named: "value", value: "submit"), .class("primary"), .text(c.t(staffRole == nil ? T.submitOnline : T.register))))
    }

    private func staffSections() -> [Node<HTML.FormContext>] {
        [
            .fieldset(.element(named: "legend", text: c.t(T.materials)),
                .p(.class("hint"), .text(c.t(T.materialsHint))),
                .forEach(checklist.items.filter { !$0.heldByGovernment }) { item in
                    checkbox("materials[]", value: item.code, label: c.t(item.name) + "（" + Programme.allCases.filter(item.programmes.contains).map { c.t($0.name) }.joined(separator: "、") + "）",
                             checked: form.materials?.contains(item.code) == true)
                }),
            .fieldset(.element(named: "legend", text: c.t(T.channel)),
                .if(staffRole != .villageAssistant, selectField("channel", label: T.channel,
                    options: [(IntakeChannel.window.rawValue, c.t(IntakeChannel.window.name)), (IntakeChannel.proxy.rawValue, c.t(IntakeChannel.proxy.name))],
                    selected: form.channel ?? IntakeChannel.window.rawValue, errors: errors, c)),
                .p(.class("hint"), .text(c.t(T.proxyHint))),
                field("proxyName", label: T.proxyName, value: form.proxyName ?? "", errors: errors, c, required: false),
                field("proxyRelation", label: T.proxyRelation, value: form.proxyRelation ?? "", errors: errors, c, required: false),
                field("proxyScope", label: T.proxyScope, value: form.proxyScope ?? "", errors: errors, c, required: false),
                field("proxyDate", label: T.proxyDate, value: form.proxyDate ?? "", type: .date, errors: errors, c, required: false),
                field("proxyDocument", label: T.proxyDocument, value: form.proxyDocument ?? "", errors: errors, c, required: false),
                .div(.class(errors["proxyScan"] == nil ? "field" : "field invalid"),
                     .label(.for("f-proxyScan"), .text(c.t(T.proxyScan))),
                     .input(.id("f-proxyScan"), .type(.file), .attribute(named: "name", value: "proxyScan"),
                            .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png")),
                     .small(.class("hint"), .text(c.t(T.proxyScanHint))),
                     errorLine("proxyScan"))),
            .fieldset(.element(named: "legend", text: c.t(T.conflict)),
                selectField("conflict", label: T.conflict, options: ConflictOfInterest.allCases.map { ($0.rawValue, c.t($0.name)) },
                            selected: form.conflict ?? ConflictOfInterest.none.rawValue, errors: errors, c)),
        ]
    }

    private func memberRow(_ index: Int, _ row: PersonForm) -> Node<HTML.FormContext> {
        let key = "members[\(index)]"
        func f(_ name: String, _ label: Bilingual, _ value: String?, type: HTMLInputType = .text) -> Node<HTML.FormContext> {
            field("\(key).\(name)", inputName: "\(key)[\(name)]", label: label, value: value ?? "", type: type, errors: errors, c, required: false)
        }
        func s(_ name: String, _ label: Bilingual, _ options: [(String, String)], _ value: String?) -> Node<HTML.FormContext> {
            selectField("\(key).\(name)", inputName: "\(key)[\(name)]", label: label, options: options, selected: value ?? "", errors: errors, c)
        }
        return .fieldset(.class("member"), .element(named: "legend", text: "\(c.t(T.member)) \(index + 1)"),
            f("name", T.name, row.name),
            f("idNumber", T.idNumber, row.idNumber),
            s("relation", T.relation, [("", "—")] + Relationship.allCases.map { ($0.rawValue, c.t($0.name)) }, row.relation ?? (index == 0 ? Relationship.head.rawValue : "")),
            checkbox("\(key)[coResident]", value: "on", label: c.t(T.coResident), checked: row.coResident.map { $0 == "on" || $0 == "true" } ?? (form.memberRows.isEmpty)),
            s("status", T.memberStatus, MemberStatus.allCases.map { ($0.rawValue, c.t($0.name)) }, row.status),
            f("phone", T.phone, row.phone, type: .tel),
            s("residence", T.residenceKind, ResidenceKind.allCases.map { ($0.rawValue, c.t($0.name)) }, row.residence),
            s("employment", T.employment, EmploymentStatus.allCases.map { ($0.rawValue, c.t($0.name)) }, row.employment ?? EmploymentStatus.notApplicable.rawValue),
            s("student", T.student, StudentStatus.allCases.map { ($0.rawValue, c.t($0.name)) }, row.student),
            s("disabilityType", T.disabilityType, [("", c.t(T.noDisability))] + DisabilityType.allCases.map { ($0.rawValue, c.t($0.name)) }, row.disabilityType),
            s("disabilityGrade", T.disabilityGrade, [("", "—")] + (1...4).map { (String($0), "\($0)") }, row.disabilityGrade),
            checkbox("\(key)[seriousIllness]", value: "on", label: c.t(T.seriousIllness), checked: row.seriousIllness == "on" || row.seriousIllness == "true"))
    }

    private func checkbox(_ name: String, value: String, label: String, checked: Bool) -> Node<HTML.FormContext> {
        .label(.class("check"),
               .input(.type(.checkbox), .attribute(named: "name", value: attr(name)), .value(attr(value)), .checked(checked)),
               .text(" " + label))
    }

    private func errorLine(_ field: String) -> Node<HTML.FormContext> {
        .unwrap(errors[field]) { .p(.class("field-error"), .text("\($0.message.zh) / \($0.message.en)")) }
    }
}

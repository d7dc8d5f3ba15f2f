/// One member row of an application form as the browser sends it: every field
/// a raw optional string, so that validation can report every slip at once.
public struct PersonForm: Sendable, Codable, Hashable {
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    public var address: String?
    /// A `DisabilityType` code (`physical`) or card digit (`4`).
    public var disabilityType: String?
    /// `1`–`4` (also `二级`).
    public var disabilityGrade: String?
    /// Checkbox: `on` / `true` when checked.
    public var seriousIllness: String?
    public var employment: String?
    public var student: String?
    public var hukouRegion: String?
    public var residence: String?
    /// A `Relationship` code (`02`, `10`, …).
    public var relation: String?
    /// Checkbox: `on` / `true` when checked.
    public var coResident: String?
    public var status: String?

    public init(name: String? = nil, idNumber: String? = nil, phone: String? = nil, address: String? = nil,
                disabilityType: String? = nil, disabilityGrade: String? = nil, seriousIllness: String? = nil,
                employment: String? = nil, student: String? = nil, hukouRegion: String? = nil,
                residence: String? = nil, relation: String? = nil, coResident: String? = nil,
                status: String? = nil) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.address = address
        self.disabilityType = disabilityType
        self.disabilityGrade = disabilityGrade
        self.seriousIllness = seriousIllness
        self.employment = employment
        self.student = student
        self.hukouRegion = hukouRegion
        self.residence = residence
        self.relation = relation
        self.coResident = coResident
        self.status = status
    }

    /// Every field empty or whitespace: a spare row of the form that the
    /// caller drops before validating. A spare row must therefore not
    /// pre-select a relation or pre-check a box, or it would not be blank.
    public var isBlank: Bool {
        [name, idNumber, phone, address, disabilityType, disabilityGrade, seriousIllness, employment, student,
         hukouRegion, residence, relation, coResident, status]
            .allSatisfy { ($0 ?? "").trimmingWhitespace.isEmpty }
    }
}

/// 人员信息 — a validated person.
public struct PersonDraft: Sendable, Hashable, Codable {
    public var name: String
    public var id: ResidentID
    public var phone: PhoneNumber?
    public var address: String?
    public var disability: Disability?
    /// 重特大疾病 — a recognised major illness.
    public var seriousIllness: Bool
    public var employment: EmploymentStatus
    public var student: StudentStatus
    /// 户籍所在地.
    public var hukouRegion: RegionCode?
    public var residence: ResidenceKind

    public init(name: String, id: ResidentID, phone: PhoneNumber? = nil, address: String? = nil,
                disability: Disability? = nil, seriousIllness: Bool = false,
                employment: EmploymentStatus = .notApplicable, student: StudentStatus = .none,
                hukouRegion: RegionCode? = nil, residence: ResidenceKind) {
        self.name = name
        self.id = id
        self.phone = phone
        self.address = address
        self.disability = disability
        self.seriousIllness = seriousIllness
        self.employment = employment
        self.student = student
        self.hukouRegion = hukouRegion
        self.residence = residence
    }

    public var sex: Sex { id.sex }
    public var birthDate: LocalDate { id.birthDate }

    public func age(at date: LocalDate) -> Int { id.age(at: date) }
}

/// 家庭成员 — a person as a member of the applying household.
public struct MemberDraft: Sendable, Hashable, Codable {
    public var person: PersonDraft
    /// 与户主关系.
    public var relation: Relationship
    /// 共同生活 — lives with the family (the form's checkbox).
    public var coResident: Bool
    public var status: MemberStatus

    public init(person: PersonDraft, relation: Relationship, coResident: Bool = true, status: MemberStatus = .normal) {
        self.person = person
        self.relation = relation
        self.coResident = coResident
        self.status = status
    }

    /// Counts in the household's size and income (共同生活的家庭成员).
    public var isCounted: Bool { coResident && status.countsInHousehold }
}

/// 家庭成员规则 — validation of member rows and of the household they form.
public enum HouseholdRules {
    /// Every error of a form, so that one round trip shows them all (一次性告知
    /// applies to the form as much as to the paper materials).
    public struct Errors: Error, Sendable, Hashable, CustomStringConvertible {
        public var all: [UserError]

        public init(_ all: [UserError]) {
            self.all = all
        }

        /// The first error on `field`, for showing beside the input.
        public func first(on field: String) -> UserError? {
            all.first { $0.field == field }
        }

        public var description: String { all.map(\.description).joined(separator: "; ") }
    }

    /// The most members a household may register; a larger one is a typing
    /// or import slip (households are rarely above 10).
    public static let maxMembers = 30

    public static let maxAddressLength = 200

    /// Validates one member row. Every error's field is `prefix` + the form
    /// field's name (`members[2].` → `members[2].idNumber`).
    ///
    /// Defaults for empty choices: employment `notApplicable`, student `none`,
    /// status `normal`, co-resident false (an unchecked box sends nothing).
    /// The relation is required. An empty residence is taken from a
    /// village-level hukou region (居委会 urban, 村委会 rural), else required.
    public static func validate(_ form: PersonForm, prefix: String, today: LocalDate) -> Result<MemberDraft, Errors> {
        var errors: [UserError] = []
        func field(_ name: String) -> String { prefix + name }
        func collect<T>(_ body: () throws(UserError) -> T) -> T? {
            switch Result(catching: body) {
            case .success(let value): return value
            case .failure(let error): errors.append(error); return nil
            }
        }

        let name = collect { () throws(UserError) in try TextRules.name(form.name ?? "", field: field("name")) }
        let id = collect { () throws(UserError) in try ResidentID(form.idNumber ?? "", today: today, field: field("idNumber")) }
        let phone = collect { () throws(UserError) -> PhoneNumber? in
            guard let raw = nonBlank(form.phone) else { return nil }
            return try PhoneNumber(raw, field: field("phone"))
        }
        let address = collect { () throws(UserError) in
            try TextRules.optionalFreeText(form.address, field: field("address"), max: maxAddressLength)
        }

        let disability: Disability?? = {
            let typeText = nonBlank(form.disabilityType)
            let gradeText = nonBlank(form.disabilityGrade)
            switch (typeText, gradeText) {
            case (nil, nil):
                return .some(nil)
            case (.some, nil):
                _ = collect { () throws(UserError) in try DisabilityType(code: typeText ?? "", field: field("disabilityType")) }
                errors.append(UserError("disability.grade_required", field: field("disabilityGrade"),
                                        zh: "请选择残疾等级", en: "Choose the disability grade"))
                return nil
            case (nil, .some):
                _ = collect { () throws(UserError) in try Disability.parseGrade(gradeText ?? "", field: field("disabilityGrade")) }
                errors.append(UserError("disability.type_required", field: field("disabilityType"),
                                        zh: "请选择残疾类别", en: "Choose the disability type"))
                return nil
            case (.some(let typeText), .some(let gradeText)):
                let type = collect { () throws(UserError) in try DisabilityType(code: typeText, field: field("disabilityType")) }
                let grade = collect { () throws(UserError) in try Disability.parseGrade(gradeText, field: field("disabilityGrade")) }
                guard let type, let grade else { return nil }
                return collect { () throws(UserError) in try Disability(type: type, grade: grade, field: field("disabilityGrade")) }
            }
        }()

        let seriousIllness = collect { () throws(UserError) in try checkbox(form.seriousIllness, field: field("seriousIllness")) }
        let coResident = collect { () throws(UserError) in try checkbox(form.coResident, field: field("coResident")) }
        let employment = collect { () throws(UserError) in
            try choice(form.employment, default: EmploymentStatus.notApplicable, field: field("employment"),
                       code: "person.employment_unknown", zh: "就业状况", en: "employment status")
        }
        let student = collect { () throws(UserError) in
            try choice(form.student, default: StudentStatus.none, field: field("student"),
                       code: "person.student_unknown", zh: "在学情况", en: "education status")
        }
        let status = collect { () throws(UserError) in
            try choice(form.status, default: MemberStatus.normal, field: field("status"),
                       code: "member.status_unknown", zh: "人员状态", en: "member status")
        }
        let hukouRegion = collect { () throws(UserError) -> RegionCode? in
            guard let raw = nonBlank(form.hukouRegion) else { return nil }
            return try RegionCode(raw, field: field("hukouRegion"))
        }
        let residence = collect { () throws(UserError) -> ResidenceKind in
            if let raw = nonBlank(form.residence) {
                guard let kind = ResidenceKind(rawValue: raw) else {
                    throw UserError("person.residence_unknown", field: field("residence"),
                                    zh: "城乡类别应为城镇或农村", en: "The residence must be urban or rural")
                }
                return kind
            }
            // An invalid hukou region is already reported on its own field.
            if let region = hukouRegion ?? nil, let kind = ResidenceKind.inferred(from: region) {
                return kind
            }
            throw UserError("person.residence_required", field: field("residence"),
                            zh: "请选择城镇或农村", en: "Choose urban or rural")
        }
        let relation = collect { () throws(UserError) -> Relationship in
            guard let raw = nonBlank(form.relation) else {
                throw UserError("member.relation_required", field: field("relation"),
                                zh: "请选择与户主关系", en: "Choose the relationship to the head of household")
            }
            return try Relationship(code: raw, field: field("relation"))
        }

        guard errors.isEmpty,
              let name, let id, let phone, let address, let disability, let seriousIllness, let coResident,
              let employment, let student, let status, let hukouRegion, let residence, let relation
        else {
            return .failure(Errors(errors))
        }
        let person = PersonDraft(name: name, id: id, phone: phone, address: address, disability: disability,
                                 seriousIllness: seriousIllness, employment: employment, student: student,
                                 hukouRegion: hukouRegion, residence: residence)
        return .success(MemberDraft(person: person, relation: relation, coResident: coResident, status: status))
    }

    /// Validates the household the members form. Errors about one member
    /// name that member's field as `prefix[i].field`, with `i` its position
    /// in `members`; errors about the whole household name `prefix`.
    public static func validate(members: [MemberDraft], prefix: String = "members") -> [UserError] {
        validate(members: members, rowIndices: Array(members.indices), prefix: prefix)
    }

    /// As `validate(members:prefix:)`, for callers that dropped blank rows:
    /// `rowIndices[k]` is the form row that `members[k]` came from, so that
    /// each message lands beside the row the user sees.
    public static func validate(members: [MemberDraft], rowIndices: [Int], prefix: String = "members") -> [UserError] {
        precondition(rowIndices.count == members.count, "one row index per member")
        func field(_ k: Int, _ name: String) -> String { "\(prefix)[\(rowIndices[k])].\(name)" }
        var errors: [UserError] = []
        guard !members.isEmpty else {
            return [UserError("household.no_members", field: prefix,
                              zh: "请至少填写一名家庭成员", en: "Enter at least one household member")]
        }
        if members.count > maxMembers {
            errors.append(UserError("household.too_many_members", field: prefix,
                                    zh: "家庭成员不能超过\(maxMembers)人", en: "A household may have at most \(maxMembers) members"))
        }

        let heads = members.indices.filter { members[$0].relation == .head }
        if heads.isEmpty {
            errors.append(UserError("household.no_head", field: prefix,
                                    zh: "请指定一名户主", en: "Mark one member as the head of household"))
        }
        for k in heads.dropFirst() {
            errors.append(UserError("household.multiple_heads", field: field(k, "relation"),
                                    zh: "一户只能有一名户主", en: "A household has only one head"))
        }
        if let k = heads.first {
            if !members[k].coResident {
                errors.append(UserError("household.head_not_coresident", field: field(k, "coResident"),
                                        zh: "户主应为共同生活的家庭成员", en: "The head of household must live with the family"))
            }
            if members[k].status != .normal {
                errors.append(UserError("household.head_status", field: field(k, "status"),
                                        zh: "户主不能是服刑、戒毒、失踪或离家宗教教职人员，请改由其他成员作为户主",
                                        en: "The head of household cannot be in prison, drug rehabilitation, missing or living apart; choose another member as head"))
            }
        }

        let spouses = members.indices.filter { members[$0].relation == .spouse }
        for k in spouses.dropFirst() {
            errors.append(UserError("household.multiple_spouses", field: field(k, "relation"),
                                    zh: "户主只能有一名配偶", en: "The head of household has only one spouse"))
        }

        var seen = Set<ResidentID>()
        for k in members.indices where !seen.insert(members[k].person.id).inserted {
            errors.append(UserError("household.duplicate_person", field: field(k, "idNumber"),
                                    zh: "同一身份证号码填写了两次", en: "The same ID number is entered twice"))
        }
        return errors
    }

    /// 共同生活的家庭成员 — the members that count: co-resident and in normal status.
    public static func counted(_ members: [MemberDraft]) -> [MemberDraft] {
        members.filter(\.isCounted)
    }

    // MARK: Form parsing

    static func nonBlank(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let text = raw.trimmingWhitespace
        return text.isEmpty ? nil : String(text)
    }

    /// A checkbox as browsers and API clients send it; absent means unchecked.
    static func checkbox(_ raw: String?, field: String) throws(UserError) -> Bool {
        guard let text = nonBlank(raw)?.lowercased() else { return false }
        switch text {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default:
            throw UserError("form.boolean", field: field,
                            zh: "此项只能选择是或否", en: "This field must be yes or no")
        }
    }

    static func choice<T: RawRepresentable>(_ raw: String?, default fallback: T, field: String,
                                            code: String, zh: String, en: String) throws(UserError) -> T
    where T.RawValue == String {
        guard let text = nonBlank(raw) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw UserError(code, field: field, zh: "\(zh)不正确", en: "The \(en) is not valid")
        }
        return value
    }
}

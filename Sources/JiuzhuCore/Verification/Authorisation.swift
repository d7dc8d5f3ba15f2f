// 核对授权书 — the family's signed authorisation, without which no department
// is queried (domain.md §4, MZ/T 072-2024).

/// Who signed for a member.
public enum AuthorisationSigner: String, Sendable, Hashable, CaseIterable {
    /// 本人签字.
    case member = "self"
    /// 监护人代签 — for a minor, or an adult without capacity.
    case guardian

    public var name: Bilingual {
        switch self {
        case .member: Bilingual(zh: "本人签字", en: "signed by the member")
        case .guardian: Bilingual(zh: "监护人代签", en: "signed by a guardian")
        }
    }
}

/// One covered member's signature as the caseworker records it from the paper.
public struct AuthorisationSignature: Sendable, Hashable {
    public var signer: AuthorisationSigner
    /// The guardian's name, required when a guardian signed.
    public var guardianName: String?

    public init(signer: AuthorisationSigner, guardianName: String? = nil) {
        self.signer = signer
        self.guardianName = guardianName
    }
}

/// A member the authorisation must cover: every current member of the household.
public struct AuthorisationMember: Sendable, Hashable {
    /// The stable key of the member in the form (a person id).
    public var key: String
    public var name: String
    public var age: Int

    public init(key: String, name: String, age: Int) {
        self.key = key
        self.name = name
        self.age = age
    }
}

public enum AuthorisationRules {
    /// The authorisation number: letters, digits and `-`, as printed on the form.
    public static let numberLength = 1...40

    /// Checks what the caseworker recorded; the first problem is thrown with
    /// the form field it belongs to. Every member must be covered; a minor
    /// (under 18 on the day of signing) only by a guardian; a guardian's
    /// signature names the guardian; the paper's scan is attached; the date is
    /// not in the future.
    public static func check(number: String, signedOn: LocalDate, today: LocalDate, members: [AuthorisationMember],
                             signatures: [String: AuthorisationSignature], hasScan: Bool) throws(UserError) {
        let trimmed = number.trimmingCharacters(in: .whitespaces)
        guard numberLength.contains(trimmed.count),
              trimmed.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric || $0 == "-" })
        else {
            throw error("authorisation.number", "number", AuthorisationText.badNumber)
        }
        guard signedOn <= today else { throw error("authorisation.future", "signedOn", AuthorisationText.futureDate) }
        guard !members.isEmpty else { throw error("authorisation.no_members", "members", AuthorisationText.noMembers) }
        for member in members {
            let field = "signatures[\(member.key)]"
            guard let signature = signatures[member.key] else {
                throw error("authorisation.unsigned", field, AuthorisationText.unsigned(member.name))
            }
            if member.age < 18, signature.signer != .guardian {
                throw error("authorisation.minor", field, AuthorisationText.minorNeedsGuardian(member.name))
            }
            if signature.signer == .guardian,
               (signature.guardianName ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw error("authorisation.guardian_name", field, AuthorisationText.guardianName(member.name))
            }
        }
        guard hasScan else { throw error("authorisation.scan", "scan", AuthorisationText.noScan) }
    }

    private static func error(_ code: String, _ field: String, _ text: Bilingual) -> UserError {
        UserError(code, field: field, zh: text.zh, en: text.en)
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("0"..."9").contains(self) || ("A"..."Z").contains(self) || ("a"..."z").contains(self)
    }
}

enum AuthorisationText {
    static let badNumber = Bilingual(zh: "授权书编号应为 1–40 位字母、数字或“-”",
                                     en: "The authorisation number must be 1–40 letters, digits or '-'")
    static let futureDate = Bilingual(zh: "签署日期不能晚于今天", en: "The signing date cannot be in the future")
    static let noMembers = Bilingual(zh: "家庭没有在册成员，无法授权", en: "The household has no current members to authorise")
    static func unsigned(_ name: String) -> Bilingual {
        Bilingual(zh: "\(name) 尚未签字：授权书须覆盖每一位家庭成员", en: "\(name) has not signed: the authorisation must cover every member")
    }
    static func minorNeedsGuardian(_ name: String) -> Bilingual {
        Bilingual(zh: "\(name) 未满 18 周岁，须由监护人代签", en: "\(name) is under 18: a guardian must sign")
    }
    static func guardianName(_ name: String) -> Bilingual {
        Bilingual(zh: "请填写为 \(name) 代签的监护人姓名", en: "Enter the name of the guardian who signed for \(name)")
    }
    static let noScan = Bilingual(zh: "请上传授权书扫描件（PDF、JPEG 或 PNG）",
                                  en: "Upload the scan of the signed authorisation (PDF, JPEG or PNG)")
}

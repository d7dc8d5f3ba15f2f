import Foundation
import JiuzhuCore
import JiuzhuStore

/// A JSON application becomes the window's form, so that it passes through
/// exactly the rules a caseworker's form does (`IntakeForm.validate`, and
/// `HouseholdRules` for each member with the prefix `members[i].`).
extension IntakeForm {
    init(api body: Components.Schemas.NewApplication) {
        self.init()
        region = body.region
        address = body.address
        members = MemberRows(rows: Dictionary(uniqueKeysWithValues: body.members.enumerated().map { ($0.offset, PersonForm(api: $0.element)) }))
        programmes = body.programmes ?? []
        needs = body.needs ?? []
        materials = body.materials ?? []
        conflict = body.conflict
    }

    /// The form's validation for an API client, which registers at the
    /// window. Differences from the browser form, where a browser's habits
    /// do not apply to a program: a member without name, ID number or phone is
    /// an error (a form drops it as a spare row), and an unknown `conflict`
    /// code is an error (a form's select cannot send one).
    func validateForAPI(today: LocalDate) -> Result<IntakeDraft, HouseholdRules.Errors> {
        var extra: [UserError] = []
        for (index, row) in memberRows.enumerated()
        where [row.name, row.idNumber, row.phone].allSatisfy({ Self.isBlank($0) }) {
            if case .failure(let errors) = HouseholdRules.validate(row, prefix: "members[\(index)].", today: today) {
                extra += errors.all
            }
        }
        // Checked apart: the form would drop these rows and report the others without them.
        if !extra.isEmpty { return .failure(HouseholdRules.Errors(extra)) }
        if let code = conflict, !Self.isBlank(code), ConflictOfInterest(rawValue: code) == nil {
            extra.append(UserError("intake.conflict", field: "conflict", zh: "利害关系申报不正确",
                                   en: "The conflict of interest must be none, relative_of_caseworker or relative_of_village_cadre"))
        }
        // Any staff role but the village assistant's registers at the window (no proxy fields are sent).
        switch validate(channelFor: .townshipCaseworker, today: today) {
        case .success(var draft) where extra.isEmpty:
            draft.channel = .window
            draft.entrustment = nil
            return .success(draft)
        case .success:
            return .failure(HouseholdRules.Errors(extra))
        case .failure(let errors):
            return .failure(HouseholdRules.Errors(errors.all + extra))
        }
    }

    private static func isBlank(_ text: String?) -> Bool {
        (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}

extension PersonForm {
    /// Booleans and the grade as the form sends them (`true`/`false`, `2`).
    init(api member: Components.Schemas.NewMember) {
        self.init(name: member.name, idNumber: member.idNumber, phone: member.phone,
                  disabilityType: member.disabilityType, disabilityGrade: member.disabilityGrade.map(String.init),
                  seriousIllness: String(member.seriousIllness ?? false), employment: member.employment,
                  student: member.student, hukouRegion: member.hukouRegion, residence: member.residence,
                  relation: member.relation, coResident: String(member.coResident ?? false), status: member.status)
    }
}

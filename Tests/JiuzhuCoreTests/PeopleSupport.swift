@testable import JiuzhuCore

/// A resident ID from its first 17 digits, with the check character computed.
func residentID(_ first17: String, today: LocalDate = date(2026, 6, 15)) -> ResidentID {
    guard let check = ResidentID.checkCharacter(forFirst17: first17) else {
        preconditionFailure("\(first17) is not 17 digits")
    }
    do {
        return try ResidentID(first17 + String(check), today: today)
    } catch {
        preconditionFailure("test ID \(first17) is invalid: \(error)")
    }
}

func regionCode(_ raw: String) -> RegionCode {
    do {
        return try RegionCode(raw)
    } catch {
        preconditionFailure("test region \(raw) is invalid: \(error)")
    }
}

/// A member with only what the household rules look at.
func member(_ first17: String, _ relation: Relationship, coResident: Bool = true,
            status: MemberStatus = .normal, name: String = "王某") -> MemberDraft {
    MemberDraft(person: PersonDraft(name: name, id: residentID(first17), residence: .rural),
                relation: relation, coResident: coResident, status: status)
}

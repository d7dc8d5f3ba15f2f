// From the household as the platform records it to the calculator's case:
// one mapping, used by single verifications and by batch re-verification.

extension CaseRelation {
    /// The case files' relation for a GB/T 4761 relationship to the head.
    public init(_ relationship: Relationship) {
        switch relationship {
        case .head: self = .head
        case .spouse: self = .spouse
        case .son, .daughter: self = .child
        case .grandchild: self = .grandchild
        case .parent, .grandparent: self = .parent
        case .sibling: self = .sibling
        case .otherRelative, .nonRelative: self = .other
        }
    }
}

extension CaseMember {
    /// A recorded household member. `relationship` and `status` are the stored
    /// codes; an unknown code is an error naming the member, never a guess.
    public init(id: ResidentID, name: String, relationshipCode: String, coResident: Bool, statusCode: String,
                disability: Disability?, seriousIllness: Bool, field: String) throws(UserError) {
        guard let relationship = Relationship(rawValue: relationshipCode) else {
            throw UserError("verification.relationship", field: field,
                            zh: "家庭成员关系代码无效：\(relationshipCode)", en: "Invalid relationship code: \(relationshipCode)")
        }
        guard let status = MemberStatus(rawValue: statusCode) else {
            throw UserError("verification.member_status", field: field,
                            zh: "成员状态代码无效：\(statusCode)", en: "Invalid member status: \(statusCode)")
        }
        self.init(id: id, name: name, relation: CaseRelation(relationship), coResident: coResident, status: status,
                  disability: disability, seriousIllness: seriousIllness)
    }
}

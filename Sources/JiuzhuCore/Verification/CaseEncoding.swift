// A case back to the JSON of cases/FORMAT.md (without `expect`): what a report
// version was computed from is kept this way, so that an exemption recomputes
// the same inputs and a reviewer can replay them with `jiuzhu verify --case`.

extension CaseMember {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id.value), "name": .string(name), "relation": .string(relation.rawValue),
            "coResident": .bool(coResident), "status": .string(status.rawValue), "seriousIllness": .bool(seriousIllness),
        ]
        if let disability {
            object["disability"] = .object(["type": .string(disability.type.rawValue),
                                            "grade": .integer(Int64(disability.grade))])
        }
        return .object(object)
    }
}

extension VerificationCase {
    public var json: JSONValue {
        .object([
            "name": .string(name),
            "asOf": .string(asOf.description),
            "residence": .string(residence.rawValue),
            "policy": policy.json,
            "members": .array(members.map(\.json)),
            "sources": .object(sources.mapValues { .string($0.rawValue) }),
            "records": .array(records.map(\.json)),
        ])
    }
}

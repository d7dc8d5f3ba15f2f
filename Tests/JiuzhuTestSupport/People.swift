import JiuzhuCore

/// Test people: valid ID numbers made from their first 17 digits.
public enum TestPeople {
    public static func id(_ first17: String) -> String {
        first17 + String(ResidentID.checkCharacter(forFirst17: first17) ?? "0")
    }

    /// A family of three in 怀远县: father, mother, child (born 2014).
    public static let father = id("34032119800101001")
    public static let mother = id("34032119820202002")
    public static let child = id("34032120140303003")
    public static let stranger = id("34032219750505005")

    /// Form fields for a member row.
    public static func row(_ index: Int, name: String, id: String, relation: Relationship, phone: String = "") -> [String: String] {
        let key = "members[\(index)]"
        return ["\(key)[name]": name, "\(key)[idNumber]": id, "\(key)[relation]": relation.rawValue,
                "\(key)[coResident]": "on", "\(key)[status]": "normal", "\(key)[residence]": "rural",
                "\(key)[employment]": "farming", "\(key)[student]": "none", "\(key)[phone]": phone]
    }

    /// The whole intake form as name/value pairs (checkbox lists repeat their name).
    public static func familyForm(region: String = "340321100201", programmes: [String] = ["dibao"],
                                  needs: [String] = [], materials: [String] = [],
                                  extra: [String: String] = [:]) -> [(String, String)] {
        var form = ["region": region, "address": "城关镇西城村 3 组 12 号"]
        form.merge(row(0, name: "王建国", id: father, relation: .head, phone: "13812345678")) { $1 }
        form.merge(row(1, name: "李秀英", id: mother, relation: .spouse)) { $1 }
        form.merge(row(2, name: "王小明", id: child, relation: .son)) { $1 }
        form.merge(extra) { $1 }
        return form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            + programmes.map { ("programmes[]", $0) } + needs.map { ("needs[]", $0) } + materials.map { ("materials[]", $0) }
    }
}

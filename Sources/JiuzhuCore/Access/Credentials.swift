/// Rules for staff login names, display names and passwords (MLPS level 3
/// asks for complex passwords; the second factor is TOTP).
public enum Credentials {
    public static func validateUsername(_ raw: String) throws(UserError) -> String {
        let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = name.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "." || s == "_" || s == "-"
        }
        guard (3...32).contains(name.count), allowed else {
            throw UserError("staff.username", field: "username",
                            zh: "用户名须为 3–32 位小写字母、数字或 . _ -",
                            en: "The username must be 3–32 lowercase letters, digits or . _ -")
        }
        return name
    }

    public static func validateDisplayName(_ raw: String) throws(UserError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...40).contains(name.count) else {
            throw UserError("staff.display_name", field: "displayName",
                            zh: "姓名须为 1–40 个字", en: "The name must be 1–40 characters")
        }
        return name
    }

    /// At least 12 characters with at least three of: lowercase, uppercase, digit, symbol.
    public static func validatePassword(_ password: String) throws(UserError) {
        var classes = 0
        let scalars = password.unicodeScalars
        if scalars.contains(where: { ("a"..."z").contains($0) }) { classes += 1 }
        if scalars.contains(where: { ("A"..."Z").contains($0) }) { classes += 1 }
        if scalars.contains(where: { ("0"..."9").contains($0) }) { classes += 1 }
        if scalars.contains(where: { !("a"..."z").contains($0) && !("A"..."Z").contains($0) && !("0"..."9").contains($0) }) { classes += 1 }
        guard password.count >= 12, password.count <= 128, classes >= 3 else {
            throw UserError("staff.password_weak", field: "password",
                            zh: "密码至少 12 位，且包含大写字母、小写字母、数字、符号中的三类",
                            en: "The password needs at least 12 characters from three of: uppercase, lowercase, digits, symbols")
        }
    }

    /// A TOTP code as typed: six digits, spaces ignored.
    public static func normalizeCode(_ raw: String) -> String? {
        let digits = raw.filter { !$0.isWhitespace }
        return digits.count == 6 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) ? digits : nil
    }
}

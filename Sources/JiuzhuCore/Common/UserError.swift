/// A text shown to people: Simplified Chinese first, English second.
public struct Bilingual: Sendable, Hashable, Codable {
    public let zh: String
    public let en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    public func text(_ language: Language) -> String {
        language == .zh ? zh : en
    }
}

/// The two languages of the interface. Chinese is the default.
public enum Language: String, Sendable, CaseIterable, Codable {
    case zh, en
}

/// An error a user can cause: a stable code, the field it concerns (if any),
/// and a message in Chinese and English. Becomes a 4xx response or a form
/// message, never a 500.
public struct UserError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let field: String?
    public let message: Bilingual

    public init(_ code: String, field: String? = nil, zh: String, en: String) {
        self.code = code
        self.field = field
        self.message = Bilingual(zh: zh, en: en)
    }

    /// The same error, attributed to a (different) form field.
    public func on(field: String) -> UserError {
        UserError(code, field: field, zh: message.zh, en: message.en)
    }

    public var description: String { "\(code): \(message.zh) / \(message.en)" }
}

/// 文字与附件限制 — how much free text and what size of photo the platform
/// takes where people write or upload, each with its bilingual refusal.
public enum TextLimits {
    /// 公示异议 — 5 to 1,000 characters.
    public static let objection = 5...1000
    /// 走访备注 — at most 2,000 characters.
    public static let checkInNotes = 2000
    /// 走访照片 — at most 1 MB (the page shrinks camera photos below it).
    public static let checkInPhotoBytes = 1_000_000
    /// 异常核查说明 — 1 to 500 characters.
    public static let anomalyNote = 1...500

    /// An objection, trimmed.
    public static func objection(_ raw: String) throws(UserError) -> String {
        let text = String(raw.trimmingWhitespace)
        guard objection.contains(text.count) else {
            throw UserError("objection.length", field: "text", zh: "异议内容应为 5 至 1000 字", en: "An objection is 5 to 1,000 characters")
        }
        return text
    }

    /// A check-in's photo and notes.
    public static func checkInAttachments(photoBytes: Int, notes: String) throws(UserError) {
        guard photoBytes > 0, photoBytes <= checkInPhotoBytes else {
            throw UserError("checkin.photo_size", field: "photo", zh: "照片为空或超过 1 MB", en: "The photo is empty or larger than 1 MB")
        }
        guard notes.count <= checkInNotes else {
            throw UserError("checkin.notes_length", field: "notes", zh: "备注不能超过 2000 字", en: "Notes are limited to 2,000 characters")
        }
    }

    /// A supervisor's note on an anomaly flag, trimmed.
    public static func anomalyNote(_ raw: String) throws(UserError) -> String {
        let note = String(raw.trimmingWhitespace)
        guard !note.isEmpty else {
            throw UserError("anomaly.note_required", field: "note", zh: "请写明核查情况", en: "Write what the review found")
        }
        guard anomalyNote.contains(note.count) else {
            throw UserError("anomaly.note_length", field: "note", zh: "核查说明不能超过 500 字",
                            en: "The review note is limited to 500 characters")
        }
        return note
    }
}

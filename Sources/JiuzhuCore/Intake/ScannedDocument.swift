/// A scanned paper (the proxy's written entrustment, 委托书): only the kinds a
/// phone camera or a scanner produces, recognised by their first bytes rather
/// than by what the browser claims, and small enough for a rural connection.
public enum ScannedDocumentKind: String, Sendable, Codable, CaseIterable {
    case pdf, jpeg, png

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        }
    }
}

public enum ScannedDocument {
    public static let maxBytes = 3 * 1024 * 1024

    public static func kind(of bytes: [UInt8], field: String) throws(UserError) -> ScannedDocumentKind {
        guard !bytes.isEmpty else {
            throw UserError("scan.empty", field: field, zh: "请上传委托书扫描件或照片", en: "Upload a scan or photo of the entrustment")
        }
        guard bytes.count <= maxBytes else {
            throw UserError("scan.too_large", field: field, zh: "文件过大：扫描件不能超过 3 MB", en: "The file is too large: a scan may be at most 3 MB")
        }
        if bytes.starts(with: [0x25, 0x50, 0x44, 0x46, 0x2D]) { return .pdf }            // %PDF-
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        throw UserError("scan.type", field: field, zh: "只接受 PDF、JPEG 或 PNG 文件", en: "Only PDF, JPEG or PNG files are accepted")
    }
}

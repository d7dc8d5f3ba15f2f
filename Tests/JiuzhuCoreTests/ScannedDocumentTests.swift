@testable import JiuzhuCore
import Testing

@Suite struct ScannedDocumentTests {
    @Test(arguments: [
        ([0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x34] as [UInt8], ScannedDocumentKind.pdf),
        ([0xFF, 0xD8, 0xFF, 0xE0, 0x00], .jpeg),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00], .png),
    ])
    func recognisesScansByTheirFirstBytes(_ bytes: [UInt8], _ kind: ScannedDocumentKind) throws {
        #expect(try ScannedDocument.kind(of: bytes, field: "scan") == kind)
    }

    @Test(arguments: [
        ([] as [UInt8], "scan.empty"),
        (Array("<html><script>".utf8), "scan.type"),
        ([0x50, 0x4B, 0x03, 0x04], "scan.type"),          // a zip (or .docx) is not a scan
        ([0x25, 0x50, 0x44, 0x46], "scan.type"),          // "%PDF" without the dash
    ])
    func refusesWhatIsNotAScan(_ bytes: [UInt8], _ code: String) {
        #expect(throws: UserError.self) { try ScannedDocument.kind(of: bytes, field: "proxyScan") }
        do { _ = try ScannedDocument.kind(of: bytes, field: "proxyScan") } catch { #expect(error.code == code && error.field == "proxyScan") }
    }

    @Test func refusesAFileOverTheLimit() {
        let big = [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: ScannedDocument.maxBytes)
        do {
            _ = try ScannedDocument.kind(of: big, field: "scan")
            Issue.record("an oversized scan was accepted")
        } catch { #expect(error.code == "scan.too_large") }
    }
}

import Crypto
import Foundation
import JiuzhuCore
import JiuzhuExchange
import Testing

@Suite struct SignedEnvelopeTests {
    let key = Curve25519.Signing.PrivateKey()

    private func envelope() throws -> SignedEnvelope {
        try SignedEnvelope(messageID: "m-1", source: "tax", keyID: "k", sentAt: "2026-06-01T08:00:00+08:00",
                           records: [.object(["member": .string("340321198001010010"), "type": .string("income"),
                                              "amount": .number("150000"), "note": .string("王 \"引号\"\n")])])
            .signed(with: key)
    }

    @Test func signatureVerifiesAfterAnyReformattingOfTheSameContent() throws {
        let signed = try envelope()
        #expect(signed.verify(with: key.publicKey))
        // Pretty, compact, or with keys in another order: the parsed content is what counts.
        for text in [signed.json().rendered(pretty: true), signed.json().rendered(pretty: false)] {
            let read = try SignedEnvelope(json: Array(text.utf8))
            #expect(read.verify(with: key.publicKey))
            #expect(read.messageID == "m-1" && read.records.count == 1)
        }
        let reordered = #"{"signature":"\#(signed.signature)","records":[{"type":"income","note":"王 \"引号\"\n","amount":150000,"member":"340321198001010010"}],"sentAt":"2026-06-01T08:00:00+08:00","keyId":"k","source":"tax","messageId":"m-1"}"#
        #expect(try SignedEnvelope(json: Array(reordered.utf8)).verify(with: key.publicKey))
    }

    @Test func anyChangeOrAnotherKeyBreaksIt() throws {
        let signed = try envelope()
        let text = signed.json().rendered(pretty: false)
        for (from, to) in [("150000", "150001"), (#""m-1""#, #""m-2""#), (#""tax""#, #""bank""#)] {
            let changed = text.replacingOccurrences(of: from, with: to)
            #expect(changed != text)
            #expect(!(try SignedEnvelope(json: Array(changed.utf8)).verify(with: key.publicKey)), "\(from)")
        }
        // A member this version does not know is signed too.
        let extra = text.replacingOccurrences(of: #""keyId":"k""#, with: #""keyId":"k","priority":"high""#)
        #expect(!(try SignedEnvelope(json: Array(extra.utf8)).verify(with: key.publicKey)))
        #expect(!signed.verify(with: Curve25519.Signing.PrivateKey().publicKey))
        var garbage = signed
        garbage.signature = "not base64!"
        #expect(!garbage.verify(with: key.publicKey))
    }

    @Test func malformedEnvelopesNameTheField() {
        let cases: [(String, String?)] = [
            (#"{"source":"tax","keyId":"k","sentAt":"x","records":[],"signature":"s"}"#, "messageId"),
            (#"{"messageId":"a b","source":"tax","keyId":"k","sentAt":"x","records":[],"signature":"s"}"#, "messageId"),
            (#"{"messageId":"a","source":"tax","keyId":"k","sentAt":"x","records":{},"signature":"s"}"#, "records"),
            (#"{"messageId":"a","source":"tax","keyId":"k","sentAt":"x","records":[]}"#, "signature"),
            (#"[]"#, nil),
        ]
        for (text, field) in cases {
            let result = Result { () throws(UserError) in try SignedEnvelope(json: Array(text.utf8)) }
            guard case .failure(let error) = result else {
                Issue.record("accepted \(text)")
                continue
            }
            #expect(error.field == field, "\(text): \(error)")
        }
    }

    @Test func keysTravelAsBase64OfTheRawBytes() throws {
        let text = key.rawRepresentation.base64EncodedString()
        #expect(try SignedEnvelope.privateKey(base64: text).publicKey.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(Data(base64Encoded: SignedEnvelope.publicKeyText(key))?.count == 32)
        #expect(throws: UserError.self) { try SignedEnvelope.privateKey(base64: "c2hvcnQ=") }
    }
}

import Foundation
import StorePlatforms
import Testing

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    let body = Array(#"{"id":820982911946154508,"email":"jon@example.com"}"#.utf8)

    @Test("a signature made with the secret verifies")
    func roundTrip() {
        let signature = WebhookSignature.sign(body, secret: "hush")
        #expect(WebhookSignature.isValid(signature, body: body, secrets: ["hush"]))
    }

    @Test("a known HMAC-SHA256 vector (RFC 4231 case 2) is computed exactly")
    func knownVector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signature = WebhookSignature.sign(Array("what do ya want for nothing?".utf8), secret: "Jefe")
        let expected = Data(
            [
                0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
                0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
            ]
        ).base64EncodedString()
        #expect(signature == expected)
    }

    @Test("either of two secrets is accepted during rotation")
    func rotation() {
        let old = WebhookSignature.sign(body, secret: "old")
        let new = WebhookSignature.sign(body, secret: "new")
        #expect(WebhookSignature.isValid(old, body: body, secrets: ["new", "old"]))
        #expect(WebhookSignature.isValid(new, body: body, secrets: ["new", "old"]))
        #expect(!WebhookSignature.isValid(old, body: body, secrets: ["new"]))
    }

    @Test("a changed body, a wrong secret, garbage and an empty secret all fail")
    func failures() {
        let signature = WebhookSignature.sign(body, secret: "hush")
        var tampered = body
        tampered[5] ^= 1
        #expect(!WebhookSignature.isValid(signature, body: tampered, secrets: ["hush"]))
        #expect(!WebhookSignature.isValid(signature, body: body, secrets: ["other"]))
        #expect(!WebhookSignature.isValid("not base64!", body: body, secrets: ["hush"]))
        #expect(!WebhookSignature.isValid("", body: body, secrets: ["hush"]))
        #expect(!WebhookSignature.isValid(WebhookSignature.sign(body, secret: ""), body: body, secrets: [""]))
        #expect(!WebhookSignature.isValid(Data(count: 16).base64EncodedString(), body: body, secrets: ["hush"]))
    }
}

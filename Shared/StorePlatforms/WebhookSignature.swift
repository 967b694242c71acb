import Crypto
import Foundation

/// The HMAC-SHA256 signatures Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) put on
/// every webhook: base64 of HMAC-SHA256 over the exact bytes of the body, keyed with the webhook secret.
public enum WebhookSignature {
    /// The signature of `body` under `secret`, base64-encoded as the platforms send it.
    public static func sign(_ body: some DataProtocol, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` (base64, as received) is the signature of `body` under any of `secrets` (two are accepted
    /// while a secret is being rotated). The comparison takes the same time however many bytes match.
    public static func isValid(_ signature: String, body: some DataProtocol, secrets: [String]) -> Bool {
        guard let given = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)),
            given.count == SHA256.byteCount
        else { return false }
        var valid = false
        for secret in secrets where !secret.isEmpty {
            // Crypto's isValidAuthenticationCode compares in constant time.
            if HMAC<SHA256>.isValidAuthenticationCode(
                given, authenticating: body, using: SymmetricKey(data: Array(secret.utf8)))
            {
                valid = true
            }
        }
        return valid
    }
}

import Crypto

/// What identifies a WooCommerce webhook delivery. WooCommerce sends no delivery id and does not retry, but a
/// store may re-save a resource or a proxy may repeat a request, so deliveries are de-duplicated by content.
public enum WooCommerceDelivery {
    /// The key under which a delivery of `topic` with `body` is de-duplicated: `"<topic>:<id>:<date_modified_gmt>"`
    /// when the body is a JSON object with an integer `id` and a `date_modified_gmt` string (the same version of
    /// the same resource), otherwise `"sha256:"` and the lowercase hex SHA-256 of the body.
    public static func deduplicationKey(topic: String, body: [UInt8]) -> String {
        if let members = (try? JSONParser.parse(body))?.objectValue,
            case .number(let idText) = members["id"], let id = Int64(idText),
            case .string(let modified) = members["date_modified_gmt"], !modified.isEmpty
        {
            return "\(topic):\(id):\(modified)"
        }
        return "sha256:" + hexSHA256(body)
    }

    /// Whether `body` is the unsigned ping WooCommerce posts when a webhook is created: the form-encoded body
    /// `webhook_id=<digits>`.
    public static func isCreationPing(_ body: [UInt8]) -> Bool {
        let prefix = Array("webhook_id=".utf8)
        guard body.count > prefix.count, body.count <= prefix.count + 20, body.starts(with: prefix) else {
            return false
        }
        return body[prefix.count...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Lowercase hex SHA-256 of `bytes`.
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

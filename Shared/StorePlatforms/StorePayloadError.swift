/// Why a store-platform webhook body could not be decoded. The message names the field (a JSON path such as
/// `line_items[1].price`), never its value, so it can be logged without leaking personal data.
public struct StorePayloadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A short machine-readable reason: `malformed_json`, `not_an_object`, `missing_field`, `wrong_type`,
    /// `invalid_id`, `invalid_money`, `invalid_date`, `invalid_currency`.
    public var code: String
    /// What went wrong and where, for people.
    public var message: String

    /// Creates an error with a `code` and a `message` that must not contain personal data.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    static func malformedJSON(offset: Int, reason: String) -> StorePayloadError {
        StorePayloadError(code: "malformed_json", message: "body is not valid JSON at byte \(offset): \(reason)")
    }

    static func notAnObject(_ path: String) -> StorePayloadError {
        StorePayloadError(code: "not_an_object", message: "\(path) must be a JSON object")
    }

    static func missingField(_ path: String) -> StorePayloadError {
        StorePayloadError(code: "missing_field", message: "\(path) is required")
    }

    static func wrongType(_ path: String, expected: String) -> StorePayloadError {
        StorePayloadError(code: "wrong_type", message: "\(path) must be \(expected)")
    }

    static func invalidID(_ path: String) -> StorePayloadError {
        StorePayloadError(code: "invalid_id", message: "\(path) must be an integer id that fits in 64 bits")
    }

    static func invalidMoney(_ path: String, _ reason: String) -> StorePayloadError {
        StorePayloadError(code: "invalid_money", message: "\(path): \(reason)")
    }

    static func invalidDate(_ path: String) -> StorePayloadError {
        StorePayloadError(code: "invalid_date", message: "\(path) must be an ISO 8601 date-time")
    }

    static func invalidCurrency(_ path: String) -> StorePayloadError {
        StorePayloadError(code: "invalid_currency", message: "\(path) must be a three-letter ISO 4217 code")
    }
}

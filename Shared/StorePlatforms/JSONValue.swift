/// A parsed JSON document that keeps every number as the exact text it was sent as, so that 64-bit ids and decimal
/// money never pass through a `Double`.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, already checked against the JSON number grammar (RFC 8259 §6).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The object's members, or nil when this is not an object.
    var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

import Foundation

/// Any JSON value: a problem's `current` resource, an event payload whose shape a layer does not know, the rows a
/// service's privacy export holds.
public indirect enum JSONDocument: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    /// `value` as JSON, encoded the way every wire body is.
    public init(encoding value: some Encodable) throws {
        self = try WireJSON.decoder.decode(JSONDocument.self, from: WireJSON.encoder.encode(value))
    }

    /// The document decoded as `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try WireJSON.decoder.decode(T.self, from: WireJSON.encoder.encode(self))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONDocument].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONDocument].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object (nil for anything else or a missing key).
    public subscript(key: String) -> JSONDocument? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The elements of an array (empty for anything else).
    public var elements: [JSONDocument] {
        if case .array(let values) = self { return values }
        return []
    }

    /// The text of a string value.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of an integer.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

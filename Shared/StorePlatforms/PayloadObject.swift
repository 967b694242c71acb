import Foundation

/// A JSON object of a webhook body with the path that led to it, read leniently the way the platforms write:
/// `null` and absent members are the same, ids may arrive as numbers or digit strings, money as decimal strings or
/// numbers, and PHP's empty array `[]` stands for an empty object. Errors name the path, never the value.
struct PayloadObject {
    let members: [String: JSONValue]
    /// Where this object sits in the body (`""` for the body itself, `line_items[1]`, `customer`).
    let path: String

    init(_ members: [String: JSONValue], path: String) {
        self.members = members
        self.path = path
    }

    /// The body as an object, or `not_an_object` / `malformed_json`.
    static func body(_ bytes: [UInt8]) throws(StorePayloadError) -> PayloadObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .malformedJSON(offset: error.offset, reason: error.reason)
        }
        guard let members = value.objectValue else { throw .notAnObject("body") }
        return PayloadObject(members, path: "")
    }

    /// The path of member `key`.
    func path(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The member `key`, nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// An id: a JSON integer or a string of digits, exactly as 64 bits.
    func id(_ key: String) throws(StorePayloadError) -> Int64? {
        try Self.id(value(key), path: path(key))
    }

    /// `value` as an id (a JSON integer or a string of digits); nil for null, absence or an empty string.
    static func id(_ value: JSONValue?, path: String) throws(StorePayloadError) -> Int64? {
        switch value {
        case nil, .null: return nil
        case .number(let text):
            guard let id = Int64(text) else { throw .invalidID(path) }
            return id
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return nil }
            guard let id = Int64(trimmed) else { throw .invalidID(path) }
            return id
        default:
            throw .invalidID(path)
        }
    }

    /// An id that must be present (`missing_field` otherwise).
    func requiredID(_ key: String) throws(StorePayloadError) -> Int64 {
        guard let id = try id(key) else { throw .missingField(path(key)) }
        return id
    }

    /// An id where `0` means none (WooCommerce's `variation_id`, `customer_id`).
    func nonZeroID(_ key: String) throws(StorePayloadError) -> Int64? {
        let id = try id(key)
        return id == 0 ? nil : id
    }

    /// A whole number (a quantity): a JSON integer or a digit string.
    func integer(_ key: String) throws(StorePayloadError) -> Int? {
        switch value(key) {
        case nil: return nil
        case .number(let text):
            guard let number = Int(text) else { throw .wrongType(path(key), expected: "a whole number") }
            return number
        case .string(let text):
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw .wrongType(path(key), expected: "a whole number")
            }
            return number
        default:
            throw .wrongType(path(key), expected: "a whole number")
        }
    }

    /// Text; a number is taken as its literal text. Nil when absent or null.
    func string(_ key: String) throws(StorePayloadError) -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let text): return text
        case .number(let text): return text
        default: throw .wrongType(path(key), expected: "a string")
        }
    }

    /// Text with surrounding whitespace removed; nil when absent, null or empty.
    func text(_ key: String) throws(StorePayloadError) -> String? {
        guard let raw = try string(key) else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A boolean; nil when absent or null.
    func bool(_ key: String) throws(StorePayloadError) -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let flag): return flag
        default: throw .wrongType(path(key), expected: "true or false")
        }
    }

    /// An amount in minor units of `currency` from a decimal string (or a JSON number, read as its text); nil when
    /// absent, null or empty.
    func money(_ key: String, currency: String) throws(StorePayloadError) -> Int64? {
        let text: String
        switch value(key) {
        case nil: return nil
        case .string(let value):
            if value.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            text = value
        case .number(let value): text = value
        default: throw .invalidMoney(path(key), "must be a decimal string")
        }
        do {
            return try MinorUnits.parse(text, currency: currency)
        } catch {
            throw .invalidMoney(path(key), error.reason)
        }
    }

    /// An ISO 8601 date-time (see `PlatformDate`); nil when absent, null or empty.
    func date(_ key: String) throws(StorePayloadError) -> Date? {
        guard let text = try text(key) else { return nil }
        guard let date = PlatformDate.parse(text) else { throw .invalidDate(path(key)) }
        return date
    }

    /// A nested object; nil when absent, null or PHP's empty array.
    func object(_ key: String) throws(StorePayloadError) -> PayloadObject? {
        switch value(key) {
        case nil: return nil
        case .object(let members): return PayloadObject(members, path: path(key))
        case .array(let elements) where elements.isEmpty: return nil
        default: throw .notAnObject(path(key))
        }
    }

    /// A nested array; empty when absent or null (or PHP's empty object).
    func array(_ key: String) throws(StorePayloadError) -> [JSONValue] {
        switch value(key) {
        case nil: return []
        case .array(let elements): return elements
        case .object(let members) where members.isEmpty: return []
        default: throw .wrongType(path(key), expected: "an array")
        }
    }

    /// A nested array of objects; null elements are skipped.
    func objects(_ key: String) throws(StorePayloadError) -> [PayloadObject] {
        var result: [PayloadObject] = []
        for (index, element) in try array(key).enumerated() {
            switch element {
            case .null: continue
            case .object(let members): result.append(PayloadObject(members, path: "\(path(key))[\(index)]"))
            default: throw .notAnObject("\(path(key))[\(index)]")
            }
        }
        return result
    }

    /// A nested array of ids (Shopify's `orders_requested`); null elements are skipped.
    func ids(_ key: String) throws(StorePayloadError) -> [Int64] {
        var result: [Int64] = []
        for (index, element) in try array(key).enumerated() {
            if let id = try Self.id(element, path: "\(path(key))[\(index)]") { result.append(id) }
        }
        return result
    }

    /// The first non-empty string of an array of strings (Shopify's `tracking_numbers`).
    func firstText(ofArray key: String) throws(StorePayloadError) -> String? {
        for element in try array(key) {
            if case .string(let text) = element {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { return trimmed }
            }
        }
        return nil
    }

    /// An ISO 4217 code, upper-cased; nil when absent, null or empty; `invalid_currency` unless three letters.
    func currency(_ key: String) throws(StorePayloadError) -> String? {
        guard let text = try text(key) else { return nil }
        let code = text.uppercased()
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { throw .invalidCurrency(path(key)) }
        return code
    }
}

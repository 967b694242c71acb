import Foundation

/// A problem with one field of an input, reported back to the caller as part of a 422 problem.
public struct FieldIssue: Sendable, Equatable {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// The input of an operation: decoded from JSON, checked for unknown fields, then validated.
public protocol OperationInput: Decodable, Sendable {
    /// The JSON object keys this input accepts; any other key is refused (typos must not pass silently).
    static var fields: Set<String> { get }
    /// The keys accepted inside nested objects, by the field that holds them (an object or an array of objects).
    static var nestedFields: [String: Set<String>] { get }
    /// Everything wrong with the decoded value; empty when it is valid.
    func validate() -> [FieldIssue]
}

extension OperationInput {
    public static var nestedFields: [String: Set<String>] { [:] }
    public func validate() -> [FieldIssue] { [] }
}

/// Small validation helpers shared by the contracts.
public enum Validate {
    /// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces, at most 254 characters.
    public static func email(_ value: String, field: String = "email") -> [FieldIssue] {
        if value.contains("\u{0}") { return [FieldIssue(field, "must not contain NUL characters")] }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !value.contains(where: \.isWhitespace)
        else { return [FieldIssue(field, "must be an email address")] }
        return []
    }

    /// A required text: not blank, at most `max` characters.
    public static func text(_ value: String, field: String, max: Int) -> [FieldIssue] {
        if value.contains("\u{0}") { return [FieldIssue(field, "must not contain NUL characters")] }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return [FieldIssue(field, "must not be blank")]
        }
        if value.count > max { return [FieldIssue(field, "must be at most \(max) characters")] }
        return []
    }

    /// An optional text: when present, not blank and at most `max` characters.
    public static func optionalText(_ value: String?, field: String, max: Int) -> [FieldIssue] {
        guard let value else { return [] }
        return text(value, field: field, max: max)
    }

    /// A phone number in E.164 form (`+` and 8 to 15 digits).
    public static func phone(_ value: String?, field: String = "phone") -> [FieldIssue] {
        guard let value else { return [] }
        let digits = value.dropFirst()
        guard value.hasPrefix("+"), (8...15).contains(digits.count), digits.allSatisfy(\.isASCII),
            digits.allSatisfy(\.isNumber)
        else { return [FieldIssue(field, "must be an E.164 phone number such as +14155550123")] }
        return []
    }

    /// A page size between 1 and 100.
    public static func limit(_ value: Int?, field: String = "limit") -> [FieldIssue] {
        guard let value else { return [] }
        return (1...100).contains(value) ? [] : [FieldIssue(field, "must be between 1 and 100")]
    }
}

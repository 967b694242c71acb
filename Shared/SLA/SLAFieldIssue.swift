/// A problem with one field of an SLA definition (a calendar or a policy), named by its JSON path.
///
/// The path uses the snake_case JSON keys, with `[i]` for array positions and `.` between levels, for example
/// `weekly_hours.monday[1].end` or `policies[0].targets.first_reply`.
public struct SLAFieldIssue: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The JSON path of the field that is wrong.
    public var field: String
    /// What is wrong with it, in words a person can act on.
    public var message: String

    /// An issue with `field`.
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }

    /// The same issue with `prefix` in front of its path (`prefix.field`, or `prefix[0]` style when the path
    /// starts with an index).
    func nested(under prefix: String) -> SLAFieldIssue {
        SLAFieldIssue(field.hasPrefix("[") ? prefix + field : "\(prefix).\(field)", message)
    }
}

/// Thrown when an SLA definition is invalid; carries every issue found, not only the first.
public struct SLAValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Everything wrong with the definition, in the order the fields were checked.
    public var issues: [SLAFieldIssue]

    /// An error carrying `issues`.
    public init(issues: [SLAFieldIssue]) {
        self.issues = issues
    }

    /// The issues, separated by `; `.
    public var description: String {
        "invalid SLA definition: " + issues.map(\.description).joined(separator: "; ")
    }
}

import Foundation

/// An RFC 9457 problem: the error body of every failed reply, on the wire and at the gateway.
public struct Problem: Codable, Sendable, Equatable, Error {
    /// A URI naming the kind of problem (`https://concierge.dev/problems/<code>`).
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// Stable machine-readable code, for example `not_found` or `validation_failed`.
    public var code: String
    /// Field-level validation errors, when there are any.
    public var errors: [FieldError]?
    /// The resource as it is now, when the problem is about its state (a 412 `version_mismatch` carries the current
    /// record so the caller can merge and retry).
    public var current: JSONDocument?

    public init(status: Int, code: String, title: String, detail: String? = nil, errors: [FieldError]? = nil) {
        self.type = "https://concierge.dev/problems/\(code)"
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors
    }

    /// One invalid field: a JSON pointer-ish path and what is wrong with it.
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }
}

extension Problem {
    public static func badRequest(_ detail: String, code: String = "bad_request") -> Problem {
        Problem(status: 400, code: code, title: "Bad request", detail: detail)
    }
    public static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            status: 422, code: "validation_failed", title: "Validation failed",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }
    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, code: "not_found", title: "Not found", detail: detail)
    }
    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: 403, code: "forbidden", title: "Forbidden", detail: detail)
    }
    public static func conflict(_ detail: String, code: String = "conflict") -> Problem {
        Problem(status: 409, code: code, title: "Conflict", detail: detail)
    }
    public static func unknownOperation(_ operation: String) -> Problem {
        Problem(
            status: 404, code: "unknown_operation", title: "Unknown operation",
            detail: "no operation named '\(operation)'")
    }
    public static func serviceUnavailable(_ detail: String, code: String = "service_unavailable") -> Problem {
        Problem(status: 503, code: code, title: "Service unavailable", detail: detail)
    }
    public static func timeout(_ detail: String) -> Problem {
        Problem(status: 504, code: "timeout", title: "Timed out", detail: detail)
    }
    public static func `internal`(_ detail: String = "an internal error occurred") -> Problem {
        Problem(status: 500, code: "internal", title: "Internal error", detail: detail)
    }
}

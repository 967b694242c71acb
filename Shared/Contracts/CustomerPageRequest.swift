import Foundation

/// The input of every "one customer's things, newest first" list: which customer, how many (1 to 100) and where to
/// continue (the previous page's `next_cursor`).
public struct CustomerPageRequest: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "limit", "cursor"]
    public var customerID: UUID
    public var limit: Int?
    public var cursor: String?

    public init(customerID: UUID, limit: Int? = nil, cursor: String? = nil) {
        self.customerID = customerID
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if let cursor, KeysetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case limit, cursor
        case customerID = "customer_id"
    }
}

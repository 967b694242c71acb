import Foundation

public enum ReturnStatus: String, Codable, Sendable, CaseIterable {
    case requested, approved, declined
    case labelIssued = "label_issued"
    case inTransit = "in_transit"
    case received, inspected, resolved, closed, cancelled
}

/// One line of a return: which item and how many.
public struct ReturnLine: Codable, Sendable, Equatable {
    public var sku: String
    public var quantity: Int
    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A return merchandise authorisation (RMA) request.
public struct ReturnRequest: Codable, Sendable, Equatable {
    public var id: UUID
    public var customerID: UUID
    public var orderReference: String
    public var reason: String
    public var status: ReturnStatus
    public var lines: [ReturnLine]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, customerID: UUID, orderReference: String, reason: String, status: ReturnStatus,
        lines: [ReturnLine], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.orderReference = orderReference
        self.reason = reason
        self.status = status
        self.lines = lines
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reason, status, lines
        case customerID = "customer_id"
        case orderReference = "order_reference"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `returns.create`: a customer asks to return items of an order.
public struct CreateReturn: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "order_reference", "reason", "lines"]
    public static let nestedFields: [String: Set<String>] = ["lines": ["sku", "quantity"]]
    public var customerID: UUID
    public var orderReference: String
    public var reason: String
    public var lines: [ReturnLine]

    public init(customerID: UUID, orderReference: String, reason: String, lines: [ReturnLine]) {
        self.customerID = customerID
        self.orderReference = orderReference
        self.reason = reason
        self.lines = lines
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(orderReference, field: "order_reference", max: 64)
        issues += Validate.text(reason, field: "reason", max: 2_000)
        if lines.isEmpty { issues.append(FieldIssue("lines", "must contain at least one line")) }
        if lines.count > 100 { issues.append(FieldIssue("lines", "must contain at most 100 lines")) }
        for (index, line) in lines.enumerated() {
            issues += Validate.text(line.sku, field: "lines[\(index)].sku", max: 64)
            if !(1...10_000).contains(line.quantity) {
                issues.append(FieldIssue("lines[\(index)].quantity", "must be between 1 and 10000"))
            }
        }
        if Set(lines.map(\.sku)).count != lines.count {
            issues.append(FieldIssue("lines", "each sku may appear once; combine quantities"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case reason, lines
        case customerID = "customer_id"
        case orderReference = "order_reference"
    }
}

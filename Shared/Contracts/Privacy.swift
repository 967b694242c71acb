import Foundation

/// The services that take part in an erasure, in the order `customers.erasure_status` reports them.
public enum PrivacyServices {
    public static let all = ["customers", "tickets", "returns", "loyalty"]
    /// The format tag of the export bundle the gateway assembles.
    public static let exportFormat = "concierge.customer-export/1"
    /// What replaces erased free text (ticket subjects and messages, return reasons, timeline summaries).
    public static let tombstone = "[erased]"
}

/// `customers.export_customer`, `tickets.export_customer`, `returns.export_customer`, `loyalty.export_customer`:
/// everything the service holds about one customer.
public struct ExportCustomer: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id"]
    public var customerID: UUID

    public init(customerID: UUID) { self.customerID = customerID }

    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

/// `customers.erase`: replace the customer's personal data with tombstones in every service.
public struct EraseCustomer: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "reason"]
    public var customerID: UUID
    /// Why; `api` when not given.
    public var reason: String?

    public init(customerID: UUID, reason: String? = nil) {
        self.customerID = customerID
        self.reason = reason
    }

    public func validate() -> [FieldIssue] {
        Validate.optionalText(reason, field: "reason", max: 100)
    }

    enum CodingKeys: String, CodingKey {
        case reason
        case customerID = "customer_id"
    }
}

/// An erasure as audited in `customers.erasures`.
public struct CustomerErasure: Codable, Sendable, Equatable {
    public var erasureID: UUID
    public var customerID: UUID
    public var reason: String
    /// The API key id of whoever asked (or the role, for requests from inside the suite).
    public var requestedBy: String
    public var requestedAt: Date

    public init(erasureID: UUID, customerID: UUID, reason: String, requestedBy: String, requestedAt: Date) {
        self.erasureID = erasureID
        self.customerID = customerID
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
    }

    enum CodingKeys: String, CodingKey {
        case reason
        case erasureID = "erasure_id"
        case customerID = "customer_id"
        case requestedBy = "requested_by"
        case requestedAt = "requested_at"
    }
}

/// `customers.erasure_status`: the customer's erasure and which services have applied it.
public struct GetErasureStatus: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id"]
    public var customerID: UUID

    public init(customerID: UUID) { self.customerID = customerID }

    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

/// When each service applied an erasure (null: not yet).
public struct ErasureServices: Codable, Sendable, Equatable {
    public var customers: Date?
    public var tickets: Date?
    public var returns: Date?
    public var loyalty: Date?

    public init(customers: Date? = nil, tickets: Date? = nil, returns: Date? = nil, loyalty: Date? = nil) {
        self.customers = customers
        self.tickets = tickets
        self.returns = returns
        self.loyalty = loyalty
    }

    /// Every service has applied the erasure.
    public var complete: Bool { customers != nil && tickets != nil && returns != nil && loyalty != nil }

    /// Sets the time `service` applied the erasure; unknown service names are ignored.
    public mutating func set(_ service: String, appliedAt: Date) {
        switch service {
        case "customers": customers = appliedAt
        case "tickets": tickets = appliedAt
        case "returns": returns = appliedAt
        case "loyalty": loyalty = appliedAt
        default: break
        }
    }

    enum CodingKeys: String, CodingKey { case customers, tickets, returns, loyalty }

    // Pending services are written as explicit nulls so that callers see all four.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(customers, forKey: .customers)
        try container.encode(tickets, forKey: .tickets)
        try container.encode(returns, forKey: .returns)
        try container.encode(loyalty, forKey: .loyalty)
    }
}

/// The answer to `customers.erasure_status`.
public struct ErasureStatus: Codable, Sendable, Equatable {
    public var erasureID: UUID
    public var customerID: UUID
    public var reason: String
    public var requestedAt: Date
    public var services: ErasureServices
    public var complete: Bool

    public init(erasureID: UUID, customerID: UUID, reason: String, requestedAt: Date, services: ErasureServices) {
        self.erasureID = erasureID
        self.customerID = customerID
        self.reason = reason
        self.requestedAt = requestedAt
        self.services = services
        self.complete = services.complete
    }

    enum CodingKeys: String, CodingKey {
        case reason, services, complete
        case erasureID = "erasure_id"
        case customerID = "customer_id"
        case requestedAt = "requested_at"
    }
}

/// Where a store's data request stands.
public enum DataRequestStatus: String, Codable, Sendable, CaseIterable {
    /// Received; the merchant has not been sent the export yet.
    case open
    /// An admin sent the export to the merchant and marked it done.
    case completed
}

/// A store platform's request for everything held about a customer (Shopify `customers/data_request`).
public struct DataRequest: Codable, Sendable, Equatable {
    public var id: UUID
    public var storeID: UUID
    public var deliveryID: UUID
    /// The customer it concerns, when Concierge knows them.
    public var customerID: UUID?
    public var requestedAt: Date
    public var status: DataRequestStatus
    public var completedAt: Date?
    public var completedBy: String?

    public init(
        id: UUID, storeID: UUID, deliveryID: UUID, customerID: UUID?, requestedAt: Date, status: DataRequestStatus,
        completedAt: Date? = nil, completedBy: String? = nil
    ) {
        self.id = id
        self.storeID = storeID
        self.deliveryID = deliveryID
        self.customerID = customerID
        self.requestedAt = requestedAt
        self.status = status
        self.completedAt = completedAt
        self.completedBy = completedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, status
        case storeID = "store_id"
        case deliveryID = "delivery_id"
        case customerID = "customer_id"
        case requestedAt = "requested_at"
        case completedAt = "completed_at"
        case completedBy = "completed_by"
    }
}

/// `customers.list_data_requests`: data requests, newest first, optionally only those with `status`.
public struct ListDataRequests: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["status", "limit", "cursor"]
    public var status: DataRequestStatus?
    public var limit: Int?
    public var cursor: String?

    public init(status: DataRequestStatus? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.status = status
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if let cursor, KeysetCursor(encoded: cursor) == nil { issues.append(FieldIssue("cursor", "is not a cursor")) }
        return issues
    }
}

/// `customers.complete_data_request`: the merchant was sent the export; the request is done.
public struct CompleteDataRequest: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id"]
    public var id: UUID

    public init(id: UUID) { self.id = id }
}

/// `customers.get_data_request`: one data request by id.
public struct GetDataRequest: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id"]
    public var id: UUID

    public init(id: UUID) { self.id = id }
}

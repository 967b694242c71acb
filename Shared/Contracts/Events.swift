import Foundation

/// The domain events services publish, with their payloads (catalogue: docs/events.md).
public enum EventType {
    public static let customerCreated = "customer.created"
    public static let ticketCreated = "ticket.created"
    public static let ticketSolved = "ticket.solved"
    public static let returnRequested = "return.requested"
    /// A verified store-platform delivery was stored; the `customers.store_sync` consumer applies it.
    public static let storeDeliveryReceived = "store.delivery_received"
    public static let orderCreated = "order.created"
    public static let orderPaid = "order.paid"
    public static let orderFulfilled = "order.fulfilled"
    public static let orderRefunded = "order.refunded"
    public static let orderCancelled = "order.cancelled"
    /// Two customer records turned out to be one person: references to `source` now belong to `target`.
    public static let customerMerged = "customer.merged"
    /// A customer's personal data must be replaced by tombstones everywhere.
    public static let customerErased = "customer.erased"
    /// One service has erased a customer's personal data (the audit trail of an erasure).
    public static let erasureApplied = "privacy.erasure_applied"
}

/// `customer.created` (aggregate `customer`).
public struct CustomerCreated: Codable, Sendable, Equatable {
    public var customerID: UUID
    public var email: String?
    public var name: String?

    public init(customerID: UUID, email: String?, name: String?) {
        self.customerID = customerID
        self.email = email
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case email, name
        case customerID = "customer_id"
    }
}

/// `ticket.created` and `ticket.solved` (aggregate `ticket`).
public struct TicketEvent: Codable, Sendable, Equatable {
    public var ticketID: UUID
    public var number: Int64
    public var customerID: UUID
    public var subject: String
    public var status: TicketStatus
    public var channel: ContactChannel
    public var priority: TicketPriority

    public init(_ ticket: Ticket) {
        ticketID = ticket.id
        number = ticket.number
        customerID = ticket.customerID
        subject = ticket.subject
        status = ticket.status
        channel = ticket.channel
        priority = ticket.priority
    }

    enum CodingKeys: String, CodingKey {
        case number, subject, status, channel, priority
        case ticketID = "ticket_id"
        case customerID = "customer_id"
    }
}

/// `return.requested` (aggregate `return`).
public struct ReturnRequested: Codable, Sendable, Equatable {
    public var returnID: UUID
    public var customerID: UUID
    public var orderReference: String
    public var reason: String
    public var lines: [ReturnLine]

    public init(_ request: ReturnRequest) {
        returnID = request.id
        customerID = request.customerID
        orderReference = request.orderReference
        reason = request.reason
        lines = request.lines
    }

    enum CodingKeys: String, CodingKey {
        case reason, lines
        case returnID = "return_id"
        case customerID = "customer_id"
        case orderReference = "order_reference"
    }
}

/// Any event payload that belongs to one customer.
public struct CustomerScoped: Decodable, Sendable {
    public var customerID: UUID
    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

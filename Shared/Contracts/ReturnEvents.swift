import Foundation

/// The return lifecycle events (aggregate `return`, id = the return id), beside `return.requested`.
///
/// Every one carries a ``ReturnEvent``. Consumers: tickets (a status note on the return's ticket), customers (the
/// timeline) and loyalty (`return.refunded` reverses the points of the refunded lines).
extension EventType {
    public static let returnApproved = "return.approved"
    public static let returnDeclined = "return.declined"
    public static let returnLabelIssued = "return.label_issued"
    public static let returnReceived = "return.received"
    public static let returnInspected = "return.inspected"
    public static let returnRefunded = "return.refunded"
    public static let returnClosed = "return.closed"
    public static let returnCancelled = "return.cancelled"
}

/// One line of a return as its events carry it.
public struct ReturnEventLine: Codable, Sendable, Equatable {
    /// The order line on the store platform (`OrderLine.platformLineID`); nil when the order is not mirrored.
    public var platformLineID: Int64?
    public var sku: String?
    /// Units concerned by this event (requested, received, refunded, ...).
    public var quantity: Int
    /// For `return.refunded`: what these units gave back, in minor units of the event's `refund` currency.
    public var refundMinor: Int64?
    /// The reason code of the line, for example `size.too_small`.
    public var reason: String?
    /// For `return.inspected`: `restock`, `not_restocked`, `damaged` or `missing`.
    public var condition: String?

    public init(
        platformLineID: Int64?, sku: String?, quantity: Int, refundMinor: Int64? = nil, reason: String? = nil,
        condition: String? = nil
    ) {
        self.platformLineID = platformLineID
        self.sku = sku
        self.quantity = quantity
        self.refundMinor = refundMinor
        self.reason = reason
        self.condition = condition
    }

    enum CodingKeys: String, CodingKey {
        case sku, quantity, reason, condition
        case platformLineID = "platform_line_id"
        case refundMinor = "refund_minor"
    }
}

/// The payload of every `return.*` lifecycle event.
public struct ReturnEvent: Codable, Sendable, Equatable {
    public var returnID: UUID
    public var customerID: UUID
    /// The Concierge order id of the mirrored order; nil when the order is not mirrored.
    public var orderID: UUID?
    /// The order number the customer knows (`#1001`) or the free order reference.
    public var orderReference: String
    /// The ticket the return belongs to (every return has one).
    public var ticketID: UUID?
    /// The return's status after the change (`approved`, `refunded` is `resolved`, ...).
    public var status: String
    /// A short human-readable line, for example `Return approved automatically (policy: default)`.
    public var summary: String
    public var lines: [ReturnEventLine]
    /// For `return.refunded`: the total given back by this refund (after fees); nil otherwise.
    public var refund: Money?
    /// For `return.refunded`: `refund`, `store_credit`, `exchange` or `replacement`.
    public var resolution: String?
    /// For `return.refunded`: the refund's id (unique per refund; a key for idempotent consumers).
    public var refundID: UUID?
    /// For `return.declined` and `return.cancelled`: why.
    public var reason: String?

    public init(
        returnID: UUID, customerID: UUID, orderID: UUID?, orderReference: String, ticketID: UUID?, status: String,
        summary: String, lines: [ReturnEventLine], refund: Money? = nil, resolution: String? = nil,
        refundID: UUID? = nil, reason: String? = nil
    ) {
        self.returnID = returnID
        self.customerID = customerID
        self.orderID = orderID
        self.orderReference = orderReference
        self.ticketID = ticketID
        self.status = status
        self.summary = summary
        self.lines = lines
        self.refund = refund
        self.resolution = resolution
        self.refundID = refundID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case status, summary, lines, refund, resolution, reason
        case returnID = "return_id"
        case customerID = "customer_id"
        case orderID = "order_id"
        case orderReference = "order_reference"
        case ticketID = "ticket_id"
        case refundID = "refund_id"
    }
}

extension Operation.Returns {
    /// `returns.return_window`: when the return window of an order closes (loyalty keeps points pending until then).
    public static let returnWindow = "returns.return_window"
}

/// `returns.return_window`: the input.
public struct GetReturnWindow: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["order_id"]
    /// The Concierge order id.
    public var orderID: UUID
    public init(orderID: UUID) { self.orderID = orderID }
    enum CodingKeys: String, CodingKey { case orderID = "order_id" }
}

/// `returns.return_window`: the answer.
public struct ReturnWindow: Codable, Sendable, Equatable {
    public var orderID: UUID
    /// The window of the policy that applies to the order, in days.
    public var windowDays: Int
    /// `delivery` when the window counts from the delivery, `fulfillment` when it fell back to the fulfillment,
    /// nil when the order is neither delivered nor fulfilled yet (the window has not started).
    public var startsFrom: String?
    /// The instant the window closes (the end of its last day in the store's time zone); nil while it has not started.
    public var closesAt: Date?

    public init(orderID: UUID, windowDays: Int, startsFrom: String?, closesAt: Date?) {
        self.orderID = orderID
        self.windowDays = windowDays
        self.startsFrom = startsFrom
        self.closesAt = closesAt
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case windowDays = "window_days"
        case startsFrom = "starts_from"
        case closesAt = "closes_at"
    }
}

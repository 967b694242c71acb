import Foundation

/// The domain events services publish, with their payloads (catalogue: docs/events.md).
public enum EventType {
    public static let customerCreated = "customer.created"
    public static let ticketCreated = "ticket.created"
    public static let ticketSolved = "ticket.solved"
    /// Fields of a ticket changed (`changes` names them): assignment, status, priority, category, tags, ...
    public static let ticketUpdated = "ticket.updated"
    /// A solved (or pending, on-hold) ticket went back to open, by a customer reply or an agent.
    public static let ticketReopened = "ticket.reopened"
    public static let ticketClosed = "ticket.closed"
    /// The ticket was merged into `merged_into`.
    public static let ticketMerged = "ticket.merged"
    /// A public customer message arrived on a ticket (`message_id`).
    public static let ticketCustomerReplied = "ticket.customer_replied"
    /// An agent answered publicly (`message_id`); internal notes publish nothing.
    public static let ticketAgentReplied = "ticket.agent_replied"
    /// A trigger or automation asked for someone to be told about a ticket (`TicketNotification`).
    public static let ticketNotification = "ticket.notification"
    /// A running SLA target passed its near-breach instant (`SLAEvent`).
    public static let ticketSLANearBreach = "ticket.sla_near_breach"
    /// A running SLA target passed its due instant (`SLAEvent`).
    public static let ticketSLABreached = "ticket.sla_breached"
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
    /// A CSAT survey was created for a solved ticket (once per ticket); carries the link a mailer sends.
    public static let csatRequested = "feedback.csat_requested"
    /// A customer answered (or, within the change window, changed) a CSAT survey.
    public static let csatReceived = "feedback.csat_received"
    /// An NPS survey was created for a customer; carries the link a mailer sends.
    public static let npsRequested = "feedback.nps_requested"
    /// A customer answered (or changed) an NPS survey.
    public static let npsReceived = "feedback.nps_received"
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

/// Every `ticket.*` event (aggregate `ticket`): the ticket as it is after the change, with what changed.
public struct TicketEvent: Codable, Sendable, Equatable {
    public var ticketID: UUID
    public var number: Int64
    public var customerID: UUID
    public var subject: String
    public var status: TicketStatus
    public var channel: ContactChannel
    public var priority: TicketPriority
    public var category: String?
    public var assigneeID: UUID?
    public var group: String?
    public var version: Int?
    /// The status before the change (status changes only).
    public var previousStatus: TicketStatus?
    /// The fields that changed (`ticket.updated`).
    public var changes: [String]?
    /// The message that caused it (`ticket.customer_replied`, `ticket.agent_replied`).
    public var messageID: UUID?
    /// The survivor (`ticket.merged`).
    public var mergedInto: UUID?

    public init(
        _ ticket: Ticket, previousStatus: TicketStatus? = nil, changes: [String]? = nil, messageID: UUID? = nil
    ) {
        ticketID = ticket.id
        number = ticket.number
        customerID = ticket.customerID
        subject = ticket.subject
        status = ticket.status
        channel = ticket.channel
        priority = ticket.priority
        category = ticket.category
        assigneeID = ticket.assigneeID
        group = ticket.group
        version = ticket.version
        self.previousStatus = previousStatus
        self.changes = changes
        self.messageID = messageID
        mergedInto = ticket.mergedInto
    }

    enum CodingKeys: String, CodingKey {
        case number, subject, status, channel, priority, category, group, version, changes
        case ticketID = "ticket_id"
        case customerID = "customer_id"
        case assigneeID = "assignee_id"
        case previousStatus = "previous_status"
        case messageID = "message_id"
        case mergedInto = "merged_into"
    }
}

/// `return.requested` (aggregate `return`).
public struct ReturnRequested: Codable, Sendable, Equatable {
    public var returnID: UUID
    public var customerID: UUID
    public var orderReference: String
    public var reason: String
    /// Each line with its `platform_line_id`, reason code and what its units were paid.
    public var lines: [ReturnLine]
    /// The mirrored order (nil when not mirrored).
    public var orderID: UUID?
    /// The ticket the return belongs to.
    public var ticketID: UUID?
    public var reasonCode: String?
    /// `self_service` or `agent`.
    public var channel: String?

    public init(_ request: ReturnRequest) {
        returnID = request.id
        customerID = request.customerID
        orderReference = request.orderReference
        reason = request.reason
        lines = request.lines
        orderID = request.orderID
        ticketID = request.ticketID
        reasonCode = request.reasonCode
        channel = request.channel
    }

    enum CodingKeys: String, CodingKey {
        case reason, lines, channel
        case returnID = "return_id"
        case customerID = "customer_id"
        case orderReference = "order_reference"
        case orderID = "order_id"
        case ticketID = "ticket_id"
        case reasonCode = "reason_code"
    }
}

/// Any event payload that belongs to one customer.
public struct CustomerScoped: Decodable, Sendable {
    public var customerID: UUID
    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

/// `ticket.sla_near_breach` and `ticket.sla_breached` (aggregate `ticket`).
public struct SLAEvent: Codable, Sendable, Equatable {
    public var ticketID: UUID
    public var number: Int64
    public var customerID: UUID
    public var priority: String
    public var assigneeID: UUID?
    public var group: String?
    /// `first_reply`, `next_reply` or `resolution`.
    public var metric: String
    /// The SLA policy's id.
    public var policy: String
    public var dueAt: Date

    public init(
        ticketID: UUID, number: Int64, customerID: UUID, priority: String, assigneeID: UUID?, group: String?,
        metric: String, policy: String, dueAt: Date
    ) {
        self.ticketID = ticketID
        self.number = number
        self.customerID = customerID
        self.priority = priority
        self.assigneeID = assigneeID
        self.group = group
        self.metric = metric
        self.policy = policy
        self.dueAt = dueAt
    }

    enum CodingKeys: String, CodingKey {
        case number, priority, group, metric, policy
        case ticketID = "ticket_id"
        case customerID = "customer_id"
        case assigneeID = "assignee_id"
        case dueAt = "due_at"
    }
}

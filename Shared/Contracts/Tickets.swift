import Foundation

/// Where a query came from.
public enum ContactChannel: String, Codable, Sendable, CaseIterable {
    case email, chat, phone, social
    case webForm = "web_form"
    case selfService = "self_service"
    case api
}

/// A ticket's place in its lifecycle (the full rules arrive with the helpdesk issue).
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new, open, pending
    case onHold = "on_hold"
    case solved, closed, merged
}

public enum TicketPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent
}

/// Who wrote a message.
public enum AuthorType: String, Codable, Sendable, CaseIterable {
    case customer, agent, system
}

/// One message of a ticket's conversation.
public struct TicketMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketID: UUID
    public var authorType: AuthorType
    public var channel: ContactChannel
    public var body: String
    /// Internal notes are visible to agents only.
    public var isPublic: Bool
    public var createdAt: Date

    public init(
        id: UUID, ticketID: UUID, authorType: AuthorType, channel: ContactChannel, body: String, isPublic: Bool,
        createdAt: Date
    ) {
        self.id = id
        self.ticketID = ticketID
        self.authorType = authorType
        self.channel = channel
        self.body = body
        self.isPublic = isPublic
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, body, channel
        case ticketID = "ticket_id"
        case authorType = "author_type"
        case isPublic = "public"
        case createdAt = "created_at"
    }
}

/// A support ticket: one customer query and its conversation.
public struct Ticket: Codable, Sendable, Equatable {
    public var id: UUID
    /// Short human-readable number, unique, increasing.
    public var number: Int64
    public var customerID: UUID
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var channel: ContactChannel
    public var createdAt: Date
    public var updatedAt: Date
    /// Present on single-ticket reads; omitted in lists.
    public var messages: [TicketMessage]?

    public init(
        id: UUID, number: Int64, customerID: UUID, subject: String, status: TicketStatus, priority: TicketPriority,
        channel: ContactChannel, createdAt: Date, updatedAt: Date, messages: [TicketMessage]? = nil
    ) {
        self.id = id
        self.number = number
        self.customerID = customerID
        self.subject = subject
        self.status = status
        self.priority = priority
        self.channel = channel
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case id, number, subject, status, priority, channel, messages
        case customerID = "customer_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.create`: opens a ticket for an existing customer with its first message.
public struct CreateTicket: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "subject", "message", "channel", "priority"]
    public var customerID: UUID
    public var subject: String
    public var message: String
    public var channel: ContactChannel
    public var priority: TicketPriority?

    public init(
        customerID: UUID, subject: String, message: String, channel: ContactChannel, priority: TicketPriority? = nil
    ) {
        self.customerID = customerID
        self.subject = subject
        self.message = message
        self.channel = channel
        self.priority = priority
    }

    public func validate() -> [FieldIssue] {
        Validate.text(subject, field: "subject", max: 250) + Validate.text(message, field: "message", max: 65_536)
    }

    enum CodingKeys: String, CodingKey {
        case subject, message, channel, priority
        case customerID = "customer_id"
    }
}

/// `tickets.list_by_customer`: a customer's tickets, newest first, keyset-paginated.
public typealias ListTicketsByCustomer = CustomerPageRequest

/// `tickets.add_message`: appends a message to a ticket's conversation.
public struct AddTicketMessage: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id", "body", "author_type", "channel", "public"]
    public var ticketID: UUID
    public var body: String
    public var authorType: AuthorType
    public var channel: ContactChannel?
    public var isPublic: Bool?

    public init(
        ticketID: UUID, body: String, authorType: AuthorType, channel: ContactChannel? = nil, isPublic: Bool? = nil
    ) {
        self.ticketID = ticketID
        self.body = body
        self.authorType = authorType
        self.channel = channel
        self.isPublic = isPublic
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(body, field: "body", max: 65_536)
        if authorType == .system { issues.append(FieldIssue("author_type", "must be customer or agent")) }
        if authorType == .customer, isPublic == false {
            issues.append(FieldIssue("public", "customer messages are always public"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case body, channel
        case ticketID = "ticket_id"
        case authorType = "author_type"
        case isPublic = "public"
    }
}

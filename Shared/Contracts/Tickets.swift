import Foundation

/// Where a query came from.
public enum ContactChannel: String, Codable, Sendable, CaseIterable {
    case email, chat, phone, social
    case webForm = "web_form"
    case selfService = "self_service"
    case api
}

/// A ticket's place in its lifecycle (rules: `TicketLifecycle`, docs/architecture.md "Ticket lifecycle").
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    /// Not yet looked at: nobody is assigned. Never returned to.
    case new
    /// Being worked on.
    case open
    /// Waiting for the customer; a customer reply reopens it. The SLA clock is paused.
    case pending
    /// Waiting for someone else (a carrier, the warehouse); a customer reply reopens it. The SLA clock is paused.
    case onHold = "on_hold"
    /// Answered; closes automatically after a while; a customer reply reopens it.
    case solved
    /// Final: immutable except for its tags; a customer reply opens a linked follow-up.
    case closed
    /// Merged into another ticket (`merged_into`); final.
    case merged
}

public enum TicketPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent
}

/// Who wrote a message.
public enum AuthorType: String, Codable, Sendable, CaseIterable {
    case customer, agent, system
}

/// A file attached to a message, as metadata: the file itself lives wherever `url` points.
public struct Attachment: Codable, Sendable, Equatable {
    public var name: String
    public var contentType: String
    public var sizeBytes: Int64
    public var url: String

    public init(name: String, contentType: String, sizeBytes: Int64, url: String) {
        self.name = name
        self.contentType = contentType
        self.sizeBytes = sizeBytes
        self.url = url
    }

    /// Field errors of one attachment (`field` names its place, e.g. `attachments[0]`).
    public func validate(field: String) -> [FieldIssue] {
        var issues = Validate.text(name, field: "\(field).name", max: 255)
        let typeParts = contentType.split(separator: "/")
        if typeParts.count != 2 || contentType.count > 127 || contentType.contains(where: { $0.isWhitespace }) {
            issues.append(FieldIssue("\(field).content_type", "must be a media type such as image/png"))
        }
        if sizeBytes < 0 { issues.append(FieldIssue("\(field).size_bytes", "must be 0 or more")) }
        if url.count > 2048 || !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            issues.append(FieldIssue("\(field).url", "must be an http(s) URL of at most 2048 characters"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case name, url
        case contentType = "content_type"
        case sizeBytes = "size_bytes"
    }
}

/// One message of a ticket's conversation: a public reply (customer or agent), an internal note (agents only), or
/// a system event (a status change, a merge), which is internal too.
public struct TicketMessage: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketID: UUID
    public var authorType: AuthorType
    /// The agent who wrote it (their id), for agent messages.
    public var authorID: String?
    public var channel: ContactChannel
    public var body: String
    /// Internal notes and system events are visible to agents only.
    public var isPublic: Bool
    public var attachments: [Attachment]
    public var createdAt: Date
    /// The email Message-ID: of an inbound email, or generated for an agent's reply on an email ticket.
    public var externalID: String?

    public init(
        id: UUID, ticketID: UUID, authorType: AuthorType, authorID: String? = nil, channel: ContactChannel,
        body: String, isPublic: Bool, attachments: [Attachment] = [], createdAt: Date, externalID: String? = nil
    ) {
        self.id = id
        self.ticketID = ticketID
        self.authorType = authorType
        self.authorID = authorID
        self.channel = channel
        self.body = body
        self.isPublic = isPublic
        self.attachments = attachments
        self.createdAt = createdAt
        self.externalID = externalID
    }

    enum CodingKeys: String, CodingKey {
        case id, body, channel, attachments
        case externalID = "external_id"
        case ticketID = "ticket_id"
        case authorType = "author_type"
        case authorID = "author_id"
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
    /// A slug: `billing`, `delivery`, `returns`, `product`, `account`, `other` or a store's own.
    public var category: String
    /// Why the ticket has its category (the rule that matched, or who set it).
    public var categoryReason: String?
    /// The agent working on it.
    public var assigneeID: UUID?
    /// The team it belongs to (`billing`, `delivery`, ...).
    public var group: String?
    public var tags: [String]
    public var customFields: [String: String]
    /// Skills an agent needs for routing to assign it.
    public var requiredSkills: [String]
    /// The order it is about, as the customer names it (`#1001`).
    public var orderReference: String?
    /// The mirrored order, when known.
    public var orderID: UUID?
    /// Increases with every change; the ETag of the ticket.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var firstReplyAt: Date?
    public var solvedAt: Date?
    public var closedAt: Date?
    /// How often it was reopened after being solved.
    public var reopenCount: Int
    /// The ticket this one was merged into.
    public var mergedInto: UUID?
    /// The closed ticket this one follows up.
    public var followUpOf: UUID?
    /// The ticket whose message this one was split from.
    public var splitFrom: UUID?
    /// Present on single-ticket reads; omitted in lists.
    public var messages: [TicketMessage]?

    public init(
        id: UUID, number: Int64, customerID: UUID, subject: String, status: TicketStatus, priority: TicketPriority,
        channel: ContactChannel, category: String = "other", categoryReason: String? = nil, assigneeID: UUID? = nil,
        group: String? = nil, tags: [String] = [], customFields: [String: String] = [:], requiredSkills: [String] = [],
        orderReference: String? = nil, orderID: UUID? = nil, version: Int = 1, createdAt: Date, updatedAt: Date,
        firstReplyAt: Date? = nil, solvedAt: Date? = nil, closedAt: Date? = nil, reopenCount: Int = 0,
        mergedInto: UUID? = nil, followUpOf: UUID? = nil, splitFrom: UUID? = nil, messages: [TicketMessage]? = nil
    ) {
        self.id = id
        self.number = number
        self.customerID = customerID
        self.subject = subject
        self.status = status
        self.priority = priority
        self.channel = channel
        self.category = category
        self.categoryReason = categoryReason
        self.assigneeID = assigneeID
        self.group = group
        self.tags = tags
        self.customFields = customFields
        self.requiredSkills = requiredSkills
        self.orderReference = orderReference
        self.orderID = orderID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.firstReplyAt = firstReplyAt
        self.solvedAt = solvedAt
        self.closedAt = closedAt
        self.reopenCount = reopenCount
        self.mergedInto = mergedInto
        self.followUpOf = followUpOf
        self.splitFrom = splitFrom
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case id, number, subject, status, priority, channel, category, group, tags, version, messages
        case customerID = "customer_id"
        case categoryReason = "category_reason"
        case assigneeID = "assignee_id"
        case customFields = "custom_fields"
        case requiredSkills = "required_skills"
        case orderReference = "order_reference"
        case orderID = "order_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case firstReplyAt = "first_reply_at"
        case solvedAt = "solved_at"
        case closedAt = "closed_at"
        case reopenCount = "reopen_count"
        case mergedInto = "merged_into"
        case followUpOf = "follow_up_of"
        case splitFrom = "split_from"
    }
}

/// `tickets.create`: opens a ticket for an existing customer with its first message. A `category` given here is
/// kept (reason `set on creation`); without one the ticket is categorised by the rules.
public struct CreateTicket: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "customer_id", "subject", "message", "channel", "priority", "category", "tags", "custom_fields",
        "order_reference", "attachments",
    ]
    public static let nestedFields: [String: Set<String>] = ["attachments": AddTicketMessage.attachmentFields]
    public var customerID: UUID
    public var subject: String
    public var message: String
    public var channel: ContactChannel
    public var priority: TicketPriority?
    public var category: String?
    public var tags: [String]?
    public var customFields: [String: String]?
    public var orderReference: String?
    public var attachments: [Attachment]?

    public init(
        customerID: UUID, subject: String, message: String, channel: ContactChannel, priority: TicketPriority? = nil,
        category: String? = nil, tags: [String]? = nil, customFields: [String: String]? = nil,
        orderReference: String? = nil, attachments: [Attachment]? = nil
    ) {
        self.customerID = customerID
        self.subject = subject
        self.message = message
        self.channel = channel
        self.priority = priority
        self.category = category
        self.tags = tags
        self.customFields = customFields
        self.orderReference = orderReference
        self.attachments = attachments
    }

    public func validate() -> [FieldIssue] {
        var issues =
            Validate.text(subject, field: "subject", max: 250) + Validate.text(message, field: "message", max: 65_536)
        if let category, !Validate.isSlug(category) {
            issues.append(FieldIssue("category", "must be a slug such as billing or delivery"))
        }
        if let tags { issues += Validate.tags(tags) }
        if let customFields { issues += TicketFields.validate(customFields) }
        issues += Validate.optionalText(orderReference, field: "order_reference", max: 64)
        issues += AddTicketMessage.validate(attachments)
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case subject, message, channel, priority, category, tags, attachments
        case customerID = "customer_id"
        case customFields = "custom_fields"
        case orderReference = "order_reference"
    }
}

/// `tickets.list_by_customer`: a customer's tickets, newest first, keyset-paginated.
public typealias ListTicketsByCustomer = CustomerPageRequest

/// `tickets.add_message`: appends a message to a ticket's conversation: a public reply, or (agents only) an internal
/// note with `public: false`. A customer reply reopens a pending, on-hold or solved ticket; on a closed ticket it
/// opens a linked follow-up ticket instead (the reply then belongs to the follow-up).
public struct AddTicketMessage: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id", "body", "author_type", "channel", "public", "attachments"]
    public static let nestedFields: [String: Set<String>] = ["attachments": attachmentFields]
    static let attachmentFields: Set<String> = ["name", "content_type", "size_bytes", "url"]
    public var ticketID: UUID
    public var body: String
    public var authorType: AuthorType
    public var channel: ContactChannel?
    public var isPublic: Bool?
    public var attachments: [Attachment]?

    public init(
        ticketID: UUID, body: String, authorType: AuthorType, channel: ContactChannel? = nil, isPublic: Bool? = nil,
        attachments: [Attachment]? = nil
    ) {
        self.ticketID = ticketID
        self.body = body
        self.authorType = authorType
        self.channel = channel
        self.isPublic = isPublic
        self.attachments = attachments
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(body, field: "body", max: 65_536)
        if authorType == .system { issues.append(FieldIssue("author_type", "must be customer or agent")) }
        if authorType == .customer, isPublic == false {
            issues.append(FieldIssue("public", "customer messages are always public"))
        }
        return issues + Self.validate(attachments)
    }

    /// At most 20 attachments, each valid.
    static func validate(_ attachments: [Attachment]?) -> [FieldIssue] {
        guard let attachments else { return [] }
        if attachments.count > 20 { return [FieldIssue("attachments", "must have at most 20 entries")] }
        return attachments.enumerated().flatMap { index, attachment in
            attachment.validate(field: "attachments[\(index)]")
        }
    }

    enum CodingKeys: String, CodingKey {
        case body, channel, attachments
        case ticketID = "ticket_id"
        case authorType = "author_type"
        case isPublic = "public"
    }
}

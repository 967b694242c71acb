import Foundation

/// What applying a macro changes besides the reply: every given field is set, tags are added.
public struct MacroActions: Codable, Sendable, Equatable {
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var category: String?
    public var group: String?
    public var addTags: [String]?

    public init(
        status: TicketStatus? = nil, priority: TicketPriority? = nil, category: String? = nil, group: String? = nil,
        addTags: [String]? = nil
    ) {
        self.status = status
        self.priority = priority
        self.category = category
        self.group = group
        self.addTags = addTags
    }

    /// Field errors under `field`.
    public func validate(field: String = "actions") -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if status == .new || status == .merged {
            issues.append(FieldIssue("\(field).status", "a macro cannot set new or merged"))
        }
        if let category, !Validate.isSlug(category) { issues.append(FieldIssue("\(field).category", "must be a slug")) }
        if let group, !Validate.isSlug(group) { issues.append(FieldIssue("\(field).group", "must be a slug")) }
        if let addTags { issues += Validate.tags(addTags, field: "\(field).add_tags") }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case status, priority, category, group
        case addTags = "add_tags"
    }
}

/// A canned response: a reply (or internal note) with placeholders, and the changes that usually go with it.
///
/// Placeholders, written `{{name}}`: `customer.name`, `customer.first_name`, `customer.email`, `ticket.number`,
/// `ticket.subject`, `order.number`, `order.tracking_number`, `order.tracking_url`, `order.carrier`, `agent.name`.
/// A value that is not known (no order on the ticket) renders as an empty string, except the `order.*` ones in a
/// macro that needs them: applying it to a ticket without an order is refused, rather than sending "your tracking
/// link: ".
public struct Macro: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var body: String
    /// A public reply (true) or an internal note.
    public var isPublic: Bool
    public var actions: MacroActions
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, body: String, isPublic: Bool, actions: MacroActions, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.body = body
        self.isPublic = isPublic
        self.actions = actions
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The placeholders a macro may use.
    public static let placeholders: Set<String> = [
        "customer.name", "customer.first_name", "customer.email", "ticket.number", "ticket.subject", "order.number",
        "order.tracking_number", "order.tracking_url", "order.carrier", "agent.name",
    ]

    /// The placeholder names in `text`, in order of appearance (`{{ name }}` with optional spaces).
    public static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { break }
            names.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    enum CodingKeys: String, CodingKey {
        case id, name, body, actions
        case isPublic = "public"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.define_macro`: creates or (with `id`) replaces a macro (admin, agent). Unknown placeholders are refused.
public struct DefineMacro: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "name", "body", "public", "actions"]
    public static let nestedFields: [String: Set<String>] = [
        "actions": ["status", "priority", "category", "group", "add_tags"]
    ]
    public var id: UUID?
    public var name: String
    public var body: String
    public var isPublic: Bool?
    public var actions: MacroActions?

    public init(id: UUID? = nil, name: String, body: String, isPublic: Bool? = nil, actions: MacroActions? = nil) {
        self.id = id
        self.name = name
        self.body = body
        self.isPublic = isPublic
        self.actions = actions
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(name, field: "name", max: 200) + Validate.text(body, field: "body", max: 65_536)
        let unknown = Macro.placeholders(in: body).filter { !Macro.placeholders.contains($0) }
        if !unknown.isEmpty {
            issues.append(
                FieldIssue(
                    "body",
                    "unknown placeholders \(unknown.map { "{{\($0)}}" }.joined(separator: ", ")); known: "
                        + Macro.placeholders.sorted().joined(separator: ", ")))
        }
        return issues + (actions?.validate() ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case id, name, body, actions
        case isPublic = "public"
    }
}

/// `tickets.list_macros`: every macro, by name.
public struct ListMacros: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}

/// `tickets.apply_macro`: renders the macro for the ticket, adds it as a message and applies its actions.
public struct ApplyMacro: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id", "macro_id", "agent_id"]
    public var ticketID: UUID
    public var macroID: UUID
    /// The agent applying it (for `{{agent.name}}`); the ticket's assignee when left out.
    public var agentID: UUID?

    public init(ticketID: UUID, macroID: UUID, agentID: UUID? = nil) {
        self.ticketID = ticketID
        self.macroID = macroID
        self.agentID = agentID
    }

    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case macroID = "macro_id"
        case agentID = "agent_id"
    }
}

/// What `tickets.apply_macro` answers: the message it added and the ticket afterwards.
public struct MacroApplied: Codable, Sendable, Equatable {
    public var message: TicketMessage
    public var ticket: Ticket

    public init(message: TicketMessage, ticket: Ticket) {
        self.message = message
        self.ticket = ticket
    }
}

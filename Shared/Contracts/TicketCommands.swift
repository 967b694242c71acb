import Foundation

/// A field of a partial update: left out (keep), `null` (clear) or a new value, as JSON merge patches mean them.
public enum PatchField<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    case keep
    case clear
    case set(Value)

    /// The new value, or nil for `keep` and `clear`.
    public var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    /// Whether the update names this field at all.
    public var isGiven: Bool { self != .keep }
}

extension KeyedDecodingContainer {
    /// Decodes a `PatchField`: missing key is `.keep`, JSON `null` is `.clear`.
    func patch<Value>(_ type: Value.Type, forKey key: Key) throws -> PatchField<Value> {
        guard contains(key) else { return .keep }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(Value.self, forKey: key))
    }
}

/// `tickets.update`: changes the given fields of a ticket under the lifecycle rules (`TicketLifecycle`). With
/// `expected_version` (the gateway's `If-Match`) a ticket changed since is refused with 412 and the current ticket.
/// A closed ticket takes only tag changes.
public struct UpdateTicket: OperationInput, Equatable {
    public static let fields: Set<String> = [
        "ticket_id", "expected_version", "subject", "status", "priority", "category", "assignee_id", "group", "tags",
        "add_tags", "remove_tags", "custom_fields", "order_reference", "required_skills",
    ]
    public var ticketID: UUID
    public var expectedVersion: Int?
    public var subject: String?
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var category: String?
    /// `null` unassigns.
    public var assigneeID: PatchField<UUID>
    /// `null` removes the ticket from its group.
    public var group: PatchField<String>
    /// Replaces every tag.
    public var tags: [String]?
    public var addTags: [String]?
    public var removeTags: [String]?
    /// Merged into the ticket's custom fields; a value of `""` removes that field.
    public var customFields: [String: String]?
    /// `null` clears it.
    public var orderReference: PatchField<String>
    /// Skills an agent needs to be assigned this ticket by routing (replaces the list).
    public var requiredSkills: [String]?

    public init(
        ticketID: UUID, expectedVersion: Int? = nil, subject: String? = nil, status: TicketStatus? = nil,
        priority: TicketPriority? = nil, category: String? = nil, assigneeID: PatchField<UUID> = .keep,
        group: PatchField<String> = .keep, tags: [String]? = nil, addTags: [String]? = nil,
        removeTags: [String]? = nil, customFields: [String: String]? = nil,
        orderReference: PatchField<String> = .keep, requiredSkills: [String]? = nil
    ) {
        self.ticketID = ticketID
        self.requiredSkills = requiredSkills
        self.expectedVersion = expectedVersion
        self.subject = subject
        self.status = status
        self.priority = priority
        self.category = category
        self.assigneeID = assigneeID
        self.group = group
        self.tags = tags
        self.addTags = addTags
        self.removeTags = removeTags
        self.customFields = customFields
        self.orderReference = orderReference
    }

    /// The fields this update names, besides `ticket_id` and `expected_version`.
    public var changedFields: [String] {
        [
            ("subject", subject != nil), ("status", status != nil), ("priority", priority != nil),
            ("category", category != nil), ("assignee_id", assigneeID.isGiven), ("group", group.isGiven),
            ("tags", tags != nil), ("add_tags", addTags != nil), ("remove_tags", removeTags != nil),
            ("custom_fields", customFields != nil), ("order_reference", orderReference.isGiven),
            ("required_skills", requiredSkills != nil),
        ].filter(\.1).map(\.0)
    }

    /// Whether the update only touches tags (all a closed ticket accepts).
    public var onlyTags: Bool {
        Set(changedFields).isSubset(of: ["tags", "add_tags", "remove_tags"])
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let expectedVersion, expectedVersion < 1 { issues.append(FieldIssue("expected_version", "must be >= 1")) }
        issues += Validate.optionalText(subject, field: "subject", max: 250)
        if let category, !Validate.isSlug(category) {
            issues.append(FieldIssue("category", "must be a slug such as billing or delivery"))
        }
        if let group = group.value, !Validate.isSlug(group) {
            issues.append(FieldIssue("group", "must be a slug such as billing or delivery"))
        }
        if status == .merged { issues.append(FieldIssue("status", "use the merge operation to merge tickets")) }
        if tags != nil, addTags != nil || removeTags != nil {
            issues.append(FieldIssue("tags", "give either tags or add_tags/remove_tags"))
        }
        for (field, list) in [("tags", tags), ("add_tags", addTags), ("remove_tags", removeTags)] {
            if let list { issues += Validate.tags(list, field: field) }
        }
        if let customFields { issues += TicketFields.validate(customFields) }
        issues += Validate.slugs(requiredSkills, field: "required_skills")
        if let reference = orderReference.value {
            issues += Validate.text(reference, field: "order_reference", max: 64)
        }
        if changedFields.isEmpty { issues.append(FieldIssue("ticket_id", "name at least one field to change")) }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case subject, status, priority, category, group, tags
        case ticketID = "ticket_id"
        case expectedVersion = "expected_version"
        case assigneeID = "assignee_id"
        case addTags = "add_tags"
        case removeTags = "remove_tags"
        case customFields = "custom_fields"
        case orderReference = "order_reference"
        case requiredSkills = "required_skills"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ticketID = try container.decode(UUID.self, forKey: .ticketID)
        requiredSkills = try container.decodeIfPresent([String].self, forKey: .requiredSkills)
        expectedVersion = try container.decodeIfPresent(Int.self, forKey: .expectedVersion)
        subject = try container.decodeIfPresent(String.self, forKey: .subject)
        status = try container.decodeIfPresent(TicketStatus.self, forKey: .status)
        priority = try container.decodeIfPresent(TicketPriority.self, forKey: .priority)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        assigneeID = try container.patch(UUID.self, forKey: .assigneeID)
        group = try container.patch(String.self, forKey: .group)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
        addTags = try container.decodeIfPresent([String].self, forKey: .addTags)
        removeTags = try container.decodeIfPresent([String].self, forKey: .removeTags)
        customFields = try container.decodeIfPresent([String: String].self, forKey: .customFields)
        orderReference = try container.patch(String.self, forKey: .orderReference)
    }
}

extension UpdateTicket: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ticketID, forKey: .ticketID)
        try container.encodeIfPresent(expectedVersion, forKey: .expectedVersion)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(priority, forKey: .priority)
        try container.encodeIfPresent(category, forKey: .category)
        try Self.encode(assigneeID, .assigneeID, &container)
        try Self.encode(group, .group, &container)
        try container.encodeIfPresent(tags, forKey: .tags)
        try container.encodeIfPresent(addTags, forKey: .addTags)
        try container.encodeIfPresent(removeTags, forKey: .removeTags)
        try container.encodeIfPresent(customFields, forKey: .customFields)
        try Self.encode(orderReference, .orderReference, &container)
        try container.encodeIfPresent(requiredSkills, forKey: .requiredSkills)
    }

    private static func encode<Value>(
        _ field: PatchField<Value>, _ key: CodingKeys, _ container: inout KeyedEncodingContainer<CodingKeys>
    ) throws {
        switch field {
        case .keep: return
        case .clear: try container.encodeNil(forKey: key)
        case .set(let value): try container.encode(value, forKey: key)
        }
    }
}

/// Checks of a ticket's custom fields.
public enum TicketFields {
    /// Keys are slugs (with `_` allowed), values at most 500 characters, at most 50 fields.
    public static func validate(_ fields: [String: String], field: String = "custom_fields") -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if fields.count > 50 { issues.append(FieldIssue(field, "must have at most 50 fields")) }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            if !Validate.isSlug(key.replacingOccurrences(of: "_", with: "-")) {
                issues.append(FieldIssue("\(field).\(key)", "keys must be lower-case letters, digits, - and _"))
            }
            if value.count > 500 || value.contains("\u{0}") {
                issues.append(FieldIssue("\(field).\(key)", "must be at most 500 characters, without NUL"))
            }
        }
        return issues
    }
}

/// `tickets.merge`: merges `source` into `target` (the survivor). The source keeps its conversation, becomes
/// `merged` and points at the target; both get a system note; the target takes the source's tags.
public struct MergeTickets: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["source_ticket_id", "target_ticket_id"]
    public var sourceTicketID: UUID
    public var targetTicketID: UUID

    public init(sourceTicketID: UUID, targetTicketID: UUID) {
        self.sourceTicketID = sourceTicketID
        self.targetTicketID = targetTicketID
    }

    public func validate() -> [FieldIssue] {
        sourceTicketID == targetTicketID
            ? [FieldIssue("source_ticket_id", "a ticket cannot be merged into itself")] : []
    }

    enum CodingKeys: String, CodingKey {
        case sourceTicketID = "source_ticket_id"
        case targetTicketID = "target_ticket_id"
    }
}

/// `tickets.split`: opens a new ticket for the same customer from one message of `ticket_id` (copied, with its
/// attachments, as the new ticket's first message); both tickets get a system note.
public struct SplitTicket: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id", "message_id", "subject"]
    public var ticketID: UUID
    public var messageID: UUID
    /// The new ticket's subject; the original's when left out.
    public var subject: String?

    public init(ticketID: UUID, messageID: UUID, subject: String? = nil) {
        self.ticketID = ticketID
        self.messageID = messageID
        self.subject = subject
    }

    public func validate() -> [FieldIssue] { Validate.optionalText(subject, field: "subject", max: 250) }

    enum CodingKeys: String, CodingKey {
        case subject
        case ticketID = "ticket_id"
        case messageID = "message_id"
    }
}

/// What `tickets.split` answers: the new ticket (with its first message) and the original as it is now.
public struct SplitResult: Codable, Sendable, Equatable {
    public var ticket: Ticket
    public var original: Ticket

    public init(ticket: Ticket, original: Ticket) {
        self.ticket = ticket
        self.original = original
    }
}

/// An agent of the support team: the groups they work in, their skills and how many unsolved tickets routing
/// may give them.
public struct Agent: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var email: String
    public var active: Bool
    public var groups: [String]
    public var skills: [String]
    /// Most unsolved tickets (new, open, pending, on hold) routing assigns them; nil: no limit.
    public var capacity: Int?
    /// Their unsolved tickets now.
    public var load: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, email: String, active: Bool, groups: [String] = [], skills: [String] = [],
        capacity: Int? = nil, load: Int = 0, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.active = active
        self.groups = groups
        self.skills = skills
        self.capacity = capacity
        self.load = load
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, email, active, groups, skills, capacity, load
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.create_agent`: adds an agent (admin). The email is unique.
public struct CreateAgent: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["name", "email", "groups", "skills", "capacity"]
    public var name: String
    public var email: String
    public var groups: [String]?
    public var skills: [String]?
    public var capacity: Int?

    public init(
        name: String, email: String, groups: [String]? = nil, skills: [String]? = nil, capacity: Int? = nil
    ) {
        self.name = name
        self.email = email
        self.groups = groups
        self.skills = skills
        self.capacity = capacity
    }

    public func validate() -> [FieldIssue] {
        Validate.text(name, field: "name", max: 200) + Validate.email(email)
            + Validate.slugs(groups, field: "groups") + Validate.slugs(skills, field: "skills")
            + Validate.capacity(capacity)
    }
}

/// `tickets.update_agent`: renames, activates or deactivates an agent, or changes their groups, skills or capacity
/// (admin). A deactivated agent keeps their tickets but is assigned no new ones; freeing capacity backfills.
public struct UpdateAgent: OperationInput, Equatable {
    public static let fields: Set<String> = ["agent_id", "name", "active", "groups", "skills", "capacity"]
    public var agentID: UUID
    public var name: String?
    public var active: Bool?
    public var groups: [String]?
    public var skills: [String]?
    /// `null` removes the limit.
    public var capacity: PatchField<Int>

    public init(
        agentID: UUID, name: String? = nil, active: Bool? = nil, groups: [String]? = nil, skills: [String]? = nil,
        capacity: PatchField<Int> = .keep
    ) {
        self.agentID = agentID
        self.name = name
        self.active = active
        self.groups = groups
        self.skills = skills
        self.capacity = capacity
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.optionalText(name, field: "name", max: 200)
        issues += Validate.slugs(groups, field: "groups") + Validate.slugs(skills, field: "skills")
        issues += Validate.capacity(capacity.value)
        if name == nil, active == nil, groups == nil, skills == nil, !capacity.isGiven {
            issues.append(FieldIssue("agent_id", "name at least one field to change"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case name, active, groups, skills, capacity
        case agentID = "agent_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try container.decode(UUID.self, forKey: .agentID)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        active = try container.decodeIfPresent(Bool.self, forKey: .active)
        groups = try container.decodeIfPresent([String].self, forKey: .groups)
        skills = try container.decodeIfPresent([String].self, forKey: .skills)
        capacity = try container.patch(Int.self, forKey: .capacity)
    }
}

extension UpdateAgent: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agentID, forKey: .agentID)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(active, forKey: .active)
        try container.encodeIfPresent(groups, forKey: .groups)
        try container.encodeIfPresent(skills, forKey: .skills)
        switch capacity {
        case .keep: break
        case .clear: try container.encodeNil(forKey: .capacity)
        case .set(let value): try container.encode(value, forKey: .capacity)
        }
    }
}

extension Validate {
    /// Optional slugs (groups, skills): at most 50, each a slug.
    public static func slugs(_ values: [String]?, field: String) -> [FieldIssue] {
        guard let values else { return [] }
        if values.count > 50 { return [FieldIssue(field, "must have at most 50 entries")] }
        return values.enumerated().compactMap { index, value in
            isSlug(value) ? nil : FieldIssue("\(field)[\(index)]", "must be a slug such as billing or german")
        }
    }

    /// A capacity: 0 to 10,000 tickets.
    public static func capacity(_ value: Int?) -> [FieldIssue] {
        guard let value else { return [] }
        return (0...10_000).contains(value) ? [] : [FieldIssue("capacity", "must be between 0 and 10000")]
    }
}

/// How a group's new tickets find an agent.
public enum AssignmentMode: String, Codable, Sendable, CaseIterable {
    /// Agents pick tickets themselves.
    case manual
    /// The eligible agent who was assigned least recently.
    case roundRobin = "round_robin"
    /// The eligible agent with the fewest unsolved tickets (ties: least recently assigned).
    case leastLoaded = "least_loaded"
}

/// A team (billing, delivery, returns, ...): where tickets of its categories land and how they are assigned.
public struct TicketGroup: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var assignment: AssignmentMode
    public var categories: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, description: String?, assignment: AssignmentMode, categories: [String], createdAt: Date,
        updatedAt: Date
    ) {
        self.name = name
        self.description = description
        self.assignment = assignment
        self.categories = categories
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, description, assignment, categories
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.define_group`: creates or replaces the group `name` (admin). A category belongs to one group at most.
public struct DefineGroup: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["name", "description", "assignment", "categories"]
    public var name: String
    public var description: String?
    public var assignment: AssignmentMode?
    public var categories: [String]?

    public init(
        name: String, description: String? = nil, assignment: AssignmentMode? = nil, categories: [String]? = nil
    ) {
        self.name = name
        self.description = description
        self.assignment = assignment
        self.categories = categories
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Validate.isSlug(name) { issues.append(FieldIssue("name", "must be a slug such as billing")) }
        return issues + Validate.optionalText(description, field: "description", max: 500)
            + Validate.slugs(categories, field: "categories")
    }
}

/// `tickets.list_groups`: every group, by name (no fields).
public struct ListGroups: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}

/// `tickets.list_agents`: every agent, by name (no fields).
public struct ListAgents: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}

/// The queues agents work from (`tickets.queue`).
public enum TicketView: String, Codable, Sendable, CaseIterable {
    /// Nobody assigned, waiting (new or open), oldest first.
    case unassigned
    /// `agent_id`'s unsolved tickets, oldest first.
    case mine
    /// `group`'s unsolved tickets, oldest first.
    case group
    /// Unsolved tickets with a running SLA target due within `within_minutes` (default 60) or already breached,
    /// soonest due first.
    case breachingSoon = "breaching_soon"
    /// Waiting for the customer (`pending`), oldest first.
    case pendingCustomer = "pending_customer"
    /// Every ticket the filters match, newest first.
    case all
}

/// `tickets.queue`: one page of a view, narrowed by filters (all given ones must hold), keyset-paged.
public struct TicketQueue: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "view", "agent_id", "group", "status", "priority", "category", "channel", "tag", "customer_id",
        "order_reference", "q", "within_minutes", "limit", "cursor",
    ]
    public var view: TicketView
    public var agentID: UUID?
    public var group: String?
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var category: String?
    public var channel: ContactChannel?
    public var tag: String?
    public var customerID: UUID?
    /// An order number as the customer names it (`#1001` or `1001`).
    public var orderReference: String?
    /// Words of the subject or the order reference (web-search syntax).
    public var q: String?
    public var withinMinutes: Int?
    public var limit: Int?
    public var cursor: String?

    public init(
        view: TicketView, agentID: UUID? = nil, group: String? = nil, status: TicketStatus? = nil,
        priority: TicketPriority? = nil, category: String? = nil, channel: ContactChannel? = nil, tag: String? = nil,
        customerID: UUID? = nil, orderReference: String? = nil, q: String? = nil, withinMinutes: Int? = nil,
        limit: Int? = nil, cursor: String? = nil
    ) {
        self.view = view
        self.agentID = agentID
        self.group = group
        self.status = status
        self.priority = priority
        self.category = category
        self.channel = channel
        self.tag = tag
        self.customerID = customerID
        self.orderReference = orderReference
        self.q = q
        self.withinMinutes = withinMinutes
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if view == .mine, agentID == nil { issues.append(FieldIssue("agent_id", "is required for the mine view")) }
        if view == .group, group == nil { issues.append(FieldIssue("group", "is required for the group view")) }
        if let group, !Validate.isSlug(group) { issues.append(FieldIssue("group", "must be a group name")) }
        if let category, !Validate.isSlug(category) { issues.append(FieldIssue("category", "must be a slug")) }
        issues += Validate.optionalText(tag, field: "tag", max: 64)
        issues += Validate.optionalText(orderReference, field: "order_reference", max: 64)
        issues += Validate.optionalText(q, field: "q", max: 200)
        if let withinMinutes, !(1...10_080).contains(withinMinutes) {
            issues.append(FieldIssue("within_minutes", "must be between 1 and 10080"))
        }
        if let cursor, KeysetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case view, group, status, priority, category, channel, tag, q, limit, cursor
        case agentID = "agent_id"
        case customerID = "customer_id"
        case orderReference = "order_reference"
        case withinMinutes = "within_minutes"
    }
}

import Foundation

/// What a condition looks at.
public enum ConditionField: String, Codable, Sendable, CaseIterable {
    case channel, priority, status, category, group, tag, subject
    /// The message that caused the event (created: the first message; customer replied: the reply).
    case message
    /// `none` or `any`, or an agent id.
    case assignee
}

public enum ConditionOperator: String, Codable, Sendable, CaseIterable {
    case `is`
    case isNot = "is_not"
    /// Case-insensitive substring (text fields) or membership (tags).
    case contains
    case notContains = "not_contains"
}

/// One condition of a trigger or an automation; every condition of a rule must hold.
public struct RuleCondition: Codable, Sendable, Equatable {
    public var field: ConditionField
    public var op: ConditionOperator
    public var value: String

    public init(field: ConditionField, op: ConditionOperator, value: String) {
        self.field = field
        self.op = op
        self.value = value
    }

    func validate(field path: String) -> [FieldIssue] {
        var issues = Validate.text(value, field: "\(path).value", max: 500)
        if field == .assignee, op == .contains || op == .notContains {
            issues.append(FieldIssue("\(path).op", "assignee takes is or is_not"))
        }
        return issues
    }
}

/// What a rule does to a matching ticket: set fields, add tags, reply with a macro, notify someone.
public struct RuleActions: Codable, Sendable, Equatable {
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var category: String?
    public var group: String?
    public var assigneeID: UUID?
    public var addTags: [String]?
    /// A macro to reply with (its own actions apply too).
    public var macroID: UUID?
    /// Publishes `ticket.notification` with this text (a mailer or chat integration delivers it).
    public var notify: String?

    public init(
        status: TicketStatus? = nil, priority: TicketPriority? = nil, category: String? = nil, group: String? = nil,
        assigneeID: UUID? = nil, addTags: [String]? = nil, macroID: UUID? = nil, notify: String? = nil
    ) {
        self.status = status
        self.priority = priority
        self.category = category
        self.group = group
        self.assigneeID = assigneeID
        self.addTags = addTags
        self.macroID = macroID
        self.notify = notify
    }

    var isEmpty: Bool {
        status == nil && priority == nil && category == nil && group == nil && assigneeID == nil && addTags == nil
            && macroID == nil && notify == nil
    }

    func validate(field: String = "actions") -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if isEmpty { issues.append(FieldIssue(field, "name at least one action")) }
        if status == .new || status == .merged {
            issues.append(FieldIssue("\(field).status", "a rule cannot set new or merged"))
        }
        if let category, !Validate.isSlug(category) { issues.append(FieldIssue("\(field).category", "must be a slug")) }
        if let group, !Validate.isSlug(group) { issues.append(FieldIssue("\(field).group", "must be a slug")) }
        if let addTags { issues += Validate.tags(addTags, field: "\(field).add_tags") }
        issues += Validate.optionalText(notify, field: "\(field).notify", max: 2000)
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case status, priority, category, group, notify
        case assigneeID = "assignee_id"
        case addTags = "add_tags"
        case macroID = "macro_id"
    }

    static let keys: Set<String> = [
        "status", "priority", "category", "group", "assignee_id", "add_tags", "macro_id", "notify",
    ]
}

/// The ticket events triggers react to.
public enum TriggerEvent: String, Codable, Sendable, CaseIterable {
    case created = "ticket.created"
    case updated = "ticket.updated"
    case customerReplied = "ticket.customer_replied"
}

/// A rule run right after a ticket event, in the same transaction: when every condition holds, the actions apply.
public struct Trigger: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var event: TriggerEvent
    public var conditions: [RuleCondition]
    public var actions: RuleActions
    /// Lower runs first.
    public var position: Int
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, event: TriggerEvent, conditions: [RuleCondition], actions: RuleActions, position: Int,
        active: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.event = event
        self.conditions = conditions
        self.actions = actions
        self.position = position
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, event, conditions, actions, position, active
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.define_trigger`: creates or (with `id`) replaces a trigger (admin).
public struct DefineTrigger: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "name", "event", "conditions", "actions", "position", "active"]
    public static let nestedFields: [String: Set<String>] = [
        "conditions": ["field", "op", "value"], "actions": RuleActions.keys,
    ]
    public var id: UUID?
    public var name: String
    public var event: TriggerEvent
    public var conditions: [RuleCondition]?
    public var actions: RuleActions
    public var position: Int?
    public var active: Bool?

    public init(
        id: UUID? = nil, name: String, event: TriggerEvent, conditions: [RuleCondition]? = nil, actions: RuleActions,
        position: Int? = nil, active: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.event = event
        self.conditions = conditions
        self.actions = actions
        self.position = position
        self.active = active
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(name, field: "name", max: 200) + actions.validate()
        let conditions = self.conditions ?? []
        if conditions.count > 20 { issues.append(FieldIssue("conditions", "must have at most 20 entries")) }
        for (index, condition) in conditions.enumerated() {
            issues += condition.validate(field: "conditions[\(index)]")
        }
        if let position, !(0...10_000).contains(position) {
            issues.append(FieldIssue("position", "must be between 0 and 10000"))
        }
        return issues
    }
}

/// When a time-based automation looks at a ticket.
public enum AutomationWhen: String, Codable, Sendable, CaseIterable {
    /// The ticket has been in `status` for at least `hours`.
    case hoursInStatus = "hours_in_status"
    /// A running SLA target is near breach.
    case slaNearBreach = "sla_near_breach"
    /// A running SLA target is past due.
    case slaBreached = "sla_breached"
}

/// A rule the automation job runs every minute over waiting tickets ("pending for 72 hours: solve", "SLA about
/// to breach: make it urgent"), at most once per ticket and status period (or SLA due instant).
public struct Automation: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var when: AutomationWhen
    public var status: TicketStatus?
    public var hours: Int?
    public var conditions: [RuleCondition]
    public var actions: RuleActions
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, when: AutomationWhen, status: TicketStatus?, hours: Int?, conditions: [RuleCondition],
        actions: RuleActions, active: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.when = when
        self.status = status
        self.hours = hours
        self.conditions = conditions
        self.actions = actions
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, when, status, hours, conditions, actions, active
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `tickets.define_automation`: creates or (with `id`) replaces an automation (admin).
public struct DefineAutomation: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "id", "name", "when", "status", "hours", "conditions", "actions", "active",
    ]
    public static let nestedFields: [String: Set<String>] = [
        "conditions": ["field", "op", "value"], "actions": RuleActions.keys,
    ]
    public var id: UUID?
    public var name: String
    public var when: AutomationWhen
    public var status: TicketStatus?
    public var hours: Int?
    public var conditions: [RuleCondition]?
    public var actions: RuleActions
    public var active: Bool?

    public init(
        id: UUID? = nil, name: String, when: AutomationWhen, status: TicketStatus? = nil, hours: Int? = nil,
        conditions: [RuleCondition]? = nil, actions: RuleActions, active: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.when = when
        self.status = status
        self.hours = hours
        self.conditions = conditions
        self.actions = actions
        self.active = active
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(name, field: "name", max: 200) + actions.validate()
        if when == .hoursInStatus {
            if status == nil || status == .closed || status == .merged {
                issues.append(FieldIssue("status", "hours_in_status needs a status other than closed or merged"))
            }
            if !(1...8760).contains(hours ?? 0) { issues.append(FieldIssue("hours", "must be between 1 and 8760")) }
        }
        for (index, condition) in (conditions ?? []).enumerated() {
            issues += condition.validate(field: "conditions[\(index)]")
        }
        return issues
    }
}

/// `tickets.list_rules`: every trigger and automation.
public struct ListRules: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}

/// What `tickets.list_rules` answers.
public struct Rules: Codable, Sendable, Equatable {
    public var triggers: [Trigger]
    public var automations: [Automation]

    public init(triggers: [Trigger], automations: [Automation]) {
        self.triggers = triggers
        self.automations = automations
    }
}

/// `ticket.notification`: a rule asked for someone to be told about a ticket.
public struct TicketNotification: Codable, Sendable, Equatable {
    public var ticketID: UUID
    public var number: Int64
    public var rule: String
    public var text: String
    public var assigneeID: UUID?
    public var group: String?

    public init(ticketID: UUID, number: Int64, rule: String, text: String, assigneeID: UUID?, group: String?) {
        self.ticketID = ticketID
        self.number = number
        self.rule = rule
        self.text = text
        self.assigneeID = assigneeID
        self.group = group
    }

    enum CodingKeys: String, CodingKey {
        case number, rule, text, group
        case ticketID = "ticket_id"
        case assigneeID = "assignee_id"
    }
}

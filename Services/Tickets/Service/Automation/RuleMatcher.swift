import Contracts
import Foundation

/// Whether a ticket (and the message that caused the event) satisfies a rule's conditions: all must hold; text
/// comparisons ignore case; `tag` with `is`/`contains` means the ticket has the tag.
enum RuleMatcher {
    static func matches(_ conditions: [RuleCondition], ticket: Ticket, message: String?) -> Bool {
        conditions.allSatisfy { holds($0, ticket: ticket, message: message) }
    }

    static func holds(_ condition: RuleCondition, ticket: Ticket, message: String?) -> Bool {
        let value = condition.value.lowercased()
        if condition.field == .tag {
            let has = ticket.tags.contains { $0.lowercased() == value }
            switch condition.op {
            case .is, .contains: return has
            case .isNot, .notContains: return !has
            }
        }
        let actual: String
        switch condition.field {
        case .channel: actual = ticket.channel.rawValue
        case .priority: actual = ticket.priority.rawValue
        case .status: actual = ticket.status.rawValue
        case .category: actual = ticket.category
        case .group: actual = ticket.group ?? "none"
        case .subject: actual = ticket.subject
        case .message: actual = message ?? ""
        case .assignee:
            switch value {
            case "none": return (ticket.assigneeID == nil) == (condition.op == .is)
            case "any": return (ticket.assigneeID != nil) == (condition.op == .is)
            default: actual = ticket.assigneeID?.uuidString ?? "none"
            }
        case .tag: return false
        }
        let text = actual.lowercased()
        switch condition.op {
        case .is: return text == value
        case .isNot: return text != value
        case .contains: return text.contains(value)
        case .notContains: return !text.contains(value)
        }
    }
}

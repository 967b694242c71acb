import Contracts
import Foundation
import ServiceRuntime

/// The `ticket.*` events a change publishes (catalogue: docs/events.md).
enum TicketEvents {
    /// One event of `type` about `ticket`.
    static func event(
        _ type: String, _ ticket: Ticket, previousStatus: TicketStatus? = nil, changes: [String]? = nil,
        messageID: UUID? = nil
    ) throws -> NewEvent {
        try NewEvent(
            type: type, aggregateType: "ticket", aggregateID: ticket.id.uuidString,
            payload: TicketEvent(ticket, previousStatus: previousStatus, changes: changes, messageID: messageID))
    }

    /// What an update from `before` to `after` publishes: `ticket.updated` with the changed fields, then
    /// `ticket.solved`, `ticket.reopened` or `ticket.closed` when the status moved that way.
    static func events(before: Ticket, after: Ticket, changes: [String]) throws -> [NewEvent] {
        let previous = before.status != after.status ? before.status : nil
        var events = [try event(EventType.ticketUpdated, after, previousStatus: previous, changes: changes)]
        guard let previous else { return events }
        if after.status == .solved {
            events.append(try event(EventType.ticketSolved, after, previousStatus: previous))
        } else if after.status == .closed {
            events.append(try event(EventType.ticketClosed, after, previousStatus: previous))
        }
        if TicketLifecycle.isReopen(from: previous, to: after.status) {
            events.append(try event(EventType.ticketReopened, after, previousStatus: previous))
        }
        return events
    }
}

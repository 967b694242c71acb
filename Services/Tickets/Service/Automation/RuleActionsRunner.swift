import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Applies a rule's actions to a ticket through the normal operations (lifecycle rules, events and all), with a
/// system note naming the rule. Rules never set off other triggers: while one applies, `TriggerRunner` stays idle
/// (`RuleScope.applying`), so a trigger cannot loop.
enum RuleActionsRunner {
    /// Applies `actions` of `rule`; `facts` are the ticket's customer and order when the caller knows them.
    static func apply(
        _ actions: RuleActions, rule: String, to ticketID: UUID, facts: TicketFacts? = nil,
        context: OperationContext, on connection: PostgresConnection
    ) async throws {
        try await RuleScope.$applying.withValue(true) {
            let repository = PostgresTicketRepository()
            let logger = context.logger
            let update = UpdateTicket(
                ticketID: ticketID, status: actions.status, priority: actions.priority, category: actions.category,
                assigneeID: actions.assigneeID.map { .set($0) } ?? .keep,
                group: actions.group.map { .set($0) } ?? .keep,
                addTags: actions.addTags)
            if !update.changedFields.isEmpty {
                _ = try await TicketUpdater().update(update, context: context, on: connection)
            }
            if let macroID = actions.macroID {
                _ = try await MacroOperations.apply(
                    ApplyMacro(ticketID: ticketID, macroID: macroID), facts: facts, context: context,
                    on: connection)
            }
            guard let ticket = try await repository.lock(id: ticketID, on: connection, logger: logger) else { return }
            if let text = actions.notify {
                try await context.record(
                    try NewEvent(
                        type: EventType.ticketNotification, aggregateType: "ticket", aggregateID: ticketID.uuidString,
                        payload: TicketNotification(
                            ticketID: ticketID, number: ticket.number, rule: rule, text: text,
                            assigneeID: ticket.assigneeID, group: ticket.group)),
                    on: connection)
            }
            try await repository.note("Rule applied: \(rule)", ticket: ticket, on: connection, logger: logger)
        }
    }
}

/// Whether a rule's actions are being applied in this task (triggers do not run inside them).
enum RuleScope {
    @TaskLocal static var applying = false
}

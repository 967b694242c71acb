import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Runs the active triggers of a ticket event, in order, in the event's transaction. Each trigger sees the ticket as
/// the triggers before it left it; one whose conditions hold applies its actions once. Nothing runs while a rule is
/// applying its actions (no trigger loops).
enum TriggerRunner {
    /// Runs the triggers of `event` for `ticketID`; `message` is the text of the message behind the event.
    static func run(
        _ event: TriggerEvent, ticketID: UUID, message: String?, context: OperationContext,
        on connection: PostgresConnection
    ) async throws {
        guard !RuleScope.applying else { return }
        let logger = context.logger
        let triggers = try await RuleStore().triggers(for: event, on: connection, logger: logger)
        guard !triggers.isEmpty else { return }
        let repository = PostgresTicketRepository()
        for trigger in triggers {
            guard let ticket = try await repository.lock(id: ticketID, on: connection, logger: logger),
                !TicketLifecycle.isFinal(ticket.status) || trigger.actions.status == nil
            else { return }
            guard RuleMatcher.matches(trigger.conditions, ticket: ticket, message: message) else { continue }
            try await RuleActionsRunner.apply(
                trigger.actions, rule: "trigger \(trigger.name)", to: ticketID, context: context, on: connection)
            logger.info("trigger applied", metadata: ["ticket_id": "\(ticketID)", "trigger": "\(trigger.name)"])
        }
    }
}

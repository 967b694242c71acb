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
    /// Runs the triggers of `event` for `ticketID`; `message` is the text of the message behind the event. Returns
    /// whether any trigger applied its actions (the ticket may then have changed). `facts` are the ticket's customer
    /// and order when the caller asked for them before the transaction (macros render with them).
    @discardableResult
    static func run(
        _ event: TriggerEvent, ticketID: UUID, message: String?, facts: TicketFacts? = nil,
        context: OperationContext, on connection: PostgresConnection
    ) async throws -> Bool {
        guard !RuleScope.applying else { return false }
        let logger = context.logger
        let triggers = try await RuleStore().triggers(for: event, on: connection, logger: logger)
        guard !triggers.isEmpty else { return false }
        let repository = PostgresTicketRepository()
        var applied = false
        for trigger in triggers {
            guard let ticket = try await repository.lock(id: ticketID, on: connection, logger: logger),
                !TicketLifecycle.isFinal(ticket.status) || trigger.actions.status == nil
            else { return applied }
            guard RuleMatcher.matches(trigger.conditions, ticket: ticket, message: message) else { continue }
            try await RuleActionsRunner.apply(
                trigger.actions, rule: "trigger \(trigger.name)", to: ticketID, facts: facts, context: context,
                on: connection)
            applied = true
            logger.info("trigger applied", metadata: ["ticket_id": "\(ticketID)", "trigger": "\(trigger.name)"])
        }
        return applied
    }
}

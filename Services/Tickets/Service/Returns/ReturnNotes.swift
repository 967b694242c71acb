import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The `tickets.returns` consumer: every return event becomes an internal note on the return's ticket, so the
/// conversation and the return read as one story.
///
/// Exactly once in effect: the consumer records each applied event in the note's transaction, and a replayed
/// event whose note is already on the ticket (same text, same return event id in `[return-event ...]`) adds
/// nothing. A ticket merged into another takes the note on the ticket it was merged into.
enum ReturnNotes {
    static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.returnRequested) { event, connection, logger in
            let payload = try event.decode(ReturnRequested.self)
            guard let ticketID = payload.ticketID else { return }
            let items = payload.lines.reduce(0) { $0 + $1.quantity }
            let detail = payload.lines.map { line in
                "\(line.quantity) × \(line.title ?? line.sku ?? "item")\(line.reason.map { " (\($0))" } ?? "")"
            }
            let text =
                "Return requested for order \(payload.orderReference): \(items) item\(items == 1 ? "" : "s")"
                + (detail.isEmpty ? "" : " — " + detail.joined(separator: ", "))
            try await note(text, event: event, ticketID: ticketID, on: connection, logger: logger)
        }
        let types = [
            EventType.returnApproved, EventType.returnDeclined, EventType.returnLabelIssued, EventType.returnReceived,
            EventType.returnInspected, EventType.returnRefunded, EventType.returnClosed, EventType.returnCancelled,
        ]
        for type in types {
            handlers.on(type) { event, connection, logger in
                let payload = try event.decode(ReturnEvent.self)
                guard let ticketID = payload.ticketID else { return }
                try await note(payload.summary, event: event, ticketID: ticketID, on: connection, logger: logger)
            }
        }
        return handlers
    }

    static func note(
        _ text: String, event: EventEnvelope, ticketID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let repository = PostgresTicketRepository()
        var ticket = try await repository.lock(id: ticketID, on: connection, logger: logger)
        var hops = 0
        while let current = ticket, current.status == .merged, let target = current.mergedInto, hops < 5 {
            ticket = try await repository.lock(id: target, on: connection, logger: logger)
            hops += 1
        }
        guard let ticket else {
            logger.warning("return event names an unknown ticket", metadata: ["ticket_id": "\(ticketID)"])
            return
        }
        let body = "\(text)\n[return-event \(event.id.uuidString.lowercased())]"
        let rows = try await connection.query(
            "SELECT 1 FROM tickets.messages WHERE ticket_id = \(ticket.id) AND body = \(body) LIMIT 1", logger: logger)
        for try await _ in rows.decode(Int32.self) { return }
        try await repository.note(body, ticket: ticket, on: connection, logger: logger)
    }
}

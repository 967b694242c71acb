import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The tickets service's part in privacy: `tickets.export_customer` and the `tickets.privacy` consumer, which
/// applies `customer.erased` (subjects and message bodies become tombstones, attachments, custom fields and contact addresses go; rows, times, statuses and counts stay,
/// so the KPIs stay right) and `customer.merged` (the source's tickets move to the target).
public enum TicketPrivacy {
    /// Registers `tickets.export_customer` (staff only).
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Tickets.exportCustomer, ExportCustomer.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                let rows = try await connection.query(
                    """
                    SELECT jsonb_build_object('tickets', coalesce((
                        SELECT jsonb_agg(to_jsonb(t) || jsonb_build_object('messages', coalesce((
                                   SELECT jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id)
                                   FROM tickets.messages m WHERE m.ticket_id = t.id), '[]'::jsonb))
                               ORDER BY t.created_at, t.id)
                        FROM tickets.tickets t WHERE t.customer_id = \(input.customerID)), '[]'::jsonb),
                        'kb_deflections', coalesce((
                        SELECT jsonb_agg(to_jsonb(d) ORDER BY d.created_at, d.id)
                        FROM tickets.kb_deflections d WHERE d.customer_id = \(input.customerID)), '[]'::jsonb))::text
                    """, logger: context.logger)
                for try await text in rows.decode(String.self) {
                    return try WireJSON.decoder.decode(JSONDocument.self, from: Data(text.utf8))
                }
                throw Problem.internal("export query returned nothing")
            }
        }
    }

    /// The `tickets.privacy` consumer.
    public static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.customerErased) { event, connection, logger in
            let payload = try event.decode(CustomerErased.self)
            let tombstone = PrivacyServices.tombstone
            try await connection.query(
                """
                UPDATE tickets.messages SET body = \(tombstone), attachments = '[]'::jsonb, sender_address = NULL
                WHERE ticket_id IN (SELECT id FROM tickets.tickets WHERE customer_id = \(payload.customerID))
                """, logger: logger)
            try await connection.query(
                """
                UPDATE tickets.tickets SET subject = \(tombstone), custom_fields = '{}'::jsonb, contact_address = NULL
                WHERE customer_id = \(payload.customerID)
                """,
                logger: logger)
            // A deflection still counts for its article; what the customer typed goes.
            try await connection.query(
                "UPDATE tickets.kb_deflections SET query = NULL WHERE customer_id = \(payload.customerID)",
                logger: logger)
            try await confirm(payload, schema: "tickets", on: connection, logger: logger)
        }
        handlers.on(EventType.customerMerged) { event, connection, logger in
            let payload = try event.decode(CustomerMerged.self)
            try await connection.query(
                """
                UPDATE tickets.tickets SET customer_id = \(payload.targetCustomerID)
                WHERE customer_id = \(payload.sourceCustomerID)
                """, logger: logger)
            try await connection.query(
                """
                UPDATE tickets.kb_deflections SET customer_id = \(payload.targetCustomerID)
                WHERE customer_id = \(payload.sourceCustomerID)
                """, logger: logger)
        }
        return handlers
    }

    /// Records the erasure as applied and, the first time only, appends `privacy.erasure_applied`.
    static func confirm(_ erased: CustomerErased, schema: String, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        let rows = try await connection.query(
            """
            INSERT INTO tickets.erasures (erasure_id, customer_id) VALUES (\(erased.erasureID), \(erased.customerID))
            ON CONFLICT (erasure_id) DO NOTHING RETURNING erasure_id
            """, logger: logger)
        var first = false
        for try await _ in rows.decode(UUID.self) { first = true }
        guard first else { return }
        _ = try await EventStore(source: schema).append(
            NewEvent(
                type: EventType.erasureApplied, aggregateType: "customer", aggregateID: erased.customerID.uuidString,
                payload: ErasureApplied(customerID: erased.customerID, erasureID: erased.erasureID, service: schema)),
            traceparent: nil, on: connection, logger: logger)
        logger.info(
            "erasure applied", metadata: ["customer_id": "\(erased.customerID)", "erasure_id": "\(erased.erasureID)"])
    }
}

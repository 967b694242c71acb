import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The returns service's part in privacy: `returns.export_customer` and the `returns.privacy` consumer, which
/// applies `customer.erased` (free text, photos and the addresses on labels become tombstones; lines, quantities,
/// statuses, refunds and sold lines stay) and `customer.merged` (the source's returns, refunds and sold lines move
/// to the target).
public enum ReturnPrivacy {
    /// Registers `returns.export_customer` (staff only).
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Returns.exportCustomer, ExportCustomer.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                let rows = try await connection.query(
                    """
                    SELECT jsonb_build_object('returns', coalesce((
                        SELECT jsonb_agg((to_jsonb(r) - 'policy') || jsonb_build_object(
                                   'lines', coalesce((
                                       SELECT jsonb_agg(to_jsonb(l) ORDER BY l.line_no)
                                       FROM returns.return_lines l WHERE l.return_id = r.id), '[]'::jsonb),
                                   'history', coalesce((
                                       SELECT jsonb_agg(to_jsonb(t) ORDER BY t.seq)
                                       FROM returns.transitions t WHERE t.return_id = r.id), '[]'::jsonb),
                                   'label', (SELECT to_jsonb(b) FROM returns.labels b WHERE b.return_id = r.id))
                               ORDER BY r.created_at, r.id)
                        FROM returns.returns r WHERE r.customer_id = \(input.customerID)), '[]'::jsonb),
                        'refunds', coalesce((
                            SELECT jsonb_agg(to_jsonb(f) ORDER BY f.created_at, f.id)
                            FROM returns.refunds f WHERE f.customer_id = \(input.customerID)), '[]'::jsonb),
                        'purchases', coalesce((
                            SELECT jsonb_agg(to_jsonb(s) ORDER BY s.sold_at, s.order_id, s.platform_line_id)
                            FROM returns.sold_lines s WHERE s.customer_id = \(input.customerID)), '[]'::jsonb))::text
                    """, logger: context.logger)
                for try await text in rows.decode(String.self) {
                    return try WireJSON.decoder.decode(JSONDocument.self, from: Data(text.utf8))
                }
                throw Problem.internal("export query returned nothing")
            }
        }
    }

    /// The `returns.privacy` consumer.
    public static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.customerErased) { event, connection, logger in
            let payload = try event.decode(CustomerErased.self)
            try await connection.query(
                """
                UPDATE returns.returns SET reason = \(PrivacyServices.tombstone),
                    notes = CASE WHEN notes IS NULL THEN NULL ELSE \(PrivacyServices.tombstone) END,
                    decline_reason = CASE WHEN decline_reason IS NULL THEN NULL ELSE \(PrivacyServices.tombstone) END,
                    cancel_reason = CASE WHEN cancel_reason IS NULL THEN NULL ELSE \(PrivacyServices.tombstone) END,
                    photos = '[]'
                WHERE customer_id = \(payload.customerID)
                """, logger: logger)
            try await connection.query(
                """
                UPDATE returns.transitions t SET note = NULL
                FROM returns.returns r WHERE r.id = t.return_id AND r.customer_id = \(payload.customerID)
                """, logger: logger)
            // Labels print the customer's address: the document goes, the tracking number stays.
            try await connection.query(
                """
                UPDATE returns.labels b SET document = \(PrivacyServices.tombstone), content_type = 'text/plain'
                FROM returns.returns r WHERE r.id = b.return_id AND r.customer_id = \(payload.customerID)
                """, logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO returns.erasures (erasure_id, customer_id)
                VALUES (\(payload.erasureID), \(payload.customerID))
                ON CONFLICT (erasure_id) DO NOTHING RETURNING erasure_id
                """, logger: logger)
            var first = false
            for try await _ in rows.decode(UUID.self) { first = true }
            guard first else { return }
            _ = try await EventStore(source: "returns").append(
                NewEvent(
                    type: EventType.erasureApplied, aggregateType: "customer",
                    aggregateID: payload.customerID.uuidString,
                    payload: ErasureApplied(
                        customerID: payload.customerID, erasureID: payload.erasureID, service: "returns")),
                traceparent: nil, on: connection, logger: logger)
            logger.info(
                "erasure applied",
                metadata: ["customer_id": "\(payload.customerID)", "erasure_id": "\(payload.erasureID)"])
        }
        handlers.on(EventType.customerMerged) { event, connection, logger in
            let payload = try event.decode(CustomerMerged.self)
            try await connection.query(
                """
                UPDATE returns.returns SET customer_id = \(payload.targetCustomerID)
                WHERE customer_id = \(payload.sourceCustomerID)
                """, logger: logger)
            try await connection.query(
                """
                UPDATE returns.refunds SET customer_id = \(payload.targetCustomerID)
                WHERE customer_id = \(payload.sourceCustomerID)
                """, logger: logger)
            try await connection.query(
                """
                UPDATE returns.sold_lines SET customer_id = \(payload.targetCustomerID)
                WHERE customer_id = \(payload.sourceCustomerID)
                """, logger: logger)
        }
        return handlers
    }
}

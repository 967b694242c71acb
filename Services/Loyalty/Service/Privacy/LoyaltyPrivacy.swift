import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The loyalty service's part in privacy: `loyalty.export_customer` and the `loyalty.privacy` consumer.
///
/// `customer.erased`: the ledger holds nothing personal besides the customer id, so the account and its balances
/// stay (totals stay consistent) and the account is marked erased. `customer.merged`: the source account's balances
/// are added to the target's (opened when missing), any ledger entries move with them, and the source account is
/// deleted; `loyalty.merges` makes a replay move nothing twice.
public enum LoyaltyPrivacy {
    /// Registers `loyalty.export_customer` (staff only).
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Loyalty.exportCustomer, ExportCustomer.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                let ledger = try await ledgerTables(on: connection, logger: context.logger)
                let ledgerParts = ledger.map {
                    ", '\($0)', coalesce((SELECT jsonb_agg(to_jsonb(x)) FROM loyalty.\($0) x WHERE x.customer_id = $1), '[]'::jsonb)"
                }.joined()
                let sql = """
                    SELECT jsonb_build_object(
                        'account', (SELECT to_jsonb(a) FROM loyalty.accounts a WHERE a.customer_id = $1),
                        'merges', coalesce((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.applied_at) FROM loyalty.merges m
                                            WHERE m.target_customer_id = $1 OR m.source_customer_id = $1), '[]'::jsonb)
                        \(ledgerParts))::text
                    """
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: sql, binds: try PostgresBindings.values(input.customerID)),
                    logger: context.logger)
                for try await text in rows.decode(String.self) {
                    return try WireJSON.decoder.decode(PrivacyJSON.self, from: Data(text.utf8))
                }
                throw Problem.internal("export query returned nothing")
            }
        }
    }

    /// The `loyalty.privacy` consumer.
    public static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.customerErased) { event, connection, logger in
            let payload = try event.decode(CustomerErased.self)
            try await connection.query(
                """
                UPDATE loyalty.accounts SET erased_at = coalesce(erased_at, now())
                WHERE customer_id = \(payload.customerID)
                """, logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO loyalty.erasures (erasure_id, customer_id)
                VALUES (\(payload.erasureID), \(payload.customerID))
                ON CONFLICT (erasure_id) DO NOTHING RETURNING erasure_id
                """, logger: logger)
            var first = false
            for try await _ in rows.decode(UUID.self) { first = true }
            guard first else { return }
            _ = try await EventStore(source: "loyalty").append(
                NewEvent(
                    type: EventType.erasureApplied, aggregateType: "customer",
                    aggregateID: payload.customerID.uuidString,
                    payload: ErasureApplied(
                        customerID: payload.customerID, erasureID: payload.erasureID, service: "loyalty")),
                traceparent: nil, on: connection, logger: logger)
            logger.info(
                "erasure applied",
                metadata: ["customer_id": "\(payload.customerID)", "erasure_id": "\(payload.erasureID)"])
        }
        handlers.on(EventType.customerMerged) { event, connection, logger in
            let payload = try event.decode(CustomerMerged.self)
            try await merge(payload, on: connection, logger: logger)
        }
        return handlers
    }

    /// Moves the source account into the target once.
    static func merge(_ merged: CustomerMerged, on connection: PostgresConnection, logger: Logger) async throws {
        let (source, target) = (merged.sourceCustomerID, merged.targetCustomerID)
        guard source != target else { return }
        // Claim the merge with the source's balances (zero when it has no account); a replay finds the claim taken.
        let claimed = try await connection.query(
            """
            INSERT INTO loyalty.merges (source_customer_id, target_customer_id, available, pending, lifetime)
            SELECT \(source), \(target), coalesce(max(available), 0), coalesce(max(pending), 0),
                   coalesce(max(lifetime), 0)
            FROM loyalty.accounts WHERE customer_id = \(source)
            ON CONFLICT DO NOTHING
            RETURNING available, pending, lifetime
            """, logger: logger)
        var moved: (Int64, Int64, Int64)?
        for try await row in claimed.decode((Int64, Int64, Int64).self) { moved = row }
        guard let (available, pending, lifetime) = moved else { return }
        try await connection.query(
            """
            INSERT INTO loyalty.accounts (customer_id, available, pending, lifetime)
            VALUES (\(target), \(available), \(pending), \(lifetime))
            ON CONFLICT (customer_id) DO UPDATE
            SET available = loyalty.accounts.available + excluded.available,
                pending = loyalty.accounts.pending + excluded.pending,
                lifetime = loyalty.accounts.lifetime + excluded.lifetime
            """, logger: logger)
        for table in try await ledgerTables(on: connection, logger: logger) {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "UPDATE loyalty.\(table) SET customer_id = $1 WHERE customer_id = $2",
                    binds: try PostgresBindings.values(target, source)),
                logger: logger)
        }
        try await connection.query("DELETE FROM loyalty.accounts WHERE customer_id = \(source)", logger: logger)
        logger.info(
            "loyalty accounts merged",
            metadata: ["source": "\(source)", "target": "\(target)", "available": "\(available)"])
    }

    /// Tables of the loyalty schema besides accounts and this file's own that hold rows per customer (a ledger,
    /// when the loyalty program adds one).
    static func ledgerTables(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            """
            SELECT table_name::text FROM information_schema.columns
            WHERE table_schema = 'loyalty' AND column_name = 'customer_id'
              AND table_name NOT IN ('accounts', 'erasures', 'merges')
            ORDER BY table_name
            """, logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) {
            if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.append(name) }
        }
        return names
    }
}

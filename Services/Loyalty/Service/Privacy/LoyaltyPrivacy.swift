import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The loyalty service's part in privacy: `loyalty.export_customer` and the `loyalty.privacy` consumer.
///
/// `customer.erased`: ledger entries are append-only (a trigger refuses UPDATE and DELETE) and hold nothing
/// personal: the owner is a random customer id whose personal data the customers service tombstones, amounts,
/// accounts and non-personal memos. So the entries stay untouched (totals stay consistent), the account is marked
/// erased, and the free texts an agent typed (goodwill reasons, task summaries) are replaced by tombstones.
/// `customer.merged`: the source's balances move to the target as ledger `transfer` entries (source bucket to
/// `system.transfer`, `system.transfer` to the target's bucket; never an update of an entry), the other per-customer
/// rows move, and the source account is deleted; `loyalty.merges` makes a replay move nothing twice.
public enum LoyaltyPrivacy {
    /// Registers `loyalty.export_customer` (staff only).
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Loyalty.exportCustomer, ExportCustomer.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                let ledger =
                    try await ledgerTables(on: connection, logger: context.logger) + ["entries", "expiry_warnings"]
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
                    return try WireJSON.decoder.decode(JSONDocument.self, from: Data(text.utf8))
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
            try await connection.query(
                "UPDATE loyalty.goodwill_grants SET reason = '[erased]' WHERE customer_id = \(payload.customerID)",
                logger: logger)
            try await connection.query(
                "UPDATE loyalty.tasks SET summary = '[erased]' WHERE customer_id = \(payload.customerID)",
                logger: logger)
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
        let ledger = Ledger()
        let events = LoyaltyEventSink.log(connection, logger)
        var lifetimeLeft = lifetime
        // One pair of transfer entries per non-zero bucket; lifetime travels with the first pair. An owed
        // (negative) available balance moves too: the target takes over the debt.
        for (bucket, amount) in [(LedgerAccount.pending, pending), (LedgerAccount.available, available)]
        where amount != 0 {
            let outward = amount > 0
            let size = abs(amount)
            let base = "merge:\(source):\(target):\(bucket)"
            let out = NewLedgerEntry(
                customerID: source, kind: "transfer", source: "merge", sourceID: target.uuidString,
                from: outward ? bucket : LedgerAccount.transfer, to: outward ? LedgerAccount.transfer : bucket,
                amount: size, key: "\(base):out", lifetimeDelta: -lifetimeLeft, memo: "merged into another record")
            let into = NewLedgerEntry(
                customerID: target, kind: "transfer", source: "merge", sourceID: source.uuidString,
                from: outward ? LedgerAccount.transfer : bucket, to: outward ? bucket : LedgerAccount.transfer,
                amount: size, key: "\(base):in", lifetimeDelta: lifetimeLeft, memo: "merged from another record")
            lifetimeLeft = 0
            _ = try await ledger.post(out, on: connection, logger: logger)
            if let posted = try await ledger.post(into, on: connection, logger: logger) {
                try await events.entry(
                    into, posted,
                    summary:
                        "\(size) \(bucket == LedgerAccount.pending ? "pending" : "available") points \(outward ? "moved in" : "owed taken over") from a merged customer record"
                )
            }
        }
        try await connection.query(
            "INSERT INTO loyalty.accounts (customer_id) VALUES (\(target)) ON CONFLICT DO NOTHING", logger: logger)
        try await connection.query(
            "DELETE FROM loyalty.expiry_warnings WHERE customer_id = \(source)", logger: logger)
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

    /// Tables of the loyalty schema that hold rows per customer and move on a merge: all but the accounts, this
    /// file's own, the append-only entries (moved by transfer entries) and the expiry warnings (dropped).
    static func ledgerTables(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            """
            SELECT table_name::text FROM information_schema.columns
            WHERE table_schema = 'loyalty' AND column_name = 'customer_id'
              AND table_name NOT IN ('accounts', 'erasures', 'merges', 'entries', 'expiry_warnings')
            ORDER BY table_name
            """, logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) {
            if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.append(name) }
        }
        return names
    }
}

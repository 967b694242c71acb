import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Replaces a customer's personal data in the customers schema with tombstones, audits the erasure and records
/// `customer.erased` for the other services, all on the caller's open transaction.
///
/// Kept: the row itself (id, tags, created_at, merge links), order amounts and lines, timeline entries' times and
/// types, so that counts, totals and KPIs stay right. Removed: contact details, names, notes, addresses, identities,
/// order contact fields, store delivery bodies and timeline summaries.
public struct CustomerEraser: Sendable {
    /// Appends one event in the caller's transaction.
    public typealias Record = @Sendable (NewEvent, PostgresConnection) async throws -> Void

    public init() {}

    /// The customer's erasure, if one was made.
    public func existing(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> CustomerErasure?
    {
        let rows = try await connection.query(
            """
            SELECT id, customer_id, reason, requested_by, requested_at FROM customers.erasures
            WHERE customer_id = \(customerID)
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String, String, Date).self) {
            return CustomerErasure(
                erasureID: row.0, customerID: row.1, reason: row.2, requestedBy: row.3, requestedAt: row.4)
        }
        return nil
    }

    /// Erases `customerID` (404 when there is no such customer); erasing an erased customer answers the first
    /// erasure and changes nothing.
    public func erase(
        customerID: UUID, reason: String, requestedBy: String, on connection: PostgresConnection, logger: Logger,
        record: Record
    ) async throws -> CustomerErasure {
        // Lock the row so that two erasures of one customer take turns.
        let locked = try await connection.query(
            "SELECT id FROM customers.customers WHERE id = \(customerID) FOR UPDATE", logger: logger)
        var found = false
        for try await _ in locked.decode(UUID.self) { found = true }
        guard found else { throw Problem.notFound("no customer with id \(customerID)") }
        if let erasure = try await existing(customerID: customerID, on: connection, logger: logger) {
            return erasure
        }
        let erasureID = UUID()
        var erasure: CustomerErasure?
        let rows = try await connection.query(
            """
            INSERT INTO customers.erasures (id, customer_id, reason, requested_by)
            VALUES (\(erasureID), \(customerID), \(reason), \(requestedBy))
            RETURNING id, customer_id, reason, requested_by, requested_at
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String, String, Date).self) {
            erasure = CustomerErasure(
                erasureID: row.0, customerID: row.1, reason: row.2, requestedBy: row.3, requestedAt: row.4)
        }
        guard let erasure else { throw Problem.internal("erasure insert returned nothing") }
        try await tombstone(customerID: customerID, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO customers.erasure_confirmations (erasure_id, service, applied_at)
            VALUES (\(erasureID), 'customers', \(erasure.requestedAt)) ON CONFLICT DO NOTHING
            """, logger: logger)
        let aggregateID = customerID.uuidString
        try await record(
            NewEvent(
                type: EventType.customerErased, aggregateType: "customer", aggregateID: aggregateID,
                payload: CustomerErased(customerID: customerID, erasureID: erasureID, reason: reason)),
            connection)
        try await record(
            NewEvent(
                type: EventType.erasureApplied, aggregateType: "customer", aggregateID: aggregateID,
                payload: ErasureApplied(customerID: customerID, erasureID: erasureID, service: "customers")),
            connection)
        logger.info(
            "customer erased",
            metadata: ["customer_id": "\(customerID)", "erasure_id": "\(erasureID)", "reason": "\(reason)"])
        return erasure
    }

    /// Tombstones the record and everything personal hanging off it (idempotent).
    func tombstone(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        let tombstone = PrivacyServices.tombstone
        try await connection.query(
            """
            UPDATE customers.customers
            SET email = NULL, email_normalized = NULL, name = NULL, first_name = NULL, last_name = NULL, phone = NULL,
                note = NULL, locale = NULL, time_zone = NULL, addresses = '[]', attributes = '{}',
                erased_at = coalesce(erased_at, now()), version = version + 1, updated_at = now()
            WHERE id = \(customerID)
            """, logger: logger)
        try await connection.query(
            "DELETE FROM customers.identities WHERE customer_id = \(customerID)", logger: logger)
        try await connection.query(
            "UPDATE customers.timeline SET summary = \(tombstone) WHERE customer_id = \(customerID)", logger: logger)
        let tables = try await PrivacyTables.existing(on: connection, logger: logger)
        if tables.contains("orders") {
            try await connection.query(
                """
                UPDATE customers.orders
                SET email = NULL, phone = NULL, shipping_address = NULL, billing_address = NULL, updated_at = now()
                WHERE customer_id = \(customerID)
                """, logger: logger)
        }
        if tables.contains("store_deliveries") {
            try await connection.query(
                """
                UPDATE customers.store_deliveries SET body = '{}', outcome = 'redacted'
                WHERE customer_id = \(customerID)
                """, logger: logger)
        }
    }
}

/// Which of the customers schema's optional tables exist (orders and consents come from other migrations); consents
/// count only when they are kept per `customer_id`.
enum PrivacyTables {
    static let optional = [
        "orders", "order_lines", "fulfillments", "refunds", "store_deliveries", "consents", "store_customer_sync",
    ]

    static func existing(on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let rows = try await connection.query(
            """
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = 'customers' AND table_name = ANY(\(optional))
              AND (table_name <> 'consents'
                   OR EXISTS (SELECT 1 FROM information_schema.columns
                              WHERE table_schema = 'customers' AND table_name = 'consents'
                                AND column_name = 'customer_id'))
            """, logger: logger)
        var names: Set<String> = []
        for try await name in rows.decode(String.self) { names.insert(name) }
        return names
    }
}

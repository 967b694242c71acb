import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Applies the store platforms' privacy webhooks (Shopify `customers/data_request`, `customers/redact`,
/// `shop/redact`) on the store-sync transaction.
public enum PrivacyCompliance {
    /// Applies `update` for the delivery `deliveryID` of `storeID` and returns the delivery's outcome (`applied`).
    /// Re-applying the same delivery changes nothing.
    public static func apply(
        _ update: StoreUpdate, storeID: UUID, deliveryID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> String {
        var logger = logger
        logger[metadataKey: "store_id"] = "\(storeID)"
        logger[metadataKey: "delivery_id"] = "\(deliveryID)"
        switch update {
        case .customerDataRequest(let platformCustomerID, let email, let phone, let orderIDs):
            let customerID = try await findCustomer(
                storeID: storeID, platformCustomerID: platformCustomerID, email: email, phone: phone,
                platformOrderIDs: orderIDs, on: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO customers.data_requests (id, store_id, delivery_id, customer_id)
                VALUES (\(UUID()), \(storeID), \(deliveryID), \(customerID))
                ON CONFLICT (delivery_id) DO NOTHING
                """, logger: logger)
            logger.info("data request recorded", metadata: ["customer_id": "\(customerID?.uuidString ?? "unknown")"])
            return "applied"
        case .customerRedact(let platformCustomerID, let email, let phone, let orderIDs):
            guard try await claim(kind: "customer_redact", storeID: storeID, deliveryID: deliveryID, connection, logger)
            else { return "applied" }
            let customerID = try await findCustomer(
                storeID: storeID, platformCustomerID: platformCustomerID, email: email, phone: phone,
                platformOrderIDs: orderIDs, on: connection, logger: logger)
            var erased: [UUID] = []
            if let customerID {
                erased.append(
                    try await erase(customerID, reason: "shopify.customers_redact", on: connection, logger: logger))
            }
            // The named orders lose their contact details even when they belong to no known customer (guests).
            if !orderIDs.isEmpty, try await PrivacyTables.existing(on: connection, logger: logger).contains("orders") {
                try await connection.query(
                    """
                    UPDATE customers.orders
                    SET email = NULL, phone = NULL, shipping_address = NULL, billing_address = NULL, updated_at = now()
                    WHERE store_id = \(storeID) AND platform_order_id = ANY(\(orderIDs))
                    """, logger: logger)
            }
            try await finish(deliveryID: deliveryID, erased: erased, connection, logger)
            logger.info("customer redact applied", metadata: ["erased": "\(erased.count)"])
            return "applied"
        case .shopRedact:
            guard try await claim(kind: "shop_redact", storeID: storeID, deliveryID: deliveryID, connection, logger)
            else { return "applied" }
            var erased: [UUID] = []
            for customerID in try await customersOnlyOf(storeID: storeID, on: connection, logger: logger) {
                erased.append(
                    try await erase(customerID, reason: "shopify.shop_redact", on: connection, logger: logger))
            }
            let tables = try await PrivacyTables.existing(on: connection, logger: logger)
            if tables.contains("orders") {
                try await connection.query(
                    """
                    UPDATE customers.orders
                    SET email = NULL, phone = NULL, shipping_address = NULL, billing_address = NULL, updated_at = now()
                    WHERE store_id = \(storeID)
                    """, logger: logger)
            }
            if tables.contains("store_deliveries") {
                try await connection.query(
                    """
                    UPDATE customers.store_deliveries SET body = '{}', outcome = 'redacted'
                    WHERE store_id = \(storeID) AND id <> \(deliveryID)
                    """, logger: logger)
            }
            try await finish(deliveryID: deliveryID, erased: erased, connection, logger)
            logger.info("shop redact applied", metadata: ["erased": "\(erased.count)"])
            return "applied"
        default:
            throw Problem.internal("PrivacyCompliance.apply got a delivery that is not a privacy webhook")
        }
    }

    /// Records the redaction delivery; false when it was applied before (a replay does nothing).
    private static func claim(
        kind: String, storeID: UUID, deliveryID: UUID, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO customers.redactions (id, store_id, delivery_id, kind)
            VALUES (\(UUID()), \(storeID), \(deliveryID), \(kind))
            ON CONFLICT (delivery_id) DO NOTHING RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    private static func finish(
        deliveryID: UUID, erased: [UUID], _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        try await connection.query(
            "UPDATE customers.redactions SET erased_customer_ids = \(erased) WHERE delivery_id = \(deliveryID)",
            logger: logger)
    }

    /// Erases through `CustomerEraser`, appending the events straight to the log (consumers find them by polling).
    private static func erase(
        _ customerID: UUID, reason: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let store = EventStore(source: CustomersService.schema)
        let erasure = try await CustomerEraser().erase(
            customerID: customerID, reason: reason, requestedBy: "store_platform", on: connection, logger: logger
        ) { event, connection in
            _ = try await store.append(event, traceparent: nil, on: connection, logger: logger)
        }
        return erasure.erasureID
    }

    /// The customer a privacy webhook names: by the platform id scoped to the store, then email, then phone, then
    /// the store's orders it lists. Erased and merged-away records are never matched.
    static func findCustomer(
        storeID: UUID, platformCustomerID: Int64?, email: String?, phone: String?, platformOrderIDs: [Int64],
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID? {
        let scope = storeID.uuidString.lowercased()
        let tables = try await PrivacyTables.existing(on: connection, logger: logger)
        if let platformCustomerID {
            let value = String(platformCustomerID)
            if let id = try await first(
                """
                SELECT i.customer_id FROM customers.identities i JOIN customers.customers c ON c.id = i.customer_id
                WHERE i.kind IN ('shopify', 'woocommerce') AND lower(i.scope) = \(scope) AND i.value = \(value)
                  AND c.erased_at IS NULL
                LIMIT 1
                """, connection, logger)
            {
                return id
            }
            if tables.contains("store_customer_sync"),
                let id = try await first(
                    """
                    SELECT s.customer_id FROM customers.store_customer_sync s
                    JOIN customers.customers c ON c.id = s.customer_id
                    WHERE s.store_id = \(storeID) AND s.platform_customer_id = \(platformCustomerID)
                      AND c.erased_at IS NULL
                    LIMIT 1
                    """, connection, logger)
            {
                return id
            }
        }
        if let email = email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !email.isEmpty,
            let id = try await first(
                """
                SELECT c.id FROM customers.customers c
                WHERE c.erased_at IS NULL AND c.merged_into IS NULL
                  AND (c.email_normalized = \(email)
                       OR c.id IN (SELECT customer_id FROM customers.identities WHERE kind = 'email' AND value = \(email)))
                LIMIT 1
                """, connection, logger)
        {
            return id
        }
        if let phone = phone?.filter({ !$0.isWhitespace }), !phone.isEmpty,
            let id = try await first(
                """
                SELECT c.id FROM customers.customers c
                WHERE c.erased_at IS NULL AND c.merged_into IS NULL
                  AND (c.phone = \(phone)
                       OR c.id IN (SELECT customer_id FROM customers.identities WHERE kind = 'phone' AND value = \(phone)))
                LIMIT 1
                """, connection, logger)
        {
            return id
        }
        if !platformOrderIDs.isEmpty, tables.contains("orders") {
            return try await first(
                """
                SELECT o.customer_id FROM customers.orders o JOIN customers.customers c ON c.id = o.customer_id
                WHERE o.store_id = \(storeID) AND o.platform_order_id = ANY(\(platformOrderIDs))
                  AND c.erased_at IS NULL
                LIMIT 1
                """, connection, logger)
        }
        return nil
    }

    /// Customers linked to this store (an identity scoped to it or one of its orders) and to no other store.
    static func customersOnlyOf(storeID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [UUID]
    {
        let scope = storeID.uuidString.lowercased()
        let tables = try await PrivacyTables.existing(on: connection, logger: logger)
        let hasOrders = tables.contains("orders")
        let hasSync = tables.contains("store_customer_sync")
        let linkedByOrders = hasOrders ? "UNION SELECT customer_id FROM customers.orders WHERE store_id = $2" : ""
        let linkedBySync =
            hasSync ? "UNION SELECT customer_id FROM customers.store_customer_sync WHERE store_id = $2" : ""
        let otherOrders =
            hasOrders
            ? "OR EXISTS (SELECT 1 FROM customers.orders o WHERE o.customer_id = c.id AND o.store_id <> $2)" : ""
        let otherSync =
            hasSync
            ? "OR EXISTS (SELECT 1 FROM customers.store_customer_sync s WHERE s.customer_id = c.id AND s.store_id <> $2)"
            : ""
        let sql = """
            SELECT c.id FROM customers.customers c
            WHERE c.erased_at IS NULL
              AND c.id IN (SELECT customer_id FROM customers.identities WHERE lower(scope) = $1 \(linkedByOrders)
                           \(linkedBySync))
              AND NOT (EXISTS (SELECT 1 FROM customers.identities i
                               WHERE i.customer_id = c.id AND i.scope <> '' AND lower(i.scope) <> $1)
                       \(otherOrders) \(otherSync))
            ORDER BY c.id
            """
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: sql, binds: try PostgresBindings.values(scope, storeID)), logger: logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    private static func first(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> UUID?
    {
        let rows = try await connection.query(query, logger: logger)
        for try await id in rows.decode(UUID?.self) { return id }
        return nil
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Everything the customers schema holds about one customer, as JSON built by PostgreSQL from the rows themselves
/// (so a column added later is exported without a change here).
public struct CustomerExporter: Sendable {
    public init() {}

    /// The export; 404 when there is no such customer.
    public func export(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> JSONDocument
    {
        let tables = try await PrivacyTables.existing(on: connection, logger: logger)
        var parts: [(String, String)] = [
            ("profile", "(SELECT to_jsonb(c) FROM customers.customers c WHERE c.id = $1)"),
            ("identities", Self.list("customers.identities", order: "kind, value")),
            ("timeline", Self.list("customers.timeline", order: "occurred_at, event_id")),
            ("data_requests", Self.list("customers.data_requests", order: "requested_at, id")),
            ("erasures", Self.list("customers.erasures", order: "requested_at")),
        ]
        if tables.contains("consents") { parts.append(("consents", Self.list("customers.consents", order: nil))) }
        if tables.contains("orders") {
            let key = "x.store_id = o.store_id AND x.platform_order_id = o.platform_order_id"
            func nested(_ table: String) -> String {
                tables.contains(table)
                    ? "coalesce((SELECT jsonb_agg(to_jsonb(x)) FROM customers.\(table) x WHERE \(key)), '[]'::jsonb)"
                    : "'[]'::jsonb"
            }
            parts.append(
                (
                    "orders",
                    """
                    coalesce((SELECT jsonb_agg(to_jsonb(o) || jsonb_build_object(
                                  'lines', \(nested("order_lines")), 'fulfillments', \(nested("fulfillments")),
                                  'refunds', \(nested("refunds")))
                              ORDER BY o.placed_at, o.id)
                              FROM customers.orders o WHERE o.customer_id = $1), '[]'::jsonb)
                    """
                ))
        }
        if tables.contains("store_deliveries") {
            parts.append(("store_deliveries", Self.list("customers.store_deliveries", order: "received_at, id")))
        }
        let object = parts.map { "'\($0.0)', \($0.1)" }.joined(separator: ",\n")
        let sql = """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM customers.customers WHERE id = $1)
                        THEN jsonb_build_object(\(object))::text END
            """
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: sql, binds: try PostgresBindings.values(customerID)), logger: logger)
        for try await text in rows.decode(String?.self) {
            guard let text else { break }
            return try WireJSON.decoder.decode(JSONDocument.self, from: Data(text.utf8))
        }
        throw Problem.notFound("no customer with id \(customerID)")
    }

    /// The rows of `table` that belong to the customer, as a JSON array.
    static func list(_ table: String, order: String?) -> String {
        let orderBy = order.map { " ORDER BY \($0)" } ?? ""
        return
            "coalesce((SELECT jsonb_agg(to_jsonb(t)\(orderBy)) FROM \(table) t WHERE t.customer_id = $1), '[]'::jsonb)"
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// Reads whole customer records (profile, identities, stats, segments, consents) in a fixed number of queries per
/// batch, whatever the batch size.
enum CustomerLoader {
    /// The records of `ids` that exist, in the order of `ids`.
    static func load(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws -> [Customer] {
        guard !ids.isEmpty else { return [] }
        var customers: [UUID: Customer] = [:]
        let rows = try await connection.query(
            """
            SELECT id, email, name, phone, first_name, last_name, locale, time_zone, tags, note, attributes::text,
                   addresses::text, merged_into, erased_at, version, created_at, updated_at
            FROM customers.customers WHERE id = ANY(\(ids))
            """, logger: logger)
        let decoder = JSONDecoder()
        for try await row in rows.decode(
            (
                UUID, String?, String?, String?, String?, String?, String?, String?, [String], String?, String, String,
                UUID?, Date?, Int, Date, Date
            ).self)
        {
            let attributes = (try? decoder.decode([String: String].self, from: Data(row.10.utf8))) ?? [:]
            let addresses = (try? decoder.decode([PostalAddress].self, from: Data(row.11.utf8))) ?? []
            customers[row.0] = Customer(
                id: row.0, email: row.1, name: row.2, phone: row.3, firstName: row.4, lastName: row.5, locale: row.6,
                timeZone: row.7, tags: row.8, note: row.9, attributes: attributes, addresses: addresses,
                mergedInto: row.12, erasedAt: row.13, version: row.14, createdAt: row.15, updatedAt: row.16)
        }
        guard !customers.isEmpty else { return [] }
        let found = Array(customers.keys)

        let identities = try await connection.query(
            """
            SELECT customer_id, kind, scope, value FROM customers.identities
            WHERE customer_id = ANY(\(found)) ORDER BY kind, scope, value
            """, logger: logger)
        for try await (customerID, kind, scope, value) in identities.decode((UUID, String, String, String).self) {
            guard let kind = IdentityKind(rawValue: kind) else { continue }
            customers[customerID]?.identities.append(
                CustomerIdentity(kind: kind, value: value, storeID: scope.isEmpty ? nil : UUID(uuidString: scope)))
        }

        for (id, stats) in try await stats(found, on: connection, logger: logger) { customers[id]?.stats = stats }

        let segments = try await connection.query(
            """
            WITH \(unescaped: ProfileSQL.profiles)
            SELECT p.id, s.name FROM profiles p CROSS JOIN customers.segments s
            WHERE p.id = ANY(\(found)) AND \(unescaped: ProfileSQL.matches)
            ORDER BY s.name
            """, logger: logger)
        for try await (id, name) in segments.decode((UUID, String).self) { customers[id]?.segments.append(name) }

        for (id, consents) in try await ConsentStore.current(found, on: connection, logger: logger) {
            customers[id]?.consents = consents
        }
        return ids.compactMap { customers[$0] }
    }

    /// The brief record of `id` (existence, contact, segments) in one statement; nil when unknown.
    static func brief(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> CustomerBrief? {
        let rows = try await connection.query(
            """
            WITH \(unescaped: ProfileSQL.profiles)
            SELECT c.id, c.email, c.name, c.merged_into, c.erased_at,
                   ARRAY(SELECT s.name FROM profiles p CROSS JOIN customers.segments s
                         WHERE p.id = c.id AND \(unescaped: ProfileSQL.matches) ORDER BY s.name)
            FROM customers.customers c WHERE c.id = \(id)
            """, logger: logger)
        for try await row in rows.decode((UUID, String?, String?, UUID?, Date?, [String]).self) {
            return CustomerBrief(
                id: row.0, email: row.1, name: row.2, segments: row.5, mergedInto: row.3, erasedAt: row.4)
        }
        return nil
    }

    /// Order statistics of the customers among `ids` that have counted orders.
    static func stats(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws
        -> [UUID: CustomerStats]
    {
        var result: [UUID: CustomerStats] = [:]
        let rows = try await connection.query(
            """
            WITH \(unescaped: ProfileSQL.profiles)
            SELECT id, order_count, first_at, last_at, recency, frequency, monetary, vip
            FROM profiles WHERE id = ANY(\(ids)) AND order_count > 0
            """, logger: logger)
        for try await row in rows.decode((UUID, Int, Date?, Date?, Int?, Int?, Int?, Bool).self) {
            let rfm: RFMScores? =
                if let recency = row.4, let frequency = row.5, let monetary = row.6 {
                    RFMScores(recency: recency, frequency: frequency, monetary: monetary)
                } else { nil }
            result[row.0] = CustomerStats(
                orderCount: row.1, lifetimeValue: [], firstOrderAt: row.2, lastOrderAt: row.3, rfm: rfm, vip: row.7)
        }
        guard !result.isEmpty else { return result }
        let values = try await connection.query(
            """
            SELECT customer_id, currency, sum(total_minor - refunded_minor)::bigint
            FROM customers.orders
            WHERE customer_id = ANY(\(Array(result.keys))) AND state NOT IN ('cancelled', 'deleted')
            GROUP BY customer_id, currency ORDER BY customer_id, count(*) DESC, 3 DESC, currency
            """, logger: logger)
        for try await (id, currency, amount) in values.decode((UUID, String, Int64).self) {
            result[id]?.lifetimeValue.append(Money(amountMinor: amount, currency: currency))
        }
        return result
    }
}

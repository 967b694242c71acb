import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// `customers.search`: one query over emails (exact or prefix), phones (normalised, exact), order numbers (with or
/// without `#`) and names (case-insensitive, contains); surviving records only, oldest first, keyset-paged on
/// `(created_at, id)`.
enum CustomerSearch {
    static func page(_ input: SearchCustomers, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<Customer>
    {
        let q = input.q.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let limit = input.limit ?? 25
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let prefix = escapeLike(q) + "%"
        let contains = "%" + escapeLike(q) + "%"
        let phone = q.contains(where: \.isNumber) ? IdentityNormalizer.phone(q) : nil
        let bare = q.hasPrefix("#") ? String(q.dropFirst()) : q
        let afterMicros = cursor?.createdAtMicros
        let afterID = cursor?.id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await connection.query(
            """
            SELECT c.id, (extract(epoch FROM c.created_at) * 1000000)::bigint AS micros
            FROM customers.customers c
            WHERE c.merged_into IS NULL AND c.erased_at IS NULL
              AND (\(afterMicros)::bigint IS NULL
                   OR ((extract(epoch FROM c.created_at) * 1000000)::bigint, c.id) > (\(afterMicros), \(afterID)))
              AND (c.email_normalized LIKE \(prefix) ESCAPE '\\'
                   OR EXISTS (SELECT 1 FROM customers.identities i WHERE i.customer_id = c.id AND i.kind = 'email'
                              AND i.value LIKE \(prefix) ESCAPE '\\')
                   OR (\(phone)::text IS NOT NULL
                       AND (c.phone = \(phone)
                            OR EXISTS (SELECT 1 FROM customers.identities i WHERE i.customer_id = c.id
                                       AND i.kind = 'phone' AND i.value = \(phone))))
                   OR EXISTS (SELECT 1 FROM customers.orders o WHERE o.customer_id = c.id
                              AND lower(o.number) IN (\(bare), '#' || \(bare)))
                   OR lower(concat_ws(' ', c.name, c.first_name, c.last_name)) LIKE \(contains) ESCAPE '\\')
            ORDER BY micros, c.id
            LIMIT \(limit + 1)
            """, logger: logger)
        var keys: [(UUID, Int64)] = []
        for try await row in rows.decode((UUID, Int64).self) { keys.append(row) }
        let more = keys.count > limit
        let page = Array(keys.prefix(limit))
        let customers = try await CustomerLoader.load(page.map(\.0), on: connection, logger: logger)
        let next = more ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0).encoded } : nil
        return Page(items: customers, nextCursor: next)
    }

    /// `value` with LIKE's wildcards and escape character escaped.
    static func escapeLike(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "%" || character == "_" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// `customers.segments`: named rules, and who is in them (evaluated in SQL, see `ProfileSQL`).
enum SegmentStore {
    /// Creates or replaces the segment `input.name`.
    static func define(_ input: DefineSegment, on connection: PostgresConnection, logger: Logger) async throws
        -> Segment
    {
        let rule = String(decoding: try JSONEncoder().encode(input.rule), as: UTF8.self)
        let rows = try await connection.query(
            """
            INSERT INTO customers.segments (name, description, rule) VALUES (\(input.name), \(input.description),
                \(rule)::jsonb)
            ON CONFLICT (name) DO UPDATE SET description = excluded.description, rule = excluded.rule,
                updated_at = now()
            RETURNING name, description, rule::text, created_at, updated_at
            """, logger: logger)
        for try await row in rows.decode((String, String?, String, Date, Date).self) {
            logger.info("segment defined", metadata: ["segment": "\(input.name)"])
            return try segment(row)
        }
        throw Problem.internal("the segment was not stored")
    }

    /// Every segment, by name.
    static func list(on connection: PostgresConnection, logger: Logger) async throws -> [Segment] {
        let rows = try await connection.query(
            "SELECT name, description, rule::text, created_at, updated_at FROM customers.segments ORDER BY name",
            logger: logger)
        var result: [Segment] = []
        for try await row in rows.decode((String, String?, String, Date, Date).self) { result.append(try segment(row)) }
        return result
    }

    /// One page of the segment's members, oldest customer first; 404 for an unknown segment.
    static func members(_ input: SegmentMembers, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<Customer>
    {
        let exists = try await connection.query(
            "SELECT 1 FROM customers.segments WHERE name = \(input.name)", logger: logger)
        var found = false
        for try await _ in exists.decode(Int.self) { found = true }
        guard found else { throw Problem.notFound("no segment named \(input.name)") }
        let limit = input.limit ?? 25
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let afterMicros = cursor?.createdAtMicros
        let afterID = cursor?.id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let consented = input.consented?.rawValue
        let rows = try await connection.query(
            """
            WITH \(unescaped: ProfileSQL.profiles)
            SELECT p.id, (extract(epoch FROM p.created_at) * 1000000)::bigint AS micros
            FROM profiles p JOIN customers.segments s ON s.name = \(input.name)
            WHERE \(unescaped: ProfileSQL.matches)
              AND (\(consented)::text IS NULL
                   OR (SELECT c.granted FROM customers.consents c
                       WHERE c.customer_id = p.id AND c.channel = \(consented)::text
                       ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1) IS TRUE)
              AND (\(afterMicros)::bigint IS NULL
                   OR ((extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) > (\(afterMicros), \(afterID)))
            ORDER BY micros, p.id
            LIMIT \(limit + 1)
            """, logger: logger)
        var keys: [(UUID, Int64)] = []
        for try await row in rows.decode((UUID, Int64).self) { keys.append(row) }
        let page = Array(keys.prefix(limit))
        let customers = try await CustomerLoader.load(page.map(\.0), on: connection, logger: logger)
        let next =
            keys.count > limit ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0).encoded } : nil
        return Page(items: customers, nextCursor: next)
    }

    private static func segment(_ row: (String, String?, String, Date, Date)) throws -> Segment {
        let rule = try JSONDecoder().decode(SegmentRule.self, from: Data(row.2.utf8))
        return Segment(name: row.0, description: row.1, rule: rule, createdAt: row.3, updatedAt: row.4)
    }
}

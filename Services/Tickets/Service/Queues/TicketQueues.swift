import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.queue`: the views agents work from, with filters and keyset pagination (docs/architecture.md,
/// "Queues"). Every view is a range of an index (migration 0009), so a page costs the same at a million tickets.
enum TicketQueues {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Tickets.queue, TicketQueue.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { try await page(input, on: $0, logger: context.logger) }
        }
    }

    /// One page of the view.
    static func page(_ input: TicketQueue, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<Ticket>
    {
        let limit = input.limit ?? 25
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let order = input.orderReference.map(Self.bareOrderNumber)
        // `within_minutes` is a validated integer (1...10080), so it can be part of the statement's text.
        let (source, sortColumn, ascending) = Self.shape(input.view, withinMinutes: input.withinMinutes ?? 60)
        let afterMicros = cursor?.createdAtMicros
        let afterID = cursor?.id
        let comparison = ascending ? ">" : "<"
        let direction = ascending ? "ASC" : "DESC"
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresTicketRepository.ticketJSON),
                   (extract(epoch FROM \(unescaped: sortColumn)) * 1000000)::bigint
            FROM \(unescaped: source)
            WHERE \(unescaped: Self.viewCondition(input.view))
              AND (\(input.agentID)::uuid IS NULL OR t.assignee_id = \(input.agentID))
              AND (\(input.group)::text IS NULL OR t.group_name = \(input.group))
              AND (\(input.status?.rawValue)::text IS NULL OR t.status = \(input.status?.rawValue))
              AND (\(input.priority?.rawValue)::text IS NULL OR t.priority = \(input.priority?.rawValue))
              AND (\(input.category)::text IS NULL OR t.category = \(input.category))
              AND (\(input.channel?.rawValue)::text IS NULL OR t.channel = \(input.channel?.rawValue))
              AND (\(input.tag)::text IS NULL OR t.tags @> ARRAY[\(input.tag)::text])
              AND (\(input.customerID)::uuid IS NULL OR t.customer_id = \(input.customerID))
              AND (\(order)::text IS NULL OR lower(t.order_reference) IN (lower(\(order)), '#' || lower(\(order))))
              AND (\(input.q)::text IS NULL OR t.search @@ websearch_to_tsquery('simple', \(input.q)))
              AND (\(afterMicros)::bigint IS NULL
                   OR (\(unescaped: sortColumn), t.id) \(unescaped: comparison)
                      ('epoch'::timestamptz + \(afterMicros) * interval '1 microsecond', \(afterID)))
            ORDER BY \(unescaped: sortColumn) \(unescaped: direction), t.id \(unescaped: direction)
            LIMIT \(limit + 1)
            """, logger: logger)
        var items: [(Ticket, Int64)] = []
        for try await (text, key) in rows.decode((String, Int64).self) {
            items.append((try PostgresTicketRepository.decode(Ticket.self, text), key))
        }
        let page = Array(items.prefix(limit))
        let next =
            items.count > limit ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.id).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// What a view reads from, the column it is ordered by (the raw timestamp, so an index can return the rows in
    /// order and a page reads only its own rows), and whether it is oldest first.
    private static func shape(_ view: TicketView, withinMinutes: Int) -> (String, String, Bool) {
        switch view {
        case .breachingSoon:
            // The soonest running SLA target of each ticket due within the window (or already past it).
            return (
                """
                (SELECT s.ticket_id, min(s.due_at) AS due FROM tickets.sla_targets s
                 WHERE s.phase = 'running' AND s.due_at <= now() + make_interval(mins => \(withinMinutes))
                 GROUP BY s.ticket_id) d JOIN tickets.tickets t ON t.id = d.ticket_id
                """,
                "d.due", true
            )
        case .all:
            return ("tickets.tickets t", "t.created_at", false)
        case .unassigned, .mine, .group, .pendingCustomer:
            return ("tickets.tickets t", "t.created_at", true)
        }
    }

    private static func viewCondition(_ view: TicketView) -> String {
        switch view {
        case .unassigned: return "t.assignee_id IS NULL AND t.status IN ('new', 'open')"
        case .mine, .group, .breachingSoon: return "t.status IN \(AgentStore.unsolved)"
        case .pendingCustomer: return "t.status = 'pending'"
        case .all: return "true"
        }
    }

    /// `#1001` and `1001` name the same order.
    static func bareOrderNumber(_ reference: String) -> String {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
    }
}

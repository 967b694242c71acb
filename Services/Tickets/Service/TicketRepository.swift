import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and writes tickets and messages in the `tickets` schema, on the caller's connection.
public struct PostgresTicketRepository: Sendable {
    public init() {}

    typealias TicketRow = (UUID, Int64, UUID, String, String, String, String, Date, Date)
    static let ticketColumns = "id, number, customer_id, subject, status, priority, channel, created_at, updated_at"

    /// Creates a ticket with its first (customer) message.
    public func create(_ input: CreateTicket, on connection: PostgresConnection, logger: Logger) async throws -> Ticket
    {
        let id = UUID()
        let priority = (input.priority ?? .normal).rawValue
        let channel = input.channel.rawValue
        let rows = try await connection.query(
            """
            INSERT INTO tickets.tickets (id, customer_id, subject, status, priority, channel)
            VALUES (\(id), \(input.customerID), \(input.subject), 'new', \(priority), \(channel))
            RETURNING id, number, customer_id, subject, status, priority, channel, created_at, updated_at
            """, logger: logger)
        guard var ticket = try await Self.first(rows) else { throw Problem.internal("ticket insert returned nothing") }
        let message = try await insertMessage(
            ticketID: id, authorType: .customer, channel: input.channel, body: input.message, isPublic: true,
            on: connection, logger: logger)
        ticket.messages = [message]
        return ticket
    }

    /// One ticket with its conversation (internal notes only for staff).
    public func find(id: UUID, includeInternal: Bool, on connection: PostgresConnection, logger: Logger) async throws
        -> Ticket?
    {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.ticketColumns) FROM tickets.tickets WHERE id = $1",
                binds: try PostgresBindings.values(id)),
            logger: logger)
        guard var ticket = try await Self.first(rows) else { return nil }
        let messages = try await connection.query(
            """
            SELECT id, ticket_id, author_type, channel, body, public, created_at FROM tickets.messages
            WHERE ticket_id = \(id) AND (public OR \(includeInternal)) ORDER BY created_at, id
            """, logger: logger)
        var list: [TicketMessage] = []
        for try await row in messages.decode((UUID, UUID, String, String, String, Bool, Date).self) {
            list.append(try Self.message(row))
        }
        ticket.messages = list
        return ticket
    }

    /// The ticket row locked for update within the caller's transaction (no messages).
    public func lock(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Ticket? {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.ticketColumns) FROM tickets.tickets WHERE id = $1 FOR UPDATE",
                binds: try PostgresBindings.values(id)),
            logger: logger)
        return try await Self.first(rows)
    }

    /// Sets a locked ticket's status and returns it as stored.
    public func setStatus(_ status: TicketStatus, of ticket: Ticket, on connection: PostgresConnection, logger: Logger)
        async throws -> Ticket
    {
        let name = status.rawValue
        let rows = try await connection.query(
            """
            UPDATE tickets.tickets SET status = \(name), updated_at = now() WHERE id = \(ticket.id)
            RETURNING id, number, customer_id, subject, status, priority, channel, created_at, updated_at
            """, logger: logger)
        guard let updated = try await Self.first(rows) else { throw Problem.notFound("no ticket with id \(ticket.id)") }
        return updated
    }

    /// A page of a customer's tickets, newest first.
    public func list(
        customerID: UUID, limit: Int, after cursor: KeysetCursor?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<Ticket> {
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.ticketColumns), (extract(epoch FROM created_at) * 1000000)::bigint
                    FROM tickets.tickets
                    WHERE customer_id = $1
                      AND (created_at, id) < (CASE WHEN $2 = \(Int64.max) THEN 'infinity'::timestamptz
                                                   ELSE 'epoch'::timestamptz + $2 * interval '1 microsecond' END, $3)
                    ORDER BY created_at DESC, id DESC
                    LIMIT $4
                    """,
                binds: try PostgresBindings.values(customerID, afterMicros, afterID, limit + 1)),
            logger: logger)
        var items: [(Ticket, Int64)] = []
        for try await row in rows.decode((UUID, Int64, UUID, String, String, String, String, Date, Date, Int64).self) {
            items.append((try Self.ticket((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8)), row.9))
        }
        let hasMore = items.count > limit
        let page = Array(items.prefix(limit))
        let next = hasMore ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.id).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// Appends a message and touches the ticket.
    public func addMessage(
        _ input: AddTicketMessage, ticket: Ticket, on connection: PostgresConnection, logger: Logger
    ) async throws -> TicketMessage {
        let message = try await insertMessage(
            ticketID: ticket.id, authorType: input.authorType, channel: input.channel ?? ticket.channel,
            body: input.body, isPublic: input.isPublic ?? true, on: connection, logger: logger)
        try await connection.query(
            "UPDATE tickets.tickets SET updated_at = now() WHERE id = \(ticket.id)", logger: logger)
        return message
    }

    private func insertMessage(
        ticketID: UUID, authorType: AuthorType, channel: ContactChannel, body: String, isPublic: Bool,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> TicketMessage {
        let id = UUID()
        let author = authorType.rawValue
        let channelName = channel.rawValue
        let rows = try await connection.query(
            """
            INSERT INTO tickets.messages (id, ticket_id, author_type, channel, body, public)
            VALUES (\(id), \(ticketID), \(author), \(channelName), \(body), \(isPublic))
            RETURNING id, ticket_id, author_type, channel, body, public, created_at
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String, String, String, Bool, Date).self) {
            return try Self.message(row)
        }
        throw Problem.internal("message insert returned nothing")
    }

    static func first(_ rows: PostgresRowSequence) async throws -> Ticket? {
        for try await row in rows.decode(TicketRow.self) { return try ticket(row) }
        return nil
    }

    static func ticket(_ row: TicketRow) throws -> Ticket {
        guard let status = TicketStatus(rawValue: row.4), let priority = TicketPriority(rawValue: row.5),
            let channel = ContactChannel(rawValue: row.6)
        else { throw Problem.internal("ticket \(row.0) has an unknown status, priority or channel") }
        return Ticket(
            id: row.0, number: row.1, customerID: row.2, subject: row.3, status: status, priority: priority,
            channel: channel, createdAt: row.7, updatedAt: row.8)
    }

    static func message(_ row: (UUID, UUID, String, String, String, Bool, Date)) throws -> TicketMessage {
        guard let author = AuthorType(rawValue: row.2), let channel = ContactChannel(rawValue: row.3) else {
            throw Problem.internal("message \(row.0) has an unknown author or channel")
        }
        return TicketMessage(
            id: row.0, ticketID: row.1, authorType: author, channel: channel, body: row.4, isPublic: row.5,
            createdAt: row.6)
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and writes tickets and messages in the `tickets` schema, on the caller's connection.
///
/// Rows are read as JSON built in SQL (`ticketJSON`, `messageJSON`) and decoded into the contracts, so the column
/// list lives in one place per type.
public struct PostgresTicketRepository: Sendable {
    public init() {}

    /// A ticket row `t` as the `Ticket` contract's JSON.
    static let ticketJSON = """
        jsonb_build_object(
            'id', t.id, 'number', t.number, 'customer_id', t.customer_id, 'subject', t.subject, 'status', t.status,
            'priority', t.priority, 'channel', t.channel, 'category', t.category,
            'category_reason', t.category_reason, 'assignee_id', t.assignee_id, 'group', t.group_name,
            'tags', to_jsonb(t.tags), 'custom_fields', t.custom_fields, 'required_skills', to_jsonb(t.required_skills),
            'order_reference', t.order_reference,
            'order_id', t.order_id, 'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at,
            'first_reply_at', t.first_agent_reply_at, 'solved_at', t.solved_at, 'closed_at', t.closed_at,
            'reopen_count', t.reopen_count, 'merged_into', t.merged_into, 'follow_up_of', t.follow_up_of,
            'split_from', t.split_from)::text
        """

    /// A message row `m` as the `TicketMessage` contract's JSON.
    static let messageJSON = """
        jsonb_build_object(
            'id', m.id, 'ticket_id', m.ticket_id, 'author_type', m.author_type, 'author_id', m.author_id,
            'channel', m.channel, 'body', m.body, 'public', m.public, 'attachments', m.attachments,
            'created_at', m.created_at, 'external_id', m.external_id)::text
        """

    /// Creates a ticket with its first (customer) message; `customerSegments` are the customer's segments now (for
    /// SLA policies by segment).
    public func create(
        _ input: CreateTicket, category: String, categoryReason: String?, orderID: UUID?,
        customerSegments: [String] = [], on connection: PostgresConnection, logger: Logger
    ) async throws -> Ticket {
        let id = UUID()
        let priority = (input.priority ?? .normal).rawValue
        let channel = input.channel.rawValue
        let tags = Self.uniqueTags(input.tags ?? [])
        let fields = try Self.json(input.customFields ?? [:])
        let rows = try await connection.query(
            """
            INSERT INTO tickets.tickets AS t
                (id, customer_id, subject, status, priority, channel, category, category_reason, tags, custom_fields,
                 order_reference, order_id, customer_segments, last_customer_message_at)
            VALUES (\(id), \(input.customerID), \(input.subject), 'new', \(priority), \(channel), \(category),
                    \(categoryReason), \(tags), \(fields)::jsonb, \(input.orderReference), \(orderID),
                    \(customerSegments), now())
            RETURNING \(unescaped: Self.ticketJSON)
            """, logger: logger)
        guard var ticket = try await Self.first(rows) else { throw Problem.internal("ticket insert returned nothing") }
        let message = try await insertMessage(
            ticketID: id, authorType: .customer, authorID: nil, channel: input.channel, body: input.message,
            isPublic: true, attachments: input.attachments ?? [], on: connection, logger: logger)
        ticket.messages = [message]
        return ticket
    }

    /// The customer segments `ticketID` was opened with (follow-ups and split-off tickets keep them).
    public func customerSegments(of ticketID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [String]
    {
        let rows = try await connection.query(
            "SELECT customer_segments FROM tickets.tickets WHERE id = \(ticketID)", logger: logger)
        for try await segments in rows.decode([String].self) { return segments }
        return []
    }

    /// One ticket with its conversation (internal notes and system events only for staff).
    public func find(id: UUID, includeInternal: Bool, on connection: PostgresConnection, logger: Logger) async throws
        -> Ticket?
    {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.ticketJSON) FROM tickets.tickets t WHERE t.id = \(id)", logger: logger)
        guard var ticket = try await Self.first(rows) else { return nil }
        ticket.messages = try await messages(of: id, includeInternal: includeInternal, on: connection, logger: logger)
        return ticket
    }

    /// The conversation of a ticket, oldest first.
    public func messages(of ticketID: UUID, includeInternal: Bool, on connection: PostgresConnection, logger: Logger)
        async throws -> [TicketMessage]
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.messageJSON) FROM tickets.messages m
            WHERE m.ticket_id = \(ticketID) AND (m.public OR \(includeInternal)) ORDER BY m.created_at, m.id
            """, logger: logger)
        var list: [TicketMessage] = []
        for try await text in rows.decode(String.self) { list.append(try Self.decode(TicketMessage.self, text)) }
        return list
    }

    /// One message of a ticket, or nil.
    public func message(id: UUID, ticketID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> TicketMessage?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.messageJSON) FROM tickets.messages m
            WHERE m.id = \(id) AND m.ticket_id = \(ticketID)
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(TicketMessage.self, text) }
        return nil
    }

    /// The ticket row locked for update within the caller's transaction (no messages).
    public func lock(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Ticket? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.ticketJSON) FROM tickets.tickets t WHERE t.id = \(id) FOR UPDATE", logger: logger)
        return try await Self.first(rows)
    }

    /// Writes every mutable field of `ticket` (a locked ticket changed by the caller), bumps its version and
    /// `updated_at`, and returns it as stored.
    public func save(_ ticket: Ticket, on connection: PostgresConnection, logger: Logger) async throws -> Ticket {
        let fields = try Self.json(ticket.customFields)
        let rows = try await connection.query(
            """
            UPDATE tickets.tickets AS t SET
                subject = \(ticket.subject), status = \(ticket.status.rawValue), priority = \(ticket.priority.rawValue),
                category = \(ticket.category), category_reason = \(ticket.categoryReason),
                assignee_id = \(ticket.assigneeID), group_name = \(ticket.group), tags = \(ticket.tags),
                custom_fields = \(fields)::jsonb, required_skills = \(ticket.requiredSkills),
                order_reference = \(ticket.orderReference), order_id = \(ticket.orderID),
                solved_at = \(ticket.solvedAt), closed_at = \(ticket.closedAt), reopen_count = \(ticket.reopenCount),
                merged_into = \(ticket.mergedInto), version = t.version + 1, updated_at = now()
            WHERE t.id = \(ticket.id)
            RETURNING \(unescaped: Self.ticketJSON)
            """, logger: logger)
        guard let saved = try await Self.first(rows) else { throw Problem.notFound("no ticket with id \(ticket.id)") }
        return saved
    }

    /// Stamps the first public agent reply and the last customer message (for SLAs and KPIs), without a version bump.
    func stampReply(ticketID: UUID, author: AuthorType, on connection: PostgresConnection, logger: Logger) async throws
    {
        switch author {
        case .agent:
            try await connection.query(
                """
                UPDATE tickets.tickets SET first_agent_reply_at = coalesce(first_agent_reply_at, now())
                WHERE id = \(ticketID)
                """, logger: logger)
        case .customer:
            try await connection.query(
                "UPDATE tickets.tickets SET last_customer_message_at = now() WHERE id = \(ticketID)", logger: logger)
        case .system:
            return
        }
    }

    /// Links a new ticket to the one it follows up or was split from.
    func link(
        _ ticketID: UUID, followUpOf: UUID? = nil, splitFrom: UUID? = nil, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Ticket {
        let rows = try await connection.query(
            """
            UPDATE tickets.tickets AS t SET follow_up_of = coalesce(\(followUpOf), t.follow_up_of),
                split_from = coalesce(\(splitFrom), t.split_from)
            WHERE t.id = \(ticketID)
            RETURNING \(unescaped: Self.ticketJSON)
            """, logger: logger)
        guard let ticket = try await Self.first(rows) else { throw Problem.notFound("no ticket with id \(ticketID)") }
        return ticket
    }

    /// A page of a customer's tickets, newest first.
    public func list(
        customerID: UUID, limit: Int, after cursor: KeysetCursor?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<Ticket> {
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.ticketJSON), (extract(epoch FROM t.created_at) * 1000000)::bigint
            FROM tickets.tickets t
            WHERE t.customer_id = \(customerID)
              AND (t.created_at, t.id) < (CASE WHEN \(afterMicros) = \(Int64.max) THEN 'infinity'::timestamptz
                                          ELSE 'epoch'::timestamptz + \(afterMicros) * interval '1 microsecond' END,
                                          \(afterID))
            ORDER BY t.created_at DESC, t.id DESC
            LIMIT \(limit + 1)
            """, logger: logger)
        var items: [(Ticket, Int64)] = []
        for try await (text, micros) in rows.decode((String, Int64).self) {
            items.append((try Self.decode(Ticket.self, text), micros))
        }
        let hasMore = items.count > limit
        let page = Array(items.prefix(limit))
        let next = hasMore ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.id).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// Appends a message and touches the ticket (no version bump: a message is not an edit of the ticket).
    public func addMessage(
        _ input: AddTicketMessage, authorID: String?, ticket: Ticket, on connection: PostgresConnection, logger: Logger
    ) async throws -> TicketMessage {
        let message = try await insertMessage(
            ticketID: ticket.id, authorType: input.authorType, authorID: authorID,
            channel: input.channel ?? ticket.channel, body: input.body, isPublic: input.isPublic ?? true,
            attachments: input.attachments ?? [], on: connection, logger: logger)
        try await connection.query(
            "UPDATE tickets.tickets SET updated_at = now() WHERE id = \(ticket.id)", logger: logger)
        if message.isPublic {
            try await stampReply(ticketID: ticket.id, author: input.authorType, on: connection, logger: logger)
        }
        return message
    }

    /// Appends a system event to the conversation (internal, author `system`).
    func note(_ text: String, ticket: Ticket, on connection: PostgresConnection, logger: Logger) async throws {
        _ = try await insertMessage(
            ticketID: ticket.id, authorType: .system, authorID: nil, channel: ticket.channel, body: text,
            isPublic: false, attachments: [], on: connection, logger: logger)
    }

    func insertMessage(
        ticketID: UUID, authorType: AuthorType, authorID: String?, channel: ContactChannel, body: String,
        isPublic: Bool, attachments: [Attachment], copiedFrom: UUID? = nil, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> TicketMessage {
        let id = UUID()
        let files = try Self.json(attachments)
        let rows = try await connection.query(
            """
            INSERT INTO tickets.messages AS m
                (id, ticket_id, author_type, author_id, channel, body, public, attachments, copied_from)
            VALUES (\(id), \(ticketID), \(authorType.rawValue), \(authorID), \(channel.rawValue), \(body), \(isPublic),
                    \(files)::jsonb, \(copiedFrom))
            RETURNING \(unescaped: Self.messageJSON)
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(TicketMessage.self, text) }
        throw Problem.internal("message insert returned nothing")
    }

    static func first(_ rows: PostgresRowSequence) async throws -> Ticket? {
        for try await text in rows.decode(String.self) { return try decode(Ticket.self, text) }
        return nil
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try WireJSON.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw Problem.internal("a stored \(T.self) could not be read: \(error)")
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encoder.encode(value), as: UTF8.self)
    }

    /// Tags trimmed, without blanks and duplicates (case-insensitive), in their first order.
    static func uniqueTags(_ tags: [String]) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for tag in tags {
            let trimmed = tag.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, seen.insert(trimmed.lowercased()).inserted { result.append(trimmed) }
        }
        return result
    }
}

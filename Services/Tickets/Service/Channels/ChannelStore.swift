import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The channels' own SQL: Message-IDs on messages, the inbound email log, a ticket's contact details.
struct ChannelStore: Sendable {
    /// What the first delivery of a Message-ID did.
    struct Inbound: Sendable {
        var outcome: ChannelOutcome
        var ticketID: UUID
        var messageID: UUID
        var customerID: UUID
    }

    /// Serialises the deliveries of one Message-ID until the caller's transaction ends.
    func lock(messageID: String, on connection: PostgresConnection, logger: Logger) async throws {
        let key = "concierge.inbound_email:\(messageID)"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: logger)
    }

    /// The recorded delivery of `messageID`, if any (the customer is the ticket's current one).
    func inbound(messageID: String, on connection: PostgresConnection, logger: Logger) async throws -> Inbound? {
        let rows = try await connection.query(
            """
            SELECT e.outcome, e.ticket_id, e.ticket_message_id, t.customer_id
            FROM tickets.inbound_emails e JOIN tickets.tickets t ON t.id = e.ticket_id
            WHERE e.message_id = \(messageID)
            """, logger: logger)
        for try await (outcome, ticketID, messageID, customerID) in rows.decode((String, UUID, UUID, UUID).self) {
            return Inbound(
                outcome: ChannelOutcome(rawValue: outcome) ?? .created, ticketID: ticketID, messageID: messageID,
                customerID: customerID)
        }
        return nil
    }

    /// Records what a delivery did.
    func recordInbound(
        messageID: String, outcome: ChannelOutcome, message: TicketMessage, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO tickets.inbound_emails (message_id, outcome, ticket_id, ticket_message_id)
            VALUES (\(messageID), \(outcome.rawValue), \(message.ticketID), \(message.id))
            """, logger: logger)
    }

    /// The author of the stored message with this Message-ID, if one exists (an agent's reply coming back is a mail
    /// loop).
    func author(ofExternalID externalID: String, on connection: PostgresConnection, logger: Logger) async throws
        -> AuthorType?
    {
        let rows = try await connection.query(
            "SELECT author_type FROM tickets.messages WHERE external_id = \(externalID)", logger: logger)
        for try await author in rows.decode(String.self) { return AuthorType(rawValue: author) }
        return nil
    }

    /// The ticket of the first of `references` (most relevant first) that a stored message carries.
    func ticket(referencedBy references: [String], on connection: PostgresConnection, logger: Logger) async throws
        -> UUID?
    {
        guard !references.isEmpty else { return nil }
        let rows = try await connection.query(
            """
            SELECT m.ticket_id FROM tickets.messages m
            WHERE m.external_id = ANY(\(references))
            ORDER BY array_position(\(references), m.external_id), m.created_at
            LIMIT 1
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// The first of `numbers` that is a ticket of `customerID`.
    func ticket(numbers: [Int64], customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> UUID?
    {
        guard !numbers.isEmpty else { return nil }
        let rows = try await connection.query(
            """
            SELECT t.id FROM tickets.tickets t
            WHERE t.number = ANY(\(numbers)) AND t.customer_id = \(customerID)
            ORDER BY array_position(\(numbers), t.number)
            LIMIT 1
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Locks ticket `id`, following merges to the surviving ticket.
    func lockFollowingMerges(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Ticket? {
        let repository = PostgresTicketRepository()
        var ticket = try await repository.lock(id: id, on: connection, logger: logger)
        var hops = 0
        while let current = ticket, current.status == .merged, let target = current.mergedInto, hops < 10 {
            ticket = try await repository.lock(id: target, on: connection, logger: logger)
            hops += 1
        }
        return ticket
    }

    /// Stores the Message-ID and sender address of an inbound email on its message.
    func markInbound(
        _ message: TicketMessage, externalID: String, sender: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> TicketMessage {
        try await connection.query(
            """
            UPDATE tickets.messages SET external_id = \(externalID), sender_address = \(sender)
            WHERE id = \(message.id)
            """, logger: logger)
        var marked = message
        marked.externalID = externalID
        return marked
    }

    /// Gives a public agent reply on an email ticket its own Message-ID (`<ticket-1234-<uuid>@concierge>`), so that
    /// the customer's answer to it threads back onto the ticket. Other messages are returned unchanged.
    static func stampOutgoing(
        _ message: TicketMessage, ticket: Ticket, on connection: PostgresConnection, logger: Logger
    ) async throws -> TicketMessage {
        guard message.authorType == .agent, message.isPublic, message.channel == .email else { return message }
        let externalID = EmailRules.outgoingMessageID(ticketNumber: ticket.number, messageID: message.id)
        try await connection.query(
            "UPDATE tickets.messages SET external_id = \(externalID) WHERE id = \(message.id)", logger: logger)
        var stamped = message
        stamped.externalID = externalID
        return stamped
    }

    /// Records where a new ticket's contact came from.
    func setContact(
        ticketID: UUID, socialNetwork: SocialNetwork?, address: String?, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE tickets.tickets SET social_network = \(socialNetwork?.rawValue), contact_address = \(address)
            WHERE id = \(ticketID)
            """, logger: logger)
    }
}

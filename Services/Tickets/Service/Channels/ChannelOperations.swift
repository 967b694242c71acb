import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.receive_email` and `tickets.receive_contact`: queries arriving on email, phone, social networks, web
/// forms and chat (rules: docs/architecture.md "Channels").
///
/// The contact is matched to its customer through `customers.resolve_contact` in the command's `prepare`, before the
/// transaction opens (no connection waits on another service), together with the order a contact names; both are
/// handed to the transaction as a `ChannelSender`. Without a broker client (unit tests of one service) that
/// resolution cannot happen and the request is a 503 `customers_unreachable`.
enum ChannelOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(
            Operation.Tickets.receiveEmail, ReceiveEmail.self, status: 200,
            prepare: { input, context in
                try context.requireStaff()
                return try await prepare(input, database: database, context: context)
            }
        ) { input, sender, context, connection in
            try context.requireStaff()
            return try await receive(input, from: sender, context: context, on: connection)
        }

        router.command(
            Operation.Tickets.receiveContact, ReceiveContact.self, status: 200,
            prepare: { input, context in
                try context.requireStaff()
                let resolved = try await resolve(input.resolveContact, context: context, suffix: "resolve_contact")
                return ChannelSender(
                    resolved: resolved,
                    order: await TicketFacts.findOrder(
                        reference: input.orderReference, email: resolved.customer.email, context: context))
            }
        ) { input, sender, context, connection in
            try context.requireStaff()
            return try await receive(input, from: sender, context: context, on: connection)
        }
    }

    // MARK: Email

    /// Before the transaction: resolves the sender unless the email needs no customer (an auto-reply, a duplicate, a
    /// loop, or a reply that threads by its references).
    private static func prepare(_ email: ReceiveEmail, database: Database, context: OperationContext) async throws
        -> ChannelSender?
    {
        if automaticReason(email) != nil { return nil }
        let messageID = EmailRules.normalizedMessageID(email.messageID)
        let references = EmailRules.threadReferences(inReplyTo: email.inReplyTo, references: email.references)
        let store = ChannelStore()
        let known = try await database.withConnection { connection in
            if try await store.inbound(messageID: messageID, on: connection, logger: context.logger) != nil {
                return true
            }
            if try await store.author(ofExternalID: messageID, on: connection, logger: context.logger) != nil {
                return true
            }
            return try await store.ticket(referencedBy: references, on: connection, logger: context.logger) != nil
        }
        if known { return nil }
        return ChannelSender(
            resolved: try await resolve(
                ResolveContact(email: email.from, name: email.fromName), context: context, suffix: "resolve_sender"),
            order: nil)
    }

    private static func automaticReason(_ email: ReceiveEmail) -> String? {
        EmailRules.automaticReason(from: email.from, subject: email.subject, headers: email.headers ?? [:])
    }

    private static func receive(
        _ email: ReceiveEmail, from sender: ChannelSender?, context: OperationContext, on connection: PostgresConnection
    ) async throws -> ChannelReceipt {
        let logger = context.logger
        let store = ChannelStore()
        if let reason = automaticReason(email) {
            logger.info("inbound email ignored", metadata: ["reason": "\(reason)"])
            return ChannelReceipt(outcome: .ignored, reason: reason)
        }
        let messageID = EmailRules.normalizedMessageID(email.messageID)
        try await store.lock(messageID: messageID, on: connection, logger: logger)
        if let first = try await store.inbound(messageID: messageID, on: connection, logger: logger) {
            return ChannelReceipt(
                outcome: .duplicate, ticketID: first.ticketID, messageID: first.messageID,
                customerID: first.customerID, originalOutcome: first.outcome)
        }
        if let author = try await store.author(ofExternalID: messageID, on: connection, logger: logger) {
            return ChannelReceipt(
                outcome: .ignored,
                reason: author == .agent ? "our own reply came back (mail loop)" : "this Message-ID is stored already")
        }
        let body = EmailRules.body(text: email.text, html: email.html)
        let address = email.from.trimmingCharacters(in: .whitespaces).lowercased()
        let references = EmailRules.threadReferences(inReplyTo: email.inReplyTo, references: email.references)
        let resolved = sender?.resolved
        var thread: Ticket?
        if let id = try await store.ticket(referencedBy: references, on: connection, logger: logger) {
            thread = try await store.lockFollowingMerges(id, on: connection, logger: logger)
        } else if let customer = resolved?.customer,
            let id = try await store.ticket(
                numbers: EmailRules.ticketNumbers(inSubject: email.subject), customerID: customer.id, on: connection,
                logger: logger)
        {
            thread = try await store.lockFollowingMerges(id, on: connection, logger: logger)
        }
        let receipt: ChannelReceipt
        var message: TicketMessage
        if let thread {
            (receipt, message) = try await append(
                AddTicketMessage(
                    ticketID: thread.id, body: body, authorType: .customer, channel: .email,
                    attachments: email.attachments), to: thread, created: resolved?.created, context: context,
                on: connection)
        } else {
            guard let sender else {
                throw Problem.serviceUnavailable(
                    "the sender could not be matched to a customer; retry", code: "customers_unreachable")
            }
            let create = CreateTicket(
                customerID: sender.resolved.customer.id, subject: EmailRules.ticketSubject(email.subject),
                message: body, channel: .email, attachments: email.attachments)
            (receipt, message) = try await open(
                create, sender: sender, socialNetwork: nil, address: address, context: context, on: connection)
        }
        message = try await store.markInbound(
            message, externalID: messageID, sender: address, on: connection, logger: logger)
        try await store.recordInbound(
            messageID: messageID, outcome: receipt.outcome, message: message, on: connection, logger: logger)
        logger.info(
            "inbound email received",
            metadata: ["outcome": "\(receipt.outcome.rawValue)", "ticket_id": "\(receipt.ticketID?.uuidString ?? "")"])
        return receipt
    }

    // MARK: Other channels

    private static func receive(
        _ contact: ReceiveContact, from sender: ChannelSender, context: OperationContext,
        on connection: PostgresConnection
    ) async throws -> ChannelReceipt {
        let resolved = sender.resolved
        if let ticketID = contact.ticketID {
            guard
                let ticket = try await ChannelStore().lockFollowingMerges(
                    ticketID, on: connection, logger: context.logger)
            else { throw Problem.validation([.init(field: "ticket_id", message: "no ticket with id \(ticketID)")]) }
            guard ticket.customerID == resolved.customer.id else {
                throw Problem.validation([
                    .init(field: "ticket_id", message: "belongs to another customer than the contact")
                ])
            }
            return try await append(
                AddTicketMessage(
                    ticketID: ticket.id, body: contact.message, authorType: .customer, channel: contact.channel,
                    attachments: contact.attachments), to: ticket, created: resolved.created, context: context,
                on: connection
            ).0
        }
        let create = CreateTicket(
            customerID: resolved.customer.id, subject: contact.subject ?? "", message: contact.message,
            channel: contact.channel, orderReference: contact.orderReference, attachments: contact.attachments)
        let address =
            contact.contact.social.map { "@\($0.handle.trimmingCharacters(in: CharacterSet(charactersIn: "@ ")))" }
            ?? contact.contact.phone ?? contact.contact.email
        return try await open(
            create, sender: sender,
            socialNetwork: contact.channel == .social ? contact.contact.social?.network : nil,
            address: address, context: context, on: connection
        ).0
    }

    // MARK: Shared

    /// Opens a ticket as `tickets.create` does (`TicketOpening`) and records where its contact came from.
    private static func open(
        _ create: CreateTicket, sender: ChannelSender, socialNetwork: SocialNetwork?, address: String?,
        context: OperationContext, on connection: PostgresConnection
    ) async throws -> (ChannelReceipt, TicketMessage) {
        let ticket = try await TicketOpening.open(
            create, facts: TicketFacts(customer: sender.resolved.customer, order: sender.order), includeInternal: true,
            context: context, on: connection
        ) { created in
            try await ChannelStore().setContact(
                ticketID: created.id, socialNetwork: socialNetwork, address: address, on: connection,
                logger: context.logger)
        }
        guard let message = ticket.messages?.first(where: { $0.authorType == .customer }) else {
            throw Problem.internal("new ticket has no first message")
        }
        let receipt = ChannelReceipt(
            outcome: .created, ticketID: ticket.id, messageID: message.id, customerID: ticket.customerID,
            customerCreated: sender.resolved.created)
        return (receipt, message)
    }

    /// Adds a customer message to `ticket` through `Conversation.add` (reopen; follow-up of a closed ticket).
    private static func append(
        _ input: AddTicketMessage, to ticket: Ticket, created: Bool?, context: OperationContext,
        on connection: PostgresConnection
    ) async throws -> (ChannelReceipt, TicketMessage) {
        let message = try await Conversation.add(input, to: ticket, context: context, on: connection)
        let receipt = ChannelReceipt(
            outcome: message.ticketID == ticket.id ? .appended : .followUp, ticketID: message.ticketID,
            messageID: message.id, customerID: ticket.customerID, customerCreated: created)
        return (receipt, message)
    }

    /// Asks the customers service for the customer of a contact (created when unknown).
    private static func resolve(_ contact: ResolveContact, context: OperationContext, suffix: String) async throws
        -> ResolvedContact
    {
        guard let services = context.services else {
            throw Problem.serviceUnavailable(
                "matching a contact needs the customers service, and this tickets service has no broker connection",
                code: "customers_unreachable")
        }
        return try await services.call(
            Operation.Customers.service, Operation.Customers.resolveContact, contact,
            metadata: context.downstreamMetadata(idempotencySuffix: suffix))
    }
}

/// The customer a contact resolved to (and the mirrored order it names), handed from the command's `prepare` to
/// its transaction.
struct ChannelSender: Sendable {
    var resolved: ResolvedContact
    var order: Order?
}

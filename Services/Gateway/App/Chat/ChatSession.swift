import Contracts
import Foundation
import HummingbirdWebSocket
import Logging
import ServiceRuntime
import Wire

/// Serves one chat WebSocket: reads the client's frames in order and answers them; a writer task sends whatever the
/// hub queues for the connection. Bad input is answered with an `error` frame, never by closing.
struct ChatSession {
    /// Largest text frame accepted (a message body may be 65,536 characters, up to 4 bytes each in UTF-8).
    static let maxFrameBytes = 1 << 18

    let services: ServiceClient
    let hub: ChatHub
    let logger: Logger

    /// Runs the connection until the client closes it or the server shuts down.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, principal: Principal) async {
        let (frames, outbox) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let connection = ChatConnection(principal: principal, outbox: outbox)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in frames {
                    do {
                        try await outbound.write(.text(text))
                    } catch {
                        return
                    }
                }
            }
            do {
                for try await message in inbound.messages(maxSize: Self.maxFrameBytes) {
                    switch message {
                    case .text(let text):
                        await handle(text, connection: connection)
                    case .binary:
                        connection.send(
                            .error(.init(code: "unsupported_frame", detail: "send frames as JSON text, not binary")))
                    }
                }
            } catch {
                logger.debug("chat connection ended", metadata: ["error": "\(error)"])
            }
            await hub.detach(connection)
            connection.finish()
            await group.waitForAll()
        }
    }

    /// Answers one text frame.
    func handle(_ text: String, connection: ChatConnection) async {
        let frame: ChatClientFrame
        switch ChatClientFrame.parse(text) {
        case .success(let parsed): frame = parsed
        case .failure(let error):
            connection.send(.error(error))
            return
        }
        do {
            switch frame.type {
            case "open": try await open(frame, connection: connection)
            case "resume", "join":
                guard let text = frame.ticketID, let ticketID = UUID(uuidString: text) else {
                    throw ChatError(code: "invalid_id", detail: "'ticket_id' must be a ticket id")
                }
                try await attach(connection, to: ticketID)
            case "message": try await message(frame, connection: connection)
            case "typing":
                guard await hub.ticket(of: connection) != nil else { throw Self.notJoined }
                await hub.typing(from: connection)
            case "ping": connection.send(.pong)
            default:
                throw ChatError(
                    code: "unknown_type",
                    detail: "'\(frame.type.prefix(64))' is not a frame type (open, resume, join, message, typing, ping)"
                )
            }
        } catch var error as ChatError {
            error.clientID = frame.clientID
            connection.send(.error(error))
        } catch {
            connection.send(.error(.init(code: "internal", detail: "the frame could not be handled")))
        }
    }

    static let notJoined = ChatError(
        code: "not_joined", detail: "send open, resume or join first", status: 409)

    /// `open`: a customer starts a chat, which is a new ticket on channel `chat`.
    private func open(_ frame: ChatClientFrame, connection: ChatConnection) async throws {
        let principal = connection.principal
        guard principal.role == .customer, let customerID = principal.customerID else {
            throw ChatError(
                code: "forbidden", detail: "only customer keys open chats; agents join a ticket", status: 403)
        }
        let key = try idempotencyKey(frame.clientID, scope: "open", principal: principal)
        let create = CreateTicket(
            customerID: customerID, subject: frame.subject ?? "", message: frame.message ?? "", channel: .chat)
        let ticket: Ticket = try await call(
            Operation.Tickets.create, create, principal: principal, idempotencyKey: key)
        try await attach(connection, to: ticket.id)
    }

    /// `resume` and `join`: attaches to a ticket the key may read (the tickets service decides: a customer key only
    /// its own customer's, 403 otherwise), then sends `ready` with the ticket as the key sees it.
    private func attach(_ connection: ChatConnection, to ticketID: UUID) async throws {
        // Attach first, read second: a message written in between is then either in the ticket read or delivered.
        await hub.attach(connection, to: ticketID)
        do {
            let ticket: Ticket = try await call(
                Operation.Tickets.get, ByID(id: ticketID), principal: connection.principal, idempotencyKey: nil)
            await hub.ready(connection, ticket: ticket)
        } catch {
            await hub.detach(connection)
            throw error
        }
    }

    /// `message`: a public message by the customer or an agent (by the key's role), delivered to everyone on the
    /// ticket. The same `client_id` twice creates one message.
    private func message(_ frame: ChatClientFrame, connection: ChatConnection) async throws {
        guard let ticketID = await hub.ticket(of: connection) else { throw Self.notJoined }
        let principal = connection.principal
        let key = try idempotencyKey(frame.clientID, scope: "message:\(ticketID.uuidString)", principal: principal)
        let input = AddTicketMessage(
            ticketID: ticketID, body: frame.body ?? "", authorType: connection.authorType, channel: .chat)
        let message: TicketMessage = try await call(
            Operation.Tickets.addMessage, input, principal: principal, idempotencyKey: key)
        await hub.publish(message, on: ticketID, from: connection, clientID: frame.clientID)
        if message.ticketID != ticketID {
            // The ticket was closed: the customer's message opened a follow-up, where the chat goes on.
            try await attach(connection, to: message.ticketID)
        }
    }

    /// The idempotency key of a creating frame: its `client_id` (1 to 128 printable ASCII characters) scoped to the
    /// API key and the frame's target, or a fresh one without it.
    private func idempotencyKey(_ clientID: String?, scope: String, principal: Principal) throws -> String {
        if let clientID,
            clientID.isEmpty || clientID.count > 128
                || !clientID.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F })
        {
            throw ChatError(
                code: "invalid_client_id", detail: "'client_id' must be 1 to 128 printable ASCII characters")
        }
        return "\(principal.keyID ?? "anonymous"):chat:\(scope):\(clientID ?? UUID().uuidString)"
    }

    /// Calls a tickets operation as the connection's key; a problem becomes a `ChatError`.
    private func call<Output: Decodable>(
        _ operation: String, _ input: some Encodable, principal: Principal, idempotencyKey: String?
    ) async throws -> Output {
        let metadata = RequestMetadata(
            requestID: UUID().uuidString, idempotencyKey: idempotencyKey, principal: principal)
        let payload = Array(try WireJSON.encoder.encode(input))
        let reply = await services.send(
            service: Operation.Tickets.service, operation: operation, payload: payload, metadata: metadata)
        guard reply.isSuccess else {
            let problem =
                (try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)))
                ?? .internal("tickets answered \(reply.status)")
            throw ChatError(problem)
        }
        guard let output = try? WireJSON.decoder.decode(Output.self, from: Data(reply.body)) else {
            throw ChatError(code: "internal", detail: "unreadable reply from tickets", status: 500)
        }
        return output
    }
}

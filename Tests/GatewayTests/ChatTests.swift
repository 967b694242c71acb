import Foundation
import GatewayApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import ServiceRuntime
import TestSupport
import Testing

/// Live chat over WebSocket (`GET /v1/chat`) against the real gateway on a live socket, the in-process broker and
/// services, and real WebSocket clients.
@Suite("Gateway live chat", needsDatabase)
struct ChatTests {
    @Test("a customer opens a chat, an agent joins, both talk in real time; a resent frame is stored once")
    func customerAndAgentChat() async throws {
        try await ChatHarness.run { context in
            let client = context.client
            let (customerID, customerKey) = try await ChatHarness.customer(client, email: "ivy@example.com")
            let agentKey = try await ChatHarness.key(client, role: "agent")

            let customer = try await ChatClient.connect(port: context.port, key: customerKey)
            customer.send(#"{"type":"open","subject":"Need help","message":"Is my order on its way?"}"#)
            let ready = try await customer.next("ready")
            let ticket = try #require(ready["ticket"] as? [String: Any])
            let ticketID = try #require(ticket["id"] as? String)
            #expect(ticket["channel"] as? String == "chat")
            #expect((ticket["customer_id"] as? String)?.lowercased() == customerID.lowercased())
            let stored = try await client.send(.get, "/v1/tickets/\(ticketID)")
            #expect(stored.status == .ok)
            #expect(stored.object["channel"] as? String == "chat")

            // Browsers cannot set headers on a WebSocket: the key may come as ?access_token=.
            let agent = try await ChatClient.connect(port: context.port, key: agentKey, inQuery: true)
            agent.send(#"{"type":"join","ticket_id":"\#(ticketID)"}"#)
            let joined = try #require(try await agent.next("ready")["ticket"] as? [String: Any])
            let history = try #require(joined["messages"] as? [[String: Any]])
            #expect(history.contains { $0["body"] as? String == "Is my order on its way?" })

            customer.send(#"{"type":"message","body":"Hello?","client_id":"c-1"}"#)
            let echo = try await customer.next("message")
            #expect(echo["client_id"] as? String == "c-1")
            let sent = try #require(echo["message"] as? [String: Any])
            let atAgent = try #require(try await agent.next("message")["message"] as? [String: Any])
            #expect(atAgent["id"] as? String == sent["id"] as? String)
            #expect(atAgent["body"] as? String == "Hello?")
            #expect(atAgent["author_type"] as? String == "customer")

            agent.send(#"{"type":"typing"}"#)
            #expect(try await customer.next()["type"] as? String == "typing")
            agent.send(#"{"type":"message","body":"Hi Ivy, it ships today.","client_id":"a-1"}"#)
            #expect((try await agent.next("message"))["client_id"] as? String == "a-1")
            let reply = try #require(try await customer.next("message")["message"] as? [String: Any])
            #expect(reply["body"] as? String == "Hi Ivy, it ships today.")
            #expect(reply["author_type"] as? String == "agent")
            #expect(reply["public"] as? Bool == true)

            // The same frame again (a client that did not see the answer resends it): one message, no new broadcast.
            customer.send(#"{"type":"message","body":"Hello?","client_id":"c-1"}"#)
            let resent = try #require(try await customer.next("message")["message"] as? [String: Any])
            #expect(resent["id"] as? String == sent["id"] as? String)
            agent.send(#"{"type":"ping"}"#)
            #expect(try await agent.next()["type"] as? String == "pong")  // nothing was delivered before the pong

            // A message written through the REST API reaches the chat through the event log.
            let viaREST = try await client.send(
                .post, "/v1/tickets/\(ticketID)/messages", json: #"{"body":"Written from the agent desk"}"#)
            #expect(viaREST.status == .created)
            let fromLog = try #require(try await customer.next("message")["message"] as? [String: Any])
            #expect(fromLog["body"] as? String == "Written from the agent desk")
            let atAgentFromLog = try #require(try await agent.next("message")["message"] as? [String: Any])
            #expect(atAgentFromLog["id"] as? String == fromLog["id"] as? String)

            let read = try await client.send(.get, "/v1/tickets/\(ticketID)")
            let messages = try #require(read.object["messages"] as? [[String: Any]])
            #expect(messages.filter { $0["body"] as? String == "Hello?" }.count == 1)
            #expect(messages.filter { $0["body"] as? String == "Hi Ivy, it ships today." }.count == 1)

            // A customer who reconnects resumes the chat with its whole conversation.
            await customer.close()
            let again = try await ChatClient.connect(port: context.port, key: customerKey)
            again.send(#"{"type":"resume","ticket_id":"\#(ticketID)"}"#)
            let resumed = try #require(try await again.next("ready")["ticket"] as? [String: Any])
            #expect((resumed["messages"] as? [[String: Any]])?.count ?? 0 >= 4)
            await again.close()
            await agent.close()
        }
    }

    @Test("a customer key never reaches another customer's ticket; agents cannot open chats")
    func customerIsolation() async throws {
        try await ChatHarness.run { context in
            let client = context.client
            let (_, mayKey) = try await ChatHarness.customer(client, email: "may@example.com")
            let (otherID, _) = try await ChatHarness.customer(client, email: "other@example.com")
            let opened = try await client.send(
                .post, "/v1/tickets",
                json: #"{"customer_id":"\#(otherID)","subject":"Mine","message":"Private","channel":"chat"}"#)
            let othersTicket = try #require(opened.object["id"] as? String)

            let may = try await ChatClient.connect(port: context.port, key: mayKey)
            may.send(#"{"type":"join","ticket_id":"\#(othersTicket)"}"#)
            let joined = try await may.next()
            #expect(joined["type"] as? String == "error")
            #expect(joined["code"] as? String == "forbidden")
            #expect(joined["status"] as? Int == 403)
            may.send(#"{"type":"resume","ticket_id":"\#(othersTicket)"}"#)
            #expect(try await may.next()["code"] as? String == "forbidden")
            may.send(#"{"type":"message","body":"let me in","client_id":"x"}"#)
            let refused = try await may.next()
            #expect(refused["code"] as? String == "not_joined")
            #expect(refused["client_id"] as? String == "x")
            let read = try await client.send(.get, "/v1/tickets/\(othersTicket)")
            #expect(
                (read.object["messages"] as? [[String: Any]])?.contains { $0["body"] as? String == "let me in" }
                    == false)
            await may.close()

            let agentKey = try await ChatHarness.key(client, role: "agent")
            let agent = try await ChatClient.connect(port: context.port, key: agentKey)
            agent.send(#"{"type":"open","subject":"Hi","message":"Hello"}"#)
            #expect(try await agent.next()["code"] as? String == "forbidden")
            await agent.close()
        }
    }

    @Test("bad frames get error frames and the connection stays open; plain GETs and bad keys are refused")
    func badFrames() async throws {
        try await ChatHarness.run { context in
            let client = context.client
            let (_, key) = try await ChatHarness.customer(client, email: "zed@example.com")
            let chat = try await ChatClient.connect(port: context.port, key: key)
            let cases: [(String, String)] = [
                ("not json", "malformed_frame"),
                ("[1,2]", "malformed_frame"),
                (#"{"type":5}"#, "malformed_frame"),
                (#"{"body":"no type"}"#, "malformed_frame"),
                (#"{"type":"dance"}"#, "unknown_type"),
                (#"{"type":"join","ticket_id":"nope"}"#, "invalid_id"),
                (#"{"type":"join","ticket_id":"\#(UUID().uuidString)"}"#, "not_found"),
                (#"{"type":"typing"}"#, "not_joined"),
                (#"{"type":"open","subject":" ","message":"x"}"#, "validation_failed"),
                (#"{"type":"open","subject":"s","message":"m","client_id":""}"#, "invalid_client_id"),
            ]
            for (frame, code) in cases {
                chat.send(frame)
                let answer = try await chat.next()
                #expect(answer["type"] as? String == "error", "\(frame)")
                #expect(answer["code"] as? String == code, "\(frame)")
            }
            chat.sendBinary([1, 2, 3])
            #expect(try await chat.next()["code"] as? String == "unsupported_frame")
            chat.send(#"{"type":"ping"}"#)
            #expect(try await chat.next()["type"] as? String == "pong")
            await chat.close()

            let plain = try await client.send(.get, "/v1/chat", key: key)
            #expect(plain.status.code == 426)
            #expect(plain.problemCode == "websocket_required")
            let anonymous = try await client.send(.get, "/v1/chat", key: nil)
            #expect(anonymous.status == .unauthorized)
            await #expect(throws: (any Error).self) {
                let refused = try await ChatClient.connect(port: context.port, key: "ck_not_a_key")
                refused.send(#"{"type":"ping"}"#)
                _ = try await refused.next()
            }
        }
    }
}

/// The gateway on a live socket (WebSockets need one) against the in-process broker and services.
enum ChatHarness {
    struct Context: Sendable {
        let client: any TestClientProtocol
        let port: Int
    }

    static func run(_ body: @Sendable (Context) async throws -> Void) async throws {
        let databaseURL = try await TestDatabase.create(prefix: "gwchat")
        try await InProcessSuite.run(databaseURL: databaseURL, services: InProcessSuite.allServices) { suite in
            let values = [
                "CONCIERGE_DATABASE_URL": databaseURL, "CONCIERGE_BROKER_ENDPOINT": suite.brokerEndpoint,
                "CONCIERGE_BOOTSTRAP_ADMIN_KEY": GatewayHarness.adminKey, "CONCIERGE_HTTP_HOST": "127.0.0.1",
                "CONCIERGE_HTTP_PORT": "0", "CONCIERGE_DB_POOL_SIZE": "4",
            ]
            let configuration = try GatewayConfiguration(environment: EnvironmentReader(values))
            var logger = Logger(label: "test.gateway")
            logger.logLevel = .warning
            let app = try buildApplication(configuration: configuration, logger: logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                try await body(Context(client: client, port: port))
            }
        }
    }

    /// A new customer and a `customer` key bound to it.
    static func customer(_ client: any TestClientProtocol, email: String) async throws -> (id: String, key: String) {
        let created = try await client.send(.post, "/v1/customers", json: #"{"email":"\#(email)"}"#)
        let id = try #require(created.object["id"] as? String)
        let key = try await client.send(
            .post, "/v1/api-keys", json: #"{"name":"\#(email)","role":"customer","customer_id":"\#(id)"}"#)
        return (id, try #require(key.object["secret"] as? String))
    }

    /// A new key of `role` (not `customer`).
    static func key(_ client: any TestClientProtocol, role: String) async throws -> String {
        let key = try await client.send(.post, "/v1/api-keys", json: #"{"name":"\#(role)","role":"\#(role)"}"#)
        return try #require(key.object["secret"] as? String)
    }
}

/// A WebSocket chat client for tests: frames to send are queued, frames received are kept until read.
final class ChatClient: Sendable {
    private let outgoing: AsyncStream<WebSocketOutboundWriter.OutboundFrame>.Continuation
    private let inbox: Inbox
    private let task: Task<Void, any Error>

    private init(
        outgoing: AsyncStream<WebSocketOutboundWriter.OutboundFrame>.Continuation, inbox: Inbox,
        task: Task<Void, any Error>
    ) {
        self.outgoing = outgoing
        self.inbox = inbox
        self.task = task
    }

    /// Connects to `/v1/chat` with `key` in the Authorization header, or in `?access_token=` when `inQuery`.
    static func connect(port: Int, key: String, inQuery: Bool = false) async throws -> ChatClient {
        let (frames, outgoing) = AsyncStream<WebSocketOutboundWriter.OutboundFrame>.makeStream()
        let inbox = Inbox()
        let path = inQuery ? "/v1/chat?access_token=\(key)" : "/v1/chat"
        let headers: HTTPFields = inQuery ? [:] : [.authorization: "Bearer \(key)"]
        let connected = Inbox()
        let task = Task {
            defer {
                Task {
                    await inbox.finish()
                    await connected.finish()
                }
            }
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)",
                configuration: .init(maxFrameSize: 1 << 18, additionalHeaders: headers),
                logger: Logger(label: "test.chat-client")
            ) { inbound, outbound, _ in
                await connected.push("connected")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await frame in frames { try await outbound.write(frame) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { await inbox.push(text) }
                    }
                    group.cancelAll()
                }
            }
        }
        // Wait for the upgrade, so that a refused connection throws here.
        guard await connected.next() != nil else {
            try await task.value
            throw ChatClientError.notConnected
        }
        return ChatClient(outgoing: outgoing, inbox: inbox, task: task)
    }

    func send(_ text: String) { outgoing.yield(.text(text)) }

    func sendBinary(_ bytes: [UInt8]) { outgoing.yield(.binary(ByteBuffer(bytes: bytes))) }

    /// The next frame, within 10 seconds; with `type`, an issue is recorded when it is of another type.
    func next(_ type: String? = nil) async throws -> [String: Any] {
        let text = try #require(await inbox.next(), "no frame within 10 s")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not an object: \(text)")
        if let type, object["type"] as? String != type {
            Issue.record("expected a \(type) frame, got \(text)")
        }
        return object
    }

    func close() async {
        outgoing.finish()
        _ = await task.result
    }
}

enum ChatClientError: Error {
    case notConnected
}

/// Received frames, and waiting for the next one with a timeout.
private actor Inbox {
    private var frames: [String] = []
    private var waiter: (id: UUID, continuation: CheckedContinuation<String?, Never>)?
    private var finished = false

    func push(_ text: String) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: text)
        } else {
            frames.append(text)
        }
    }

    func finish() {
        finished = true
        waiter?.continuation.resume(returning: nil)
        waiter = nil
    }

    func next(timeout: Duration = .seconds(10)) async -> String? {
        if !frames.isEmpty { return frames.removeFirst() }
        if finished { return nil }
        let id = UUID()
        Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        return await withCheckedContinuation { waiter = (id, $0) }
    }

    private func expire(_ id: UUID) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import ServiceRuntime
import Wire

/// Brings messages written elsewhere (another gateway replica, the REST API, an email) to the chats open on this
/// gateway: reads `ticket.customer_replied` and `ticket.agent_replied` from `events.log` in commit order every
/// `interval`, and for the tickets someone here is attached to fetches the new messages and hands them to the hub,
/// which drops those it already delivered.
///
/// The position lives in memory only: a gateway starts at the end of the log, because a chat that is not open
/// has nobody to deliver to, and a client that reconnects gets the whole conversation in its `ready` frame.
struct ChatEventFeed: Service {
    static let types = [EventType.ticketCustomerReplied, EventType.ticketAgentReplied]
    /// The principal the feed reads tickets as; the hub filters what each connection may see.
    static let principal = Principal(role: .service, keyID: "gateway.chat")

    let hub: ChatHub
    let services: ServiceClient
    let database: Database
    var interval: Duration = .milliseconds(250)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var checkpoint: LogCheckpoint?
            var failing = false
            while !Task.isCancelled {
                do {
                    checkpoint = try await poll(after: checkpoint)
                    failing = false
                } catch {
                    if !failing {
                        logger.warning(
                            "chat event feed cannot read the event log; retrying",
                            metadata: ["error": "\(String(reflecting: error))"])
                    }
                    failing = true
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }

    /// One round: reads what committed after `previous` (from the log's end when nil) and delivers it; returns the new
    /// checkpoint.
    func poll(after previous: LogCheckpoint?) async throws -> LogCheckpoint {
        var checkpoint: LogCheckpoint
        if let previous { checkpoint = previous } else { checkpoint = try await start() }
        while true {
            let current = checkpoint
            let events = try await database.withConnection { connection in
                try await EventStore(source: "").read(
                    after: current, types: Self.types, limit: 256, on: connection, logger: logger)
            }
            guard let last = events.last else { return checkpoint }
            checkpoint = LogCheckpoint(transactionID: last.transactionID, position: last.position)
            await deliver(events)
            if events.count < 256 { return checkpoint }
        }
    }

    /// Just before every transaction still running: everything older is already visible and is skipped.
    private func start() async throws -> LogCheckpoint {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", logger: logger)
            for try await xmin in rows.decode(Int64.self) {
                return LogCheckpoint(transactionID: xmin - 1, position: Int64.max)
            }
            throw Problem.internal("no snapshot")
        }
    }

    /// Fetches the messages the hub lacks, one ticket read per ticket, and publishes them in conversation order.
    private func deliver(_ events: [EventEnvelope]) async {
        let watched = await hub.watched()
        var wanted: [UUID: Set<UUID>] = [:]
        for event in events {
            guard let ticketID = UUID(uuidString: event.aggregateID), let delivered = watched[ticketID],
                let payload = try? JSONSerialization.jsonObject(with: Data(event.payload.text.utf8))
                    as? [String: Any],
                let text = payload["message_id"] as? String, let messageID = UUID(uuidString: text),
                !delivered.contains(messageID)
            else { continue }
            wanted[ticketID, default: []].insert(messageID)
        }
        for (ticketID, messageIDs) in wanted {
            let metadata = RequestMetadata(requestID: UUID().uuidString, principal: Self.principal)
            let ticket: Ticket
            do {
                ticket = try await services.call(
                    Operation.Tickets.service, Operation.Tickets.get, ByID(id: ticketID), metadata: metadata)
            } catch {
                logger.warning(
                    "chat event feed could not read a ticket",
                    metadata: ["ticket_id": "\(ticketID)", "error": "\(String(reflecting: error))"])
                continue
            }
            for message in ticket.messages ?? [] where messageIDs.contains(message.id) {
                await hub.publish(message, on: ticketID)
            }
        }
    }
}

import Contracts
import Foundation
import Wire

/// One open chat WebSocket: who it is and where its frames go. Frames are queued on `outbox`, which the
/// connection's writer task drains in order, so the hub never waits on a slow client.
final class ChatConnection: Sendable {
    let id = UUID()
    let principal: Principal
    private let outbox: AsyncStream<String>.Continuation

    init(principal: Principal, outbox: AsyncStream<String>.Continuation) {
        self.principal = principal
        self.outbox = outbox
    }

    /// Customer connections never see internal notes or system events.
    var isCustomer: Bool { principal.role == .customer }

    var authorType: AuthorType { isCustomer ? .customer : .agent }

    func send(_ frame: ChatServerFrame) {
        outbox.yield(frame.text)
    }

    func finish() {
        outbox.finish()
    }
}

/// The chats open on this gateway: ticket id → the connections attached to it, and the message ids already
/// delivered to them (so a message seen twice, from this gateway's own write and from the event log, or a resent
/// frame, goes out once).
actor ChatHub {
    private struct Member {
        let connection: ChatConnection
        /// Messages that arrived while the connection was joining (nil once its `ready` frame went out); sent after
        /// `ready` unless the ticket it was given already had them.
        var pending: [TicketMessage]?
    }

    private struct Room {
        var members: [UUID: Member] = [:]
        var delivered = RecentIDs(capacity: 4096)
    }

    private var rooms: [UUID: Room] = [:]
    private var ticketOf: [UUID: UUID] = [:]

    /// Attaches `connection` to `ticketID` (leaving the ticket it was on): from now on it receives the ticket's
    /// messages, held back until `ready(_:ticket:)`.
    func attach(_ connection: ChatConnection, to ticketID: UUID) {
        detach(connection)
        rooms[ticketID, default: Room()].members[connection.id] = Member(connection: connection, pending: [])
        ticketOf[connection.id] = ticketID
    }

    /// Sends `ready` with `ticket` (read after `attach`), then whatever arrived meanwhile that `ticket` lacks.
    func ready(_ connection: ChatConnection, ticket: Ticket) {
        guard ticketOf[connection.id] == ticket.id, var room = rooms[ticket.id],
            let member = room.members[connection.id]
        else { return }
        let known = Set((ticket.messages ?? []).map(\.id))
        for id in known { room.delivered.insert(id) }
        connection.send(.ready(ticket))
        for message in member.pending ?? [] where !known.contains(message.id) {
            connection.send(.message(message, clientID: nil))
        }
        room.members[connection.id]?.pending = nil
        rooms[ticket.id] = room
    }

    /// Removes `connection` from its ticket, if it is on one.
    func detach(_ connection: ChatConnection) {
        guard let ticketID = ticketOf.removeValue(forKey: connection.id) else { return }
        rooms[ticketID]?.members[connection.id] = nil
        if rooms[ticketID]?.members.isEmpty == true { rooms[ticketID] = nil }
    }

    /// The ticket `connection` is attached to.
    func ticket(of connection: ChatConnection) -> UUID? { ticketOf[connection.id] }

    /// Delivers `message` of `ticketID` to every connection on it (customers only public messages), once per
    /// message id. `sender`, the connection whose frame wrote it, always gets its copy with `clientID`, also when
    /// the message had been delivered before (a resent frame the service answered from its idempotency record).
    func publish(
        _ message: TicketMessage, on ticketID: UUID, from sender: ChatConnection? = nil, clientID: String? = nil
    ) {
        guard var room = rooms[ticketID], !room.delivered.contains(message.id) else {
            sender?.send(.message(message, clientID: clientID))
            return
        }
        room.delivered.insert(message.id)
        var senderServed = false
        for (id, member) in room.members {
            if member.connection.isCustomer && !message.isPublic { continue }
            let isSender = member.connection === sender
            if member.pending != nil {
                room.members[id]?.pending?.append(message)
            } else {
                member.connection.send(.message(message, clientID: isSender ? clientID : nil))
            }
            senderServed = senderServed || isSender
        }
        rooms[ticketID] = room
        if let sender, !senderServed { sender.send(.message(message, clientID: clientID)) }
    }

    /// Tells the others on `connection`'s ticket that it is typing.
    func typing(from connection: ChatConnection) {
        guard let ticketID = ticketOf[connection.id], let room = rooms[ticketID] else { return }
        for member in room.members.values where member.connection !== connection && member.pending == nil {
            member.connection.send(.typing(connection.authorType))
        }
    }

    /// The tickets someone on this gateway is attached to, with the message ids already delivered on each.
    func watched() -> [UUID: Set<UUID>] {
        rooms.mapValues { $0.delivered.all }
    }

    /// How many connections are attached, for tests and logs.
    func connectionCount() -> Int { ticketOf.count }
}

/// A bounded set of recent ids: the oldest are forgotten past `capacity`.
struct RecentIDs: Sendable {
    let capacity: Int
    private var order: [UUID] = []
    private(set) var all: Set<UUID> = []

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ id: UUID) -> Bool { all.contains(id) }

    mutating func insert(_ id: UUID) {
        guard all.insert(id).inserted else { return }
        order.append(id)
        if order.count > capacity {
            let dropped = order.count - capacity
            for old in order.prefix(dropped) { all.remove(old) }
            order.removeFirst(dropped)
        }
    }
}

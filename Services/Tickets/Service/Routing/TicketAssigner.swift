import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Routing (docs/architecture.md, "Routing"): a ticket lands in the group of its category, and a group that assigns
/// automatically gives it to an eligible agent with room; waiting tickets are backfilled when an agent frees up.
///
/// Eligible: active, in the group, with every skill the ticket requires. Room: fewer unsolved tickets (new, open,
/// pending, on hold) than their capacity (none: no limit). Round-robin picks the one assigned least recently,
/// least-loaded the one with the fewest unsolved tickets (then least recently assigned). The chosen agent's row is
/// locked before their load is counted (see `pick`), so two routings racing for one agent never exceed their
/// capacity and cannot deadlock.
struct TicketAssigner: Sendable {
    /// Publishes an event in the caller's transaction.
    typealias Record = @Sendable (NewEvent) async throws -> Void

    let repository = PostgresTicketRepository()

    /// Routes `ticket` (locked by the caller): into its category's group when it has none, then, when unassigned and
    /// waiting (new or open) in an automatic group, to an agent. Returns the ticket as it is afterwards.
    func route(_ ticket: Ticket, record: Record, on connection: PostgresConnection, logger: Logger) async throws
        -> Ticket
    {
        var current = ticket
        if current.group == nil,
            let group = try await AgentStore().group(
                forCategory: ticket.category, on: connection, logger: logger)
        {
            var grouped = current
            grouped.group = group
            current = try await repository.save(grouped, on: connection, logger: logger)
            try await repository.note(
                "Group: \(group) (category \(ticket.category))", ticket: current, on: connection, logger: logger)
            try await record(try TicketEvents.event(EventType.ticketUpdated, current, changes: ["group"]))
        }
        guard current.assigneeID == nil, current.status == .new || current.status == .open,
            let group = current.group, let mode = try await mode(of: group, on: connection, logger: logger),
            mode != .manual
        else { return current }
        guard let agent = try await pick(for: current, group: group, mode: mode, on: connection, logger: logger)
        else {
            logger.debug("no agent with room; the ticket waits", metadata: ["ticket_id": "\(current.id)"])
            return current
        }
        return try await assign(current, to: agent, mode: mode, record: record, on: connection, logger: logger)
    }

    /// Gives the oldest waiting tickets of `agentID`'s automatic groups that they are eligible for to them, while
    /// they have room. Returns the tickets assigned.
    @discardableResult
    func backfill(agentID: UUID, record: Record, on connection: PostgresConnection, logger: Logger) async throws
        -> [Ticket]
    {
        guard let room = try await lockAndMeasure(agentID, on: connection, logger: logger), room > 0 else { return [] }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresTicketRepository.ticketJSON)
            FROM tickets.tickets t
            JOIN tickets.groups g ON g.name = t.group_name AND g.assignment <> 'manual'
            JOIN tickets.agents a ON a.id = \(agentID) AND t.group_name = ANY(a.groups)
            WHERE t.assignee_id IS NULL AND t.status IN ('new', 'open') AND a.skills @> t.required_skills
            ORDER BY t.created_at, t.id
            LIMIT \(room)
            FOR UPDATE OF t SKIP LOCKED
            """, logger: logger)
        var waiting: [Ticket] = []
        for try await text in rows.decode(String.self) {
            waiting.append(try PostgresTicketRepository.decode(Ticket.self, text))
        }
        var assigned: [Ticket] = []
        for ticket in waiting {
            let mode = try await self.mode(of: ticket.group ?? "", on: connection, logger: logger) ?? .roundRobin
            assigned.append(
                try await assign(ticket, to: agentID, mode: mode, record: record, on: connection, logger: logger))
        }
        if !assigned.isEmpty {
            logger.info(
                "waiting tickets backfilled", metadata: ["agent_id": "\(agentID)", "count": "\(assigned.count)"])
        }
        return assigned
    }

    /// The best eligible agent with room, or nil; their row stays locked until the caller's transaction ends.
    ///
    /// Candidates are tried in preference order, each under a savepoint: a row another routing holds is skipped
    /// (`SKIP LOCKED`) so concurrent routings spread over the agents instead of queueing behind one, and a full
    /// agent's lock is released again (rollback to the savepoint). Only when every agent with room was skipped does
    /// it wait, for one row at a time and holding no other agent's lock, so routings cannot deadlock. The load is
    /// counted after the lock is taken, so it includes every assignment committed before: capacity holds.
    private func pick(
        for ticket: Ticket, group: String, mode: AssignmentMode, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID? {
        let order =
            mode == .leastLoaded
            ? "load, last_assigned_at NULLS FIRST, id" : "last_assigned_at NULLS FIRST, load, id"
        let rows = try await connection.query(
            """
            SELECT id FROM (
                SELECT a.id, a.last_assigned_at,
                       (SELECT count(*) FROM tickets.tickets t
                        WHERE t.assignee_id = a.id AND t.status IN \(unescaped: AgentStore.unsolved)) AS load
                FROM tickets.agents a
                WHERE a.active AND \(group) = ANY(a.groups) AND a.skills @> \(ticket.requiredSkills)) candidates
            ORDER BY \(unescaped: order)
            """, logger: logger)
        var candidates: [UUID] = []
        for try await id in rows.decode(UUID.self) { candidates.append(id) }
        var skipped: [UUID] = []
        for candidate in candidates {
            switch try await claim(candidate, wait: false, on: connection, logger: logger) {
            case .claimed: return candidate
            case .busy: skipped.append(candidate)
            case .full: continue
            }
        }
        for candidate in skipped {
            if try await claim(candidate, wait: true, on: connection, logger: logger) == .claimed { return candidate }
        }
        return nil
    }

    private enum Claim { case claimed, busy, full }

    /// Locks `agentID`'s row under a savepoint and keeps it when they have room; otherwise rolls the lock back.
    private func claim(_ agentID: UUID, wait: Bool, on connection: PostgresConnection, logger: Logger) async throws
        -> Claim
    {
        try await connection.query("SAVEPOINT route_claim", logger: logger)
        let rows = try await connection.query(
            """
            SELECT capacity FROM tickets.agents WHERE id = \(agentID) AND active
            FOR UPDATE \(unescaped: wait ? "" : "SKIP LOCKED")
            """, logger: logger)
        var found: Int??
        for try await capacity in rows.decode(Int?.self) { found = .some(capacity) }
        guard let capacity = found else {
            try await connection.query("ROLLBACK TO SAVEPOINT route_claim", logger: logger)
            return wait ? .full : .busy
        }
        // Counted by a statement of its own, after the lock: its snapshot includes every assignment committed by
        // whoever held the row before (a count inside the locking statement would use the snapshot from before
        // the lock, and let two routings fill the same last place).
        var load = 0
        let counted = try await connection.query(
            """
            SELECT count(*)::int FROM tickets.tickets
            WHERE assignee_id = \(agentID) AND status IN \(unescaped: AgentStore.unsolved)
            """, logger: logger)
        for try await value in counted.decode(Int.self) { load = value }
        if let capacity, load >= capacity {
            try await connection.query("ROLLBACK TO SAVEPOINT route_claim", logger: logger)
            return .full
        }
        try await connection.query("RELEASE SAVEPOINT route_claim", logger: logger)
        return .claimed
    }

    /// Locks an active agent's row and answers how many more tickets routing may give them (nil: inactive or
    /// unknown; `Int.max` without a capacity, capped for a query limit).
    private func lockAndMeasure(_ agentID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> Int?
    {
        let rows = try await connection.query(
            "SELECT active, capacity FROM tickets.agents WHERE id = \(agentID) FOR UPDATE", logger: logger)
        var found: (Bool, Int?)?
        for try await row in rows.decode((Bool, Int?).self) { found = row }
        guard let (active, capacity) = found, active else { return nil }
        guard let capacity else { return 100 }
        let load = try await connection.query(
            """
            SELECT count(*)::int FROM tickets.tickets
            WHERE assignee_id = \(agentID) AND status IN \(unescaped: AgentStore.unsolved)
            """, logger: logger)
        for try await value in load.decode(Int.self) { return max(0, capacity - value) }
        return capacity
    }

    private func assign(
        _ ticket: Ticket, to agentID: UUID, mode: AssignmentMode, record: Record, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Ticket {
        var next = ticket
        next.assigneeID = agentID
        next.status = TicketLifecycle.afterAssignment(ticket.status)
        let saved = try await repository.save(next, on: connection, logger: logger)
        try await connection.query(
            "UPDATE tickets.agents SET last_assigned_at = clock_timestamp() WHERE id = \(agentID)", logger: logger)
        let how = mode == .leastLoaded ? "least-loaded" : "round-robin"
        try await repository.note(
            "Assigned to agent \(agentID.uuidString) by \(how) routing in group \(ticket.group ?? "-")", ticket: saved,
            on: connection, logger: logger)
        let changes = TicketUpdater.changes(from: ticket, to: saved)
        for event in try TicketEvents.events(before: ticket, after: saved, changes: changes) {
            try await record(event)
        }
        return saved
    }

    private func mode(of group: String, on connection: PostgresConnection, logger: Logger) async throws
        -> AssignmentMode?
    {
        let rows = try await connection.query(
            "SELECT assignment FROM tickets.groups WHERE name = \(group)", logger: logger)
        for try await text in rows.decode(String.self) { return AssignmentMode(rawValue: text) }
        return nil
    }
}

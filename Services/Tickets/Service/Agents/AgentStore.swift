import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// The support team's agents (`tickets.agents`) and groups (`tickets.groups`).
struct AgentStore: Sendable {
    /// The statuses that count in an agent's load.
    static let unsolved = "('new', 'open', 'pending', 'on_hold')"

    /// An agent row `a` as the `Agent` contract's JSON, with its load.
    static let agentJSON = """
        jsonb_build_object(
            'id', a.id, 'name', a.name, 'email', a.email, 'active', a.active, 'groups', to_jsonb(a.groups),
            'skills', to_jsonb(a.skills), 'capacity', a.capacity, 'created_at', a.created_at, 'updated_at', a.updated_at,
            'load', (SELECT count(*) FROM tickets.tickets t
                     WHERE t.assignee_id = a.id AND t.status IN \(AgentStore.unsolved)))::text
        """

    func create(_ input: CreateAgent, on connection: PostgresConnection, logger: Logger) async throws -> Agent {
        let email = input.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let groups = PostgresTicketRepository.uniqueTags(input.groups ?? [])
        let skills = PostgresTicketRepository.uniqueTags(input.skills ?? [])
        let rows = try await connection.query(
            """
            INSERT INTO tickets.agents AS a (id, name, email, groups, skills, capacity)
            VALUES (\(UUID()), \(input.name), \(email), \(groups), \(skills), \(input.capacity))
            ON CONFLICT (email) DO NOTHING
            RETURNING \(unescaped: Self.agentJSON)
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try PostgresTicketRepository.decode(Agent.self, text) }
        throw Problem.conflict("an agent with email \(email) exists already", code: "agent_exists")
    }

    func update(_ input: UpdateAgent, on connection: PostgresConnection, logger: Logger) async throws -> Agent {
        let groups = input.groups.map(PostgresTicketRepository.uniqueTags)
        let skills = input.skills.map(PostgresTicketRepository.uniqueTags)
        let setCapacity = input.capacity.isGiven
        let rows = try await connection.query(
            """
            UPDATE tickets.agents AS a SET name = coalesce(\(input.name), a.name),
                active = coalesce(\(input.active), a.active), groups = coalesce(\(groups)::text[], a.groups),
                skills = coalesce(\(skills)::text[], a.skills),
                capacity = CASE WHEN \(setCapacity) THEN \(input.capacity.value) ELSE a.capacity END,
                updated_at = now()
            WHERE a.id = \(input.agentID)
            RETURNING \(unescaped: Self.agentJSON)
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try PostgresTicketRepository.decode(Agent.self, text) }
        throw Problem.notFound("no agent with id \(input.agentID)")
    }

    func list(on connection: PostgresConnection, logger: Logger) async throws -> [Agent] {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.agentJSON) FROM tickets.agents a ORDER BY a.name, a.id", logger: logger)
        var agents: [Agent] = []
        for try await text in rows.decode(String.self) {
            agents.append(try PostgresTicketRepository.decode(Agent.self, text))
        }
        return agents
    }

    /// Refuses an assignment to an unknown or deactivated agent (422 on `assignee_id`).
    func requireAssignable(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            "SELECT active FROM tickets.agents WHERE id = \(id) FOR SHARE", logger: logger)
        for try await active in rows.decode(Bool.self) {
            guard active else {
                throw Problem.validation([.init(field: "assignee_id", message: "agent \(id) is deactivated")])
            }
            return
        }
        throw Problem.validation([.init(field: "assignee_id", message: "no agent with id \(id)")])
    }

    // MARK: Groups

    static let groupColumns = "name, description, assignment, categories, created_at, updated_at"
    typealias GroupRow = (String, String?, String, [String], Date, Date)

    /// Creates or replaces a group. A category already taken by another group is a 409 `category_taken`.
    func define(_ input: DefineGroup, on connection: PostgresConnection, logger: Logger) async throws -> TicketGroup {
        let categories = PostgresTicketRepository.uniqueTags(input.categories ?? [])
        let taken = try await connection.query(
            """
            SELECT name, c FROM tickets.groups, unnest(categories) c
            WHERE name <> \(input.name) AND c = ANY(\(categories))
            ORDER BY name, c LIMIT 1
            """, logger: logger)
        for try await (group, category) in taken.decode((String, String).self) {
            throw Problem.conflict(
                "category \(category) already lands in group \(group)", code: "category_taken")
        }
        let mode = (input.assignment ?? .manual).rawValue
        let rows = try await connection.query(
            """
            INSERT INTO tickets.groups (name, description, assignment, categories)
            VALUES (\(input.name), \(input.description), \(mode), \(categories))
            ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, assignment = EXCLUDED.assignment,
                categories = EXCLUDED.categories, updated_at = now()
            RETURNING \(unescaped: Self.groupColumns)
            """, logger: logger)
        for try await row in rows.decode(GroupRow.self) { return try Self.group(row) }
        throw Problem.internal("group upsert returned nothing")
    }

    func groups(on connection: PostgresConnection, logger: Logger) async throws -> [TicketGroup] {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.groupColumns) FROM tickets.groups ORDER BY name", logger: logger)
        var groups: [TicketGroup] = []
        for try await row in rows.decode(GroupRow.self) { groups.append(try Self.group(row)) }
        return groups
    }

    /// The group that takes tickets of `category`, if any.
    func group(forCategory category: String, on connection: PostgresConnection, logger: Logger) async throws
        -> String?
    {
        let rows = try await connection.query(
            "SELECT name FROM tickets.groups WHERE \(category) = ANY(categories) ORDER BY name LIMIT 1",
            logger: logger)
        for try await name in rows.decode(String.self) { return name }
        return nil
    }

    static func group(_ row: GroupRow) throws -> TicketGroup {
        guard let mode = AssignmentMode(rawValue: row.2) else {
            throw Problem.internal("group \(row.0) has an unknown assignment mode")
        }
        return TicketGroup(
            name: row.0, description: row.1, assignment: mode, categories: row.3, createdAt: row.4, updatedAt: row.5)
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// The support team's agents (`tickets.agents`).
struct AgentStore: Sendable {
    static let columns = "id, name, email, active, created_at, updated_at"
    typealias Row = (UUID, String, String, Bool, Date, Date)

    func create(_ input: CreateAgent, on connection: PostgresConnection, logger: Logger) async throws -> Agent {
        let email = input.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let rows = try await connection.query(
            """
            INSERT INTO tickets.agents (id, name, email) VALUES (\(UUID()), \(input.name), \(email))
            ON CONFLICT (email) DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.agent(row) }
        throw Problem.conflict("an agent with email \(email) exists already", code: "agent_exists")
    }

    func update(_ input: UpdateAgent, on connection: PostgresConnection, logger: Logger) async throws -> Agent {
        let rows = try await connection.query(
            """
            UPDATE tickets.agents SET name = coalesce(\(input.name), name), active = coalesce(\(input.active), active),
                updated_at = now()
            WHERE id = \(input.agentID)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.agent(row) }
        throw Problem.notFound("no agent with id \(input.agentID)")
    }

    func list(on connection: PostgresConnection, logger: Logger) async throws -> [Agent] {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM tickets.agents ORDER BY name, id", logger: logger)
        var agents: [Agent] = []
        for try await row in rows.decode(Row.self) { agents.append(Self.agent(row)) }
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

    static func agent(_ row: Row) -> Agent {
        Agent(id: row.0, name: row.1, email: row.2, active: row.3, createdAt: row.4, updatedAt: row.5)
    }
}

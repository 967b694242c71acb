import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `tickets.create_agent`, `tickets.update_agent` (admin) and `tickets.list_agents` (staff).
enum AgentOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let store = AgentStore()
        router.command(Operation.Tickets.createAgent, CreateAgent.self) { input, context, connection in
            try requireAdmin(context)
            return try await store.create(input, on: connection, logger: context.logger)
        }
        router.command(Operation.Tickets.updateAgent, UpdateAgent.self, status: 200) { input, context, connection in
            try requireAdmin(context)
            return try await store.update(input, on: connection, logger: context.logger)
        }
        router.query(Operation.Tickets.listAgents, ListAgents.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await store.list(on: $0, logger: context.logger) }
        }
    }

    static func requireAdmin(_ context: OperationContext) throws {
        guard [.admin, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only admin keys may manage agents")
        }
    }
}

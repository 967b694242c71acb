import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `tickets.create_agent`, `tickets.update_agent`, `tickets.define_group` (admin), `tickets.list_agents` and
/// `tickets.list_groups` (staff).
enum AgentOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let store = AgentStore()
        router.command(Operation.Tickets.createAgent, CreateAgent.self) { input, context, connection in
            try requireAdmin(context)
            return try await store.create(input, on: connection, logger: context.logger)
        }
        router.command(Operation.Tickets.updateAgent, UpdateAgent.self, status: 200) { input, context, connection in
            try requireAdmin(context)
            let agent = try await store.update(input, on: connection, logger: context.logger)
            // More room, another group, new skills or back at work: waiting tickets may now fit.
            let backfilled = try await TicketAssigner().backfill(
                agentID: agent.id, record: { try await context.record($0, on: connection) }, on: connection,
                logger: context.logger)
            guard !backfilled.isEmpty else { return agent }
            return try await store.list(on: connection, logger: context.logger).first { $0.id == agent.id } ?? agent
        }
        router.command(Operation.Tickets.defineGroup, DefineGroup.self, status: 200) { input, context, connection in
            try requireAdmin(context)
            let group = try await store.define(input, on: connection, logger: context.logger)
            for agent in try await store.list(on: connection, logger: context.logger)
            where agent.active && agent.groups.contains(group.name) {
                try await TicketAssigner().backfill(
                    agentID: agent.id, record: { try await context.record($0, on: connection) }, on: connection,
                    logger: context.logger)
            }
            return group
        }
        router.query(Operation.Tickets.listGroups, ListGroups.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await store.groups(on: $0, logger: context.logger) }
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

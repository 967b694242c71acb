import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `tickets.define_trigger`, `tickets.define_automation` (admin) and `tickets.list_rules` (staff).
enum RuleOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let store = RuleStore()
        router.command(Operation.Tickets.defineTrigger, DefineTrigger.self, status: 200) { input, context, connection in
            try requireAdmin(context)
            return try await store.define(input, on: connection, logger: context.logger)
        }
        router.command(Operation.Tickets.defineAutomation, DefineAutomation.self, status: 200) {
            input, context, connection in
            try requireAdmin(context)
            return try await store.define(input, on: connection, logger: context.logger)
        }
        router.query(Operation.Tickets.listRules, ListRules.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await store.rules(on: $0, logger: context.logger) }
        }
    }

    static func requireAdmin(_ context: OperationContext) throws {
        guard [.admin, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only admin keys may define triggers and automations")
        }
    }
}

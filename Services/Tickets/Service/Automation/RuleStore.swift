import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// Triggers and automations in `tickets.triggers` and `tickets.automations`.
struct RuleStore: Sendable {
    static let triggerJSON = """
        jsonb_build_object('id', r.id, 'name', r.name, 'event', r.event, 'conditions', r.conditions,
                           'actions', r.actions, 'position', r.position, 'active', r.active,
                           'created_at', r.created_at, 'updated_at', r.updated_at)::text
        """
    static let automationJSON = """
        jsonb_build_object('id', r.id, 'name', r.name, 'when', r."when", 'status', r.status, 'hours', r.hours,
                           'conditions', r.conditions, 'actions', r.actions, 'active', r.active,
                           'created_at', r.created_at, 'updated_at', r.updated_at)::text
        """

    func define(_ input: DefineTrigger, on connection: PostgresConnection, logger: Logger) async throws -> Trigger {
        try await requireMacro(input.actions.macroID, on: connection, logger: logger)
        try await requireFreeName(input.name, id: input.id, table: "triggers", on: connection, logger: logger)
        let conditions = try PostgresTicketRepository.json(input.conditions ?? [])
        let actions = try PostgresTicketRepository.json(input.actions)
        let id = input.id ?? UUID()
        let rows = try await connection.query(
            """
            INSERT INTO tickets.triggers AS r (id, name, event, conditions, actions, position, active)
            VALUES (\(id), \(input.name), \(input.event.rawValue), \(conditions)::jsonb, \(actions)::jsonb,
                    \(input.position ?? 0), \(input.active ?? true))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, event = EXCLUDED.event,
                conditions = EXCLUDED.conditions, actions = EXCLUDED.actions, position = EXCLUDED.position,
                active = EXCLUDED.active, updated_at = now()
            RETURNING \(unescaped: Self.triggerJSON)
            """, logger: logger)
        for try await text in rows.decode(String.self) {
            return try PostgresTicketRepository.decode(Trigger.self, text)
        }
        throw Problem.internal("trigger upsert returned nothing")
    }

    func define(_ input: DefineAutomation, on connection: PostgresConnection, logger: Logger) async throws
        -> Automation
    {
        try await requireMacro(input.actions.macroID, on: connection, logger: logger)
        try await requireFreeName(input.name, id: input.id, table: "automations", on: connection, logger: logger)
        let conditions = try PostgresTicketRepository.json(input.conditions ?? [])
        let actions = try PostgresTicketRepository.json(input.actions)
        let id = input.id ?? UUID()
        let rows = try await connection.query(
            """
            INSERT INTO tickets.automations AS r (id, name, "when", status, hours, conditions, actions, active)
            VALUES (\(id), \(input.name), \(input.when.rawValue), \(input.status?.rawValue), \(input.hours),
                    \(conditions)::jsonb, \(actions)::jsonb, \(input.active ?? true))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "when" = EXCLUDED."when", status = EXCLUDED.status,
                hours = EXCLUDED.hours, conditions = EXCLUDED.conditions, actions = EXCLUDED.actions,
                active = EXCLUDED.active, updated_at = now()
            RETURNING \(unescaped: Self.automationJSON)
            """, logger: logger)
        for try await text in rows.decode(String.self) {
            return try PostgresTicketRepository.decode(Automation.self, text)
        }
        throw Problem.internal("automation upsert returned nothing")
    }

    /// The active triggers of `event`, in order.
    func triggers(for event: TriggerEvent, on connection: PostgresConnection, logger: Logger) async throws
        -> [Trigger]
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.triggerJSON) FROM tickets.triggers r
            WHERE r.active AND r.event = \(event.rawValue) ORDER BY r.position, r.name
            """, logger: logger)
        var list: [Trigger] = []
        for try await text in rows.decode(String.self) {
            list.append(try PostgresTicketRepository.decode(Trigger.self, text))
        }
        return list
    }

    func rules(on connection: PostgresConnection, logger: Logger) async throws -> Rules {
        var triggers: [Trigger] = []
        let triggerRows = try await connection.query(
            "SELECT \(unescaped: Self.triggerJSON) FROM tickets.triggers r ORDER BY r.event, r.position, r.name",
            logger: logger)
        for try await text in triggerRows.decode(String.self) {
            triggers.append(try PostgresTicketRepository.decode(Trigger.self, text))
        }
        return Rules(
            triggers: triggers, automations: try await automations(activeOnly: false, on: connection, logger: logger))
    }

    func automations(activeOnly: Bool, on connection: PostgresConnection, logger: Logger) async throws -> [Automation] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.automationJSON) FROM tickets.automations r
            WHERE r.active OR NOT \(activeOnly) ORDER BY r.name
            """, logger: logger)
        var list: [Automation] = []
        for try await text in rows.decode(String.self) {
            list.append(try PostgresTicketRepository.decode(Automation.self, text))
        }
        return list
    }

    /// A name another rule of the kind has is a 409 `rule_exists`.
    private func requireFreeName(
        _ name: String, id: UUID?, table: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT id FROM tickets.\(unescaped: table == "triggers" ? "triggers" : "automations")
            WHERE name = \(name) AND id IS DISTINCT FROM \(id)
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) {
            throw Problem.conflict("a rule named \(name) exists already", code: "rule_exists")
        }
    }

    /// A rule that names a macro that does not exist is refused (422 on `actions.macro_id`).
    private func requireMacro(_ id: UUID?, on connection: PostgresConnection, logger: Logger) async throws {
        guard let id else { return }
        if try await MacroStore().find(id: id, on: connection, logger: logger) == nil {
            throw Problem.validation([.init(field: "actions.macro_id", message: "no macro with id \(id)")])
        }
    }
}

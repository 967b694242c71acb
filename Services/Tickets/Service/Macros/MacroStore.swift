import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// Macros in `tickets.macros`.
struct MacroStore: Sendable {
    static let macroJSON = """
        jsonb_build_object('id', m.id, 'name', m.name, 'body', m.body, 'public', m.public, 'actions', m.actions,
                           'created_at', m.created_at, 'updated_at', m.updated_at)::text
        """

    /// Creates, or with `id` replaces, a macro. A name another macro has is a 409 `macro_exists`.
    func define(_ input: DefineMacro, on connection: PostgresConnection, logger: Logger) async throws -> Macro {
        let actions = try PostgresTicketRepository.json(input.actions ?? MacroActions())
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let isPublic = input.isPublic ?? true
        let taken = try await connection.query(
            "SELECT id FROM tickets.macros WHERE name = \(name) AND id IS DISTINCT FROM \(input.id)", logger: logger)
        for try await _ in taken.decode(UUID.self) {
            throw Problem.conflict("a macro named \(name) exists already", code: "macro_exists")
        }
        let rows: PostgresRowSequence
        if let id = input.id {
            rows = try await connection.query(
                """
                UPDATE tickets.macros AS m SET name = \(name), body = \(input.body), public = \(isPublic),
                    actions = \(actions)::jsonb, updated_at = now()
                WHERE m.id = \(id)
                RETURNING \(unescaped: Self.macroJSON)
                """, logger: logger)
        } else {
            rows = try await connection.query(
                """
                INSERT INTO tickets.macros AS m (id, name, body, public, actions)
                VALUES (\(UUID()), \(name), \(input.body), \(isPublic), \(actions)::jsonb)
                RETURNING \(unescaped: Self.macroJSON)
                """, logger: logger)
        }
        for try await text in rows.decode(String.self) { return try PostgresTicketRepository.decode(Macro.self, text) }
        throw Problem.notFound("no macro with id \(input.id?.uuidString ?? "-")")
    }

    func list(on connection: PostgresConnection, logger: Logger) async throws -> [Macro] {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.macroJSON) FROM tickets.macros m ORDER BY m.name", logger: logger)
        var macros: [Macro] = []
        for try await text in rows.decode(String.self) {
            macros.append(try PostgresTicketRepository.decode(Macro.self, text))
        }
        return macros
    }

    func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Macro? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.macroJSON) FROM tickets.macros m WHERE m.id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) { return try PostgresTicketRepository.decode(Macro.self, text) }
        return nil
    }
}

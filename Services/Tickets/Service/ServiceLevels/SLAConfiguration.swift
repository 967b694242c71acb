import Contracts
import Foundation
import Logging
import PostgresNIO
import SLA
import Wire

/// The helpdesk's SLA document (`tickets.define_sla`, `PUT /v1/sla`): the business calendar the clocks run on and
/// the policies, highest-ranked first. Replaced as a whole; every ticket's SLA is refreshed by its next change.
struct SLAConfiguration: OperationInput, Codable, Equatable {
    static let fields: Set<String> = ["calendar", "policies"]
    var calendar: BusinessCalendarDefinition
    var policies: SLAPolicySet

    func validate() -> [FieldIssue] {
        var issues = calendar.validate().map { FieldIssue("calendar.\($0.field)", $0.message) }
        issues += policies.validate().map { FieldIssue("policies\($0.field)", $0.message) }
        if policies.policies.count > 200 { issues.append(FieldIssue("policies", "must have at most 200 entries")) }
        return issues
    }

    /// The stored document, or nil when no SLA is defined.
    static func load(on connection: PostgresConnection, logger: Logger) async throws -> (SLAConfiguration, Int)? {
        let rows = try await connection.query(
            "SELECT document::text, version FROM tickets.sla_config", logger: logger)
        for try await (text, version) in rows.decode((String, Int).self) {
            return (try PostgresTicketRepository.decode(SLAConfiguration.self, text), version)
        }
        return nil
    }

    /// Stores the document (version + 1).
    func save(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let document = try PostgresTicketRepository.json(self)
        let rows = try await connection.query(
            """
            INSERT INTO tickets.sla_config (id, document) VALUES (true, \(document)::jsonb)
            ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, version = tickets.sla_config.version + 1,
                updated_at = now()
            RETURNING version
            """, logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        throw Problem.internal("SLA document upsert returned nothing")
    }
}

/// What `tickets.define_sla` and `tickets.get_sla` answer.
struct SLADocument: Codable, Sendable {
    var calendar: BusinessCalendarDefinition
    var policies: SLAPolicySet
    var version: Int
}

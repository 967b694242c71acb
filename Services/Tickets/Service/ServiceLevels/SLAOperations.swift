import Contracts
import Foundation
import Logging
import PostgresNIO
import SLA
import ServiceRuntime
import Wire

/// `tickets.define_sla` (admin), `tickets.get_sla` and `tickets.ticket_sla` (staff).
enum SLAOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(Operation.Tickets.defineSLA, SLAConfiguration.self, status: 200) {
            input, context, connection in
            guard [.admin, .service].contains(context.principal.role) else {
                throw Problem.forbidden("only admin keys may define the SLA")
            }
            let version = try await input.save(on: connection, logger: context.logger)
            context.logger.info(
                "SLA defined", metadata: ["version": "\(version)", "policies": "\(input.policies.policies.count)"])
            return SLADocument(calendar: input.calendar, policies: input.policies, version: version)
        }

        router.query(Operation.Tickets.getSLA, ListAgents.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                guard let (document, version) = try await SLAConfiguration.load(on: connection, logger: context.logger)
                else { throw Problem.notFound("no SLA is defined yet (PUT /v1/sla)") }
                return SLADocument(calendar: document.calendar, policies: document.policies, version: version)
            }
        }

        router.query(Operation.Tickets.ticketSLA, ByID.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                let exists = try await connection.query(
                    "SELECT 1 FROM tickets.tickets WHERE id = \(input.id)", logger: context.logger)
                var found = false
                for try await _ in exists.decode(Int.self) { found = true }
                guard found else { throw Problem.notFound("no ticket with id \(input.id)") }
                guard let (configuration, _) = try await SLAConfiguration.load(on: connection, logger: context.logger)
                else { return TicketSLA(policy: nil, evaluatedAt: Date(), metrics: []) }
                let report = try await SLATracker().evaluate(
                    ticketID: input.id, configuration: configuration, now: Date(), on: connection,
                    logger: context.logger)
                return TicketSLA(report)
            }
        }
    }
}

/// A ticket's SLA as `tickets.ticket_sla` answers it (`GET /v1/tickets/{id}/sla`).
struct TicketSLA: Codable, Sendable {
    struct Metric: Codable, Sendable {
        var metric: String
        var phase: String
        var targetSeconds: Int
        var startedAt: Date
        var dueAt: Date?
        var nearBreachAt: Date?
        var breachedAt: Date?
        var achievedAt: Date?
        var elapsedSeconds: Int
        var remainingSeconds: Int
        var nearBreach: Bool

        enum CodingKeys: String, CodingKey {
            case metric, phase
            case targetSeconds = "target_seconds"
            case startedAt = "started_at"
            case dueAt = "due_at"
            case nearBreachAt = "near_breach_at"
            case breachedAt = "breached_at"
            case achievedAt = "achieved_at"
            case elapsedSeconds = "elapsed_seconds"
            case remainingSeconds = "remaining_seconds"
            case nearBreach = "near_breach"
        }
    }

    /// The policy in force; nil when no SLA is defined or none matches the ticket.
    var policy: String?
    var evaluatedAt: Date
    var metrics: [Metric]

    init(policy: String?, evaluatedAt: Date, metrics: [Metric]) {
        self.policy = policy
        self.evaluatedAt = evaluatedAt
        self.metrics = metrics
    }

    init(_ report: SLAReport?) {
        guard let report else {
            self.init(policy: nil, evaluatedAt: Date(), metrics: [])
            return
        }
        let metrics = report.metrics.map { state in
            Metric(
                metric: state.metric.rawValue, phase: state.phase.rawValue, targetSeconds: state.target,
                startedAt: state.startedAt, dueAt: state.dueAt, nearBreachAt: state.nearBreachAt,
                breachedAt: state.breachedAt, achievedAt: state.achievedAt, elapsedSeconds: Int(state.elapsed),
                remainingSeconds: Int(state.remaining), nearBreach: state.isNearBreach)
        }
        self.init(policy: report.policyID, evaluatedAt: report.evaluatedAt, metrics: metrics)
    }

    enum CodingKeys: String, CodingKey {
        case policy, metrics
        case evaluatedAt = "evaluated_at"
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The tickets service: customer queries from every channel and their conversations.
public enum TicketsService {
    public static let schema = "tickets"

    /// The service's definition for `ServiceMain`: operations, the `tickets.privacy` consumer and the automatic
    /// close of solved tickets.
    public static func definition(environment: EnvironmentReader = EnvironmentReader()) throws -> ServiceDefinition {
        let settings = try TicketsSettings(environment)
        return ServiceDefinition(
            name: Operation.Tickets.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9101,
            register: register,
            consumers: { _ in
                [
                    "tickets.privacy": TicketPrivacy.handlers(), "tickets.feedback": TicketFeedback.handlers(),
                    "tickets.returns": ReturnNotes.handlers(),
                ]
            },
            jobs: { _ in
                [
                    AutoClose(after: settings.autoCloseAfter).job(interval: settings.autoCloseInterval),
                    SLAWatch().job(interval: settings.slaWatchInterval),
                    CategoryModelStore().job(interval: settings.classifierInterval),
                ]
            },
            brokerJobs: { _, services in
                [AutomationJob(services: services).job(interval: settings.automationInterval)]
            })
    }

    /// The bundled migrations of the `tickets` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        TicketPrivacy.register(&router, database)
        KnowledgeBaseOperations.register(&router, database)
        TicketOperations.register(&router, database)
        Conversation.register(&router, database)
        MergeAndSplit.register(&router, database)
        AgentOperations.register(&router, database)
        ChannelOperations.register(&router, database)
        TicketQueues.register(&router, database)
        SLAOperations.register(&router, database)
        MacroOperations.register(&router, database)
        TicketFeedback.register(&router, database)
        KPIOperations.register(&router, database)
        RuleOperations.register(&router, database)
        ClassifierOperations.register(&router, database)
    }

    /// Publishes the SLA events due at `now` (one round of the SLA watcher, for tests and tools): the event types
    /// and tickets.
    public static func watchSLAs(now: Date, on connection: PostgresConnection, logger: Logger) async throws
        -> [(String, UUID)]
    {
        try await SLAWatch().run(now: now, on: connection, logger: logger)
    }

    /// Runs the time-based automations once at `now` (for tests and tools): (automation, ticket, outcome) per run.
    /// With `services` (a broker client) macros fill their customer and order placeholders, as in the process.
    public static func runAutomations(
        now: Date, on connection: PostgresConnection, logger: Logger, services: ServiceClient? = nil
    ) async throws -> [(String, UUID, String)] {
        try await AutomationJob(services: services).run(now: now, on: connection, logger: logger)
    }

    /// Closes the tickets solved at least `after` before `now` (the automatic close's round, for tests and tools).
    public static func closeSolvedTickets(
        after: Duration, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Ticket] {
        try await AutoClose(after: after).run(now: now, on: connection, logger: logger)
    }
}

/// The tickets service's own settings (docs/configuration.md).
struct TicketsSettings: Sendable {
    /// How long a solved ticket stays solved before it closes (`CONCIERGE_TICKETS_AUTO_CLOSE_HOURS`, default 96).
    var autoCloseAfter: Duration
    /// How often the automatic close looks (`CONCIERGE_TICKETS_AUTO_CLOSE_INTERVAL_S`, default 60).
    var autoCloseInterval: Duration
    /// How often the SLA watcher looks for near and past due targets (`CONCIERGE_TICKETS_SLA_WATCH_INTERVAL_S`,
    /// default 30).
    var slaWatchInterval: Duration
    /// How often the time-based automations run (`CONCIERGE_TICKETS_AUTOMATION_INTERVAL_S`, default 60).
    var automationInterval: Duration
    /// How often the category classifier is retrained (`CONCIERGE_TICKETS_CLASSIFIER_INTERVAL_S`, default 3600).
    var classifierInterval: Duration

    init(_ environment: EnvironmentReader) throws {
        autoCloseAfter = .seconds(
            3600 * (try environment.int("CONCIERGE_TICKETS_AUTO_CLOSE_HOURS", default: 96, range: 1...2160)))
        autoCloseInterval = .seconds(
            try environment.int("CONCIERGE_TICKETS_AUTO_CLOSE_INTERVAL_S", default: 60, range: 1...86400))
        slaWatchInterval = .seconds(
            try environment.int("CONCIERGE_TICKETS_SLA_WATCH_INTERVAL_S", default: 30, range: 1...3600))
        automationInterval = .seconds(
            try environment.int("CONCIERGE_TICKETS_AUTOMATION_INTERVAL_S", default: 60, range: 1...86400))
        classifierInterval = .seconds(
            try environment.int("CONCIERGE_TICKETS_CLASSIFIER_INTERVAL_S", default: 3600, range: 10...604800))
    }
}

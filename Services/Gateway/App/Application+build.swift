import Contracts
import Foundation
import Hummingbird
import Logging
import Majordomo
import PostgresNIO
import ServiceRuntime

/// The gateway's schema and migrations.
public enum GatewaySchema {
    public static let name = "gateway"

    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: name)
    }
}

/// Builds the gateway application: its routes, middleware and the services it runs beside the HTTP server
/// (the PostgreSQL pool and the broker client). Tests call this too.
public func buildApplication(
    configuration: GatewayConfiguration, logger: Logger
) throws -> some ApplicationProtocol {
    MetricsBootstrap.bootstrap()
    let runtime = configuration.runtime
    let postgres = PostgresClient(
        configuration: try DatabaseURL(runtime.databaseURL).clientConfiguration(poolSize: runtime.databasePoolSize),
        backgroundLogger: logger)
    let database = Database(client: postgres, logger: logger)
    let majordomo = MajordomoClient(
        brokerEndpoint: runtime.brokerEndpoint, configuration: runtime.majordomo, logger: logger,
        correlate: ServiceClient.correlate)
    let services = ServiceClient(
        client: majordomo, attemptTimeout: runtime.requestTimeout, deadline: runtime.requestDeadline, logger: logger)
    let keyStore = APIKeyStore(database: database)
    let stores = StoreRepository(database: database, keys: keyStore)
    let webhooks = WebhookReceiver(
        services: services, stores: StoreCache(repository: stores), maxBodyBytes: configuration.webhookMaxBodyBytes,
        deadline: configuration.webhookDeadline)

    let keys = APIKeyCache(store: keyStore)
    let chat = ChatGateway(services: services, database: database, keys: keys, logger: logger)
    let router = buildRouter(
        services: services, database: database, keys: keys, keyStore: keyStore,
        maxBodyBytes: configuration.maxBodyBytes, stores: stores, webhooks: webhooks)
    var app = Application(
        router: router, server: chat.server(),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "concierge"),
        logger: logger)
    app.addServices(postgres, majordomo, chat.feed)
    let bootstrapKey = configuration.bootstrapAdminKey
    app.beforeServerStarts {
        try await Migrator(schema: GatewaySchema.name, migrations: try GatewaySchema.migrations())
            .migrate(client: postgres, logger: logger)
        if let bootstrapKey {
            _ = try await keyStore.create(name: "bootstrap admin", role: .admin, customerID: nil, secret: bootstrapKey)
            logger.info("bootstrap admin key ensured")
        }
    }
    return app
}

/// The gateway's routes: health at the root, the API under `/v1` behind authentication, every error a problem.
func buildRouter(
    services: ServiceClient, database: Database, keys: APIKeyCache, keyStore: APIKeyStore, maxBodyBytes: Int,
    stores: StoreRepository, webhooks: WebhookReceiver
) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware(maxBodyBytes: maxBodyBytes))
    router.add(middleware: MetricsMiddleware())
    HealthRoutes(services: services, database: database).register(on: router)
    WebhookRoutes(receiver: webhooks).register(on: router)

    let forwarder = ServiceForwarder(services: services, maxBodyBytes: maxBodyBytes)
    FeedbackRoutes(forwarder: forwarder).register(on: router)
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(keys: keys))
    CustomerRoutes(forwarder: forwarder).register(on: v1)
    SegmentRoutes(forwarder: forwarder).register(on: v1)
    TicketRoutes(forwarder: forwarder).register(on: v1)
    ChannelRoutes(forwarder: forwarder).register(on: v1)
    AgentRoutes(forwarder: forwarder).register(on: v1)
    KPIRoutes(forwarder: forwarder).register(on: v1)
    QueueRoutes(forwarder: forwarder).register(on: v1)
    ServiceLevelRoutes(forwarder: forwarder).register(on: v1)
    MacroRoutes(forwarder: forwarder).register(on: v1)
    RuleRoutes(forwarder: forwarder).register(on: v1)
    ClassifierRoutes(forwarder: forwarder).register(on: v1)
    KnowledgeBaseRoutes(forwarder: forwarder).register(on: v1)
    ReturnRoutes(forwarder: forwarder).register(on: v1)
    OrderRoutes(forwarder: forwarder).register(on: v1)
    CustomerOverviewRoutes(forwarder: forwarder).register(on: v1)
    LoyaltyRoutes(forwarder: forwarder).register(on: v1)
    PrivacyRoutes(forwarder: forwarder).register(on: v1)
    APIKeyRoutes(forwarder: forwarder, store: keyStore).register(on: v1)
    StoreRoutes(forwarder: forwarder, repository: stores, cache: webhooks.stores).register(on: v1)
    ChatRoutes(keys: keys).register(on: router)
    return router
}

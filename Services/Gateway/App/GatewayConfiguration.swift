import ServiceRuntime

/// The gateway's settings: the shared runtime settings plus its HTTP listener (see docs/configuration.md).
public struct GatewayConfiguration: Sendable {
    public var runtime: RuntimeConfiguration
    /// `CONCIERGE_HTTP_HOST`.
    public var host: String
    /// `CONCIERGE_HTTP_PORT`; 0 picks a free port (tests).
    public var port: Int
    /// Largest request body accepted, in bytes (`CONCIERGE_MAX_BODY_BYTES`); larger bodies get 413.
    public var maxBodyBytes: Int
    /// When set, an admin key with exactly this secret is ensured at start (`CONCIERGE_BOOTSTRAP_ADMIN_KEY`).
    public var bootstrapAdminKey: String?
    /// Largest store-platform webhook body accepted, in bytes (`CONCIERGE_WEBHOOK_MAX_BODY_BYTES`); larger get 413.
    public var webhookMaxBodyBytes: Int
    /// How long a webhook may wait for the customers service to store the delivery before the gateway answers 503
    /// and lets the platform retry (`CONCIERGE_WEBHOOK_DEADLINE_MS`); below Shopify's 5 s timeout.
    public var webhookDeadline: Duration

    public init(environment: EnvironmentReader = EnvironmentReader()) throws {
        runtime = try RuntimeConfiguration(environment: environment, defaultMetricsPort: 0)
        host = environment.string("CONCIERGE_HTTP_HOST", default: "127.0.0.1")
        port = try environment.int("CONCIERGE_HTTP_PORT", default: 8080, range: 0...65_535)
        maxBodyBytes = try environment.int("CONCIERGE_MAX_BODY_BYTES", default: 1_048_576, range: 1_024...104_857_600)
        bootstrapAdminKey = environment.optionalString("CONCIERGE_BOOTSTRAP_ADMIN_KEY")
        webhookMaxBodyBytes = try environment.int(
            "CONCIERGE_WEBHOOK_MAX_BODY_BYTES", default: 2_097_152, range: 1_024...104_857_600)
        webhookDeadline = try environment.milliseconds(
            "CONCIERGE_WEBHOOK_DEADLINE_MS", default: 3_000, range: 100...60_000)
        if let key = bootstrapAdminKey, key.count < 24 {
            throw ConfigurationError(
                variable: "CONCIERGE_BOOTSTRAP_ADMIN_KEY", reason: "must be at least 24 characters")
        }
    }
}

import Contracts
import Metrics

/// Counts webhook deliveries by platform and outcome (`concierge_webhook_deliveries_total`).
enum WebhookMetrics {
    /// What became of a delivery.
    enum Outcome: String {
        /// Stored for the first time.
        case accepted
        /// Already stored earlier (a platform retry or a repeat).
        case duplicate
        /// Unknown store or bad signature.
        case unauthorized
        /// WooCommerce's unsigned creation ping.
        case ping
        /// Malformed (missing headers, not UTF-8, unsupported topic, too large).
        case rejected
        /// The customers service could not store it in time; the platform will retry.
        case unavailable
    }

    static func record(_ platform: StorePlatform, _ outcome: Outcome) {
        Counter(
            label: "concierge_webhook_deliveries_total",
            dimensions: [("platform", platform.rawValue), ("outcome", outcome.rawValue)]
        ).increment()
    }
}

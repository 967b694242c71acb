import Metrics
import Prometheus

/// Sets up swift-metrics once per process with a Prometheus registry that `/metrics` renders.
public enum MetricsBootstrap {
    /// The registry every metric of this process lands in.
    public static let registry = PrometheusCollectorRegistry()

    private static let once: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Bootstraps the metrics system (idempotent).
    public static func bootstrap() { _ = once }

    /// The Prometheus text exposition of everything recorded so far.
    public static func render() -> [UInt8] { registry.emitToBuffer() }
}

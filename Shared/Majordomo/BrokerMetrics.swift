import Metrics

/// The broker's swift-metrics instruments, cached per service. Used only on the broker's socket thread.
struct BrokerMetrics {
    private var requests: [String: Counter] = [:]
    private var replies: [String: Counter] = [:]
    private var expired: [String: Counter] = [:]
    private var workers: [String: Gauge] = [:]
    private var queueDepth: [String: Gauge] = [:]
    private let disconnects = Counter(label: "mdp_broker_disconnects_total")
    private let malformed = Counter(label: "mdp_broker_malformed_total")

    mutating func request(_ service: String) {
        Self.cached(&requests, service) { Counter(label: "mdp_broker_requests_total", dimensions: [("service", $0)]) }
            .increment()
    }

    mutating func reply(_ service: String) {
        Self.cached(&replies, service) { Counter(label: "mdp_broker_replies_total", dimensions: [("service", $0)]) }
            .increment()
    }

    mutating func expired(_ service: String, reason: BrokerFailureKind) {
        let key = service + "\u{0}" + reason.rawValue
        Self.cached(&expired, key) { _ in
            Counter(label: "mdp_broker_expired_total", dimensions: [("service", service), ("reason", reason.rawValue)])
        }.increment()
    }

    mutating func workers(_ service: String, _ count: Int) {
        Self.cached(&workers, service) { Gauge(label: "mdp_broker_workers", dimensions: [("service", $0)]) }
            .record(count)
    }

    mutating func queueDepth(_ service: String, _ depth: Int) {
        Self.cached(&queueDepth, service) { Gauge(label: "mdp_broker_queue_depth", dimensions: [("service", $0)]) }
            .record(depth)
    }

    func disconnect() { disconnects.increment() }
    func malformedMessage() { malformed.increment() }

    private static func cached<M>(_ table: inout [String: M], _ key: String, _ make: (String) -> M) -> M {
        if let metric = table[key] { return metric }
        let metric = make(key)
        table[key] = metric
        return metric
    }
}

import Metrics

/// The broker's swift-metrics instruments. The per-service ones are created once, when a service is first seen, and
/// kept on the service's record, so that the hot path only increments (no factory call, lock or label lookup per
/// message). Used only on the broker's socket thread.
struct BrokerMetrics {
    private var expired: [String: Counter] = [:]
    private let disconnects = Counter(label: "mdp_broker_disconnects_total")
    private let malformed = Counter(label: "mdp_broker_malformed_total")

    mutating func expired(_ service: String, reason: BrokerFailureKind) {
        let key = service + "\u{0}" + reason.rawValue
        if let counter = expired[key] {
            counter.increment()
            return
        }
        let counter = Counter(
            label: "mdp_broker_expired_total", dimensions: [("service", service), ("reason", reason.rawValue)])
        expired[key] = counter
        counter.increment()
    }

    func disconnect() { disconnects.increment() }
    func malformedMessage() { malformed.increment() }
}

/// One service's instruments: requests, replies, live workers and queue depth.
final class ServiceMetrics {
    let requests: Counter
    let replies: Counter
    private let workers: Gauge
    private let queueDepth: Gauge
    private var lastWorkers = -1
    private var lastQueueDepth = -1

    init(service: String) {
        requests = Counter(label: "mdp_broker_requests_total", dimensions: [("service", service)])
        replies = Counter(label: "mdp_broker_replies_total", dimensions: [("service", service)])
        workers = Gauge(label: "mdp_broker_workers", dimensions: [("service", service)])
        queueDepth = Gauge(label: "mdp_broker_queue_depth", dimensions: [("service", service)])
    }

    /// Records the worker count when it changed.
    func workers(_ count: Int) {
        guard count != lastWorkers else { return }
        lastWorkers = count
        workers.record(count)
    }

    /// Records the queue depth when it changed.
    func queueDepth(_ depth: Int) {
        guard depth != lastQueueDepth else { return }
        lastQueueDepth = depth
        queueDepth.record(depth)
    }
}

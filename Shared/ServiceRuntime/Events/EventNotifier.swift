import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Wire
import ZeroMQ

/// Publishes committed events on PUB/SUB through the broker's fan-out: frames `[type, envelope JSON]`.
///
/// Publishing never blocks or fails a request: PUB drops messages it cannot send, and subscribers find every event
/// in the log anyway.
public final class EventNotifier: Service, Sendable {
    private let endpoint: String?
    private let logger: Logger
    private let thread: SocketThread?
    private let socket = ThreadConfined<ZMQSocket>()
    private let published = Counter(label: "concierge_events_published_total")

    /// `endpoint` is the fan-out's publish side; nil turns notifications off (catch-up still delivers).
    public init(endpoint: String?, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
        self.thread = endpoint == nil ? nil : try? SocketThread(name: "event-pub", logger: logger)
    }

    /// Sends `events` (already committed). Call after the transaction that appended them commits.
    public func publish(_ events: [EventEnvelope]) {
        guard !events.isEmpty else { return }
        published.increment(by: Int64(events.count))
        guard let thread, endpoint != nil else { return }
        let messages = events.compactMap { event -> [[UInt8]]? in
            guard let json = try? WireJSON.encoder.encode(event) else { return nil }
            return [Array(event.type.utf8), Array(json)]
        }
        let socket = self.socket
        thread.execute { _ in
            guard let pub = socket.value else { return }
            for message in messages { _ = try? pub.send(message) }
        }
    }

    public func run() async throws {
        guard let thread, let endpoint else {
            try? await gracefulShutdown()
            return
        }
        thread.start()
        let socket = self.socket
        try await thread.run { loop in
            let pub = try loop.makeSocket(.pub, linger: .milliseconds(200))
            try pub.set(.sendHighWaterMark(100_000))
            try pub.connect(endpoint)
            socket.value = pub
        }
        try? await gracefulShutdown()
        await thread.shutdown()
    }
}

/// A value only ever touched on one `SocketThread` (set and read in closures that thread runs).
final class ThreadConfined<Value>: @unchecked Sendable {
    var value: Value?
}

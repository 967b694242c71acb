import Foundation
import Logging
import PostgresNIO

/// Collects the events one request appends, so they can be published once its transaction has committed.
public final class EventRecorder: @unchecked Sendable {
    // Guarded by `lock`; a request's handler may be async but appends happen one at a time.
    private let lock = NSLock()
    private var recorded: [EventEnvelope] = []
    let store: EventStore
    let traceparent: String?

    init(store: EventStore, traceparent: String?) {
        self.store = store
        self.traceparent = traceparent
    }

    /// Appends `event` to the log inside the open transaction on `connection`.
    @discardableResult
    public func record(_ event: NewEvent, on connection: PostgresConnection, logger: Logger) async throws
        -> EventEnvelope
    {
        let envelope = try await store.append(event, traceparent: traceparent, on: connection, logger: logger)
        lock.withLock { recorded.append(envelope) }
        return envelope
    }

    /// Everything appended so far.
    var events: [EventEnvelope] { lock.withLock { recorded } }

    /// Forgets everything (the transaction rolled back).
    func discard() { lock.withLock { recorded.removeAll() } }
}

/// A service's way of writing events: the log plus the notifier that announces them after commit.
public struct EventPublisher: Sendable {
    public let store: EventStore
    public let notifier: EventNotifier?

    public init(source: String, notifier: EventNotifier?) {
        self.store = EventStore(source: source)
        self.notifier = notifier
    }
}

import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Wire

/// What a service does with the events it reacts to, by type — declared in one place per consumer.
public struct EventHandlers: Sendable {
    public typealias Handler = @Sendable (EventEnvelope, PostgresConnection, Logger) async throws -> Void
    public private(set) var handlers: [String: Handler] = [:]

    public init() {}

    /// Runs `handler` for every event of `type`, inside the transaction that records the event as applied.
    public mutating func on(_ type: String, _ handler: @escaping Handler) {
        handlers[type] = handler
    }

    public var types: [String] { handlers.keys.sorted() }
}

/// Tuning of a consumer; the defaults suit a LAN.
public struct EventConsumerConfiguration: Sendable {
    /// How often the log is read when no hint arrives (catch-up after a dropped message or a broker outage).
    public var pollInterval: Duration = .milliseconds(500)
    /// Most events read per query.
    public var batchSize = 256
    /// Most events applied in one transaction (one commit, so one disk flush, for the group). 1 applies each event in
    /// its own transaction.
    public var commitSize = 64
    /// Attempts of a failing handler before the event is dead-lettered.
    public var maxAttempts = 5
    /// First retry delay; doubles per attempt up to `maxRetryDelay`.
    public var retryDelay: Duration = .milliseconds(100)
    public var maxRetryDelay: Duration = .seconds(5)

    public init() {}
}

/// Applies events from the log to one consumer's handlers, exactly once in effect and in commit order.
///
/// - Each event is applied in one transaction that runs the handler, records the event id as applied and moves the
///   checkpoint, so a crash anywhere leaves either all of it or none.
/// - One instance of the consumer is active at a time (a PostgreSQL advisory lock held on its connection); the
///   others stand by and take over when it goes away, so every replica of a service can run the same consumer.
/// - A handler that throws is retried with back-off; after `maxAttempts` the event is dead-lettered and the consumer
///   moves on, so one poison event cannot block the stream. An operator can ask for a replay.
public final class EventConsumer: Service, Sendable {
    public let name: String
    private let store: ConsumerStore
    private let log = EventStore(source: "")
    private let handlers: EventHandlers
    private let client: PostgresClient
    private let hints: EventHints
    private let configuration: EventConsumerConfiguration
    private let logger: Logger
    private let metrics: ConsumerMetrics

    /// - Parameters:
    ///   - name: unique per consumer, by convention `<service>.<purpose>` such as `loyalty.accounts`.
    ///   - schema: the consuming service's schema, which holds the consumer's state.
    ///   - subscribeEndpoint: the broker's fan-out subscribe side; nil means polling only.
    public init(
        name: String, schema: String, handlers: EventHandlers, client: PostgresClient, subscribeEndpoint: String?,
        configuration: EventConsumerConfiguration = .init(), logger: Logger
    ) {
        self.name = name
        self.store = ConsumerStore(schema: schema, consumer: name)
        self.handlers = handlers
        self.client = client
        self.hints = EventHints(endpoint: subscribeEndpoint, types: handlers.types, logger: logger)
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "consumer"] = "\(name)"
        self.logger = logger
        self.metrics = ConsumerMetrics(consumer: name)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.hints.run() }
            await withGracefulShutdownHandler {
                await self.lead()
            } onGracefulShutdown: {
                self.hints.signal.fire()
            }
            group.cancelAll()
        }
    }

    private var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// Takes the consumer's lock when free and applies events; otherwise waits as a standby.
    private func lead() async {
        var failures = 0
        while !stopping {
            do {
                try Task.checkCancellation()
                try await client.withConnection { connection in
                    guard try await self.tryLock(on: connection) else { return }
                    self.logger.info("consumer active")
                    failures = 0
                    // The lock belongs to this pooled connection's session: release it before the pool takes the
                    // connection back. When the process is stopping the pool closes the connection (and so releases
                    // the lock) anyway, and a query racing that close is not worth waiting for.
                    do {
                        try await self.consume(on: connection)
                    } catch {
                        if !self.stopping { try? await self.unlock(on: connection) }
                        throw error
                    }
                    if !self.stopping { try await self.unlock(on: connection) }
                }
            } catch {
                failures += 1
                logger.warning(
                    "consumer interrupted",
                    metadata: ["error": "\(String(reflecting: error))", "failures": "\(failures)"])
            }
            if stopping { break }
            try? await Task.sleep(for: min(configuration.pollInterval * max(1, failures), .seconds(5)))
        }
    }

    private func tryLock(on connection: PostgresConnection) async throws -> Bool {
        let key = "concierge.consumer.\(name)"
        let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtext(\(key)))", logger: logger)
        for try await locked in rows.decode(Bool.self) { return locked }
        return false
    }

    private func unlock(on connection: PostgresConnection) async throws {
        let key = "concierge.consumer.\(name)"
        try await connection.query("SELECT pg_advisory_unlock(hashtext(\(key)))", logger: logger)
    }

    private func consume(on connection: PostgresConnection) async throws {
        var (checkpoint, generation) = try await store.load(on: connection, logger: logger)
        let types = handlers.types
        var lagRecordedAt: ContinuousClock.Instant?
        while !stopping {
            // One small read per round: a rewind (`concierge events replay`) or a dead letter to retry.
            let state = try await store.state(on: connection, logger: logger)
            if state.replayRequested { try await replayDeadLetters(on: connection, generation: generation) }
            if state.generation != generation {
                let (stored, storedGeneration) = try await store.load(on: connection, logger: logger)
                logger.info("consumer rewound", metadata: ["checkpoint": "\(stored)"])
                (checkpoint, generation) = (stored, storedGeneration)
            }
            let batch = try await log.read(
                after: checkpoint, types: types, limit: configuration.batchSize, on: connection, logger: logger)
            if !batch.isEmpty { metrics.catchUps.increment() }
            var rest = batch[...]
            while let first = rest.first, !stopping {
                // Up to `commitSize` events in one transaction; if any handler fails the group rolls back and its
                // events are applied one at a time, with retries and dead letters as usual.
                let group = rest.prefix(configuration.commitSize)
                if group.count > 1, let last = group.last,
                    try await applyTogether(Array(group), generation: generation, on: connection)
                {
                    checkpoint = last.checkpoint
                    rest = rest.dropFirst(group.count)
                    continue
                }
                guard try await apply(first, generation: generation, on: connection) else { break }
                checkpoint = first.checkpoint
                rest = rest.dropFirst()
            }
            if stopping { return }
            if batch.count < configuration.batchSize {
                // The lag gauge is a count over the log: at most once a second, not on every wake-up.
                if lagRecordedAt.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                    try await recordLag(after: checkpoint, types: types, on: connection)
                    lagRecordedAt = .now
                }
                await hints.signal.wait(timeout: configuration.pollInterval)
            }
        }
    }

    /// Applies `events` in one transaction; false when a handler failed or a replay changed the generation (nothing
    /// of the group is then applied and the caller goes one event at a time).
    private func applyTogether(_ events: [EventEnvelope], generation: Int64, on connection: PostgresConnection)
        async throws -> Bool
    {
        guard let last = events.last else { return true }
        do {
            let advanced = try await transaction(on: connection) {
                for event in events {
                    if try await self.store.markApplied(event, on: connection, logger: self.logger),
                        let handler = self.handlers.handlers[event.type]
                    {
                        try await handler(event, connection, self.logger)
                    }
                }
                return try await self.store.advance(
                    to: last.checkpoint, generation: generation, on: connection, logger: self.logger)
            }
            guard advanced else { return false }
            metrics.applied.increment(by: Int64(events.count))
            metrics.lagSeconds.record(max(0, Date().timeIntervalSince(last.occurredAt)))
            return true
        } catch let error as PSQLError where error.serverInfo == nil {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return false
        }
    }

    /// Applies one event with retries; false when a replay changed the generation (the caller reloads).
    private func apply(_ event: EventEnvelope, generation: Int64, on connection: PostgresConnection) async throws
        -> Bool
    {
        var attempt = 0
        var delay = configuration.retryDelay
        while true {
            attempt += 1
            do {
                let advanced = try await transaction(on: connection) {
                    if try await self.store.markApplied(event, on: connection, logger: self.logger),
                        let handler = self.handlers.handlers[event.type]
                    {
                        try await handler(event, connection, self.logger)
                    }
                    return try await self.store.advance(
                        to: event.checkpoint, generation: generation, on: connection, logger: self.logger)
                }
                if advanced {
                    metrics.applied.increment()
                    metrics.lagSeconds.record(max(0, Date().timeIntervalSince(event.occurredAt)))
                }
                return advanced
            } catch let error as PSQLError where error.serverInfo == nil {
                throw error  // the connection is gone: another instance (or this one, reconnected) carries on
            } catch {
                metrics.failures.increment()
                logger.error(
                    "event handler failed",
                    metadata: [
                        "event_id": "\(event.id)", "type": "\(event.type)", "position": "\(event.position)",
                        "attempt": "\(attempt)", "error": "\(String(reflecting: error))",
                    ])
                if attempt >= configuration.maxAttempts {
                    return try await deadLetter(
                        event, attempts: attempt, error: error, generation: generation, on: connection)
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, configuration.maxRetryDelay)
            }
        }
    }

    private func deadLetter(
        _ event: EventEnvelope, attempts: Int, error: any Error, generation: Int64, on connection: PostgresConnection
    ) async throws -> Bool {
        metrics.deadLetters.increment()
        logger.critical(
            "event dead-lettered",
            metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "attempts": "\(attempts)"])
        return try await transaction(on: connection) {
            try await self.store.deadLetter(
                event, attempts: attempts, error: String(reflecting: error), on: connection, logger: self.logger)
            return try await self.store.advance(
                to: event.checkpoint, generation: generation, on: connection, logger: self.logger)
        }
    }

    /// Re-applies dead letters an operator asked for (`concierge events retry`); a failure dead-letters again.
    private func replayDeadLetters(on connection: PostgresConnection, generation: Int64) async throws {
        for position in try await store.replayRequests(on: connection, logger: logger) {
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(EventStore.columns) FROM events.log WHERE position = $1",
                    binds: try .values(position)),
                logger: logger)
            var found: EventEnvelope?
            for try await row in rows.decode(EventStore.Row.self) { found = EventStore.envelope(row) }
            guard let event = found else { continue }
            do {
                try await transaction(on: connection) {
                    if try await self.store.markApplied(event, on: connection, logger: self.logger),
                        let handler = self.handlers.handlers[event.type]
                    {
                        try await handler(event, connection, self.logger)
                    }
                    try await self.store.resolveDeadLetter(event, on: connection, logger: self.logger)
                    return true
                }
                logger.info("dead letter replayed", metadata: ["event_id": "\(event.id)"])
            } catch let error as PSQLError where error.serverInfo == nil {
                throw error
            } catch {
                try await transaction(on: connection) {
                    try await self.store.deadLetter(
                        event, attempts: 1, error: String(reflecting: error), on: connection, logger: self.logger)
                    return true
                }
            }
        }
    }

    private func recordLag(after checkpoint: LogCheckpoint, types: [String], on connection: PostgresConnection)
        async throws
    {
        let rows = try await connection.query(
            """
            SELECT count(*)::bigint FROM (
                SELECT 1 FROM events.log
                WHERE (txid, position) > (\(checkpoint.transactionID), \(checkpoint.position)) AND type = ANY(\(types))
                LIMIT 100000) AS pending
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { metrics.lagEvents.record(count) }
    }

    @discardableResult
    private func transaction(on connection: PostgresConnection, _ body: () async throws -> Bool) async throws -> Bool {
        try await connection.inTransaction(logger: logger, commit: { $0 }, body)
    }
}

/// The consumer's metrics: applied, failures, dead letters, catch-up reads, lag in events and seconds.
struct ConsumerMetrics: Sendable {
    let applied: Counter
    let failures: Counter
    let deadLetters: Counter
    let catchUps: Counter
    let lagEvents: Gauge
    let lagSeconds: Gauge

    init(consumer: String) {
        let dimensions = [("consumer", consumer)]
        applied = Counter(label: "concierge_events_applied_total", dimensions: dimensions)
        failures = Counter(label: "concierge_event_handler_failures_total", dimensions: dimensions)
        deadLetters = Counter(label: "concierge_events_dead_lettered_total", dimensions: dimensions)
        catchUps = Counter(label: "concierge_event_reads_total", dimensions: dimensions)
        lagEvents = Gauge(label: "concierge_event_consumer_lag_events", dimensions: dimensions)
        lagSeconds = Gauge(label: "concierge_event_consumer_lag_seconds", dimensions: dimensions)
    }
}

import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing

/// How often a handler ran, per event (including runs whose transaction rolled back).
final class HandlerTally: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var runs: [UUID: Int] = [:]
    private var flag = false

    /// Counts a run of `id` and returns how many there were, this one included.
    func hit(_ id: UUID) -> Int {
        lock.withLock {
            let run = (runs[id] ?? 0) + 1
            runs[id] = run
            return run
        }
    }

    func count(_ id: UUID) -> Int { lock.withLock { runs[id] ?? 0 } }
    var total: Int { lock.withLock { runs.values.reduce(0, +) } }

    /// A switch a handler can look at (for example "the bug is fixed").
    var fixed: Bool {
        get { lock.withLock { flag } }
        set { lock.withLock { flag = newValue } }
    }
}

/// Runs `EventConsumer` directly over a fresh database: schema `evtest` holds the consumer's state and the table its
/// handler writes, `effects`, whose unique index on the event id proves that nothing is applied twice.
enum ConsumerFixture {
    static let schema = "evtest"
    static let name = "evtest.effects"

    static let logger: Logger = {
        var logger = Logger(label: "concierge.tests.events")
        logger.logLevel = .critical
        return logger
    }()

    static func database() async throws -> String {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            _ = try await Migrator(
                schema: schema,
                migrations: [
                    Migration(
                        version: 1, name: "effects",
                        sql: """
                            CREATE TABLE evtest.effects (
                                seq bigserial PRIMARY KEY,
                                event_id uuid NOT NULL,
                                aggregate_id text NOT NULL,
                                version bigint NOT NULL
                            );
                            CREATE UNIQUE INDEX effects_event_idx ON evtest.effects (event_id);
                            """)
                ]
            ).migrate(client: client, logger: logger)
        }
        return url
    }

    static var fast: EventConsumerConfiguration {
        var configuration = EventConsumerConfiguration()
        configuration.pollInterval = .milliseconds(100)
        configuration.retryDelay = .milliseconds(10)
        configuration.maxRetryDelay = .milliseconds(50)
        return configuration
    }

    /// Handlers for `test.happened` that count runs, may throw (`failure`), and insert one effect row.
    static func handlers(
        _ tally: HandlerTally, idempotent: Bool = false,
        failure: @escaping @Sendable (EventEnvelope, Int) throws -> Void = { _, _ in }
    ) -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on("test.happened") { event, connection, logger in
            let run = tally.hit(event.id)
            try failure(event, run)
            let conflict = idempotent ? "ON CONFLICT (event_id) DO NOTHING" : ""
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO evtest.effects (event_id, aggregate_id, version) VALUES ($1, $2, $3) "
                        + conflict,
                    binds: try .values(event.id, event.aggregateID, event.aggregateVersion)),
                logger: logger)
        }
        return handlers
    }

    /// Starts a consumer with its own client; cancel the task (see `stop`) to stop it and close its connections.
    static func start(
        url: String, name: String = name, handlers: EventHandlers, configuration: EventConsumerConfiguration = fast,
        subscribeEndpoint: String? = nil
    ) -> Task<Void, any Error> {
        Task {
            try await TestDatabase.withClient(url: url) { client, _ in
                let consumer = EventConsumer(
                    name: name, schema: schema, handlers: handlers, client: client,
                    subscribeEndpoint: subscribeEndpoint, configuration: configuration, logger: logger)
                try await consumer.run()
            }
        }
    }

    static func stop(_ task: Task<Void, any Error>) async {
        task.cancel()
        _ = await task.result
    }

    /// Runs `body` while one consumer runs.
    static func withConsumer<T>(
        url: String, handlers: EventHandlers, configuration: EventConsumerConfiguration = fast,
        subscribeEndpoint: String? = nil, _ body: () async throws -> T
    ) async throws -> T {
        let task = start(
            url: url, handlers: handlers, configuration: configuration, subscribeEndpoint: subscribeEndpoint)
        do {
            let result = try await body()
            await stop(task)
            return result
        } catch {
            await stop(task)
            throw error
        }
    }

    /// Polls until `condition` holds; a guard against hanging, never a speed assertion.
    static func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        let giveUp = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < giveUp else { throw TestSetupError("gave up waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func effects(_ url: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM evtest.effects")
    }

    static func deadLetters(_ url: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM evtest.event_dead_letters")
    }

    static func applied(_ url: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM evtest.applied_events")
    }

    /// Effect rows whose aggregate's previous effect was not the previous version (0 when every aggregate's events
    /// were applied in order, without gaps).
    static func outOfOrder(_ url: String) async throws -> Int {
        try await TestDatabase.scalar(
            url: url,
            """
            SELECT count(*) FROM (
                SELECT version, lag(version) OVER (PARTITION BY aggregate_id ORDER BY seq) AS previous
                FROM evtest.effects) AS ordered
            WHERE previous IS NOT NULL AND version <> previous + 1
            """)
    }

    /// Appends `count` events in one committed statement (as a publisher would), spread over `aggregates` aggregates.
    static func bulkAppend(url: String, from start: Int, count: Int, aggregates: Int) async throws {
        try await TestDatabase.withClient(url: url) { client, logger in
            _ = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version,
                                                schema_version, payload)
                        SELECT gen_random_uuid(), 'test.happened', 'test', 'thing', 'bulk-' || (i % \(aggregates)),
                               i / \(aggregates) + 1, 1, jsonb_build_object('n', i)
                        FROM generate_series(\(start), \(start + count - 1)) AS i
                        """), logger: logger)
        }
    }

    static func append(url: String, aggregates: [String]) async throws -> [EventEnvelope] {
        try await TestDatabase.withClient(url: url) { client, logger in
            var events: [EventEnvelope] = []
            for (n, aggregate) in aggregates.enumerated() {
                events.append(
                    try await EventsFixture.appendCommitted(
                        try EventsFixture.event(aggregate: aggregate, n: n), client: client, logger: logger))
            }
            return events
        }
    }
}

struct HandlerFailure: Error {}

@Suite("Event consumer against PostgreSQL", .enabled(if: TestDatabase.isConfigured))
struct EventsConsumerTests {
    @Test func tenThousandEventsWrittenWhileStoppedAreEachAppliedOnceInOrder() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally)
        // The consumer has run once (it has a checkpoint), then stops.
        _ = try await ConsumerFixture.append(url: url, aggregates: ["first"])
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers) {
            try await ConsumerFixture.waitUntil("the first event") { try await ConsumerFixture.effects(url) == 1 }
        }
        // 10,000 events in ten transactions while nobody consumes.
        for batch in 0..<10 {
            try await ConsumerFixture.bulkAppend(url: url, from: batch * 1000, count: 1000, aggregates: 50)
        }
        #expect(try await ConsumerFixture.effects(url) == 1)

        try await ConsumerFixture.withConsumer(url: url, handlers: handlers) {
            try await ConsumerFixture.waitUntil("10,001 effects", timeout: .seconds(400)) {
                try await ConsumerFixture.effects(url) >= 10_001
            }
        }
        #expect(try await ConsumerFixture.effects(url) == 10_001)
        #expect(
            try await TestDatabase.scalar(url: url, "SELECT count(DISTINCT event_id) FROM evtest.effects") == 10_001)
        #expect(tally.total == 10_001, "no handler ran twice")
        #expect(try await ConsumerFixture.applied(url) == 10_001)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
        #expect(try await ConsumerFixture.outOfOrder(url) == 0)
        // The checkpoint is at the last event in commit order.
        #expect(
            try await TestDatabase.scalar(
                url: url,
                """
                SELECT count(*) FROM evtest.event_consumers c
                WHERE (c.txid, c.position) = (SELECT txid, position FROM events.log ORDER BY txid DESC, position DESC
                                              LIMIT 1)
                """) == 1)
    }

    /// A consumer that crashed after applying but before its checkpoint moved sees the events again: the applied
    /// ids make that a no-op, so no handler runs a second time.
    @Test func aRedeliveredEventRunsNoHandler() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally)
        let events = try await ConsumerFixture.append(url: url, aggregates: ["a", "a", "b", "a", "b"])
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers) {
            try await ConsumerFixture.waitUntil("5 effects") { try await ConsumerFixture.effects(url) == 5 }
        }
        try await TestDatabase.withClient(url: url) { client, logger in
            // Back to the start without forgetting the applied ids (the generation stays).
            try await client.query(
                "UPDATE evtest.event_consumers SET txid = 0, position = 0 WHERE name = \(ConsumerFixture.name)",
                logger: logger)
            let store = ConsumerStore(schema: ConsumerFixture.schema, consumer: ConsumerFixture.name)
            try await client.withConnection { connection in
                let (checkpoint, generation) = try await store.load(on: connection, logger: logger)
                #expect(checkpoint == .start)
                #expect(generation == 0)
                #expect(try await store.markApplied(events[0], on: connection, logger: logger) == false)
            }
        }
        let marker = try await ConsumerFixture.withConsumer(url: url, handlers: handlers) {
            let marker = try await ConsumerFixture.append(url: url, aggregates: ["c"])[0]
            try await ConsumerFixture.waitUntil("the marker") { try await ConsumerFixture.effects(url) == 6 }
            return marker
        }
        for event in events { #expect(tally.count(event.id) == 1, "\(event.position)") }
        #expect(tally.count(marker.id) == 1)
        #expect(try await ConsumerFixture.effects(url) == 6)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
        #expect(
            try await TestDatabase.scalar(
                url: url,
                "SELECT count(*) FROM evtest.event_consumers WHERE position = \(marker.position) AND txid = \(marker.transactionID)"
            ) == 1)
    }

    @Test func eachAggregateIsAppliedInOrderWhileWritersRace() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        try await ConsumerFixture.withConsumer(url: url, handlers: ConsumerFixture.handlers(tally)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        _ = try await ConsumerFixture.append(
                            url: url, aggregates: Array(repeating: "agg-\(writer)", count: 25))
                    }
                }
                try await group.waitForAll()
            }
            try await ConsumerFixture.waitUntil("100 effects") { try await ConsumerFixture.effects(url) == 100 }
        }
        #expect(try await ConsumerFixture.outOfOrder(url) == 0)
        for writer in 0..<4 {
            #expect(
                try await TestDatabase.scalar(
                    url: url, "SELECT count(*) FROM evtest.effects WHERE aggregate_id = 'agg-\(writer)'") == 25)
        }
        #expect(tally.total == 100)
    }

    @Test func aHandlerThatFailsTwiceThenSucceedsIsAppliedOnce() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally) { event, run in
            if event.aggregateID == "flaky" && run <= 2 { throw HandlerFailure() }
        }
        let events = try await ConsumerFixture.append(url: url, aggregates: ["ok", "flaky", "ok"])
        // One event per transaction, so that the handler's runs are exactly its attempts (a grouped transaction
        // that rolls back would add a run that changes nothing).
        var configuration = ConsumerFixture.fast
        configuration.commitSize = 1
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers, configuration: configuration) {
            try await ConsumerFixture.waitUntil("3 effects") { try await ConsumerFixture.effects(url) == 3 }
        }
        #expect(tally.count(events[1].id) == 3)
        #expect(tally.count(events[0].id) == 1)
        #expect(tally.count(events[2].id) == 1)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
        #expect(try await ConsumerFixture.applied(url) == 3)
        #expect(
            try await TestDatabase.scalar(
                url: url, "SELECT count(*) FROM evtest.effects WHERE event_id = '\(events[1].id)'") == 1)
        // The later event did not overtake the failing one.
        #expect(
            try await TestDatabase.scalar(
                url: url,
                """
                SELECT count(*) FROM evtest.effects f, evtest.effects l
                WHERE f.event_id = '\(events[1].id)' AND l.event_id = '\(events[2].id)' AND f.seq < l.seq
                """) == 1)
    }

    @Test func aPoisonEventIsDeadLetteredAndAppliedOnceWhenReplayed() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally) { [tally] event, _ in
            if event.aggregateID == "poison" && !tally.fixed { throw HandlerFailure() }
        }
        var configuration = ConsumerFixture.fast
        configuration.maxAttempts = 3
        configuration.commitSize = 1  // runs are then exactly the attempts
        let events = try await ConsumerFixture.append(url: url, aggregates: ["before", "poison", "after"])
        let poison = events[1]
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers, configuration: configuration) {
            try await ConsumerFixture.waitUntil("the dead letter and the later event") {
                let (deadLetters, effects) = (
                    try await ConsumerFixture.deadLetters(url), try await ConsumerFixture.effects(url)
                )
                return deadLetters == 1 && effects == 2
            }
            #expect(tally.count(poison.id) == 3)
            #expect(
                try await TestDatabase.scalar(
                    url: url,
                    """
                    SELECT count(*) FROM evtest.event_dead_letters
                    WHERE consumer = '\(ConsumerFixture.name)' AND event_id = '\(poison.id)' AND attempts = 3
                      AND type = 'test.happened' AND position = \(poison.position) AND NOT replay_requested
                    """) == 1)
            #expect(
                try await TestDatabase.scalar(
                    url: url, "SELECT count(*) FROM evtest.effects WHERE event_id = '\(events[2].id)'") == 1)

            // The handler is fixed; an operator asks for the replay.
            tally.fixed = true
            let store = ConsumerStore(schema: ConsumerFixture.schema, consumer: ConsumerFixture.name)
            try await TestDatabase.withClient(url: url) { client, logger in
                let (requested, unknown) = try await client.withConnection { connection in
                    (
                        try await store.requestReplay(eventID: poison.id, on: connection, logger: logger),
                        try await store.requestReplay(eventID: UUID(), on: connection, logger: logger)
                    )
                }
                #expect(requested)
                #expect(!unknown)
            }
            try await ConsumerFixture.waitUntil("the replay") {
                let (deadLetters, effects) = (
                    try await ConsumerFixture.deadLetters(url), try await ConsumerFixture.effects(url)
                )
                return deadLetters == 0 && effects == 3
            }
            // Another event after the replay still flows.
            _ = try await ConsumerFixture.append(url: url, aggregates: ["later"])
            try await ConsumerFixture.waitUntil("the event after the replay") {
                try await ConsumerFixture.effects(url) == 4
            }
        }
        #expect(tally.count(poison.id) == 4)
        #expect(
            try await TestDatabase.scalar(
                url: url, "SELECT count(*) FROM evtest.effects WHERE event_id = '\(poison.id)'") == 1)
        #expect(
            try await TestDatabase.scalar(
                url: url, "SELECT count(*) FROM evtest.applied_events WHERE event_id = '\(poison.id)'") == 1)
        #expect(try await ConsumerFixture.applied(url) == 4)
    }

    /// `concierge events replay`: rewinding applies the events after that point again (the handler is idempotent).
    @Test func rewindAppliesTheEventsAfterThePointAgain() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally, idempotent: true)
        let events = try await ConsumerFixture.append(url: url, aggregates: Array(repeating: "r", count: 10))
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers) {
            try await ConsumerFixture.waitUntil("10 effects") { try await ConsumerFixture.effects(url) == 10 }
            try await TestDatabase.withClient(url: url) { client, logger in
                try await client.withConnection { connection in
                    #expect(
                        try await EventStore(source: "test").checkpoint(
                            before: Int64.max - 1, on: connection, logger: logger) == nil)
                    let point = try #require(
                        try await EventStore(source: "test").checkpoint(
                            before: events[5].position, on: connection, logger: logger))
                    try await ConsumerStore(schema: ConsumerFixture.schema, consumer: ConsumerFixture.name).rewind(
                        to: point, on: connection, logger: logger)
                }
            }
            try await ConsumerFixture.waitUntil("the replayed events") { tally.total >= 15 }
            _ = try await ConsumerFixture.append(url: url, aggregates: ["after-rewind"])
            try await ConsumerFixture.waitUntil("the event after the rewind") {
                try await ConsumerFixture.effects(url) == 11
            }
        }
        for event in events[..<5] { #expect(tally.count(event.id) == 1, "version \(event.aggregateVersion)") }
        for event in events[5...] { #expect(tally.count(event.id) == 2, "version \(event.aggregateVersion)") }
        #expect(tally.total == 16)
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(DISTINCT event_id) FROM evtest.effects") == 11)
        #expect(try await ConsumerFixture.applied(url) == 11)
        #expect(
            try await TestDatabase.scalar(url: url, "SELECT generation::int FROM evtest.event_consumers") == 1)
    }

    /// Two instances of one consumer (two replicas): one leads, each event is applied once, and the standby takes
    /// over when the leader goes away.
    @Test func twoInstancesOfOneConsumerApplyEachEventOnce() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally)
        let first = ConsumerFixture.start(url: url, handlers: handlers)
        var second: Task<Void, any Error>?
        do {
            _ = try await ConsumerFixture.append(url: url, aggregates: ["warm-up"])
            try await ConsumerFixture.waitUntil("the first instance to lead") {
                try await ConsumerFixture.effects(url) == 1
            }
            second = ConsumerFixture.start(url: url, handlers: handlers)
            for batch in 0..<3 {
                try await ConsumerFixture.bulkAppend(url: url, from: batch * 100, count: 100, aggregates: 10)
            }
            try await ConsumerFixture.waitUntil("301 effects") { try await ConsumerFixture.effects(url) == 301 }
            #expect(
                try await TestDatabase.scalar(
                    url: url,
                    """
                    SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """) == 1, "one instance holds the consumer's lock")

            // The leader goes away; the standby carries on.
            await ConsumerFixture.stop(first)
            try await ConsumerFixture.bulkAppend(url: url, from: 300, count: 50, aggregates: 10)
            try await ConsumerFixture.waitUntil("351 effects") { try await ConsumerFixture.effects(url) == 351 }
            if let second { await ConsumerFixture.stop(second) }
        } catch {
            await ConsumerFixture.stop(first)
            if let second { await ConsumerFixture.stop(second) }
            throw error
        }
        #expect(tally.total == 351)
        #expect(try await ConsumerFixture.effects(url) == 351)
        #expect(try await ConsumerFixture.applied(url) == 351)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
        #expect(try await ConsumerFixture.outOfOrder(url) == 0)
    }

    /// No fan-out (nil endpoint) or a fan-out nobody runs: the consumer converges by polling the log.
    @Test(arguments: [false, true])
    func convergesByPollingWithoutAFanOut(deadEndpoint: Bool) async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let endpoint = deadEndpoint ? "tcp://127.0.0.1:\(try freePort())" : nil
        var configuration = ConsumerFixture.fast
        configuration.pollInterval = .milliseconds(200)
        // A notifier without a fan-out publishes nothing and never fails.
        let notifier = EventNotifier(endpoint: endpoint, logger: ConsumerFixture.logger)
        try await ConsumerFixture.withConsumer(
            url: url, handlers: ConsumerFixture.handlers(tally), configuration: configuration,
            subscribeEndpoint: endpoint
        ) {
            // Let the consumer go idle (waiting for a hint that never comes), then write.
            try await Task.sleep(for: .milliseconds(300))
            let events = try await ConsumerFixture.append(url: url, aggregates: ["p", "q", "p"])
            notifier.publish(events)
            try await ConsumerFixture.waitUntil("3 effects", timeout: .seconds(30)) {
                try await ConsumerFixture.effects(url) == 3
            }
            try await ConsumerFixture.bulkAppend(url: url, from: 0, count: 20, aggregates: 2)
            try await ConsumerFixture.waitUntil("23 effects", timeout: .seconds(30)) {
                try await ConsumerFixture.effects(url) == 23
            }
        }
        #expect(tally.total == 23)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
    }
}

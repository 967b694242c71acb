import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing

/// Shared helpers of the event suites (no tests here).
enum EventsFixture {
    struct Thing: Codable, Sendable {
        var n: Int
    }

    static func event(_ type: String = "test.happened", aggregate: String, n: Int = 0) throws -> NewEvent {
        try NewEvent(type: type, aggregateType: "thing", aggregateID: aggregate, payload: Thing(n: n))
    }

    /// A fresh database with the `events` schema migrated; returns its URL.
    static func database() async throws -> String {
        let url = try await TestDatabase.create(prefix: "ev")
        try await TestDatabase.withClient(url: url) { client, logger in
            _ = try await EventStore.migrator.migrate(client: client, logger: logger)
        }
        return url
    }

    /// Runs `body` inside BEGIN ... COMMIT on `connection` (ROLLBACK when it throws).
    static func transaction<T>(
        on connection: PostgresConnection, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let result = try await body()
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Appends `event` in its own committed transaction.
    @discardableResult
    static func appendCommitted(_ event: NewEvent, client: PostgresClient, logger: Logger) async throws
        -> EventEnvelope
    {
        try await client.withConnection { connection in
            try await transaction(on: connection, logger: logger) {
                try await EventStore(source: "test").append(event, traceparent: nil, on: connection, logger: logger)
            }
        }
    }

    /// Every visible event after `checkpoint`, once there are at least `atLeast` (or after 30 s).
    ///
    /// A committed event becomes readable once every older transaction of the whole cluster has ended (see
    /// `LogCheckpoint`), so other tests running side by side can delay it a little: wait, then compare exactly.
    static func readAll(
        after checkpoint: LogCheckpoint = .start, types: [String]? = nil, atLeast: Int = 0, client: PostgresClient,
        logger: Logger
    ) async throws -> [EventEnvelope] {
        let giveUp = ContinuousClock.now + .seconds(30)
        while true {
            let events = try await client.withConnection { connection in
                try await EventStore(source: "test").read(
                    after: checkpoint, types: types, limit: 100_000, on: connection, logger: logger)
            }
            if events.count >= atLeast || ContinuousClock.now > giveUp { return events }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite("Event log against PostgreSQL", .enabled(if: TestDatabase.isConfigured))
struct EventsLogTests {
    @Test func anAppendInARolledBackTransactionIsNeverReadable() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                let appended = try await EventStore(source: "test").append(
                    try EventsFixture.event(aggregate: "rolled-back"), traceparent: nil, on: connection,
                    logger: logger)
                #expect(appended.aggregateVersion == 1)
                try await connection.query("ROLLBACK", logger: logger)
            }
            #expect(try await EventsFixture.readAll(client: client, logger: logger).isEmpty)
            // The next event of that aggregate is still version 1: nothing of the rolled-back one remains.
            let next = try await EventsFixture.appendCommitted(
                try EventsFixture.event(aggregate: "rolled-back"), client: client, logger: logger)
            #expect(next.aggregateVersion == 1)
            #expect(try await EventsFixture.readAll(atLeast: 1, client: client, logger: logger).map(\.id) == [next.id])
        }
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM events.log") == 1)
    }

    @Test func aggregateVersionsCountOneTwoThreePerAggregate() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            var versions: [String: [Int64]] = [:]
            for round in 1...3 {
                for aggregate in ["a", "b"] {
                    let event = try await EventsFixture.appendCommitted(
                        try EventsFixture.event(aggregate: aggregate, n: round), client: client, logger: logger)
                    versions[aggregate, default: []].append(event.aggregateVersion)
                }
            }
            // Two appends to one aggregate inside one transaction also count on.
            let inOne = try await client.withConnection { connection in
                try await EventsFixture.transaction(on: connection, logger: logger) {
                    var versions: [Int64] = []
                    for n in 1...3 {
                        versions.append(
                            try await EventStore(source: "test").append(
                                try EventsFixture.event(aggregate: "c", n: n), traceparent: nil, on: connection,
                                logger: logger
                            ).aggregateVersion)
                    }
                    return versions
                }
            }
            #expect(versions["a"] == [1, 2, 3])
            #expect(versions["b"] == [1, 2, 3])
            #expect(inOne == [1, 2, 3])

            let read = try await EventsFixture.readAll(atLeast: 9, client: client, logger: logger)
            #expect(read.count == 9)
            #expect(read.filter { $0.aggregateID == "a" }.map(\.aggregateVersion) == [1, 2, 3])
            #expect(read.filter { $0.aggregateID == "c" }.map(\.aggregateVersion) == [1, 2, 3])
            #expect(read.allSatisfy { $0.source == "test" && $0.aggregateType == "thing" })
        }
    }

    @Test func theLogRefusesUpdateAndDelete() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            let event = try await EventsFixture.appendCommitted(
                try EventsFixture.event(aggregate: "fixed"), client: client, logger: logger)
            for sql in [
                "UPDATE events.log SET type = 'changed' WHERE id = '\(event.id)'",
                "DELETE FROM events.log WHERE id = '\(event.id)'",
                "DELETE FROM events.log",
            ] {
                let error = await #expect(throws: PSQLError.self, "\(sql)") {
                    try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                let message = error?.serverInfo?[.message] ?? ""
                #expect(message.contains("append-only"), "\(sql): \(String(reflecting: error))")
            }
            let read = try await EventsFixture.readAll(atLeast: 1, client: client, logger: logger)
            #expect(read.map(\.id) == [event.id])
            #expect(read.first?.type == "test.happened")
        }
    }

    /// Transaction A appends first (lower position) but commits after B. While A runs, a reader must not see B, or
    /// a checkpoint past B would skip A for ever; once A commits, both come in (txid, position) order.
    @Test func anOutOfOrderCommitIsNeverSkipped() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            let store = EventStore(source: "test")
            let first = try await EventsFixture.appendCommitted(
                try EventsFixture.event(aggregate: "before"), client: client, logger: logger)
            // A reader catches up to `first` and remembers its checkpoint.
            let caughtUp = try await EventsFixture.readAll(atLeast: 1, client: client, logger: logger)
            #expect(caughtUp.map(\.id) == [first.id])
            let checkpoint = try #require(caughtUp.last).checkpoint

            let (a, b, whileARuns, onlyFirstFromStart) = try await client.withConnection { connectionA in
                try await client.withConnection { connectionB in
                    try await connectionA.query("BEGIN", logger: logger)
                    do {
                        let a = try await store.append(
                            try EventsFixture.event(aggregate: "slow"), traceparent: nil, on: connectionA,
                            logger: logger)
                        let b = try await EventsFixture.transaction(on: connectionB, logger: logger) {
                            try await store.append(
                                try EventsFixture.event(aggregate: "fast"), traceparent: nil, on: connectionB,
                                logger: logger)
                        }
                        // B is committed, A still runs: nothing after the checkpoint may be returned yet.
                        let whileARuns = try await store.read(
                            after: checkpoint, limit: 1000, on: connectionB, logger: logger)
                        let fromStart = try await store.read(
                            after: .start, limit: 1000, on: connectionB, logger: logger)
                        try await connectionA.query("COMMIT", logger: logger)
                        return (a, b, whileARuns, fromStart.map(\.id) == [first.id])
                    } catch {
                        _ = try? await connectionA.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            }
            #expect(a.position < b.position, "A appended first")
            #expect(a.transactionID < b.transactionID)
            #expect(whileARuns.isEmpty, "B must stay invisible while A (older) runs: \(whileARuns.map(\.position))")
            #expect(onlyFirstFromStart, "reading from the start while A runs returns only the first event")

            // A committed: the reader that had caught up misses neither, in (txid, position) order.
            let next = try await EventsFixture.readAll(after: checkpoint, atLeast: 2, client: client, logger: logger)
            #expect(next.map(\.id) == [a.id, b.id])
            let everything = try await EventsFixture.readAll(atLeast: 3, client: client, logger: logger)
            #expect(everything.map(\.id) == [first.id, a.id, b.id])
            #expect(everything.map(\.checkpoint) == everything.map(\.checkpoint).sorted())
        }
    }

    /// The same interleaving, but the later writer's transaction starts first and appends last: commit order by
    /// transaction id, not by position, is what readers follow.
    @Test func eventsAreReadInTransactionOrderNotPositionOrder() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            let store = EventStore(source: "test")
            let (early, late) = try await client.withConnection { connectionA in
                try await client.withConnection { connectionB in
                    // A gets its transaction id first (an unrelated write), B appends first, then A appends.
                    try await connectionA.query("BEGIN", logger: logger)
                    do {
                        try await connectionA.query("SELECT pg_current_xact_id()", logger: logger)
                        try await connectionB.query("BEGIN", logger: logger)
                        let late = try await store.append(
                            try EventsFixture.event(aggregate: "b"), traceparent: nil, on: connectionB,
                            logger: logger)
                        let early = try await store.append(
                            try EventsFixture.event(aggregate: "a"), traceparent: nil, on: connectionA,
                            logger: logger)
                        try await connectionB.query("COMMIT", logger: logger)
                        #expect(
                            try await store.read(after: .start, limit: 10, on: connectionB, logger: logger).isEmpty)
                        try await connectionA.query("COMMIT", logger: logger)
                        return (early, late)
                    } catch {
                        _ = try? await connectionA.query("ROLLBACK", logger: logger)
                        _ = try? await connectionB.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            }
            #expect(late.position < early.position)
            #expect(early.transactionID < late.transactionID)
            let read = try await EventsFixture.readAll(atLeast: 2, client: client, logger: logger)
            #expect(read.map(\.id) == [early.id, late.id])
        }
    }

    @Test func readFiltersByTypeAndHonoursTheLimit() async throws {
        let url = try await EventsFixture.database()
        try await TestDatabase.withClient(url: url) { client, logger in
            for n in 0..<6 {
                try await EventsFixture.appendCommitted(
                    try EventsFixture.event(n.isMultiple(of: 2) ? "test.even" : "test.odd", aggregate: "x", n: n),
                    client: client, logger: logger)
            }
            let even = try await EventsFixture.readAll(
                types: ["test.even"], atLeast: 3, client: client, logger: logger)
            #expect(even.map { try? $0.decode(EventsFixture.Thing.self).n } == [0, 2, 4])
            #expect(try await EventsFixture.readAll(atLeast: 6, client: client, logger: logger).count == 6)
            let limited = try await client.withConnection { connection in
                try await EventStore(source: "test").read(after: .start, limit: 4, on: connection, logger: logger)
            }
            #expect(limited.map(\.aggregateVersion) == [1, 2, 3, 4])
            let rest = try await EventsFixture.readAll(
                after: try #require(limited.last).checkpoint, atLeast: 2, client: client, logger: logger)
            #expect(rest.map(\.aggregateVersion) == [5, 6])
        }
    }
}

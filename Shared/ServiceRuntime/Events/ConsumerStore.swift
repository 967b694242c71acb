import Foundation
import Logging
import PostgresNIO
import Wire

/// A consumer's state in its own service's schema: its checkpoint, the ids it applied and its dead letters.
///
/// The tables are created by the `Migrator` for every service schema, next to `idempotency_keys`.
public struct ConsumerStore: Sendable {
    public let schema: String
    public let consumer: String

    public init(schema: String, consumer: String) {
        self.schema = schema
        self.consumer = consumer
    }

    static func tableDefinitions(schema: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(schema).event_consumers (
            name text PRIMARY KEY,
            txid bigint NOT NULL DEFAULT 0,
            position bigint NOT NULL DEFAULT 0,
            generation bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS \(schema).applied_events (
            consumer text NOT NULL,
            event_id uuid NOT NULL,
            txid bigint NOT NULL,
            position bigint NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        );
        CREATE TABLE IF NOT EXISTS \(schema).event_dead_letters (
            consumer text NOT NULL,
            event_id uuid NOT NULL,
            position bigint NOT NULL,
            type text NOT NULL,
            attempts integer NOT NULL,
            error text NOT NULL,
            failed_at timestamptz NOT NULL DEFAULT now(),
            replay_requested boolean NOT NULL DEFAULT false,
            PRIMARY KEY (consumer, event_id)
        );
        """
    }

    /// The stored checkpoint and its generation (bumped by every replay), creating the row on first use.
    public func load(on connection: PostgresConnection, logger: Logger) async throws -> (LogCheckpoint, Int64) {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "INSERT INTO \(schema).event_consumers (name) VALUES ($1) ON CONFLICT DO NOTHING",
                binds: try .values(consumer)),
            logger: logger)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT txid, position, generation FROM \(schema).event_consumers WHERE name = $1",
                binds: try .values(consumer)),
            logger: logger)
        for try await (transactionID, position, generation) in rows.decode((Int64, Int64, Int64).self) {
            return (LogCheckpoint(transactionID: transactionID, position: position), generation)
        }
        throw Problem.internal("consumer row vanished")
    }

    /// The stored checkpoint's generation and whether an operator asked for a dead letter's replay, in one read
    /// (the consumer asks before every read of the log).
    public func state(on connection: PostgresConnection, logger: Logger) async throws -> (
        generation: Int64, replayRequested: Bool
    ) {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT c.generation, EXISTS (SELECT 1 FROM \(schema).event_dead_letters d
                                                 WHERE d.consumer = c.name AND d.replay_requested)
                    FROM \(schema).event_consumers c WHERE c.name = $1
                    """,
                binds: try .values(consumer)),
            logger: logger)
        for try await (generation, replay) in rows.decode((Int64, Bool).self) { return (generation, replay) }
        throw Problem.internal("consumer row vanished")
    }

    /// Inside the apply transaction: records `event` as applied; false when it already was (a redelivery).
    public func markApplied(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws
        -> Bool
    {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).applied_events (consumer, event_id, txid, position) VALUES ($1, $2, $3, $4)
                    ON CONFLICT DO NOTHING RETURNING 1
                    """,
                binds: try .values(consumer, event.id, event.transactionID, event.position)),
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Inside the apply transaction: moves the checkpoint, unless a replay changed the generation meanwhile.
    public func advance(
        to checkpoint: LogCheckpoint, generation: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE \(schema).event_consumers SET txid = $2, position = $3, updated_at = now()
                    WHERE name = $1 AND generation = $4 RETURNING 1
                    """,
                binds: try .values(consumer, checkpoint.transactionID, checkpoint.position, generation)),
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Records an event its handler could not apply after every attempt.
    public func deadLetter(
        _ event: EventEnvelope, attempts: Int, error: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).event_dead_letters (consumer, event_id, position, type, attempts, error)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (consumer, event_id) DO UPDATE
                    SET attempts = event_dead_letters.attempts + EXCLUDED.attempts, error = EXCLUDED.error,
                        failed_at = now(), replay_requested = false
                    """,
                binds: try .values(consumer, event.id, event.position, event.type, attempts, String(error.prefix(2000)))
            ),
            logger: logger)
    }

    /// Positions of dead letters an operator asked to replay.
    public func replayRequests(on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT position FROM \(schema).event_dead_letters
                    WHERE consumer = $1 AND replay_requested ORDER BY position LIMIT 100
                    """,
                binds: try .values(consumer)),
            logger: logger)
        var positions: [Int64] = []
        for try await position in rows.decode(Int64.self) { positions.append(position) }
        return positions
    }

    /// Inside the apply transaction of a replayed dead letter: removes it.
    public func resolveDeadLetter(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "DELETE FROM \(schema).event_dead_letters WHERE consumer = $1 AND event_id = $2",
                binds: try .values(consumer, event.id)),
            logger: logger)
    }

    /// Rewinds the consumer to `checkpoint` and forgets the ids it applied after it, so it applies them again
    /// (`concierge events replay`). The running consumer notices through the generation.
    public func rewind(to checkpoint: LogCheckpoint, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).event_consumers (name, txid, position, generation) VALUES ($1, $2, $3, 1)
                    ON CONFLICT (name) DO UPDATE
                    SET txid = $2, position = $3, generation = event_consumers.generation + 1, updated_at = now()
                    """,
                binds: try .values(consumer, checkpoint.transactionID, checkpoint.position)),
            logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "DELETE FROM \(schema).applied_events WHERE consumer = $1 AND (txid, position) > ($2, $3)",
                binds: try .values(consumer, checkpoint.transactionID, checkpoint.position)),
            logger: logger)
    }

    /// Asks the running consumer to try a dead-lettered event again.
    public func requestReplay(eventID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE \(schema).event_dead_letters SET replay_requested = true
                    WHERE consumer = $1 AND event_id = $2 RETURNING 1
                    """,
                binds: try .values(consumer, eventID)),
            logger: logger)
        for try await _ in rows { return true }
        return false
    }
}

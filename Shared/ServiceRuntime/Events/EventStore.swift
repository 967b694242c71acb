import Foundation
import Logging
import PostgresNIO
import Wire

/// The shared, append-only event log (`events.log`): written inside the transaction of the change an event
/// describes (transactional outbox), read in commit order by consumers.
public struct EventStore: Sendable {
    /// The service writing through this store (`source` of its events).
    public let source: String

    public init(source: String) { self.source = source }

    /// The log's schema, migrated by every service at start-up (under the migrator's advisory lock).
    public static let migrator = Migrator(
        schema: "events",
        migrations: [
            Migration(
                version: 1, name: "log",
                sql: """
                    CREATE TABLE events.log (
                        position bigserial PRIMARY KEY,
                        txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
                        id uuid NOT NULL UNIQUE,
                        type text NOT NULL,
                        source text NOT NULL,
                        aggregate_type text NOT NULL,
                        aggregate_id text NOT NULL,
                        aggregate_version bigint NOT NULL CHECK (aggregate_version > 0),
                        occurred_at timestamptz NOT NULL DEFAULT now(),
                        schema_version integer NOT NULL,
                        payload jsonb NOT NULL,
                        traceparent text,
                        UNIQUE (aggregate_type, aggregate_id, aggregate_version)
                    );
                    -- Commit order, all types and per type.
                    CREATE INDEX log_commit_order_idx ON events.log (txid, position);
                    CREATE INDEX log_type_commit_order_idx ON events.log (type, txid, position);
                    -- Append-only for everyone.
                    CREATE FUNCTION events.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        RAISE EXCEPTION 'events.log is append-only';
                    END
                    $$;
                    CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON events.log
                        FOR EACH ROW EXECUTE FUNCTION events.refuse_change();
                    """)
        ])

    static let columns = """
        id, type, source, aggregate_type, aggregate_id, aggregate_version, occurred_at, schema_version,
        payload::text, traceparent, position, txid
        """

    /// Appends `event` within the caller's open transaction; it becomes visible when (and only if) that commits.
    /// The aggregate's next version is taken from the log, so two writers racing on one aggregate cannot both win.
    public func append(
        _ event: NewEvent, traceparent: String?, on connection: PostgresConnection, logger: Logger
    ) async throws -> EventEnvelope {
        let id = UUID()
        let (type, aggregateType, aggregateID, schemaVersion, payload) = (
            event.type, event.aggregateType, event.aggregateID, event.schemaVersion, event.payload.text
        )
        let rows = try await connection.query(
            """
            INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version,
                                    schema_version, payload, traceparent)
            SELECT \(id), \(type), \(source), \(aggregateType), \(aggregateID), coalesce(max(aggregate_version), 0) + 1,
                   \(schemaVersion), \(payload)::jsonb, \(traceparent)
            FROM events.log WHERE aggregate_type = \(aggregateType) AND aggregate_id = \(aggregateID)
            RETURNING id, type, source, aggregate_type, aggregate_id, aggregate_version, occurred_at, schema_version,
                      payload::text, traceparent, position, txid
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.envelope(row) }
        throw Problem.internal("event insert returned nothing")
    }

    /// Committed events after `checkpoint` in commit order, only from transactions older than every running one
    /// (see `LogCheckpoint`), optionally only of `types`.
    public func read(
        after checkpoint: LogCheckpoint, types: [String]? = nil, limit: Int, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [EventEnvelope] {
        let typeFilter = types == nil ? "" : "AND type = ANY($4)"
        var bindings = try PostgresBindings.values(checkpoint.transactionID, checkpoint.position, limit)
        if let types { try bindings.append(types) }
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.columns) FROM events.log
                    WHERE (txid, position) > ($1, $2)
                      AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                      \(typeFilter)
                    ORDER BY txid, position
                    LIMIT $3
                    """,
                binds: bindings),
            logger: logger)
        var events: [EventEnvelope] = []
        for try await row in rows.decode(Row.self) { events.append(Self.envelope(row)) }
        return events
    }

    /// The checkpoint just before the event at `position` (for replays), or nil if there is no such event.
    public func checkpoint(before position: Int64, on connection: PostgresConnection, logger: Logger) async throws
        -> LogCheckpoint?
    {
        let rows = try await connection.query(
            "SELECT txid FROM events.log WHERE position = \(position)", logger: logger)
        for try await transactionID in rows.decode(Int64.self) {
            return LogCheckpoint(transactionID: transactionID, position: position - 1)
        }
        return nil
    }

    typealias Row = (UUID, String, String, String, String, Int64, Date, Int, String, String?, Int64, Int64)

    static func envelope(_ row: Row) -> EventEnvelope {
        EventEnvelope(
            id: row.0, type: row.1, source: row.2, aggregateType: row.3, aggregateID: row.4, aggregateVersion: row.5,
            occurredAt: row.6, schemaVersion: row.7, payload: JSONText(row.8), traceparent: row.9, position: row.10,
            transactionID: row.11)
    }
}

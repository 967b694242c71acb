import Crypto
import Foundation
import Logging
import PostgresNIO
import Wire

/// Makes state changes safe to retry: the first request with a key does the work and its reply is stored in the same
/// transaction; any later request with that key gets the stored reply and changes nothing.
///
/// Concurrent duplicates are serialised by the primary key: the second `INSERT` waits for the first transaction and
/// then finds the stored reply (or, if the first rolled back, claims the key itself).
public struct IdempotencyStore: Sendable {
    public let schema: String

    public init(schema: String) { self.schema = schema }

    /// The table every service schema has; created by the `Migrator` before the service's own migrations.
    static func tableDefinition(schema: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(schema).idempotency_keys (
            key text PRIMARY KEY,
            operation text NOT NULL,
            request_hash bytea NOT NULL,
            status integer,
            response bytea,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        """
    }

    /// The hash that ties a key to one request: reusing a key for a different request is refused.
    public static func requestHash(operation: String, payload: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(operation.utf8))
        hasher.update(data: [0])
        hasher.update(data: payload)
        return Array(hasher.finalize())
    }

    /// Inside an open transaction: claims `key`, or returns the reply stored by the request that claimed it first.
    public func claim(
        key: String, operation: String, requestHash: [UInt8], on connection: PostgresConnection, logger: Logger
    ) async throws -> ReplyEnvelope? {
        let inserted = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(schema).idempotency_keys (key, operation, request_hash) VALUES ($1, $2, $3)
                    ON CONFLICT (key) DO NOTHING RETURNING 1
                    """,
                binds: try .values(key, operation, Data(requestHash))),
            logger: logger)
        for try await _ in inserted { return nil }

        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL:
                    "SELECT operation, request_hash, status, response FROM \(schema).idempotency_keys WHERE key = $1",
                binds: try .values(key)),
            logger: logger)
        for try await (storedOperation, storedHash, status, response) in rows.decode(
            (String, Data, Int?, Data?).self)
        {
            guard storedOperation == operation, Array(storedHash) == requestHash else {
                throw Problem(
                    status: 422, code: "idempotency_conflict", title: "Idempotency key reused",
                    detail: "this Idempotency-Key was already used for a different request")
            }
            guard let status, let response else {
                throw Problem(
                    status: 409, code: "request_in_progress", title: "Request in progress",
                    detail: "a request with this Idempotency-Key is still being processed")
            }
            return ReplyEnvelope(status: status, body: Array(response), requestID: nil)
        }
        throw Problem.internal("idempotency record vanished")
    }

    /// Outside any transaction: the reply already stored for `key`, if its request finished. Lets a retry skip work
    /// that would otherwise run before the transaction (calls to other services).
    public func storedReply(
        key: String, operation: String, requestHash: [UInt8], database: Database, logger: Logger
    ) async throws -> ReplyEnvelope? {
        try await database.withConnection { connection -> ReplyEnvelope? in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT operation, request_hash, status, response FROM \(schema).idempotency_keys
                        WHERE key = $1 AND status IS NOT NULL
                        """,
                    binds: try .values(key)),
                logger: logger)
            for try await (storedOperation, storedHash, status, response) in rows.decode((String, Data, Int, Data).self)
            {
                guard storedOperation == operation, Array(storedHash) == requestHash else {
                    throw Problem(
                        status: 422, code: "idempotency_conflict", title: "Idempotency key reused",
                        detail: "this Idempotency-Key was already used for a different request")
                }
                return ReplyEnvelope(status: status, body: Array(response), requestID: nil)
            }
            return nil
        }
    }

    /// Inside the same transaction as `claim`: stores the reply the key will answer with from now on.
    public func record(key: String, reply: ReplyEnvelope, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "UPDATE \(schema).idempotency_keys SET status = $2, response = $3 WHERE key = $1",
                binds: try .values(key, reply.status, Data(reply.body))),
            logger: logger)
    }
}

import Foundation
import Logging
import PostgresNIO
import Wire

/// A service's handle on PostgreSQL: a pooled `PostgresClient` plus the schema the service owns.
///
/// The client itself must run as a service-lifecycle `Service` (it is included in every service's group).
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// Errors thrown by `body` (a `Problem`, say) come out unwrapped; PostgreSQL failures are mapped to `Problem`s
    /// with codes that tell a retry apart from a mistake, and never leak SQL to callers.
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withConnection { connection in
                try await connection.inTransaction(logger: logger) { try await body(connection) }
            }
        } catch let error as PSQLError {
            throw DatabaseErrors.problem(for: error, logger: logger)
        }
    }

    /// Runs `body` on a pooled connection outside an explicit transaction.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withConnection { try await body($0) }
        } catch let error as PSQLError {
            throw DatabaseErrors.problem(for: error, logger: logger)
        }
    }
}

/// Maps PostgreSQL errors onto problems: unique violations are conflicts, serialisation failures are retryable,
/// data the server cannot store is a 422, an unreachable or overloaded server is a 503, anything else a 500. Details
/// stay in the log; callers never see SQL.
enum DatabaseErrors {
    static func problem(for error: PSQLError, logger: Logger) -> Problem {
        let sqlState = error.serverInfo?[.sqlState]
        switch sqlState {
        case "23505":
            return .conflict("a record with the same unique value already exists")
        case "40001", "40P01":
            return Problem(
                status: 503, code: "retry", title: "Try again", detail: "a concurrent change interfered; retry")
        case let state? where state.hasPrefix("22"):
            return Problem(
                status: 422, code: "unstorable_value", title: "Value cannot be stored",
                detail:
                    "a value in the request cannot be stored (for example a NUL character or an out-of-range number)")
        case let state? where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P"):
            logger.error("database unavailable", metadata: ["sqlstate": "\(state)"])
            return .serviceUnavailable("the database is unavailable", code: "database_unavailable")
        case nil:
            // No server answer at all: the connection could not be made or was lost.
            logger.error("database unreachable", metadata: ["error": "\(String(describing: error.code))"])
            return .serviceUnavailable("the database is unavailable", code: "database_unavailable")
        default:
            logger.error(
                "database error",
                metadata: [
                    "sqlstate": "\(sqlState ?? "none")",
                    "message": "\(error.serverInfo?[.message] ?? String(describing: error.code))",
                ])
            return .internal()
        }
    }
}

extension PSQLError {
    /// The SQLSTATE of a server error, for example `23505` for a unique violation.
    public var sqlState: String? { serverInfo?[.sqlState] }
}

import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Work a service does on a timer rather than on a request (closing solved tickets, SLA checks): every `interval`,
/// one transaction that runs `body` — on one replica at a time, the one that takes the job's transaction advisory
/// lock; the others skip that round. A failing round is logged and the next one runs as usual.
///
/// A job that asks other services during its round (over the broker) must not hold a transaction while it waits:
/// it is made with `rounds:` instead, gets the database, opens its own short transactions and shares the work
/// between replicas by claiming rows (every replica runs every round).
public struct PeriodicJob: Sendable {
    /// What a round runs.
    enum Round: Sendable {
        case transaction(@Sendable (PostgresConnection, Logger) async throws -> Void)
        case database(@Sendable (Database, Logger) async throws -> Void)
    }

    public var name: String
    public var interval: Duration
    let round: Round

    public init(
        name: String, interval: Duration, body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.round = .transaction(body)
    }

    /// A job whose rounds manage their own transactions (see above).
    public init(
        name: String, interval: Duration, rounds: @escaping @Sendable (Database, Logger) async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.round = .database(rounds)
    }

    /// Runs one round now: true when this replica ran it (a transaction job: held the lock).
    @discardableResult
    public func runOnce(database: Database) async throws -> Bool {
        var logger = database.logger
        logger[metadataKey: "job"] = "\(name)"
        let lockName = "concierge.job.\(name)"
        let jobLogger = logger
        switch round {
        case .database(let body):
            try await body(database, jobLogger)
            return true
        case .transaction(let body):
            return try await database.transaction { connection in
                let rows = try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(hashtext(\(lockName)))", logger: jobLogger)
                var locked = false
                for try await value in rows.decode(Bool.self) { locked = value }
                guard locked else { return false }
                try await body(connection, jobLogger)
                return true
            }
        }
    }

    /// Runs a round every `interval` until the task is cancelled or the service group shuts down.
    public func run(database: Database) async {
        let logger = database.logger
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                do {
                    try await runOnce(database: database)
                } catch {
                    logger.error(
                        "periodic job failed", metadata: ["job": "\(name)", "error": "\(String(reflecting: error))"])
                }
            }
        }
    }
}

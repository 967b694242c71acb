import Foundation
import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `body` in one transaction on this connection: committed when it returns and `commit(result)` holds,
    /// rolled back when it throws or `commit` says no. Errors from `body` come out unwrapped (unlike PostgresNIO's
    /// `withTransaction`, which wraps them), so callers can still catch their own `Problem`s.
    public func inTransaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation, commit: (Result) -> Bool = { _ in true },
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await query("BEGIN", logger: logger)
        do {
            let result = try await body()
            try await query(commit(result) ? "COMMIT" : "ROLLBACK", logger: logger)
            return result
        } catch {
            _ = try? await query("ROLLBACK", logger: logger)
            throw error
        }
    }
}

extension Database {
    /// Runs `body` with a pool of at most `poolSize` connections to `url`, running for exactly as long as `body`
    /// (command-line tools and tests; services run their pool as a lifecycle service instead).
    public static func withTemporaryPool<T: Sendable>(
        url: String, poolSize: Int = 2, logger: Logger, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: try DatabaseURL(url).clientConfiguration(poolSize: poolSize), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            // Let the pool start before the first lease (PostgresNIO warns about leases before `run()`).
            try await Task.sleep(for: .milliseconds(20))
            return try await body(Database(client: client, logger: logger))
        }
    }
}

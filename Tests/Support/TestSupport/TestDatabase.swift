import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// A fresh, empty PostgreSQL database for one test, created on the server named by `CONCIERGE_TEST_DATABASE_URL`
/// (`make test` starts a throwaway cluster and sets it).
public enum TestDatabase {
    /// The server every integration test uses.
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment["CONCIERGE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether integration tests can run (use with `.enabled(if:)`).
    public static var isConfigured: Bool { serverURL != nil }

    /// Creates a uniquely named database and returns its URL.
    public static func create(prefix: String = "t") async throws -> String {
        guard let server = serverURL else {
            throw TestSetupError("CONCIERGE_TEST_DATABASE_URL is not set; run the tests with `make test`")
        }
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await withClient(url: server) { client, logger in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents(string: server)
        components?.path = "/\(name)"
        guard let url = components?.string else { throw TestSetupError("cannot build a URL from \(server)") }
        return url
    }

    /// Runs `body` with a running client for `url`.
    public static func withClient<T: Sendable>(
        url: String, _ body: @Sendable (PostgresClient, Logger) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.database")
        logger.logLevel = .warning
        return try await Database.withTemporaryPool(url: url, poolSize: 4, logger: logger) { database in
            try await body(database.client, database.logger)
        }
    }

    /// Runs `body` with a `Database` over `url`.
    public static func withDatabase<T: Sendable>(url: String, _ body: @Sendable (Database) async throws -> T)
        async throws -> T
    {
        try await withClient(url: url) { client, logger in try await body(Database(client: client, logger: logger)) }
    }

    /// A single integer from a query such as `SELECT count(*) FROM ...`.
    public static func scalar(url: String, _ sql: String) async throws -> Int {
        try await withClient(url: url) { client, logger in
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await value in rows.decode(Int.self) { return value }
            throw TestSetupError("no row from \(sql)")
        }
    }
}

extension TestDatabase {
    /// The first column of the first row of `sql` as text; nil when there is no row or it is NULL.
    public static func scalarText(url: String, _ sql: String) async throws -> String? {
        try await withClient(url: url) { client, logger in
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await value in rows.decode(String?.self) { return value }
            return nil
        }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

import Foundation
import Logging
import PostgresNIO

/// One versioned change to a service's schema.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations a service ships as its `Migrations` resource folder.
    public static func bundled(in bundle: Bundle, service: String) throws -> [Migration] {
        guard let directory = bundle.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.missingFolder(service: service)
        }
        return try load(from: directory)
    }

    /// Loads `NNNN_name.sql` files from a folder (a service's bundled `Migrations` resource), ordered by version.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        let migrations = try files.filter { $0.pathExtension == "sql" }.map { file -> Migration in
            let base = file.deletingPathExtension().lastPathComponent
            let parts = base.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]) else {
                throw MigrationError.badFileName(file.lastPathComponent)
            }
            return Migration(
                version: version, name: String(parts[1]), sql: try String(contentsOf: file, encoding: .utf8))
        }.sorted { $0.version < $1.version }
        if Set(migrations.map(\.version)).count != migrations.count { throw MigrationError.duplicateVersion }
        return migrations
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion
    case missingFolder(service: String)
    case changed(schema: String, version: Int)

    public var description: String {
        switch self {
        case .badFileName(let name): "migration file '\(name)' must be named NNNN_name.sql"
        case .duplicateVersion: "two migrations share a version"
        case .missingFolder(let service): "the \(service) bundle has no Migrations folder"
        case .changed(let schema, let version):
            "migration \(schema) v\(version) was applied with a different name; migrations are append-only"
        }
    }
}

/// Applies a service's migrations at start-up.
///
/// All replicas of a service may start at once: a session-level advisory lock keyed on the schema makes them take
/// turns, and each migration runs in its own transaction with its version recorded in `<schema>.schema_migrations`.
public struct Migrator: Sendable {
    public var schema: String
    public var migrations: [Migration]

    public init(schema: String, migrations: [Migration]) {
        precondition(schema.allSatisfy { $0.isLetter || $0 == "_" }, "schema names are plain identifiers")
        self.schema = schema
        self.migrations = migrations
    }

    /// Applies what is missing; returns the versions it applied.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            let lockKey = "concierge.migrations.\(schema)"
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let bootstrap = """
            CREATE SCHEMA IF NOT EXISTS \(schema);
            CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            \(IdempotencyStore.tableDefinition(schema: schema))
            \(ConsumerStore.tableDefinitions(schema: schema))
            """
        try await run(bootstrap, on: connection, logger: logger)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT version, name FROM \(schema).schema_migrations"), logger: logger)
        var done: [Int: String] = [:]
        for try await (version, name) in rows.decode((Int, String).self) { done[version] = name }

        var appliedNow: [Int] = []
        for migration in migrations {
            if let name = done[migration.version] {
                guard name == migration.name else {
                    throw MigrationError.changed(schema: schema, version: migration.version)
                }
                continue
            }
            logger.info(
                "applying migration",
                metadata: ["schema": "\(schema)", "version": "\(migration.version)", "name": "\(migration.name)"])
            // A migration and its version row commit together or not at all. Migration SQL names its schema.
            try await run(
                migration.sql, on: connection, logger: logger,
                then: PostgresQuery(
                    unsafeSQL: "INSERT INTO \(schema).schema_migrations (version, name) VALUES ($1, $2)",
                    binds: try .values(migration.version, migration.name)))
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    /// Runs a script's statements in one transaction, plus `then` before committing.
    private func run(
        _ script: String, on connection: PostgresConnection, logger: Logger, then final: PostgresQuery? = nil
    ) async throws {
        try await connection.inTransaction(logger: logger) {
            for statement in SQLStatements.split(script) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            if let final { try await connection.query(final, logger: logger) }
        }
    }
}

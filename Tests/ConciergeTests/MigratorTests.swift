import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing

@Suite("Migrator against PostgreSQL", .enabled(if: TestDatabase.isConfigured))
struct MigratorTests {
    @Test func appliesEveryServiceOnceAndThenNothing() async throws {
        let url = try await TestDatabase.create()
        let definitions = try Fixture.definitions()
        try await TestDatabase.withClient(url: url) { client, logger in
            for definition in definitions {
                let migrator = Migrator(schema: definition.schema, migrations: definition.migrations)
                let first = try await migrator.migrate(client: client, logger: logger)
                #expect(first == definition.migrations.map(\.version), "\(definition.schema)")
                #expect(!first.isEmpty)
                let second = try await migrator.migrate(client: client, logger: logger)
                #expect(second.isEmpty, "\(definition.schema) second run")
            }
        }
        for definition in definitions {
            let recorded = try await TestDatabase.scalar(
                url: url, "SELECT count(*) FROM \(definition.schema).schema_migrations")
            #expect(recorded == definition.migrations.count)
            let keysTable = try await TestDatabase.scalar(
                url: url, "SELECT count(*) FROM \(definition.schema).idempotency_keys")
            #expect(keysTable == 0)
        }
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM customers.customers") == 0)
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM tickets.messages") == 0)
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM returns.return_lines") == 0)
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM loyalty.accounts") == 0)
    }

    @Test func concurrentMigratorsOfOneSchemaAllSucceedAndRecordEachVersionOnce() async throws {
        let url = try await TestDatabase.create()
        let migrations = [
            Migration(version: 1, name: "one", sql: "CREATE TABLE race.a (id int PRIMARY KEY)"),
            Migration(version: 2, name: "two", sql: "CREATE TABLE race.b (id int PRIMARY KEY)"),
            Migration(version: 3, name: "three", sql: "INSERT INTO race.a VALUES (1)"),
        ]
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await TestDatabase.withClient(url: url) { client, logger in
                        try await Migrator(schema: "race", migrations: migrations).migrate(
                            client: client, logger: logger)
                    }
                }
            }
            var all: [[Int]] = []
            for try await versions in group { all.append(versions) }
            return all
        }
        #expect(applied.count == 4)
        #expect(applied.flatMap { $0 }.sorted() == [1, 2, 3])
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM race.schema_migrations") == 3)
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM race.a") == 1)
    }

    @Test func aRenamedMigrationWithTheSameVersionFails() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url: url) { client, logger in
            let original = [Migration(version: 1, name: "create_things", sql: "CREATE TABLE renamed.things (id int)")]
            try await Migrator(schema: "renamed", migrations: original).migrate(client: client, logger: logger)
            let renamed = [Migration(version: 1, name: "make_things", sql: "CREATE TABLE renamed.things (id int)")]
            let error = await #expect(throws: MigrationError.self) {
                try await Migrator(schema: "renamed", migrations: renamed).migrate(client: client, logger: logger)
            }
            guard case .changed(let schema, let version) = error else {
                Issue.record("expected MigrationError.changed, got \(String(describing: error))")
                return
            }
            #expect(schema == "renamed")
            #expect(version == 1)
        }
    }

    @Test func aFailingMigrationRecordsNothingAndReleasesTheLock() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url: url) { client, logger in
            let broken = [
                Migration(version: 1, name: "ok", sql: "CREATE TABLE broken.ok (id int)"),
                Migration(version: 2, name: "bad", sql: "CREATE TABLE broken.bad (id int); SELECT 1/0"),
            ]
            await #expect(throws: (any Error).self) {
                try await Migrator(schema: "broken", migrations: broken).migrate(client: client, logger: logger)
            }
            let fixed = [broken[0], Migration(version: 2, name: "bad", sql: "CREATE TABLE broken.bad (id int)")]
            let applied = try await Migrator(schema: "broken", migrations: fixed).migrate(
                client: client, logger: logger)
            #expect(applied == [2])
        }
        #expect(try await TestDatabase.scalar(url: url, "SELECT count(*) FROM broken.schema_migrations") == 2)
    }
}

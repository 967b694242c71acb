import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `concierge events`: watch the event log and operate consumers (see docs/events.md).
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Watch the event log and operate event consumers.",
        subcommands: [Tail.self, Replay.self, DeadLetters.self, Retry.self])

    /// `concierge events tail`: prints committed events as JSON lines, in commit order, until Ctrl-C.
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow the event log: print each committed event as one JSON line, in commit order.",
            discussion: """
                Starts at the current end of the log (or at its beginning with --from-start) and polls every \
                200 ms. Stop with Ctrl-C.
                """)

        @Flag(help: "Print the whole log first instead of starting at its current end.")
        var fromStart = false

        @Option(
            name: .customLong("type"), parsing: .upToNextOption,
            help: "Only events whose type starts with one of these prefixes (e.g. `ticket.` or `customer.created`).")
        var types: [String] = []

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if types.contains(where: \.isEmpty) { throw ValidationError("--type needs a non-empty prefix") }
        }

        func run() async throws {
            let fromStart = self.fromStart
            let prefixes = types
            let signals = SignalWatcher()
            try await database.withDatabase { db in
                try await db.client.withConnection { connection in
                    try await EventsCLI.requireLog(on: connection, logger: db.logger)
                    let log = EventStore(source: "")
                    var checkpoint =
                        fromStart ? .start : try await EventsCLI.visibleEnd(on: connection, logger: db.logger)
                    let encoder = WireJSON.encoder
                    while !signals.received {
                        let batch = try await log.read(
                            after: checkpoint, limit: EventsCLI.tailBatchSize, on: connection, logger: db.logger)
                        for event in batch {
                            checkpoint = event.checkpoint
                            guard EventsCLI.matches(type: event.type, prefixes: prefixes) else { continue }
                            // Written straight away (not buffered), so `tail | jq` sees each event as it comes.
                            FileHandle.standardOutput.write(try encoder.encode(event) + Data("\n".utf8))
                        }
                        if batch.count < EventsCLI.tailBatchSize {
                            await signals.wait(orUntil: { false }, for: .milliseconds(200))
                        }
                    }
                }
            }
        }
    }

    /// `concierge events replay`: rewinds a consumer so it applies events again from a position on.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewind a consumer so it applies events again, from the event at POSITION onwards.",
            discussion: """
                "From POSITION" means from that event onwards in commit order ((txid, position)), not every \
                position number above it. The running consumer notices within its poll interval; its handlers must \
                be idempotent.
                """)

        @OptionGroup var consumer: ConsumerOption

        @Option(name: .customLong("from"), help: "Position (events.log.position) of the first event to apply again.")
        var position: Int64

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            try consumer.validate()
            if position < 1 { throw ValidationError("--from must be an event position (1 or more)") }
        }

        func run() async throws {
            let name = try consumer.parsed()
            let position = self.position
            let report = try await database.withDatabase { db in
                try await db.client.withConnection { connection in
                    try await EventsCLI.requireLog(on: connection, logger: db.logger)
                    try await EventsCLI.requireConsumer(name, on: connection, logger: db.logger)
                    guard
                        let target = try await EventStore(source: "").checkpoint(
                            before: position, on: connection, logger: db.logger)
                    else {
                        throw EventsCLIError("no event at position \(position) in events.log")
                    }
                    let store = ConsumerStore(schema: name.schema, consumer: name.name)
                    return try await connection.inTransaction(logger: db.logger) {
                        let (previous, _) = try await store.load(on: connection, logger: db.logger)
                        let forgotten = try await EventsCLI.appliedCount(
                            name, after: target, on: connection, logger: db.logger)
                        try await store.rewind(to: target, on: connection, logger: db.logger)
                        return (previous, target, forgotten)
                    }
                }
            }
            let (previous, target, forgotten) = report
            print(
                """
                \(name.name): rewound from checkpoint \(previous) to \(target) (just before the event at position \
                \(position)); forgot \(forgotten) applied event id\(forgotten == 1 ? "" : "s"). The running consumer \
                applies events from position \(position) onwards in commit order at its next poll.
                """)
        }
    }

    /// `concierge events dead-letters`: lists the events a consumer gave up on.
    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "List the events a consumer dead-lettered.")

        @OptionGroup var consumer: ConsumerOption
        @OptionGroup var database: DatabaseOptions

        func validate() throws { try consumer.validate() }

        func run() async throws {
            let name = try consumer.parsed()
            let letters = try await database.withDatabase { db in
                try await db.client.withConnection { connection in
                    try await EventsCLI.requireConsumer(name, on: connection, logger: db.logger)
                    return try await EventsCLI.deadLetters(name, on: connection, logger: db.logger)
                }
            }
            if letters.isEmpty {
                print("\(name.name): no dead letters")
                return
            }
            print(
                ["EVENT_ID", "POSITION", "TYPE", "ATTEMPTS", "FAILED_AT", "RETRY_REQUESTED", "ERROR"].joined(
                    separator: "\t"))
            for letter in letters {
                print(
                    [
                        letter.eventID.uuidString.lowercased(), "\(letter.position)", letter.type, "\(letter.attempts)",
                        Timestamp.format(letter.failedAt), letter.replayRequested ? "yes" : "no",
                        EventsCLI.oneLine(letter.error),
                    ].joined(separator: "\t"))
            }
        }
    }

    /// `concierge events retry`: asks the running consumer to apply a dead-lettered event again.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask a consumer to apply one dead-lettered event again (at its next poll).")

        @OptionGroup var consumer: ConsumerOption

        @Option(name: .customLong("event"), help: "The dead-lettered event's id.")
        var eventID: String

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            try consumer.validate()
            if UUID(uuidString: eventID) == nil { throw ValidationError("--event must be an event id (a UUID)") }
        }

        func run() async throws {
            let name = try consumer.parsed()
            guard let id = UUID(uuidString: eventID) else { throw ValidationError("--event must be a UUID") }
            let requested = try await database.withDatabase { db in
                try await db.client.withConnection { connection in
                    try await EventsCLI.requireConsumer(name, on: connection, logger: db.logger)
                    return try await ConsumerStore(schema: name.schema, consumer: name.name).requestReplay(
                        eventID: id, on: connection, logger: db.logger)
                }
            }
            guard requested else {
                throw EventsCLIError(
                    "event \(id.uuidString.lowercased()) is not a dead letter of \(name.name) "
                        + "(see `concierge events dead-letters --consumer \(name.name)`)")
            }
            print(
                "\(name.name): retry of \(id.uuidString.lowercased()) requested; the consumer applies it at its next poll"
            )
        }
    }
}

/// `--consumer NAME`, shared by the consumer commands.
struct ConsumerOption: ParsableArguments {
    @Option(name: .customLong("consumer"), help: "The consumer, `<schema>.<purpose>` such as `customers.timeline`.")
    var name: String

    func validate() throws { _ = try parsed() }

    func parsed() throws -> ConsumerName {
        do {
            return try ConsumerName(parsing: name)
        } catch let error as EventsCLIError {
            throw ValidationError("--consumer: \(error.message)")
        }
    }
}

/// A consumer's name, `<schema>.<purpose>`: its state lives in the tables of `schema`.
struct ConsumerName: Equatable, Sendable {
    let name: String
    let schema: String

    /// Parses `name`; the schema (the part before the first dot) must be a plain lower-case SQL identifier, since it
    /// names tables.
    init(parsing name: String) throws {
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex
        else {
            throw EventsCLIError(
                "'\(name)' is not a consumer name; expected <schema>.<purpose>, e.g. customers.timeline")
        }
        let schema = String(name[..<dot])
        guard Self.isIdentifier(schema) else {
            throw EventsCLIError(
                "'\(schema)' is not a schema name (lower-case letters, digits and underscores, not starting with a digit)"
            )
        }
        self.name = name
        self.schema = schema
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63 else { return false }
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z"
        let digit: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard lower.contains(first) || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == "_" }
    }
}

/// An error the CLI explains in one line.
struct EventsCLIError: Error, CustomStringConvertible, LocalizedError {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
    var errorDescription: String? { message }
}

/// One row of `<schema>.event_dead_letters`.
struct DeadLetter: Sendable {
    var eventID: UUID
    var position: Int64
    var type: String
    var attempts: Int
    var error: String
    var failedAt: Date
    var replayRequested: Bool
}

/// The queries and pure helpers behind `concierge events`.
enum EventsCLI {
    static let tailBatchSize = 500

    /// Whether `type` passes the `--type` prefixes (no prefixes: everything).
    static func matches(type: String, prefixes: [String]) -> Bool {
        prefixes.isEmpty || prefixes.contains { type.hasPrefix($0) }
    }

    /// `text` on one line, for tables.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "\t", with: " ")
    }

    /// The last event a reader can see now (below the snapshot's xmin), in commit order; `.start` for an empty log.
    static func visibleEnd(on connection: PostgresConnection, logger: Logger) async throws -> LogCheckpoint {
        let rows = try await connection.query(
            """
            SELECT txid, position FROM events.log
            WHERE txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
            ORDER BY txid DESC, position DESC LIMIT 1
            """, logger: logger)
        for try await (transactionID, position) in rows.decode((Int64, Int64).self) {
            return LogCheckpoint(transactionID: transactionID, position: position)
        }
        return .start
    }

    /// Fails clearly when the database has no event log (not migrated).
    static func requireLog(on connection: PostgresConnection, logger: Logger) async throws {
        guard try await exists(table: "events.log", on: connection, logger: logger) else {
            throw EventsCLIError(
                "this database has no events.log; start any service (or `concierge up`) once, which creates it")
        }
    }

    /// Fails clearly when `name` has no consumer state (unknown schema or a consumer that never ran).
    static func requireConsumer(_ name: ConsumerName, on connection: PostgresConnection, logger: Logger) async throws {
        guard try await exists(table: "\(name.schema).event_consumers", on: connection, logger: logger) else {
            throw EventsCLIError("unknown consumer \(name.name): schema '\(name.schema)' has no event_consumers table")
        }
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT name FROM \(name.schema).event_consumers ORDER BY name", binds: PostgresBindings()),
            logger: logger)
        var known: [String] = []
        for try await consumer in rows.decode(String.self) { known.append(consumer) }
        guard known.contains(name.name) else {
            let list = known.isEmpty ? "none has run yet" : "known: \(known.joined(separator: ", "))"
            throw EventsCLIError("unknown consumer \(name.name) in schema '\(name.schema)' (\(list))")
        }
    }

    static func exists(table: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger)
        for try await found in rows.decode(Bool.self) { return found }
        return false
    }

    /// How many applied ids of `name` lie after `checkpoint` (what a rewind forgets).
    static func appliedCount(
        _ name: ConsumerName, after checkpoint: LogCheckpoint, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT count(*)::bigint FROM \(name.schema).applied_events
                    WHERE consumer = $1 AND (txid, position) > ($2, $3)
                    """,
                binds: try .values(name.name, checkpoint.transactionID, checkpoint.position)),
            logger: logger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    static func deadLetters(_ name: ConsumerName, on connection: PostgresConnection, logger: Logger) async throws
        -> [DeadLetter]
    {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT event_id, position, type, attempts, error, failed_at, replay_requested
                    FROM \(name.schema).event_dead_letters WHERE consumer = $1 ORDER BY position
                    """,
                binds: try .values(name.name)),
            logger: logger)
        var letters: [DeadLetter] = []
        for try await (id, position, type, attempts, error, failedAt, requested) in rows.decode(
            (UUID, Int64, String, Int, String, Date, Bool).self)
        {
            letters.append(
                DeadLetter(
                    eventID: id, position: position, type: type, attempts: attempts, error: error, failedAt: failedAt,
                    replayRequested: requested))
        }
        return letters
    }
}

extension SignalWatcher {
    /// Sleeps for `duration`, returning early when a signal arrives.
    func wait(orUntil stop: () -> Bool, for duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !received, !stop(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Trains, stores and serves the category classifier (`tickets.category_model`).
///
/// Each training gives the model a new id; a process keeps the model it last loaded and, when asked to classify,
/// reads only the stored id to see whether it is still current, so the model itself crosses the wire once per
/// training. Classification is asked for only for tickets that the rules and the order leave uncategorised.
struct CategoryModelStore: Sendable {
    /// The most recent person-categorised tickets a training reads.
    var trainingLimit = 5_000

    /// Trains on the tickets whose category a person chose and stores the model (or, with too few of them,
    /// removes any stored one and says why).
    func train(on connection: PostgresConnection, logger: Logger) async throws -> CategoryClassifierStatus {
        let rows = try await connection.query(
            """
            SELECT t.category, t.subject || ' ' || coalesce((
                       SELECT m.body FROM tickets.messages m
                       WHERE m.ticket_id = t.id AND m.author_type = 'customer'
                       ORDER BY m.created_at, m.id LIMIT 1), '')
            FROM tickets.tickets t
            WHERE t.category_reason IN ('set by an agent', 'set on creation') AND t.status <> 'merged'
            ORDER BY t.updated_at DESC, t.id
            LIMIT \(trainingLimit)
            """, logger: logger)
        var examples: [(text: String, category: String)] = []
        for try await (category, text) in rows.decode((String, String).self) {
            examples.append((text: text, category: category))
        }
        guard let classifier = CategoryClassifier(training: examples) else {
            try await connection.query("DELETE FROM tickets.category_model", logger: logger)
            return CategoryClassifierStatus(
                trained: false, categories: [:], examples: examples.count, trainedAt: nil,
                reason:
                    "needs at least \(CategoryClassifier.minimumExamples) tickets categorised by a person, in at least"
                    + " two categories of \(CategoryClassifier.minimumPerCategory) or more; found \(examples.count)")
        }
        let model = String(decoding: try WireJSON.encoder.encode(classifier), as: UTF8.self)
        let stored = try await connection.query(
            """
            INSERT INTO tickets.category_model (id, examples, model) VALUES (\(UUID()), \(classifier.examples),
                                                                         \(model)::jsonb)
            ON CONFLICT (singleton) DO UPDATE
            SET id = EXCLUDED.id, examples = EXCLUDED.examples, model = EXCLUDED.model, trained_at = now()
            RETURNING trained_at
            """, logger: logger)
        var trainedAt: Date?
        for try await at in stored.decode(Date.self) { trainedAt = at }
        logger.info("category classifier trained", metadata: ["examples": "\(classifier.examples)"])
        return Self.status(classifier, trainedAt: trainedAt)
    }

    /// The stored model's status.
    func status(on connection: PostgresConnection, logger: Logger) async throws -> CategoryClassifierStatus {
        let rows = try await connection.query(
            "SELECT model::text, trained_at FROM tickets.category_model", logger: logger)
        for try await (text, trainedAt) in rows.decode((String, Date).self) {
            return Self.status(
                try WireJSON.decoder.decode(CategoryClassifier.self, from: Data(text.utf8)), trainedAt: trainedAt)
        }
        return CategoryClassifierStatus(trained: false, categories: [:], examples: 0, trainedAt: nil)
    }

    /// The category the stored model gives `text`, with its reason, when it is sure enough; nil otherwise.
    func classify(_ text: String, on connection: PostgresConnection, logger: Logger) async throws -> (String, String)? {
        guard let classifier = try await current(on: connection, logger: logger),
            let (category, probability) = classifier.classify(text),
            probability >= CategoryClassifier.minimumConfidence
        else { return nil }
        let percent = Int((probability * 100).rounded(.down))
        return (category, "classifier: \(percent)% sure (trained on \(classifier.examples) tickets)")
    }

    /// The stored model, from this process's cache when its id is still the stored one.
    private func current(on connection: PostgresConnection, logger: Logger) async throws -> CategoryClassifier? {
        let ids = try await connection.query("SELECT id FROM tickets.category_model", logger: logger)
        var storedID: UUID?
        for try await id in ids.decode(UUID.self) { storedID = id }
        guard let storedID else { return nil }
        if let cached = Self.cache.model(id: storedID) { return cached }
        let rows = try await connection.query(
            "SELECT model::text FROM tickets.category_model WHERE id = \(storedID)", logger: logger)
        for try await text in rows.decode(String.self) {
            let classifier = try WireJSON.decoder.decode(CategoryClassifier.self, from: Data(text.utf8))
            Self.cache.store(classifier, id: storedID)
            return classifier
        }
        return nil
    }

    private static func status(_ classifier: CategoryClassifier, trainedAt: Date?) -> CategoryClassifierStatus {
        CategoryClassifierStatus(
            trained: true, categories: classifier.categories.mapValues(\.documents), examples: classifier.examples,
            trainedAt: trainedAt)
    }

    private static let cache = ModelCache()

    /// The last model this process loaded, by id.
    private final class ModelCache: @unchecked Sendable {
        private let lock = NSLock()
        private var entry: (UUID, CategoryClassifier)?

        func model(id: UUID) -> CategoryClassifier? { lock.withLock { entry?.0 == id ? entry?.1 : nil } }
        func store(_ model: CategoryClassifier, id: UUID) { lock.withLock { entry = (id, model) } }
    }

    /// The periodic training job.
    func job(interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "tickets.classifier", interval: interval) { connection, logger in
            _ = try await train(on: connection, logger: logger)
        }
    }
}

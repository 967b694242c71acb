import Foundation

/// `tickets.classifier_status` and `tickets.train_classifier`: the trained ticket-category classifier.
public struct CategoryClassifierStatus: Codable, Sendable, Equatable {
    /// Whether a model is in use.
    public var trained: Bool
    /// Training tickets per category the model learnt (categories with too few tickets are left out).
    public var categories: [String: Int]
    /// Training tickets the model learnt from.
    public var examples: Int
    public var trainedAt: Date?
    /// For a training that trained nothing: why.
    public var reason: String?

    public init(trained: Bool, categories: [String: Int], examples: Int, trainedAt: Date?, reason: String? = nil) {
        self.trained = trained
        self.categories = categories
        self.examples = examples
        self.trainedAt = trainedAt
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case trained, categories, examples, reason
        case trainedAt = "trained_at"
    }
}

extension Operation.Tickets {
    public static let classifierStatus = "tickets.classifier_status"
    public static let trainClassifier = "tickets.train_classifier"
}

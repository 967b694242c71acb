import Foundation

/// A multinomial naive Bayes classifier of ticket categories, trained on the tickets whose category a person chose
/// (an agent's change, or a category given on creation). It stands after the keyword rules and the order context:
/// only a ticket that neither categorises is asked about, and only an answer at least `minimumConfidence` sure is
/// taken (docs/architecture.md, "Categories").
///
/// The model is plain counts (JSON in `tickets.category_model`), so it can be inspected, and retraining replaces it.
struct CategoryClassifier: Codable, Sendable, Equatable {
    /// What the model knows of one category.
    struct CategoryCounts: Codable, Sendable, Equatable {
        /// Training tickets of the category.
        var documents: Int
        /// Tokens seen in them (after the vocabulary cap).
        var tokens: Int
        /// Token counts, the category's `maximumTokensPerCategory` most frequent tokens.
        var counts: [String: Int]
    }

    var categories: [String: CategoryCounts]
    /// Distinct tokens over every category (the smoothing denominator).
    var vocabulary: Int
    /// Training tickets in all.
    var examples: Int

    /// Fewer training tickets than this and no model is trained.
    static let minimumExamples = 30
    /// A category needs this many training tickets to be learnt; at least two categories must be.
    static let minimumPerCategory = 3
    /// The least posterior probability at which the classifier's answer is taken.
    static let minimumConfidence = 0.6
    static let maximumTokensPerCategory = 2_000

    /// Trains on `examples` (text, category); nil when there are too few to learn from.
    init?(training examples: [(text: String, category: String)]) {
        var documents: [String: Int] = [:]
        var counts: [String: [String: Int]] = [:]
        for (text, category) in examples {
            documents[category, default: 0] += 1
            for token in Self.tokens(text) { counts[category, default: [:]][token, default: 0] += 1 }
        }
        let learnt = documents.filter { $0.value >= Self.minimumPerCategory }
        guard examples.count >= Self.minimumExamples, learnt.count >= 2 else { return nil }
        var categories: [String: CategoryCounts] = [:]
        var vocabulary = Set<String>()
        for (category, documentCount) in learnt {
            let kept = (counts[category] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .prefix(Self.maximumTokensPerCategory)
            let tokenCounts = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
            vocabulary.formUnion(tokenCounts.keys)
            categories[category] = CategoryCounts(
                documents: documentCount, tokens: tokenCounts.values.reduce(0, +), counts: tokenCounts)
        }
        self.categories = categories
        self.vocabulary = vocabulary.count
        self.examples = learnt.values.reduce(0, +)
    }

    /// The most probable category of `text` and its posterior probability; nil when no token of the text is known.
    func classify(_ text: String) -> (category: String, probability: Double)? {
        let known = Self.tokens(text).filter { token in categories.values.contains { $0.counts[token] != nil } }
        guard !known.isEmpty, examples > 0 else { return nil }
        let vocabulary = Double(max(vocabulary, 1))
        var scores: [(String, Double)] = []
        for (category, model) in categories {
            var score = log(Double(model.documents) / Double(examples))
            let denominator = Double(model.tokens) + vocabulary
            for token in known { score += log((Double(model.counts[token] ?? 0) + 1) / denominator) }
            scores.append((category, score))
        }
        guard let best = scores.max(by: { ($0.1, $1.0) < ($1.1, $0.0) }) else { return nil }
        // Posterior by softmax over the log scores (shifted by the best for numerical safety).
        let total = scores.reduce(0) { $0 + exp($1.1 - best.1) }
        return (best.0, 1 / total)
    }

    /// Lower-case words of three or more letters or digits, without the commonest English function words.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            if current.count >= 3, !stopWords.contains(current) { tokens.append(current) }
            current = ""
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "you", "your", "are", "was", "were", "with", "this", "that", "have", "has", "had", "not",
        "but", "can", "could", "would", "will", "from", "our", "out", "about", "there", "their", "they", "them",
        "what", "when", "who", "how", "why", "which", "all", "any", "its", "been", "just", "please", "thanks",
        "thank", "hello", "dear", "regards", "hi", "into", "than", "then", "also", "some", "get", "got",
    ]
}

import Contracts
import Foundation

/// Rule-based categorisation of a new ticket from its subject and first message: the first category whose keyword
/// appears (as a whole word or phrase, case-insensitive, subject before body) wins, and the reason names the rule.
/// Without a match the ticket is `other`.
enum TicketCategorizer {
    /// The rules in order: more specific categories first.
    static let rules: [(category: String, keywords: [String])] = [
        (
            "returns",
            ["return", "returns", "returning", "exchange", "send it back", "send back", "wrong size", "rma"]
        ),
        (
            "billing",
            [
                "refund", "refunded", "charged", "charge", "double charged", "invoice", "receipt", "payment",
                "paid twice", "billing", "credit card", "coupon", "discount code", "price",
            ]
        ),
        (
            "delivery",
            [
                "where is my order", "where is my parcel", "not arrived", "hasn't arrived", "has not arrived",
                "not received", "tracking", "track", "delivery", "delivered", "shipping", "shipped", "parcel",
                "package", "courier", "late", "lost",
            ]
        ),
        (
            "product",
            [
                "broken", "damaged", "defective", "faulty", "does not work", "doesn't work", "quality", "size chart",
                "sizing", "fit", "colour", "color", "material", "instructions",
            ]
        ),
        ("account", ["password", "log in", "login", "sign in", "my account", "email address", "unsubscribe"]),
    ]

    /// The category and the reason it was chosen: the keyword rules first, then the order the ticket is about
    /// (`OrderContextCategorizer`), else `other`.
    static func categorize(subject: String, message: String, order: Order?) -> (String, String?) {
        let (category, reason) = categorize(subject: subject, message: message)
        if category == "other", let order { return OrderContextCategorizer.categorize(order) }
        return (category, reason)
    }

    /// The category and the reason it was chosen, from the words alone.
    static func categorize(subject: String, message: String) -> (String, String?) {
        for (place, text) in [("subject", subject), ("message", message)] {
            let normalized = " " + words(text) + " "
            for rule in rules {
                if let keyword = rule.keywords.first(where: { normalized.contains(" \(words($0)) ") }) {
                    return (rule.category, "rule: '\(keyword)' in the \(place)")
                }
            }
        }
        return ("other", "no rule matched")
    }

    /// Lower-case letters and digits with single spaces between words (apostrophes kept inside words).
    private static func words(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "'" {
                if pendingSpace, !result.isEmpty { result.append(" ") }
                pendingSpace = false
                result.append(character == "’" ? "'" : character)
            } else {
                pendingSpace = true
            }
        }
        return result
    }
}

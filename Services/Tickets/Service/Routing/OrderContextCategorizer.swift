import Contracts
import Foundation

/// Categorisation from the order a ticket is about, for tickets whose words matched no rule: where the order stands
/// says what the customer most likely wants.
///
/// - cancelled, deleted, or with a refund: `billing` (money questions about an order that will not ship);
/// - not shipped yet, or shipped and not delivered: `delivery` (where is it);
/// - delivered: `returns` (after delivery, most contacts are about sending something back or exchanging it).
enum OrderContextCategorizer {
    /// The category and its reason, or nil when the order says nothing useful.
    static func categorize(_ order: Order) -> (String, String) {
        let number = order.number.hasPrefix("#") ? order.number : "#\(order.number)"
        if order.state == .cancelled || order.state == .deleted {
            return ("billing", "order context: order \(number) is \(order.state.rawValue)")
        }
        if !order.refunds.isEmpty {
            return ("billing", "order context: order \(number) has a refund")
        }
        guard !order.fulfillments.isEmpty else {
            return ("delivery", "order context: order \(number) has not shipped yet")
        }
        if order.fulfillments.contains(where: { $0.deliveredAt != nil }) {
            return ("returns", "order context: order \(number) was delivered")
        }
        return ("delivery", "order context: order \(number) shipped and is not delivered yet")
    }
}

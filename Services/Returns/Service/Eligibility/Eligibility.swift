import Contracts
import Foundation

/// Which lines of a mirrored order can be returned, and why (not), in words for agents and customers.
///
/// Rules, in the order they decide: a cancelled order returns nothing; final-sale lines (policy order tags,
/// product tags or SKU prefixes) never; units already refunded by the platform or asked back by an open return are not returnable
/// again; a line that has not shipped cannot be returned yet (only its shipped units can); then the window: in time
/// with every allowed outcome, then the exchange-only days, then closed.
public struct Eligibility: Sendable {
    public var order: Order
    public var resolver: PolicyResolver
    public var customerTags: [String]
    /// Units of each order line (platform line id) in returns that are neither declined nor cancelled.
    public var alreadyReturned: [Int64: Int]
    public var now: Date

    public init(
        order: Order, resolver: PolicyResolver, customerTags: [String], alreadyReturned: [Int64: Int], now: Date
    ) {
        self.order = order
        self.resolver = resolver
        self.customerTags = customerTags
        self.alreadyReturned = alreadyReturned
        self.now = now
    }

    /// The answer for every line of the order.
    public var answer: ReturnEligibility {
        ReturnEligibility(orderID: order.id, orderNumber: order.number, lines: order.lines.map(evaluate))
    }

    /// The policy of `line`.
    public func policy(of line: OrderLine) -> ReturnPolicy {
        resolver.policy(storeID: order.storeID, line: line, customerTags: customerTags)
    }

    public func evaluate(_ line: OrderLine) -> LineEligibility {
        let policy = policy(of: line)
        func answer(
            _ rule: String, _ explanation: String, returnable: Int = 0, outcomes: [ReturnResolutionKind] = [],
            closesAt: Date? = nil
        ) -> LineEligibility {
            LineEligibility(
                platformLineID: line.platformLineID, sku: line.sku, title: line.title, ordered: line.quantity,
                returnable: returnable, eligible: returnable > 0, outcomes: outcomes, explanation: explanation,
                rule: rule, policyName: policy.name, closesAt: closesAt)
        }
        let name = line.title
        if order.state == .cancelled || order.cancelledAt != nil {
            return answer("order_cancelled", "Order \(order.number) was cancelled: there is nothing to return.")
        }
        let finalTags = Set(policy.finalSaleOrderTags.map { $0.lowercased() })
        if let tag = order.tags.first(where: { finalTags.contains($0.lowercased()) }) {
            return answer("final_sale", "\(name) was sold as final sale (order tagged \(tag)): it cannot be returned.")
        }
        let finalProductTags = Set(policy.finalSaleProductTags.map { $0.lowercased() })
        if let tag = line.tags.first(where: { finalProductTags.contains($0.lowercased()) }) {
            return answer("final_sale", "\(name) is a final-sale item (product tagged \(tag)): it cannot be returned.")
        }
        if let sku = line.sku,
            let prefix = policy.finalSaleSKUPrefixes.first(where: { sku.lowercased().hasPrefix($0.lowercased()) })
        {
            return answer(
                "final_sale", "\(name) is a final-sale item (SKU \(sku) starts with \(prefix)): it cannot be returned.")
        }
        let refunded = ReturnWindows.refundedUnits(of: line, in: order)
        let requested = alreadyReturned[line.platformLineID] ?? 0
        let shipped = shippedUnits(of: line)
        guard let (start, from) = ReturnWindows.start(of: line, in: order), shipped > 0 else {
            return answer("not_shipped", "\(name) has not shipped yet: a return can start once it is delivered.")
        }
        let left = min(line.quantity, shipped) - refunded - requested
        if left <= 0 {
            let unshipped = line.quantity - shipped
            let detail =
                unshipped > 0
                ? "the \(unshipped) unit\(unshipped == 1 ? "" : "s") not shipped yet can be returned once delivered"
                : "all \(line.quantity) unit\(line.quantity == 1 ? " was" : "s were") already returned or refunded"
            return answer(
                "already_returned",
                "\(name): \(refunded) refunded and \(requested) in open returns; \(detail).")
        }
        let zone = ReturnWindows.timeZone(of: policy)
        let closes = ReturnWindows.closesAt(start: start, days: policy.windowDays, timeZone: zone)
        let since = "\(policy.windowDays)-day window since \(from) on \(Self.day(start, zone))"
        if now < closes {
            let partial = line.quantity > shipped ? " (\(shipped) of \(line.quantity) units shipped so far)" : ""
            return answer(
                "eligible",
                "Returnable until \(Self.day(closes.addingTimeInterval(-1), zone)): within the \(since)\(partial).",
                returnable: left, outcomes: policy.allowedOutcomes, closesAt: closes)
        }
        if policy.exchangeOnlyDays > 0, policy.allowedOutcomes.contains(.exchange) {
            let exchangeCloses = ReturnWindows.closesAt(
                start: start, days: policy.windowDays + policy.exchangeOnlyDays, timeZone: zone)
            if now < exchangeCloses {
                return answer(
                    "exchange_only",
                    "Exchange only until \(Self.day(exchangeCloses.addingTimeInterval(-1), zone)): outside the \(since),"
                        + " inside the \(policy.exchangeOnlyDays) exchange-only days.",
                    returnable: left, outcomes: [.exchange], closesAt: exchangeCloses)
            }
        }
        return answer(
            "window_closed",
            "Outside the \(since) (the last day was \(Self.day(closes.addingTimeInterval(-1), zone))).",
            closesAt: closes)
    }

    /// Units of `line` that shipments carried (a shipment listing no lines carries all of them).
    func shippedUnits(of line: OrderLine) -> Int {
        var units = 0
        for fulfillment in order.fulfillments {
            if fulfillment.lines.isEmpty { return line.quantity }
            units += fulfillment.lines.filter { $0.platformLineID == line.platformLineID }.reduce(0) {
                $0 + $1.quantity
            }
        }
        return min(units, line.quantity)
    }

    /// `1 March 2025` in `zone`.
    static func day(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "d MMMM yyyy"
        return formatter.string(from: date)
    }
}

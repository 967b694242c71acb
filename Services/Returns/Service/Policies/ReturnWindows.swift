import Contracts
import Foundation

/// When return windows open and close.
///
/// A window of `n` days opens at the delivery of a line (the latest delivery of the shipments that carried it),
/// or, when no shipment of it reports a delivery, at its fulfillment; it closes at the end of the `n`th calendar
/// day after that day in the policy's time zone, that is at local midnight after the last day. A request made
/// before `closesAt` is in time (the bound is exclusive).
public enum ReturnWindows {
    /// Where a line's window starts: the instant and what it counts from (`delivery` or `fulfillment`); nil while
    /// no shipment carried the line.
    public static func start(of line: OrderLine, in order: Order) -> (Date, String)? {
        let shipments = order.fulfillments.filter { fulfillment in
            // A shipment that lists no lines carries the whole order (some platforms omit them).
            fulfillment.lines.isEmpty
                || fulfillment.lines.contains { $0.platformLineID == line.platformLineID && $0.quantity > 0 }
        }
        if let delivered = shipments.compactMap(\.deliveredAt).max() { return (delivered, "delivery") }
        if let shipped = shipments.compactMap(\.createdAt).max() { return (shipped, "fulfillment") }
        return nil
    }

    /// The end of the window of `days` days opened at `start`: local midnight after the last day in `timeZone`.
    public static func closesAt(start: Date, days: Int, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let firstDay = calendar.startOfDay(for: start)
        return calendar.date(byAdding: .day, value: days + 1, to: firstDay)
            ?? start.addingTimeInterval(Double(days + 1) * 86_400)
    }

    /// The time zone of `policy` (UTC when the stored name is unknown to this machine).
    public static func timeZone(of policy: ReturnPolicy) -> TimeZone {
        TimeZone(identifier: policy.timeZone) ?? TimeZone(identifier: "UTC") ?? .current
    }

    /// The window of the whole order: that of its line that closes last, since until then some line may still
    /// come back. While any line with units left to return has not shipped, the window has not fully started:
    /// `closesAt` and `startsFrom` are nil. `windowDays` is the longest window among the lines' policies.
    public static func window(of order: Order, resolver: PolicyResolver, customerTags: [String]) -> ReturnWindow {
        var windowDays = 0
        var latest: (Date, String)?
        var started = true
        for line in order.lines {
            let policy = resolver.policy(storeID: order.storeID, line: line, customerTags: customerTags)
            windowDays = max(windowDays, policy.windowDays)
            guard let (start, from) = start(of: line, in: order) else {
                if refundedUnits(of: line, in: order) < line.quantity { started = false }
                continue
            }
            let closes = closesAt(start: start, days: policy.windowDays, timeZone: timeZone(of: policy))
            if latest.map({ closes > $0.0 }) ?? true { latest = (closes, from) }
        }
        if order.lines.isEmpty {
            windowDays = resolver.policy(storeID: order.storeID, sku: nil, customerTags: customerTags).windowDays
        }
        guard started, let latest else {
            return ReturnWindow(orderID: order.id, windowDays: windowDays, startsFrom: nil, closesAt: nil)
        }
        return ReturnWindow(orderID: order.id, windowDays: windowDays, startsFrom: latest.1, closesAt: latest.0)
    }

    /// Units of `line` the platform has already refunded (its refunds mirrored in the order).
    public static func refundedUnits(of line: OrderLine, in order: Order) -> Int {
        order.refunds.flatMap(\.lines).filter { $0.platformLineID == line.platformLineID }.reduce(0) {
            $0 + $1.quantity
        }
    }
}

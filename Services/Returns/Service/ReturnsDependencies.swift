import Foundation

/// What the returns service needs from outside its schema; ``ReturnsDependencies/live`` is what the executable
/// uses, tests swap in their own where the real thing is another process.
public struct ReturnsDependencies: Sendable {
    /// Mirrored orders and customers (the customers service).
    public var orders: any ReturnOrderSource
    /// The clock.
    public var now: @Sendable () -> Date

    public init(
        orders: any ReturnOrderSource = BrokerOrderSource(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.orders = orders
        self.now = now
    }

    /// The executable's dependencies: the broker and the system clock.
    public static var live: ReturnsDependencies { ReturnsDependencies() }
}

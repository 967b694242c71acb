import Foundation

/// What the returns service needs from outside its schema; ``ReturnsDependencies/live`` is what the executable
/// uses, tests swap in their own where the real thing is another process.
public struct ReturnsDependencies: Sendable {
    /// Mirrored orders and customers (the customers service).
    public var orders: any ReturnOrderSource
    /// The helpdesk, for the ticket every return belongs to.
    public var tickets: any ReturnTicketOpener
    /// Return labels.
    public var labels: any CarrierLabelProvider
    /// The store platform's refund call.
    public var refunds: any StorePlatformRefunds
    /// Where returns go: the address lines printed on labels (`CONCIERGE_RETURN_ADDRESS`, lines split at `|`).
    public var returnAddress: [String]
    /// The clock.
    public var now: @Sendable () -> Date

    public init(
        orders: any ReturnOrderSource = BrokerOrderSource(), tickets: any ReturnTicketOpener = BrokerTicketOpener(),
        labels: any CarrierLabelProvider = LocalLabelProvider(),
        refunds: any StorePlatformRefunds = RecordedPlatformRefunds(),
        returnAddress: [String] = ReturnsDependencies.defaultReturnAddress,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.orders = orders
        self.tickets = tickets
        self.labels = labels
        self.refunds = refunds
        self.returnAddress = returnAddress
        self.now = now
    }

    public static let defaultReturnAddress = ["Returns department", "(set CONCIERGE_RETURN_ADDRESS)"]

    /// The executable's dependencies: the broker, the local label maker, refunds awaiting the platform, the
    /// system clock and the return address from the environment.
    public static var live: ReturnsDependencies {
        let address = ProcessInfo.processInfo.environment["CONCIERGE_RETURN_ADDRESS"].map {
            $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return ReturnsDependencies(returnAddress: address.flatMap { $0.isEmpty ? nil : $0 } ?? defaultReturnAddress)
    }
}

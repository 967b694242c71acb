import Contracts
import Foundation
import Logging
import PostgresNIO

/// A refund the store platform is asked to make.
public struct PlatformRefundRequest: Sendable, Equatable {
    public var refundID: UUID
    public var orderID: UUID
    public var amount: Money
    public var lines: [ReturnEventLine]
}

/// How the platform took it.
public enum PlatformRefundOutcome: String, Sendable {
    /// Recorded; the platform's `order.refunded` webhook will confirm it (reconciliation).
    case awaitingPlatform = "awaiting_platform"
    /// The platform confirmed it synchronously.
    case confirmed
}

/// The store-platform refund call. It runs inside the resolution's transaction, so an implementation must not
/// hold it on a network round trip: a networked one records the request here and a job sends it (see
/// docs/returns.md "Reconciliation").
public protocol StorePlatformRefunds: Sendable {
    func submit(_ request: PlatformRefundRequest, on connection: PostgresConnection, logger: Logger) async throws
        -> PlatformRefundOutcome
}

/// The implementation in use: the refund is recorded as awaiting the platform (the merchant, or a later
/// integration, executes it there); the `returns.refunds` consumer marks it confirmed when the platform's
/// `order.refunded` arrives. Nothing pretends the money moved before the platform says so.
public struct RecordedPlatformRefunds: StorePlatformRefunds {
    public init() {}

    public func submit(_ request: PlatformRefundRequest, on connection: PostgresConnection, logger: Logger) async throws
        -> PlatformRefundOutcome
    {
        logger.info(
            "refund awaiting the platform",
            metadata: [
                "refund_id": "\(request.refundID)", "order_id": "\(request.orderID)",
                "amount_minor": "\(request.amount.amountMinor)",
            ])
        return .awaitingPlatform
    }
}

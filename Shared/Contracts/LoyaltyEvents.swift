import Foundation

/// The loyalty events (aggregate `loyalty_account`, id = the customer id). Customers show them on the timeline.
extension EventType {
    /// A ledger entry was appended (earn, redeem, expire, reverse, adjust, goodwill, referral, transfer).
    public static let loyaltyEntryRecorded = "loyalty.entry_recorded"
    /// Pending points of an order became available (its return window closed).
    public static let loyaltyPointsAvailable = "loyalty.points_available"
    /// Points will expire soon (sent once per expiring batch, before the expiry).
    public static let loyaltyExpiryWarning = "loyalty.expiry_warning"
    /// A customer's tier changed (up or down).
    public static let loyaltyTierChanged = "loyalty.tier_changed"
    /// A reward was redeemed (a code issued) or cancelled (points refunded).
    public static let loyaltyRewardIssued = "loyalty.reward_issued"
    public static let loyaltyRewardCancelled = "loyalty.reward_cancelled"
}

/// The payload of every `loyalty.*` event.
public struct LoyaltyEvent: Codable, Sendable, Equatable {
    public var customerID: UUID
    /// The ledger entry concerned, when there is one.
    public var entryID: UUID?
    /// For entries: `earn`, `redeem`, `expire`, `reverse`, `adjust`, `goodwill`, `referral`, `transfer`.
    public var kind: String?
    /// Signed points of the change (positive earns, negative spends); 0 when no points moved.
    public var points: Int64
    /// What caused it: `order`, `return`, `ticket`, `agent`, `rule`, `reward`, `tier`, `expiry`.
    public var source: String
    /// The id of what caused it (order id, return id, ticket id, reward id, ...).
    public var sourceID: String?
    /// A short human-readable line, for example `Earned 120 points (pending) on order #1001`.
    public var summary: String
    /// The balances after the change.
    public var available: Int64
    public var pending: Int64

    public init(
        customerID: UUID, entryID: UUID?, kind: String?, points: Int64, source: String, sourceID: String?,
        summary: String, available: Int64, pending: Int64
    ) {
        self.customerID = customerID
        self.entryID = entryID
        self.kind = kind
        self.points = points
        self.source = source
        self.sourceID = sourceID
        self.summary = summary
        self.available = available
        self.pending = pending
    }

    enum CodingKeys: String, CodingKey {
        case kind, points, source, summary, available, pending
        case customerID = "customer_id"
        case entryID = "entry_id"
        case sourceID = "source_id"
    }
}

import Foundation

/// A customer's loyalty account. Balances are whole points.
public struct LoyaltyAccount: Codable, Sendable, Equatable {
    public var customerID: UUID
    /// Points that can be redeemed now.
    public var available: Int64
    /// Points earned but not yet available (inside an order's return window).
    public var pending: Int64
    /// Every point ever earned.
    public var lifetime: Int64
    public var createdAt: Date

    public init(customerID: UUID, available: Int64, pending: Int64, lifetime: Int64, createdAt: Date) {
        self.customerID = customerID
        self.available = available
        self.pending = pending
        self.lifetime = lifetime
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case available, pending, lifetime
        case customerID = "customer_id"
        case createdAt = "created_at"
    }
}

/// `loyalty.get_account`: the account of a customer (opened with a zero balance on first use).
public struct GetLoyaltyAccount: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id"]
    public var customerID: UUID
    public init(customerID: UUID) { self.customerID = customerID }
    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

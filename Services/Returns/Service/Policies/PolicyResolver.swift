import Contracts
import Foundation

/// Picks the policy that applies to one order line.
public struct PolicyResolver: Sendable {
    /// The candidate policies (any order): those of the order's store and those covering every store.
    public var policies: [ReturnPolicy]

    public init(policies: [ReturnPolicy]) { self.policies = policies }

    /// The policy of `line` of an order of `storeID`.
    public func policy(storeID: UUID, line: OrderLine, customerTags: [String]) -> ReturnPolicy {
        policy(storeID: storeID, sku: line.sku, productTags: line.tags, customerTags: customerTags)
    }

    /// Of the policies covering the line (store, SKU family, product tag, customer segment), the one with the
    /// highest priority, then the most specific, then the oldest; ``ReturnPolicy/builtIn`` when none does. Tags
    /// compare case-insensitively.
    public func policy(storeID: UUID, sku: String?, productTags: [String] = [], customerTags: [String])
        -> ReturnPolicy
    {
        let tags = Set(customerTags.map { $0.lowercased() })
        let lineTags = Set(productTags.map { $0.lowercased() })
        let covering = policies.filter { policy in
            if let store = policy.storeID, store != storeID { return false }
            if let prefix = policy.skuPrefix {
                guard let sku, sku.lowercased().hasPrefix(prefix.lowercased()) else { return false }
            }
            if let tag = policy.productTag, !lineTags.contains(tag.lowercased()) { return false }
            if let tag = policy.customerTag, !tags.contains(tag.lowercased()) { return false }
            return true
        }
        let best = covering.min { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            if Self.specificity(a) != Self.specificity(b) { return Self.specificity(a) > Self.specificity(b) }
            let at = a.createdAt ?? .distantPast
            let bt = b.createdAt ?? .distantPast
            if at != bt { return at < bt }
            return a.id.uuidString < b.id.uuidString
        }
        return best ?? .builtIn
    }

    /// Whether any candidate depends on the customer's tags (only then are they worth asking for).
    public var needsCustomerTags: Bool { policies.contains { $0.customerTag != nil } }

    static func specificity(_ policy: ReturnPolicy) -> Int {
        [policy.storeID != nil, policy.skuPrefix != nil, policy.productTag != nil, policy.customerTag != nil]
            .filter { $0 }.count
    }
}

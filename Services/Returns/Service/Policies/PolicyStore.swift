import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and writes return policies (`returns.policies`), on the caller's connection.
public struct PolicyStore: Sendable {
    public init() {}

    /// Creates or replaces the policy `policy.id`; returns it as stored.
    public func put(_ policy: ReturnPolicy, on connection: PostgresConnection, logger: Logger) async throws
        -> ReturnPolicy
    {
        let outcomes = policy.allowedOutcomes.map(\.rawValue)
        let rows = try await connection.query(
            """
            INSERT INTO returns.policies AS p (
                id, name, store_id, sku_prefix, product_tag, customer_tag, priority, time_zone, window_days,
                exchange_only_days, final_sale_sku_prefixes, final_sale_order_tags, final_sale_product_tags,
                required_condition, allowed_outcomes,
                restocking_fee_basis_points, restocking_fee_fixed_minor, return_shipping_payer,
                return_shipping_fee_minor, auto_approve, max_returns_per_period, max_return_value_minor_per_period,
                period_days)
            VALUES (
                \(policy.id), \(policy.name), \(policy.storeID), \(policy.skuPrefix), \(policy.productTag),
                \(policy.customerTag), \(policy.priority), \(policy.timeZone), \(policy.windowDays),
                \(policy.exchangeOnlyDays), \(policy.finalSaleSKUPrefixes), \(policy.finalSaleOrderTags),
                \(policy.finalSaleProductTags), \(policy.requiredCondition.rawValue),
                \(outcomes), \(policy.restockingFeeBasisPoints), \(policy.restockingFeeFixedMinor),
                \(policy.returnShippingPayer.rawValue), \(policy.returnShippingFeeMinor), \(policy.autoApprove),
                \(policy.maxReturnsPerPeriod), \(policy.maxReturnValueMinorPerPeriod), \(policy.periodDays))
            ON CONFLICT (id) DO UPDATE SET
                name = EXCLUDED.name, store_id = EXCLUDED.store_id, sku_prefix = EXCLUDED.sku_prefix,
                product_tag = EXCLUDED.product_tag, customer_tag = EXCLUDED.customer_tag, priority = EXCLUDED.priority, time_zone = EXCLUDED.time_zone,
                window_days = EXCLUDED.window_days, exchange_only_days = EXCLUDED.exchange_only_days,
                final_sale_sku_prefixes = EXCLUDED.final_sale_sku_prefixes,
                final_sale_order_tags = EXCLUDED.final_sale_order_tags,
                final_sale_product_tags = EXCLUDED.final_sale_product_tags,
                required_condition = EXCLUDED.required_condition, allowed_outcomes = EXCLUDED.allowed_outcomes,
                restocking_fee_basis_points = EXCLUDED.restocking_fee_basis_points,
                restocking_fee_fixed_minor = EXCLUDED.restocking_fee_fixed_minor,
                return_shipping_payer = EXCLUDED.return_shipping_payer,
                return_shipping_fee_minor = EXCLUDED.return_shipping_fee_minor,
                auto_approve = EXCLUDED.auto_approve, max_returns_per_period = EXCLUDED.max_returns_per_period,
                max_return_value_minor_per_period = EXCLUDED.max_return_value_minor_per_period,
                period_days = EXCLUDED.period_days, updated_at = now()
            RETURNING to_jsonb(p)::text
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(text) }
        throw Problem.internal("policy upsert returned nothing")
    }

    /// The policies of `storeID` and those covering every store (all of them when `storeID` is nil), most
    /// specific first.
    public func list(storeID: UUID?, on connection: PostgresConnection, logger: Logger) async throws
        -> [ReturnPolicy]
    {
        let rows = try await connection.query(
            """
            SELECT to_jsonb(p)::text FROM returns.policies p
            WHERE \(storeID)::uuid IS NULL OR p.store_id IS NULL OR p.store_id = \(storeID)
            ORDER BY p.priority DESC, p.created_at, p.id
            """, logger: logger)
        var policies: [ReturnPolicy] = []
        for try await text in rows.decode(String.self) { policies.append(try Self.decode(text)) }
        return policies
    }

    static func decode(_ text: String) throws -> ReturnPolicy {
        do {
            return try WireJSON.decoder.decode(ReturnPolicy.self, from: Data(text.utf8))
        } catch {
            throw Problem.internal("a stored return policy is unreadable")
        }
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Tier evaluation: the qualifying figure (points earned, or minor units spent, net of reversals) over the rolling
/// 12 months or the calendar year picks the highest tier reached. Upgrades apply at once; downgrades follow the
/// rules' mode: `never`, `period_end` (not before the end of the period the tier was reached in) or `grace` (after
/// `tier_grace_days` below the threshold).
public struct TierEvaluator: Sendable {
    public init() {}

    /// The start of the qualifying period containing `now`.
    static func periodStart(_ rules: LoyaltyRules, now: Date) -> Date {
        if rules.tierPeriod == "calendar_year" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let year = calendar.component(.year, from: now)
            return calendar.date(from: DateComponents(year: year, month: 1, day: 1)) ?? now
        }
        return now.addingTimeInterval(-365 * 86400)
    }

    /// The end of the period a tier reached at `since` is kept for under `period_end`.
    static func periodEnd(_ rules: LoyaltyRules, since: Date) -> Date {
        if rules.tierPeriod == "calendar_year" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let year = calendar.component(.year, from: since)
            return calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1)) ?? since
        }
        return since.addingTimeInterval(365 * 86400)
    }

    /// The earn multiplier of the customer's current tier, in percent.
    public func earnPercent(customerID: UUID, rules: LoyaltyRules, on connection: PostgresConnection, logger: Logger)
        async throws -> Int
    {
        let rows = try await connection.query(
            "SELECT tier FROM loyalty.accounts WHERE customer_id = \(customerID)", logger: logger)
        var name: String?
        for try await tier in rows.decode(String?.self) { name = tier }
        return rules.tiers.first { $0.name == name }?.earnPercent ?? 100
    }

    /// Re-evaluates one customer's tier at `now` and publishes `loyalty.tier_changed` when it moves.
    @discardableResult
    public func evaluate(
        customerID: UUID, rules: LoyaltyRules, now: Date, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> String? {
        guard !rules.tiers.isEmpty else { return nil }
        let start = Self.periodStart(rules, now: now)
        let column = rules.tierBasis == "spend" ? "spend_minor_delta" : "lifetime_delta"
        let figureRows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT coalesce(sum(\(column)), 0)::bigint FROM loyalty.entries
                    WHERE customer_id = $1 AND kind IN ('earn', 'reverse') AND created_at >= $2 AND created_at <= $3
                    """, binds: try PostgresBindings.values(customerID, start, now)), logger: logger)
        var figure: Int64 = 0
        for try await value in figureRows.decode(Int64.self) { figure = value }
        let accountRows = try await connection.query(
            """
            SELECT tier, tier_since, below_tier_since, available, pending FROM loyalty.accounts
            WHERE customer_id = \(customerID) FOR UPDATE
            """, logger: logger)
        var current: (String?, Date?, Date?, Int64, Int64)?
        for try await row in accountRows.decode((String?, Date?, Date?, Int64, Int64).self) { current = row }
        guard let (tierName, since, belowSince, available, pending) = current else { return nil }
        let qualified = rules.tiers.lastIndex { $0.threshold <= figure }
        let currentIndex = rules.tiers.firstIndex { $0.name == tierName }
        let rank = { (index: Int?) in index ?? -1 }
        var target: Int?? = .none
        if rank(qualified) > rank(currentIndex) {
            target = .some(qualified)
        } else if rank(qualified) < rank(currentIndex) {
            switch rules.tierDowngrade {
            case "grace":
                if let belowSince {
                    if now >= belowSince.addingTimeInterval(Double(rules.tierGraceDays) * 86400) {
                        target = .some(qualified)
                    }
                } else {
                    try await connection.query(
                        "UPDATE loyalty.accounts SET below_tier_since = \(now) WHERE customer_id = \(customerID)",
                        logger: logger)
                }
            case "period_end":
                if now >= Self.periodEnd(rules, since: since ?? now) { target = .some(qualified) }
            default: break
            }
        } else if belowSince != nil {
            try await connection.query(
                "UPDATE loyalty.accounts SET below_tier_since = NULL WHERE customer_id = \(customerID)",
                logger: logger)
        }
        guard case .some(let newIndex) = target else { return tierName }
        let newName = newIndex.map { rules.tiers[$0].name }
        try await connection.query(
            """
            UPDATE loyalty.accounts SET tier = \(newName), tier_since = \(now), below_tier_since = NULL
            WHERE customer_id = \(customerID)
            """, logger: logger)
        let summary: String
        if rank(newIndex) > rank(currentIndex) {
            summary = "Reached the \(newName ?? "") tier"
        } else {
            summary = "Moved from the \(tierName ?? "") tier to \(newName.map { "the \($0) tier" } ?? "no tier")"
        }
        try await events.emit(
            EventType.loyaltyTierChanged,
            LoyaltyEvent(
                customerID: customerID, entryID: nil, kind: nil, points: 0, source: "tier", sourceID: newName,
                summary: summary, available: available, pending: pending))
        logger.info(
            "tier changed",
            metadata: ["customer_id": "\(customerID)", "from": "\(tierName ?? "-")", "to": "\(newName ?? "-")"])
        return newName
    }
}

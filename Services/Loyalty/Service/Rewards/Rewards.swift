import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Pushes issued codes to the store platform, so a shopper can use them at checkout.
public protocol RewardCodePublisher: Sendable {
    /// Called in the redemption's transaction; returns the code's `push_status`.
    func push(_ redemption: LoyaltyRedemption, reward: LoyaltyReward, on connection: PostgresConnection, logger: Logger)
        async throws -> String
}

/// The publisher in use until a store integration creates discount codes: it records the code as `not_pushed`
/// (never pretending the store knows it), so an integration can pick up every code still to push.
public struct PendingPushPublisher: RewardCodePublisher {
    public init() {}
    public func push(
        _ redemption: LoyaltyRedemption, reward: LoyaltyReward, on connection: PostgresConnection, logger: Logger
    ) async throws -> String {
        logger.info("reward code recorded for a later push", metadata: ["redemption_id": "\(redemption.redemptionID)"])
        return "not_pushed"
    }
}

/// The rewards catalogue, redemptions and cancellations.
public struct Rewards: Sendable {
    let ledger = Ledger()
    public var publisher: any RewardCodePublisher

    public init(publisher: any RewardCodePublisher = PendingPushPublisher()) { self.publisher = publisher }

    static let rewardColumns =
        "reward_id, name, kind, points_cost, value_minor, currency, percent, product_sku, valid_days, active"

    static func reward(
        _ row: (UUID, String, String, Int64, Int64?, String?, Int?, String?, Int, Bool)
    ) -> LoyaltyReward {
        LoyaltyReward(
            rewardID: row.0, name: row.1, kind: row.2, pointsCost: row.3, valueMinor: row.4, currency: row.5,
            percent: row.6, productSKU: row.7, validDays: row.8, active: row.9)
    }

    public func list(on connection: PostgresConnection, logger: Logger) async throws -> [LoyaltyReward] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.rewardColumns) FROM loyalty.rewards ORDER BY points_cost, name"),
            logger: logger)
        var rewards: [LoyaltyReward] = []
        for try await row in rows.decode((UUID, String, String, Int64, Int64?, String?, Int?, String?, Int, Bool).self)
        {
            rewards.append(Self.reward(row))
        }
        return rewards
    }

    public func find(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> LoyaltyReward? {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.rewardColumns) FROM loyalty.rewards WHERE reward_id = $1",
                binds: try PostgresBindings.values(id)), logger: logger)
        for try await row in rows.decode((UUID, String, String, Int64, Int64?, String?, Int?, String?, Int, Bool).self)
        {
            return Self.reward(row)
        }
        return nil
    }

    public func define(_ input: DefineLoyaltyReward, on connection: PostgresConnection, logger: Logger) async throws
        -> LoyaltyReward
    {
        let id = input.rewardID ?? UUID()
        try await connection.query(
            """
            INSERT INTO loyalty.rewards (reward_id, name, kind, points_cost, value_minor, currency, percent,
                                         product_sku, valid_days, active)
            VALUES (\(id), \(input.name), \(input.kind), \(input.pointsCost), \(input.valueMinor), \(input.currency),
                    \(input.percent), \(input.productSKU), \(input.validDays ?? 90), \(input.active ?? true))
            ON CONFLICT (reward_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                points_cost = excluded.points_cost, value_minor = excluded.value_minor, currency = excluded.currency,
                percent = excluded.percent, product_sku = excluded.product_sku, valid_days = excluded.valid_days,
                active = excluded.active
            """, logger: logger)
        guard let reward = try await find(id, on: connection, logger: logger) else {
            throw Problem.internal("reward vanished")
        }
        return reward
    }

    /// A code nobody can guess: `LOY-` and 12 characters of an unambiguous alphabet (60 bits).
    static func newCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return "LOY-" + String((0..<12).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// Spends the reward's points (refused when available does not cover them, however many redeem at once) and
    /// issues a unique code. With `free`, no points are spent (a retention rule's reward).
    public func redeem(
        customerID: UUID, reward: LoyaltyReward, free: Bool = false, key: String? = nil, events: LoyaltyEventSink,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> LoyaltyRedemption {
        guard reward.active else { throw Problem.conflict("the reward is no longer offered", code: "reward_inactive") }
        let id = UUID()
        let points = free ? 0 : reward.pointsCost
        var balances = try await ledger.balances(of: customerID, on: connection, logger: logger)
        var entryID: UUID?
        let entry = NewLedgerEntry(
            customerID: customerID, kind: "redeem", source: "reward", sourceID: id.uuidString,
            from: LedgerAccount.available, to: LedgerAccount.redeemed, amount: max(points, 1),
            key: key ?? "redeem:\(id)", memo: reward.name)
        if points > 0 {
            guard let posted = try await ledger.post(entry, guardAvailable: true, on: connection, logger: logger) else {
                throw Problem.conflict("this redemption was already made", code: "duplicate_redemption")
            }
            balances = posted.balances
            entryID = posted.entryID
        }
        var code = Self.newCode()
        var created: Date?
        let expires = Date().addingTimeInterval(Double(reward.validDays) * 86400)
        for _ in 0..<5 {
            let rows = try await connection.query(
                """
                INSERT INTO loyalty.redemptions (redemption_id, customer_id, reward_id, code, points, status, expires_at)
                VALUES (\(id), \(customerID), \(reward.rewardID), \(code), \(points), 'issued', \(expires))
                ON CONFLICT (code) DO NOTHING RETURNING created_at
                """, logger: logger)
            for try await at in rows.decode(Date.self) { created = at }
            if created != nil { break }
            code = Self.newCode()
        }
        guard let created else { throw Problem.internal("no unique reward code found") }
        var redemption = LoyaltyRedemption(
            redemptionID: id, customerID: customerID, rewardID: reward.rewardID, code: code, points: points,
            status: "issued", pushStatus: "not_pushed", expiresAt: expires, createdAt: created)
        redemption.pushStatus = try await publisher.push(redemption, reward: reward, on: connection, logger: logger)
        try await connection.query(
            "UPDATE loyalty.redemptions SET push_status = \(redemption.pushStatus) WHERE redemption_id = \(id)",
            logger: logger)
        let spent = points > 0 ? "Redeemed \(points) points for" : "Received"
        try await events.emit(
            EventType.loyaltyRewardIssued,
            LoyaltyEvent(
                customerID: customerID, entryID: entryID, kind: points > 0 ? "redeem" : nil, points: -points,
                source: "reward", sourceID: id.uuidString,
                summary: "\(spent) the reward “\(reward.name)” (code \(code))",
                available: balances.available, pending: balances.pending))
        return redemption
    }

    /// Cancels an issued, unexpired code and refunds its points.
    public func cancel(
        customerID: UUID, redemptionID: UUID, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> LoyaltyRedemption {
        let rows = try await connection.query(
            """
            UPDATE loyalty.redemptions r SET status = 'cancelled', cancelled_at = now()
            WHERE redemption_id = \(redemptionID) AND customer_id = \(customerID) AND status = 'issued'
              AND expires_at > now()
            RETURNING redemption_id, customer_id, reward_id, code, points, status, push_status, expires_at, created_at,
                      (SELECT name FROM loyalty.rewards w WHERE w.reward_id = r.reward_id)
            """, logger: logger)
        var found: (LoyaltyRedemption, String)?
        for try await row in rows.decode((UUID, UUID, UUID, String, Int64, String, String, Date, Date, String).self) {
            found = (
                LoyaltyRedemption(
                    redemptionID: row.0, customerID: row.1, rewardID: row.2, code: row.3, points: row.4,
                    status: row.5, pushStatus: row.6, expiresAt: row.7, createdAt: row.8), row.9
            )
        }
        guard let (redemption, name) = found else {
            guard let existing = try await self.redemption(redemptionID, on: connection, logger: logger),
                existing.customerID == customerID
            else { throw Problem.notFound("no redemption \(redemptionID) for this customer") }
            throw Problem.conflict(
                existing.status == "cancelled" ? "the reward is already cancelled" : "the reward's code has expired",
                code: "redemption_not_cancellable")
        }
        var balances = try await ledger.balances(of: customerID, on: connection, logger: logger)
        var entryID: UUID?
        if redemption.points > 0 {
            let entry = NewLedgerEntry(
                customerID: customerID, kind: "adjust", source: "reward", sourceID: redemptionID.uuidString,
                from: LedgerAccount.redeemed, to: LedgerAccount.available, amount: redemption.points,
                key: "cancel:\(redemptionID)", memo: "cancelled: \(name)")
            if let posted = try await ledger.post(entry, on: connection, logger: logger) {
                balances = posted.balances
                entryID = posted.entryID
            }
        }
        try await events.emit(
            EventType.loyaltyRewardCancelled,
            LoyaltyEvent(
                customerID: customerID, entryID: entryID, kind: entryID == nil ? nil : "adjust",
                points: redemption.points, source: "reward", sourceID: redemptionID.uuidString,
                summary: "Cancelled the reward “\(name)”: \(redemption.points) points refunded",
                available: balances.available, pending: balances.pending))
        var cancelled = redemption
        cancelled.status = "cancelled"
        return cancelled
    }

    public func redemption(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> LoyaltyRedemption?
    {
        try await list(where: "redemption_id = $1", id, on: connection, logger: logger).first
    }

    /// A customer's redemptions, newest first.
    public func redemptions(of customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [LoyaltyRedemption]
    {
        try await list(where: "customer_id = $1", customerID, on: connection, logger: logger)
    }

    private func list(where condition: String, _ id: UUID, on connection: PostgresConnection, logger: Logger)
        async throws -> [LoyaltyRedemption]
    {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT redemption_id, customer_id, reward_id, code, points, status, push_status, expires_at,
                           created_at
                    FROM loyalty.redemptions WHERE \(condition) ORDER BY created_at DESC LIMIT 200
                    """, binds: try PostgresBindings.values(id)), logger: logger)
        var result: [LoyaltyRedemption] = []
        for try await row in rows.decode((UUID, UUID, UUID, String, Int64, String, String, Date, Date).self) {
            result.append(
                LoyaltyRedemption(
                    redemptionID: row.0, customerID: row.1, rewardID: row.2, code: row.3, points: row.4,
                    status: row.5, pushStatus: row.6, expiresAt: row.7, createdAt: row.8))
        }
        return result
    }
}

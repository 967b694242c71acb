import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Expiry of available points, as the rules say: `age` (points expire `expiry_days` after they were credited to
/// available, oldest first: what is left of older credits once spending took the oldest) or `inactivity` (every
/// available point expires after `expiry_days` without an order or a redemption). `loyalty.expiry_warning` goes
/// out `expiry_warning_days` before, once per expiry date.
public struct Expiry: Sendable {
    let ledger = Ledger()
    let rules = RuleStore()
    let tiers = TierEvaluator()

    public init() {}

    /// Points credited to available after `instant`.
    private func creditsSince(_ customerID: UUID, _ instant: Date, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int64
    {
        let rows = try await connection.query(
            """
            SELECT coalesce(sum(amount), 0)::bigint FROM loyalty.entries
            WHERE customer_id = \(customerID) AND to_account = 'customer.available' AND created_at > \(instant)
            """, logger: logger)
        var total: Int64 = 0
        for try await value in rows.decode(Int64.self) { total = value }
        return total
    }

    /// One round at `now` over every account with available points (and tier re-evaluation for accounts with a
    /// tier, so that downgrades happen without a new event). Returns the customers whose points expired.
    @discardableResult
    public func run(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [UUID] {
        let version = try await rules.current(on: connection, logger: logger)
        let program = version.rules
        let events = LoyaltyEventSink.log(connection, logger)
        if !program.tiers.isEmpty {
            let tiered = try await connection.query(
                "SELECT customer_id FROM loyalty.accounts WHERE tier IS NOT NULL", logger: logger)
            var ids: [UUID] = []
            for try await id in tiered.decode(UUID.self) { ids.append(id) }
            for id in ids {
                try await tiers.evaluate(
                    customerID: id, rules: program, now: now, events: events, on: connection, logger: logger)
            }
        }
        guard program.expiryMode != "none" else { return [] }
        let rows = try await connection.query(
            """
            SELECT customer_id, available, pending, coalesce(last_activity_at, created_at) FROM loyalty.accounts
            WHERE available > 0 AND erased_at IS NULL
            """, logger: logger)
        var accounts: [(UUID, Int64, Int64, Date)] = []
        for try await row in rows.decode((UUID, Int64, Int64, Date).self) { accounts.append(row) }
        let day: TimeInterval = 86400
        let lifetime = Double(program.expiryDays) * day
        let warning = Double(program.expiryWarningDays) * day
        var expiredFor: [UUID] = []
        for (customerID, available, pending, lastActivity) in accounts {
            var expiring: Int64 = 0
            var warnAmount: Int64 = 0
            var expiresOn = now
            if program.expiryMode == "age" {
                expiring =
                    available
                    - (try await creditsSince(customerID, now.addingTimeInterval(-lifetime), connection, logger))
                let soon =
                    available
                    - (try await creditsSince(
                        customerID, now.addingTimeInterval(warning - lifetime), connection, logger))
                warnAmount = soon - max(expiring, 0)
                expiresOn = now.addingTimeInterval(warning)
            } else {
                let due = lastActivity.addingTimeInterval(lifetime)
                if due <= now {
                    expiring = available
                } else if due.addingTimeInterval(-warning) <= now {
                    warnAmount = available
                    expiresOn = due
                }
            }
            if expiring > 0 {
                let stamp = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withFullDate])
                let entry = NewLedgerEntry(
                    customerID: customerID, kind: "expire", source: "expiry", sourceID: nil,
                    from: LedgerAccount.available, to: LedgerAccount.expired, amount: expiring,
                    key: "expire:\(customerID):\(stamp)",
                    memo: program.expiryMode == "age"
                        ? "older than \(program.expiryDays) days" : "inactive \(program.expiryDays) days")
                do {
                    if let posted = try await ledger.post(entry, guardAvailable: true, on: connection, logger: logger) {
                        try await events.entry(entry, posted, summary: "\(expiring) points expired")
                        expiredFor.append(customerID)
                    }
                } catch let problem as Problem where problem.code == "insufficient_points" {
                    continue
                }
            }
            if warnAmount > 0 {
                try await warn(
                    customerID, points: warnAmount, expiresOn: expiresOn, now: now, available: available,
                    pending: pending, events: events, connection, logger)
            }
        }
        return expiredFor
    }

    /// One warning per customer while an earlier one still covers the coming expiry date.
    private func warn(
        _ customerID: UUID, points: Int64, expiresOn: Date, now: Date, available: Int64, pending: Int64,
        events: LoyaltyEventSink, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            INSERT INTO loyalty.expiry_warnings (customer_id, expires_on, points)
            SELECT \(customerID), (\(expiresOn) AT TIME ZONE 'UTC')::date, \(points)
            WHERE NOT EXISTS (SELECT 1 FROM loyalty.expiry_warnings
                              WHERE customer_id = \(customerID)
                                AND expires_on >= (\(now) AT TIME ZONE 'UTC')::date)
            ON CONFLICT DO NOTHING RETURNING expires_on::text
            """, logger: logger)
        var date: String?
        for try await value in rows.decode(String.self) { date = value }
        guard let date else { return }
        try await events.emit(
            EventType.loyaltyExpiryWarning,
            LoyaltyEvent(
                customerID: customerID, entryID: nil, kind: nil, points: 0, source: "expiry", sourceID: date,
                summary: "\(points) points will expire on \(date)", available: available, pending: pending))
    }
}

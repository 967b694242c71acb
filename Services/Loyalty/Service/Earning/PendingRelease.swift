import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Where the loyalty service learns when an order's return window closes.
public protocol ReturnWindowLookup: Sendable {
    /// The window of `orderID` as the returns policy sees it now.
    func window(orderID: UUID) async throws -> ReturnWindow
}

/// The real lookup: `returns.return_window` over the broker, with a short deadline (a round asks about its orders
/// one after another; a returns service that does not answer ends the round early).
public struct BrokerReturnWindowLookup: ReturnWindowLookup {
    public let services: ServiceClient
    public let deadline: TimeInterval

    public init(services: ServiceClient, deadline: TimeInterval = 3) {
        self.services = services
        self.deadline = deadline
    }

    public func window(orderID: UUID) async throws -> ReturnWindow {
        try await services.call(
            Operation.Returns.service, Operation.Returns.returnWindow, GetReturnWindow(orderID: orderID),
            metadata: RequestMetadata(
                requestID: UUID().uuidString, principal: Principal(role: .service),
                deadlineMillis: Int64((Date().timeIntervalSince1970 + deadline) * 1000)))
    }
}

/// Releases pending order points once the order's return window has closed: asks the returns policy for each
/// order that is due a check, releases when the window closed, re-asks later when it has not started yet (not
/// delivered or fulfilled) and waits for its close otherwise. Publishes `loyalty.points_available`.
///
/// No transaction is open while the returns service is asked: a round claims its orders in one short transaction
/// (each claimed order is not due again for `claimFor`, so replicas running the same round take different orders,
/// and a round that dies is picked up again later), asks, then applies each answer in a transaction of its own.
/// When the returns service does not answer, the round stops at that order rather than wait out a deadline per
/// order; the orders it had claimed are asked again once their claim runs out.
public struct PendingRelease: Sendable {
    public var lookup: any ReturnWindowLookup
    /// How long to wait before asking again about a window that has not started (or an unanswered question).
    public var recheckAfter: TimeInterval
    /// Most orders looked at per round.
    public var batch: Int
    /// How long a claimed order is left to the round that claimed it.
    public var claimFor: TimeInterval

    let ledger = Ledger()

    public init(
        lookup: any ReturnWindowLookup, recheckAfter: TimeInterval = 3600, batch: Int = 200,
        claimFor: TimeInterval = 300
    ) {
        self.lookup = lookup
        self.recheckAfter = recheckAfter
        self.batch = batch
        self.claimFor = claimFor
    }

    /// One round at `now`: the orders released.
    @discardableResult
    public func run(now: Date, database: Database, logger: Logger) async throws -> [UUID] {
        let due = try await database.transaction { try await claim(now: now, on: $0, logger: logger) }
        var released: [UUID] = []
        for orderID in due {
            let window: ReturnWindow
            do {
                window = try await lookup.window(orderID: orderID)
            } catch {
                logger.warning(
                    "return window unknown, asking again later",
                    metadata: ["order_id": "\(orderID)", "error": "\(String(describing: error))"])
                try await database.transaction {
                    try await reschedule(
                        orderID, closesAt: nil, next: now.addingTimeInterval(recheckAfter), $0, logger)
                }
                break
            }
            let done = try await database.transaction { connection in
                try await apply(window, to: orderID, now: now, on: connection, logger: logger)
            }
            if done { released.append(orderID) }
        }
        return released
    }

    /// Claims up to `batch` orders due a check at `now` (oldest check first), skipping those another round holds.
    func claim(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            WITH due AS (
                SELECT order_id, next_check_at FROM loyalty.order_earnings
                WHERE released_at IS NULL AND next_check_at <= \(now)
                ORDER BY next_check_at LIMIT \(batch) FOR UPDATE SKIP LOCKED)
            UPDATE loyalty.order_earnings e SET next_check_at = \(now.addingTimeInterval(claimFor))
            FROM due WHERE e.order_id = due.order_id
            RETURNING e.order_id, due.next_check_at
            """, logger: logger)
        var claimed: [(UUID, Date)] = []
        for try await row in rows.decode((UUID, Date).self) { claimed.append(row) }
        return claimed.sorted { $0.1 < $1.1 }.map(\.0)
    }

    /// Acts on the answer for one order: reschedules the check, or releases the points; true when released.
    private func apply(
        _ window: ReturnWindow, to orderID: UUID, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        guard let closesAt = window.closesAt else {
            try await reschedule(
                orderID, closesAt: nil, next: now.addingTimeInterval(recheckAfter), connection, logger)
            return false
        }
        if closesAt > now {
            try await reschedule(orderID, closesAt: closesAt, next: closesAt, connection, logger)
            return false
        }
        return try await release(
            orderID, now: now, events: LoyaltyEventSink.log(connection, logger), on: connection, logger: logger)
    }

    private func reschedule(
        _ orderID: UUID, closesAt: Date?, next: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE loyalty.order_earnings SET window_closes_at = \(closesAt), next_check_at = \(next)
            WHERE order_id = \(orderID)
            """, logger: logger)
    }

    /// Moves what is still pending of the order (its points minus what refunds reversed) to available.
    func release(
        _ orderID: UUID, now: Date, events: LoyaltyEventSink, on connection: PostgresConnection, logger: Logger
    )
        async throws -> Bool
    {
        let rows = try await connection.query(
            """
            UPDATE loyalty.order_earnings e SET released_at = \(now), window_closes_at = coalesce(window_closes_at, \(now))
            WHERE order_id = \(orderID) AND released_at IS NULL
            RETURNING customer_id, number, rule_version,
                      points - coalesce((SELECT sum(reversed_points) FROM loyalty.order_lines l
                                         WHERE l.order_id = e.order_id), 0)::bigint
            """, logger: logger)
        var found: (UUID, String, Int, Int64)?
        for try await row in rows.decode((UUID, String, Int, Int64).self) { found = row }
        guard let (customerID, number, version, remaining) = found else { return false }
        guard remaining > 0 else { return true }
        let entry = NewLedgerEntry(
            customerID: customerID, kind: "release", source: "order", sourceID: orderID.uuidString,
            from: LedgerAccount.pending, to: LedgerAccount.available, amount: remaining,
            key: "release:order:\(orderID)", ruleVersion: version, orderID: orderID,
            memo: "order \(number): return window closed")
        guard let posted = try await ledger.post(entry, on: connection, logger: logger) else { return false }
        let owed = posted.balances.available < 0 ? " (\(-posted.balances.available) points still owed)" : ""
        try await events.entry(
            entry, posted, summary: "\(remaining) points from order \(number) are now available\(owed)",
            type: EventType.loyaltyPointsAvailable)
        logger.info("pending points released", metadata: ["order_id": "\(orderID)", "points": "\(remaining)"])
        return true
    }
}

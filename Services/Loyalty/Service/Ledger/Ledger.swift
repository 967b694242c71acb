import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The chart of accounts of the points ledger (docs/loyalty.md). Customer buckets belong to the entry's customer;
/// program accounts are the program's side of every movement.
public enum LedgerAccount {
    public static let pending = "customer.pending"
    public static let available = "customer.available"
    /// Where earned points come from (and where reversed points go back to).
    public static let issued = "program.issued"
    /// Where goodwill and retention credits come from.
    public static let goodwill = "program.goodwill"
    /// Where redeemed points go (and where a cancelled reward's points come back from).
    public static let redeemed = "program.redeemed"
    public static let expired = "program.expired"
    /// The clearing account of merges: every transfer out has its transfer in, so it always sums to zero.
    public static let transfer = "system.transfer"
}

/// One entry to append.
public struct NewLedgerEntry: Sendable {
    public var customerID: UUID
    public var kind: String
    public var source: String
    public var sourceID: String?
    public var from: String
    public var to: String
    public var amount: Int64
    public var lifetimeDelta: Int64 = 0
    public var spendMinorDelta: Int64 = 0
    /// Unique per effect: a replay with the same key appends nothing.
    public var key: String
    public var ruleVersion: Int?
    public var orderID: UUID?
    public var memo: String = ""

    public init(
        customerID: UUID, kind: String, source: String, sourceID: String?, from: String, to: String, amount: Int64,
        key: String, lifetimeDelta: Int64 = 0, spendMinorDelta: Int64 = 0, ruleVersion: Int? = nil,
        orderID: UUID? = nil, memo: String = ""
    ) {
        self.customerID = customerID
        self.kind = kind
        self.source = source
        self.sourceID = sourceID
        self.from = from
        self.to = to
        self.amount = amount
        self.key = key
        self.lifetimeDelta = lifetimeDelta
        self.spendMinorDelta = spendMinorDelta
        self.ruleVersion = ruleVersion
        self.orderID = orderID
        self.memo = memo
    }

    func delta(_ account: String) -> Int64 {
        (to == account ? amount : 0) - (from == account ? amount : 0)
    }
}

/// The balances of one account.
public struct LedgerBalances: Sendable, Equatable {
    public var available: Int64
    public var pending: Int64
    public var lifetime: Int64
    public var redeemed: Int64
    public var expired: Int64
}

/// An appended entry and the balances after it.
public struct PostedEntry: Sendable {
    public var entryID: UUID
    public var balances: LedgerBalances
}

/// Appends entries and keeps the cached balances of `loyalty.accounts` in step, in the caller's transaction.
public struct Ledger: Sendable {
    public init() {}

    /// Appends `entry` once. Nil when an entry with its key exists (a replay: nothing changes). With
    /// `guardAvailable`, the entry may not take `customer.available` below zero: the conditional update of the
    /// account row is the race protection (concurrent spenders queue on the row and each re-checks), and a
    /// refusal throws `insufficient_points` so the caller's transaction rolls back.
    public func post(
        _ entry: NewLedgerEntry, guardAvailable: Bool = false, on connection: PostgresConnection, logger: Logger
    ) async throws -> PostedEntry? {
        guard entry.amount > 0 else { throw Problem.internal("ledger entries move a positive amount") }
        let id = UUID()
        let inserted = try await connection.query(
            """
            INSERT INTO loyalty.entries (entry_id, customer_id, kind, source, source_id, from_account, to_account,
                                         amount, lifetime_delta, spend_minor_delta, idempotency_key, rule_version,
                                         order_id, memo)
            VALUES (\(id), \(entry.customerID), \(entry.kind), \(entry.source), \(entry.sourceID), \(entry.from),
                    \(entry.to), \(entry.amount), \(entry.lifetimeDelta), \(entry.spendMinorDelta), \(entry.key),
                    \(entry.ruleVersion), \(entry.orderID), \(entry.memo))
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING entry_id
            """, logger: logger)
        var appended = false
        for try await _ in inserted.decode(UUID.self) { appended = true }
        guard appended else { return nil }
        let (available, pending) = (entry.delta(LedgerAccount.available), entry.delta(LedgerAccount.pending))
        let (redeemed, expired) = (-entry.delta(LedgerAccount.redeemed), -entry.delta(LedgerAccount.expired))
        let activity = ["earn", "redeem"].contains(entry.kind)
        let rows: PostgresRowSequence
        if guardAvailable {
            rows = try await connection.query(
                """
                UPDATE loyalty.accounts
                SET available = available + \(available), pending = pending + \(pending),
                    lifetime = lifetime + \(entry.lifetimeDelta), redeemed = redeemed + \(-redeemed),
                    expired = expired + \(-expired),
                    last_activity_at = CASE WHEN \(activity) THEN now() ELSE last_activity_at END
                WHERE customer_id = \(entry.customerID) AND available + \(available) >= 0
                RETURNING available, pending, lifetime, redeemed, expired
                """, logger: logger)
        } else {
            rows = try await connection.query(
                """
                INSERT INTO loyalty.accounts (customer_id, available, pending, lifetime, redeemed, expired,
                                              last_activity_at)
                VALUES (\(entry.customerID), \(available), \(pending), \(entry.lifetimeDelta), \(-redeemed),
                        \(-expired), CASE WHEN \(activity) THEN now() END)
                ON CONFLICT (customer_id) DO UPDATE
                SET available = loyalty.accounts.available + excluded.available,
                    pending = loyalty.accounts.pending + excluded.pending,
                    lifetime = loyalty.accounts.lifetime + excluded.lifetime,
                    redeemed = loyalty.accounts.redeemed + excluded.redeemed,
                    expired = loyalty.accounts.expired + excluded.expired,
                    last_activity_at = coalesce(excluded.last_activity_at, loyalty.accounts.last_activity_at)
                RETURNING available, pending, lifetime, redeemed, expired
                """, logger: logger)
        }
        for try await row in rows.decode((Int64, Int64, Int64, Int64, Int64).self) {
            return PostedEntry(
                entryID: id,
                balances: LedgerBalances(
                    available: row.0, pending: row.1, lifetime: row.2, redeemed: row.3, expired: row.4))
        }
        throw Problem(
            status: 422, code: "insufficient_points", title: "Not enough points",
            detail: "the account's available points do not cover \(entry.amount) points")
    }

    /// The cached balances of a customer (zero when the account does not exist yet).
    public func balances(of customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> LedgerBalances
    {
        let rows = try await connection.query(
            """
            SELECT available, pending, lifetime, redeemed, expired FROM loyalty.accounts
            WHERE customer_id = \(customerID)
            """, logger: logger)
        for try await row in rows.decode((Int64, Int64, Int64, Int64, Int64).self) {
            return LedgerBalances(available: row.0, pending: row.1, lifetime: row.2, redeemed: row.3, expired: row.4)
        }
        return LedgerBalances(available: 0, pending: 0, lifetime: 0, redeemed: 0, expired: 0)
    }

    /// The balances every customer's entries add up to, as SQL (one row per customer).
    static let derivedSQL = """
        SELECT customer_id,
               coalesce(sum(CASE WHEN to_account = 'customer.available' THEN amount
                                 WHEN from_account = 'customer.available' THEN -amount ELSE 0 END), 0)::bigint AS available,
               coalesce(sum(CASE WHEN to_account = 'customer.pending' THEN amount
                                 WHEN from_account = 'customer.pending' THEN -amount ELSE 0 END), 0)::bigint AS pending,
               coalesce(sum(lifetime_delta), 0)::bigint AS lifetime,
               coalesce(sum(CASE WHEN to_account = 'program.redeemed' THEN amount
                                 WHEN from_account = 'program.redeemed' THEN -amount ELSE 0 END), 0)::bigint AS redeemed,
               coalesce(sum(CASE WHEN to_account = 'program.expired' THEN amount
                                 WHEN from_account = 'program.expired' THEN -amount ELSE 0 END), 0)::bigint AS expired
        FROM loyalty.entries GROUP BY customer_id
        """

    /// Compares every cached balance with its entries; with `rebuild`, overwrites the differing ones (under an
    /// exclusive lock of the accounts, so no entry lands while the balances are recomputed).
    public func check(rebuild: Bool, on connection: PostgresConnection, logger: Logger) async throws -> LedgerCheck {
        if rebuild {
            try await connection.query("LOCK TABLE loyalty.accounts IN EXCLUSIVE MODE", logger: logger)
        }
        let mismatchSQL = """
            WITH derived AS (\(Self.derivedSQL))
            SELECT coalesce(a.customer_id, d.customer_id) FROM loyalty.accounts a
            FULL JOIN derived d ON d.customer_id = a.customer_id
            WHERE (a.customer_id IS NULL AND (d.available <> 0 OR d.pending <> 0))
               OR (a.customer_id IS NOT NULL AND
                   (a.available, a.pending, a.lifetime, a.redeemed, a.expired) IS DISTINCT FROM
                   (coalesce(d.available, 0), coalesce(d.pending, 0), coalesce(d.lifetime, 0),
                    coalesce(d.redeemed, 0), coalesce(d.expired, 0)))
            ORDER BY 1
            """
        var mismatched: [UUID] = []
        for try await id in try await connection.query(PostgresQuery(unsafeSQL: mismatchSQL), logger: logger)
            .decode(UUID.self)
        {
            mismatched.append(id)
        }
        if rebuild, !mismatched.isEmpty {
            let rebuildSQL = """
                WITH derived AS (\(Self.derivedSQL))
                UPDATE loyalty.accounts a
                SET available = coalesce(d.available, 0), pending = coalesce(d.pending, 0),
                    lifetime = coalesce(d.lifetime, 0), redeemed = coalesce(d.redeemed, 0),
                    expired = coalesce(d.expired, 0)
                FROM (SELECT x.customer_id AS cid, y.available, y.pending, y.lifetime, y.redeemed, y.expired
                      FROM loyalty.accounts x LEFT JOIN derived y ON y.customer_id = x.customer_id) d
                WHERE d.cid = a.customer_id
                """
            try await connection.query(PostgresQuery(unsafeSQL: rebuildSQL), logger: logger)
            logger.warning("loyalty balances rebuilt from the ledger", metadata: ["accounts": "\(mismatched.count)"])
        }
        // Double entry: customer buckets and program accounts mirror each other, and the merge clearing account
        // sums to zero.
        let totals = try await connection.query(
            """
            SELECT count(*)::bigint,
                   coalesce(sum(CASE WHEN to_account LIKE 'customer.%' THEN amount ELSE 0 END
                              - CASE WHEN from_account LIKE 'customer.%' THEN amount ELSE 0 END), 0)::bigint,
                   coalesce(sum(CASE WHEN from_account NOT LIKE 'customer.%' THEN amount ELSE 0 END
                              - CASE WHEN to_account NOT LIKE 'customer.%' THEN amount ELSE 0 END), 0)::bigint,
                   coalesce(sum(CASE WHEN to_account = 'system.transfer' THEN amount
                                     WHEN from_account = 'system.transfer' THEN -amount ELSE 0 END), 0)::bigint,
                   (SELECT count(*) FROM loyalty.accounts)::bigint
            FROM loyalty.entries
            """, logger: logger)
        var result = LedgerCheck(accounts: 0, entries: 0, mismatched: mismatched, balanced: false)
        for try await row in totals.decode((Int64, Int64, Int64, Int64, Int64).self) {
            result.entries = Int(row.0)
            result.accounts = Int(row.4)
            result.balanced = row.1 == row.2 && row.3 == 0
        }
        return result
    }
}

/// Appends `loyalty.*` events: through the command's recorder (published after the commit) or, in consumers and
/// jobs, straight to the log in the open transaction.
public struct LoyaltyEventSink: Sendable {
    let append: @Sendable (NewEvent) async throws -> Void

    /// For commands: `context.record`.
    public static func command(_ context: OperationContext, _ connection: PostgresConnection) -> LoyaltyEventSink {
        LoyaltyEventSink { try await context.record($0, on: connection) }
    }

    /// For consumers and jobs: the event log in the open transaction.
    public static func log(_ connection: PostgresConnection, _ logger: Logger) -> LoyaltyEventSink {
        LoyaltyEventSink {
            _ = try await EventStore(source: "loyalty").append($0, traceparent: nil, on: connection, logger: logger)
        }
    }

    /// Appends `type` for the customer's account.
    public func emit(_ type: String, _ event: LoyaltyEvent) async throws {
        try await append(
            NewEvent(
                type: type, aggregateType: "loyalty_account", aggregateID: event.customerID.uuidString, payload: event))
    }

    /// `loyalty.entry_recorded` for a posted entry.
    public func entry(_ entry: NewLedgerEntry, _ posted: PostedEntry, summary: String, type: String? = nil)
        async throws
    {
        let customerSide = entry.delta(LedgerAccount.available) + entry.delta(LedgerAccount.pending)
        try await emit(
            type ?? EventType.loyaltyEntryRecorded,
            LoyaltyEvent(
                customerID: entry.customerID, entryID: posted.entryID, kind: entry.kind,
                points: customerSide == 0 ? entry.amount : customerSide, source: entry.source,
                sourceID: entry.sourceID, summary: summary, available: posted.balances.available,
                pending: posted.balances.pending))
    }
}

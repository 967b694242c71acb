import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Goodwill credits by agents and the retention rules that react to events.
public struct Retention: Sendable {
    let ledger = Ledger()
    let rules = RuleStore()

    public init() {}

    /// An agent's goodwill from a ticket: within the caps of the rules (per agent per UTC day, per customer over
    /// 30 days), checked under transaction locks so concurrent grants cannot overshoot; every grant is kept in
    /// `loyalty.goodwill_grants` (the audit trail).
    public func grant(
        _ input: GrantGoodwill, agent: String, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> GoodwillGrant {
        let current = try await rules.current(on: connection, logger: logger).rules
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtext('loyalty.goodwill.agent:' || \(agent)))", logger: logger)
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtext('loyalty.goodwill.customer:' || \(input.customerID.uuidString)))",
            logger: logger)
        let sums = try await connection.query(
            """
            SELECT coalesce(sum(points) FILTER (WHERE agent = \(agent)
                                                AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC')
                                                                  AT TIME ZONE 'UTC'), 0)::bigint,
                   coalesce(sum(points) FILTER (WHERE customer_id = \(input.customerID)
                                                AND created_at >= now() - interval '30 days'), 0)::bigint
            FROM loyalty.goodwill_grants
            WHERE agent = \(agent) OR customer_id = \(input.customerID)
            """, logger: logger)
        var (agentToday, customerMonth): (Int64, Int64) = (0, 0)
        for try await row in sums.decode((Int64, Int64).self) { (agentToday, customerMonth) = row }
        if agentToday + input.points > current.goodwillAgentDailyCap {
            throw Problem(
                status: 422, code: "goodwill_cap_exceeded", title: "Goodwill cap exceeded",
                detail:
                    "this agent may grant \(max(0, current.goodwillAgentDailyCap - agentToday)) more points today (cap \(current.goodwillAgentDailyCap))"
            )
        }
        if customerMonth + input.points > current.goodwillCustomerMonthlyCap {
            throw Problem(
                status: 422, code: "goodwill_cap_exceeded", title: "Goodwill cap exceeded",
                detail:
                    "this customer may receive \(max(0, current.goodwillCustomerMonthlyCap - customerMonth)) more goodwill points in 30 days (cap \(current.goodwillCustomerMonthlyCap))"
            )
        }
        let grantID = UUID()
        let entry = NewLedgerEntry(
            customerID: input.customerID, kind: "goodwill", source: "ticket", sourceID: input.ticketID.uuidString,
            from: LedgerAccount.goodwill, to: LedgerAccount.available, amount: input.points,
            key: "goodwill:\(grantID)", lifetimeDelta: input.points, memo: "goodwill by \(agent)")
        guard let posted = try await ledger.post(entry, on: connection, logger: logger) else {
            throw Problem.internal("goodwill entry key collided")
        }
        let rows = try await connection.query(
            """
            INSERT INTO loyalty.goodwill_grants (grant_id, entry_id, customer_id, ticket_id, agent, points, reason)
            VALUES (\(grantID), \(posted.entryID), \(input.customerID), \(input.ticketID), \(agent), \(input.points),
                    \(input.reason))
            RETURNING created_at
            """, logger: logger)
        var created = Date()
        for try await at in rows.decode(Date.self) { created = at }
        try await events.entry(entry, posted, summary: "Goodwill: \(input.points) points from an agent (ticket)")
        return GoodwillGrant(
            grantID: grantID, entryID: posted.entryID, customerID: input.customerID, ticketID: input.ticketID,
            agent: agent, points: input.points, reason: input.reason, createdAt: created)
    }

    /// The retention rules, by trigger.
    public func list(on connection: PostgresConnection, logger: Logger) async throws -> [RetentionRule] {
        let rows = try await connection.query(
            """
            SELECT trigger, enabled, points, reward_id, open_task, max_rating, late_after_hours
            FROM loyalty.retention_rules ORDER BY trigger
            """, logger: logger)
        var result: [RetentionRule] = []
        for try await row in rows.decode((String, Bool, Int64, UUID?, Bool, Int?, Int?).self) {
            result.append(
                RetentionRule(
                    trigger: row.0, enabled: row.1, points: row.2, rewardID: row.3, openTask: row.4, maxRating: row.5,
                    lateAfterHours: row.6))
        }
        return result
    }

    public func define(_ rule: RetentionRule, on connection: PostgresConnection, logger: Logger) async throws
        -> RetentionRule
    {
        if let rewardID = rule.rewardID, try await Rewards().find(rewardID, on: connection, logger: logger) == nil {
            throw Problem.validation([.init(field: "reward_id", message: "no reward with id \(rewardID)")])
        }
        try await connection.query(
            """
            INSERT INTO loyalty.retention_rules (trigger, enabled, points, reward_id, open_task, max_rating,
                                                 late_after_hours)
            VALUES (\(rule.trigger), \(rule.enabled), \(rule.points), \(rule.rewardID), \(rule.openTask),
                    \(rule.trigger == "low_csat" ? rule.maxRating ?? 2 : nil),
                    \(rule.trigger == "late_delivery" ? rule.lateAfterHours ?? 120 : nil))
            ON CONFLICT (trigger) DO UPDATE SET enabled = excluded.enabled, points = excluded.points,
                reward_id = excluded.reward_id, open_task = excluded.open_task, max_rating = excluded.max_rating,
                late_after_hours = excluded.late_after_hours, updated_at = now()
            """, logger: logger)
        return try await list(on: connection, logger: logger).first { $0.trigger == rule.trigger } ?? rule
    }

    func rule(_ trigger: String, on connection: PostgresConnection, logger: Logger) async throws -> RetentionRule? {
        try await list(on: connection, logger: logger).first { $0.trigger == trigger && $0.enabled }
    }

    /// Applies the rule of `trigger` to one case once: points (a goodwill entry), a reward code and a follow-up
    /// task, as the rule says. A case seen before (a replay, a changed CSAT answer) does nothing.
    @discardableResult
    public func apply(
        trigger: String, caseKey: String, customerID: UUID, what: String, events: LoyaltyEventSink,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        guard let rule = try await rule(trigger, on: connection, logger: logger) else { return false }
        let claimed = try await connection.query(
            """
            INSERT INTO loyalty.retention_cases (trigger, case_key, customer_id)
            VALUES (\(trigger), \(caseKey), \(customerID)) ON CONFLICT DO NOTHING RETURNING case_key
            """, logger: logger)
        var first = false
        for try await _ in claimed.decode(String.self) { first = true }
        guard first else { return false }
        var entryID: UUID?
        var redemptionID: UUID?
        var taskID: UUID?
        if rule.points > 0 {
            let entry = NewLedgerEntry(
                customerID: customerID, kind: "goodwill", source: "rule", sourceID: caseKey,
                from: LedgerAccount.goodwill, to: LedgerAccount.available, amount: rule.points,
                key: "retention:\(trigger):\(caseKey)", lifetimeDelta: rule.points, memo: "retention: \(trigger)")
            if let posted = try await ledger.post(entry, on: connection, logger: logger) {
                entryID = posted.entryID
                try await events.entry(entry, posted, summary: "Goodwill: \(rule.points) points after \(what)")
            }
        }
        if let rewardID = rule.rewardID,
            let reward = try await Rewards().find(rewardID, on: connection, logger: logger),
            reward.active
        {
            redemptionID = try await Rewards().redeem(
                customerID: customerID, reward: reward, free: true, events: events, on: connection, logger: logger
            ).redemptionID
        }
        if rule.openTask {
            let id = UUID()
            taskID = id
            try await connection.query(
                """
                INSERT INTO loyalty.tasks (task_id, customer_id, trigger, case_key, summary)
                VALUES (\(id), \(customerID), \(trigger), \(caseKey), \("Follow up with the customer after \(what)"))
                """, logger: logger)
        }
        try await connection.query(
            """
            UPDATE loyalty.retention_cases SET entry_id = \(entryID), redemption_id = \(redemptionID),
                task_id = \(taskID)
            WHERE trigger = \(trigger) AND case_key = \(caseKey)
            """, logger: logger)
        logger.info("retention rule applied", metadata: ["trigger": "\(trigger)", "case": "\(caseKey)"])
        return true
    }

    /// `low_csat`: a rating at or below the rule's `max_rating`, once per ticket.
    func csat(_ answer: CSATReceived, events: LoyaltyEventSink, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        guard let rule = try await rule("low_csat", on: connection, logger: logger),
            answer.rating <= (rule.maxRating ?? 2)
        else { return }
        try await apply(
            trigger: "low_csat", caseKey: answer.ticketID.uuidString, customerID: answer.customerID,
            what: "a CSAT rating of \(answer.rating) on ticket #\(answer.ticketNumber)", events: events,
            on: connection, logger: logger)
    }

    /// `late_delivery`: `order.fulfilled` later than the rule's `late_after_hours` after `order.paid`.
    func fulfilled(
        _ order: OrderEvent, at instant: Date, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard let customerID = order.customerID,
            let rule = try await rule("late_delivery", on: connection, logger: logger)
        else { return }
        let rows = try await connection.query(
            "SELECT paid_at FROM loyalty.order_payments WHERE order_id = \(order.orderID)", logger: logger)
        var paidAt: Date?
        for try await at in rows.decode(Date.self) { paidAt = at }
        guard let paidAt, instant.timeIntervalSince(paidAt) > Double(rule.lateAfterHours ?? 120) * 3600 else { return }
        try await apply(
            trigger: "late_delivery", caseKey: order.orderID.uuidString, customerID: customerID,
            what: "the late shipment of order \(order.number)", events: events, on: connection, logger: logger)
    }

    /// Open (or done) follow-up tasks, oldest first.
    public func tasks(_ input: ListLoyaltyTasks, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<LoyaltyTask>
    {
        let limit = input.limit ?? 50
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let afterMicros = cursor?.createdAtMicros ?? -1
        let afterID = cursor?.id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let rows = try await connection.query(
            """
            SELECT task_id, customer_id, trigger, case_key, summary, status, created_at,
                   (extract(epoch FROM created_at) * 1000000)::bigint
            FROM loyalty.tasks
            WHERE status = \(input.status ?? "open")
              AND (created_at, task_id) > ('epoch'::timestamptz + \(afterMicros) * interval '1 microsecond', \(afterID))
            ORDER BY created_at, task_id LIMIT \(limit + 1)
            """, logger: logger)
        var items: [(LoyaltyTask, Int64)] = []
        for try await row in rows.decode((UUID, UUID, String, String, String, String, Date, Int64).self) {
            items.append(
                (
                    LoyaltyTask(
                        taskID: row.0, customerID: row.1, trigger: row.2, caseKey: row.3, summary: row.4,
                        status: row.5, createdAt: row.6), row.7
                ))
        }
        let page = Array(items.prefix(limit))
        let next =
            items.count > limit ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.taskID).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }
}

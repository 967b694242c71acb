import Contracts
import Foundation
import LoyaltyService
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// A return window the test chooses (the returns service's own answer is tested where it is implemented).
struct FixedReturnWindow: ReturnWindowLookup {
    var closesAt: Date?
    func window(orderID: UUID) async throws -> ReturnWindow {
        ReturnWindow(
            orderID: orderID, windowDays: 30, startsFrom: closesAt == nil ? nil : "delivery", closesAt: closesAt)
    }
}

/// Helpers of the loyalty suites: deliver events to the loyalty consumers as the log would, run the jobs at a
/// chosen instant, read balances and events.
extension Fixture.Routers {
    /// Runs every loyalty consumer's handler for `type` on one envelope (a redelivery passes the same `id`).
    func deliver(
        _ type: String, _ payload: some Encodable, id: UUID = UUID(), occurredAt: Date = Date()
    ) async throws {
        let envelope = EventEnvelope(
            id: id, type: type, source: "test", aggregateType: "test", aggregateID: UUID().uuidString,
            aggregateVersion: 1, occurredAt: occurredAt, schemaVersion: 1, payload: try JSONText(encoding: payload),
            traceparent: nil, position: 0, transactionID: 0)
        try await TestDatabase.withDatabase(url: url) { database in
            for (_, handlers) in try LoyaltyService.definition().consumers(database) {
                guard let handler = handlers.handlers[type] else { continue }
                try await database.transaction { try await handler(envelope, $0, Fixture.logger) }
            }
        }
    }

    func releasePending(closesAt: Date?, now: Date = Date()) async throws -> [UUID] {
        try await TestDatabase.withDatabase(url: url) { database in
            try await PendingRelease(lookup: FixedReturnWindow(closesAt: closesAt), recheckAfter: 0)
                .run(now: now, database: database, logger: Fixture.logger)
        }
    }

    func runExpiry(now: Date) async throws -> [UUID] {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.transaction { try await Expiry().run(now: now, on: $0, logger: Fixture.logger) }
        }
    }

    func loyaltyAccount(_ customerID: UUID) async throws -> LoyaltyAccount {
        let reply = try await loyalty.call(Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: customerID))
        guard reply.status == 200 else { throw TestSetupError("get_account answered \(reply.status)") }
        return try reply.decoded(LoyaltyAccount.self)
    }

    func publish(_ rules: LoyaltyRules) async throws -> LoyaltyRuleVersion {
        let reply = try await loyalty.call(
            Operation.Loyalty.publishRules, PublishLoyaltyRules(rules: rules), key: UUID().uuidString)
        guard reply.status == 201 else { throw TestSetupError("publish_rules answered \(reply.bodyText)") }
        return try reply.decoded(LoyaltyRuleVersion.self)
    }

    func verifyLedger() async throws -> LedgerCheck {
        let reply = try await loyalty.call(Operation.Loyalty.verifyLedger, LoyaltyNoInput())
        guard reply.status == 200 else { throw TestSetupError("verify answered \(reply.bodyText)") }
        return try reply.decoded(LedgerCheck.self)
    }

    /// The `summary` of every `loyalty.*` event of `type` for `customerID`, in log order.
    func loyaltySummaries(_ type: String, customerID: UUID) async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(
                """
                SELECT payload->>'summary' FROM events.log WHERE type = \(type) AND aggregate_id = \(customerID.uuidString)
                ORDER BY position
                """, logger: logger)
            var result: [String] = []
            for try await text in rows.decode(String.self) { result.append(text) }
            return result
        }
    }

    func scalar(_ sql: String) async throws -> Int { try await TestDatabase.scalar(url: url, sql) }

    func defineReward(points: Int64, name: String = "€5 off") async throws -> LoyaltyReward {
        let reply = try await loyalty.call(
            Operation.Loyalty.defineReward,
            DefineLoyaltyReward(
                name: name, kind: "fixed_discount", pointsCost: points, valueMinor: 500, currency: "EUR"),
            key: UUID().uuidString)
        guard reply.status == 201 else { throw TestSetupError("define_reward answered \(reply.bodyText)") }
        return try reply.decoded(LoyaltyReward.self)
    }
}

/// An order event for a test customer.
func testOrder(
    customerID: UUID, orderID: UUID = UUID(), number: String = "#1001", lines: [OrderEventLine],
    total: Int64? = nil, refundID: Int64? = nil
) -> OrderEvent {
    OrderEvent(
        orderID: orderID, storeID: UUID(), platform: .shopify, platformOrderID: 1, number: number,
        customerID: customerID,
        amount: Money(amountMinor: total ?? lines.reduce(0) { $0 + $1.amountMinor }, currency: "EUR"), lines: lines,
        platformRefundID: refundID)
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The loyalty service: the points ledger, earning and reversal, rewards, tiers, expiry and retention
/// (docs/loyalty.md).
public enum LoyaltyService {
    public static let schema = "loyalty"

    /// The service's definition for `ServiceMain`.
    public static func definition(environment: EnvironmentReader = EnvironmentReader()) throws -> ServiceDefinition {
        let settings = try LoyaltySettings(environment)
        return ServiceDefinition(
            name: Operation.Loyalty.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9104,
            register: register,
            consumers: { _ in
                // Three consumers, as few as the concerns allow: each active consumer holds a pooled connection for
                // its lock, and the worker and the jobs need the rest of the pool.
                [
                    "loyalty.accounts": accountHandlers(), "loyalty.privacy": LoyaltyPrivacy.handlers(),
                    "loyalty.program": programHandlers(),
                ]
            },
            jobs: { _ in
                [
                    PeriodicJob(name: "loyalty.expiry", interval: settings.expiryInterval) { connection, logger in
                        try await Expiry().run(now: Date(), on: connection, logger: logger)
                    }
                ]
            },
            brokerJobs: { _, services in
                let release = PendingRelease(
                    lookup: BrokerReturnWindowLookup(services: services), recheckAfter: settings.windowRecheck)
                return [
                    PeriodicJob(
                        name: "loyalty.release", interval: settings.releaseInterval,
                        rounds: { database, logger in
                            try await release.run(now: Date(), database: database, logger: logger)
                        })
                ]
            })
    }

    /// The bundled migrations of the `loyalty` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// `customer.created` opens the customer's account (opening twice changes nothing). No event is published,
    /// except the sign-up bonus entry when the rules in force have one.
    public static func accountHandlers() -> EventHandlers {
        var handlers = EventHandlers()
        let repository = PostgresAccountRepository()
        handlers.on(EventType.customerCreated) { event, connection, logger in
            let payload = try event.decode(CustomerCreated.self)
            _ = try await repository.open(customerID: payload.customerID, on: connection, logger: logger)
            let rules = try await RuleStore().current(on: connection, logger: logger)
            guard rules.rules.signupBonus > 0 else { return }
            let entry = NewLedgerEntry(
                customerID: payload.customerID, kind: "earn", source: "rule", sourceID: "signup",
                from: LedgerAccount.issued, to: LedgerAccount.available, amount: rules.rules.signupBonus,
                key: "bonus:signup:\(payload.customerID)", lifetimeDelta: rules.rules.signupBonus,
                ruleVersion: rules.version, memo: "sign-up bonus")
            if let posted = try await Ledger().post(entry, on: connection, logger: logger) {
                try await LoyaltyEventSink.log(connection, logger).entry(
                    entry, posted, summary: "Sign-up bonus: \(rules.rules.signupBonus) points")
            }
        }
        return handlers
    }

    /// The `loyalty.program` consumer: earning and reversal (`order.paid` earns, refunds and cancellations
    /// reverse) and the retention rules (low CSAT, breached SLA, late shipment, declined return).
    public static func programHandlers() -> EventHandlers {
        var handlers = EventHandlers()
        let earning = OrderEarning()
        let retention = Retention()
        handlers.on(EventType.orderPaid) { event, connection, logger in
            try await earning.earn(
                try event.decode(OrderEvent.self), paidAt: event.occurredAt,
                events: .log(connection, logger), on: connection, logger: logger)
        }
        handlers.on(EventType.orderRefunded) { event, connection, logger in
            let order = try event.decode(OrderEvent.self)
            let key = "order:\(order.orderID):\(order.platformRefundID.map(String.init) ?? event.id.uuidString)"
            try await earning.refund(
                orderID: order.orderID, lines: order.lines.map { ($0.platformLineID, $0.quantity) }, byReturns: false,
                refundKey: key, sourceID: order.orderID.uuidString, events: .log(connection, logger), on: connection,
                logger: logger)
        }
        handlers.on(EventType.orderCancelled) { event, connection, logger in
            // A cancelled paid order is refunded whole: every unit counts as refunded by the platform.
            let order = try event.decode(OrderEvent.self)
            try await earning.refund(
                orderID: order.orderID, lines: order.lines.map { ($0.platformLineID, $0.quantity) }, byReturns: false,
                refundKey: "order:\(order.orderID):cancelled", sourceID: order.orderID.uuidString, cancelled: true,
                events: .log(connection, logger), on: connection, logger: logger)
        }
        handlers.on(EventType.returnRefunded) { event, connection, logger in
            let refund = try event.decode(ReturnEvent.self)
            guard let orderID = refund.orderID else { return }
            let lines = refund.lines.compactMap { line in line.platformLineID.map { ($0, line.quantity) } }
            try await earning.refund(
                orderID: orderID, lines: lines, byReturns: true,
                refundKey: "return:\(refund.refundID?.uuidString ?? event.id.uuidString)",
                sourceID: refund.returnID.uuidString, events: .log(connection, logger), on: connection,
                logger: logger)
        }
        handlers.on(EventType.csatReceived) { event, connection, logger in
            try await retention.csat(
                try event.decode(CSATReceived.self), events: .log(connection, logger), on: connection, logger: logger)
        }
        handlers.on(EventType.ticketSLABreached) { event, connection, logger in
            let breach = try event.decode(SLAEvent.self)
            try await retention.apply(
                trigger: "sla_breached", caseKey: breach.ticketID.uuidString, customerID: breach.customerID,
                what: "a missed service-level target on ticket #\(breach.number)", events: .log(connection, logger),
                on: connection, logger: logger)
        }
        handlers.on(EventType.orderFulfilled) { event, connection, logger in
            try await retention.fulfilled(
                try event.decode(OrderEvent.self), at: event.occurredAt, events: .log(connection, logger),
                on: connection, logger: logger)
        }
        handlers.on(EventType.returnDeclined) { event, connection, logger in
            let declined = try event.decode(ReturnEvent.self)
            try await retention.apply(
                trigger: "return_declined", caseKey: declined.returnID.uuidString, customerID: declined.customerID,
                what: "a declined return (order \(declined.orderReference))", events: .log(connection, logger),
                on: connection, logger: logger)
        }
        return handlers
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        LoyaltyPrivacy.register(&router, database)
        LoyaltyOperations.register(&router, database)
    }
}

/// The loyalty service's own settings (docs/configuration.md).
struct LoyaltySettings: Sendable {
    /// How often pending points are checked for release (`CONCIERGE_LOYALTY_RELEASE_INTERVAL_S`, default 60).
    var releaseInterval: Duration
    /// How long before asking again about a window that has not started (`CONCIERGE_LOYALTY_WINDOW_RECHECK_S`,
    /// default 3600).
    var windowRecheck: TimeInterval
    /// How often expiry and tier downgrades run (`CONCIERGE_LOYALTY_EXPIRY_INTERVAL_S`, default 3600).
    var expiryInterval: Duration

    init(_ environment: EnvironmentReader) throws {
        releaseInterval = .seconds(
            try environment.int("CONCIERGE_LOYALTY_RELEASE_INTERVAL_S", default: 60, range: 1...86400))
        windowRecheck = TimeInterval(
            try environment.int("CONCIERGE_LOYALTY_WINDOW_RECHECK_S", default: 3600, range: 1...604800))
        expiryInterval = .seconds(
            try environment.int("CONCIERGE_LOYALTY_EXPIRY_INTERVAL_S", default: 3600, range: 1...86400))
    }
}

/// Reads and opens accounts in the `loyalty` schema.
public struct PostgresAccountRepository: Sendable {
    public init() {}

    public func find(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> LoyaltyAccount?
    {
        let rows = try await connection.query(
            """
            SELECT customer_id, available, pending, lifetime, redeemed, expired, tier, created_at FROM loyalty.accounts
            WHERE customer_id = \(customerID)
            """, logger: logger)
        for try await row in rows.decode((UUID, Int64, Int64, Int64, Int64, Int64, String?, Date).self) {
            return LoyaltyAccount(
                customerID: row.0, available: row.1, pending: row.2, lifetime: row.3, redeemed: row.4,
                expired: row.5, tier: row.6, createdAt: row.7)
        }
        return nil
    }

    /// Opens the account with zero balances (a no-op when it exists) and returns it.
    public func open(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> LoyaltyAccount
    {
        try await connection.query(
            "INSERT INTO loyalty.accounts (customer_id) VALUES (\(customerID)) ON CONFLICT DO NOTHING", logger: logger)
        guard let account = try await find(customerID: customerID, on: connection, logger: logger) else {
            throw Problem.internal("account vanished after opening")
        }
        return account
    }
}

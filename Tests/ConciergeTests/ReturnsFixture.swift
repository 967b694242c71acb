import Contracts
import CustomersService
import Foundation
import PostgresNIO
import ReturnsService
import ServiceRuntime
import TestSupport
import TicketsService
import Wire

/// Helpers of the returns suites (no tests here): a returns router whose order source is the real customers
/// router in process (the executable asks it over the broker), and orders built in memory for the pure rules.
enum ReturnsFixture {
    /// Reads orders from the customers router as the broker would deliver the calls.
    struct RouterOrderSource: ReturnOrderSource {
        let customers: OperationRouter

        func order(id: UUID, context: OperationContext) async throws -> Order {
            try await ask(Operation.Customers.getOrder, ByID(id: id))
        }

        func order(number: String, email: String, context: OperationContext) async throws -> Order {
            try await ask(Operation.Customers.findOrder, FindOrder(number: number, email: email))
        }

        func customerTags(of customerID: UUID, context: OperationContext) async throws -> [String] {
            let customer: Customer = try await ask(Operation.Customers.get, ByID(id: customerID))
            return customer.returnPolicyTags
        }

        private func ask<T: Decodable>(_ operation: String, _ input: some Encodable) async throws -> T {
            let reply = try await customers.call(operation, input)
            guard reply.status == 200 else { throw reply.problem ?? Problem.internal("\(operation) failed") }
            return try reply.decoded(T.self)
        }
    }

    /// Opens tickets through the tickets router (the real `tickets.create`, under the given key).
    struct RouterTicketOpener: ReturnTicketOpener {
        let tickets: OperationRouter

        func open(_ request: CreateTicket, idempotencyKey: String, context: OperationContext) async throws -> UUID? {
            let reply = try await tickets.call(Operation.Tickets.create, request, key: idempotencyKey)
            guard reply.status == 201 || reply.status == 200 else {
                throw reply.problem ?? Problem.internal("tickets.create failed")
            }
            return try reply.decoded(Ticket.self).id
        }
    }

    /// The usual routers plus a returns router wired to them (`returns`), on one fresh database.
    static func withReturns<T: Sendable>(
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (Fixture.Routers, OperationRouter) async throws -> T
    ) async throws -> T {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                var router = OperationRouter(
                    database: database, schema: ReturnsService.schema,
                    publisher: EventPublisher(source: "returns", notifier: nil))
                ReturnsService.register(
                    &router, database,
                    dependencies: ReturnsDependencies(
                        orders: RouterOrderSource(customers: routers.customers),
                        tickets: RouterTicketOpener(tickets: routers.tickets),
                        returnAddress: ["Shop returns", "1 Dock Road", "Springfield"], now: now))
                return try await body(routers, router)
            }
        }
    }

    /// Runs `returns.refunds`, `returns.sales`, `tickets.returns` and the customers timeline, one at a time (each
    /// holds a pooled connection while it runs), until each has applied every event of its types in the log.
    static func drain(_ url: String) async throws {
        let returns = try ReturnsService.definition()
        let tickets = try TicketsService.definition()
        let handlers = ReturnsService.consumerHandlers()
        let phases: [(String, String, [String], @Sendable (Database) -> EventConsumer?)] = [
            (
                "returns.refunds", "returns", handlers["returns.refunds"]?.types ?? [],
                { db in consumer(returns, "returns.refunds", db) }
            ),
            (
                "returns.sales", "returns", handlers["returns.sales"]?.types ?? [],
                { db in consumer(returns, "returns.sales", db) }
            ),
            ("tickets.returns", "tickets", returnTypes, { db in consumer(tickets, "tickets.returns", db) }),
            (
                "customers.timeline", "customers", returnTypes,
                { db in
                    EventConsumer(
                        name: "customers.timeline", schema: "customers", handlers: TimelineProjection().handlers(),
                        client: db.client, subscribeEndpoint: nil, configuration: StoreSyncFixture.fast,
                        logger: Fixture.logger)
                }
            ),
        ]
        for (name, schema, types, make) in phases {
            try await TestDatabase.withDatabase(url: url) { database in
                guard let consumer = make(database) else { throw TestSetupError("no consumer \(name)") }
                let list = types.map { "'\($0)'" }.joined(separator: ", ")
                let task = Task { try await consumer.run() }
                defer { task.cancel() }
                try await ConsumerFixture.waitUntil("\(name) caught up") {
                    let pending = try? await StoreSyncFixture.scalar(
                        database.client,
                        """
                        SELECT count(*) FROM events.log l WHERE l.type IN (\(list))
                          AND NOT EXISTS (SELECT 1 FROM \(schema).applied_events a
                                          WHERE a.event_id = l.id AND a.consumer = '\(name)')
                        """)
                    return pending == 0
                }
                task.cancel()
                _ = await task.result
            }
        }
    }

    static func consumer(_ definition: ServiceDefinition, _ name: String, _ database: Database) -> EventConsumer? {
        definition.eventConsumers(
            database: database, subscribeEndpoint: nil, configuration: StoreSyncFixture.fast, logger: Fixture.logger
        ).first { $0.name == name }
    }

    static let returnTypes = [
        EventType.returnRequested, EventType.returnApproved, EventType.returnDeclined, EventType.returnLabelIssued,
        EventType.returnReceived, EventType.returnInspected, EventType.returnRefunded, EventType.returnClosed,
        EventType.returnCancelled,
    ]

    /// Mirrors a paid Shopify order `id` (default lines: 2 × MUG-RED at 50.00, 1 × TEE-L at 99.00) delivered at
    /// `deliveredAt`, and returns it as `customers.get_order` answers.
    static func deliveredOrder(
        _ routers: Fixture.Routers, store: UUID, id: Int64, number: String = "#1001", email: String = "ann@example.com",
        customerID: Int64 = 7_001, deliveredAt: String = "2025-03-04T10:00:00Z",
        lines: [ShopifyBody.Line] = ShopifyBody.defaultLines,
        total: String = "199.00", refunds: [String] = []
    ) async throws -> Order {
        try await StoreSyncFixture.deliver(
            routers, store: store, topic: "orders/create",
            body: ShopifyBody.order(
                id: id, number: number, email: email, customerID: customerID, financial: "paid", lines: lines,
                total: total, refunds: refunds))
        try await StoreSyncFixture.deliver(
            routers, store: store, topic: "fulfillments/update",
            body: ShopifyBody.fulfillment(
                id: id * 10, orderID: id, updatedAt: deliveredAt, shipment: "delivered", lines: lines))
        try await StoreSyncFixture.sync(routers.url)
        return try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
    }

    static let usd = "USD"

    static func money(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: usd) }

    /// An order line of `quantity` units at `unitMinor` each.
    static func line(_ id: Int64, sku: String, quantity: Int, unitMinor: Int64, discountMinor: Int64 = 0) -> OrderLine {
        OrderLine(
            platformLineID: id, productID: 1, variantID: id, sku: sku, title: "Item \(sku)", variantTitle: nil,
            quantity: quantity, unitPrice: money(unitMinor), discount: money(discountMinor))
    }

    /// A shipment of `lines` (all units), delivered at `deliveredAt` when given.
    static func shipment(
        _ id: Int64, lines: [OrderLine], createdAt: Date, deliveredAt: Date? = nil
    ) -> OrderFulfillment {
        OrderFulfillment(
            platformFulfillmentID: id, status: "success",
            shipmentStatus: deliveredAt == nil ? "in_transit" : "delivered",
            carrier: "UPS", trackingNumber: "1Z\(id)", trackingURL: nil, deliveredAt: deliveredAt, createdAt: createdAt,
            lines: lines.map { LineQuantity(platformLineID: $0.platformLineID, quantity: $0.quantity) })
    }

    /// An order in memory (for the pure rules): paid in full, `total` the lines' sum unless given.
    static func order(
        store: UUID = UUID(), customer: UUID? = UUID(), lines: [OrderLine], fulfillments: [OrderFulfillment] = [],
        refunds: [OrderRefund] = [], tags: [String] = [], shippingMinor: Int64 = 0, placedAt: Date = Date()
    ) -> Order {
        let subtotal = lines.reduce(Int64(0)) {
            $0 + $1.unitPrice.amountMinor * Int64($1.quantity) - $1.discount.amountMinor
        }
        let refunded = refunds.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        return Order(
            id: UUID(), storeID: store, platform: .shopify, platformOrderID: 1, number: "#1001", customerID: customer,
            email: "ann@example.com", state: .open, financialStatus: "paid", fulfillmentStatus: nil,
            subtotal: money(subtotal), tax: money(0), shipping: money(shippingMinor), discount: money(0),
            total: money(subtotal + shippingMinor), refunded: money(refunded), presentmentTotal: nil, lines: lines,
            fulfillments: fulfillments, refunds: refunds, shippingAddress: nil, tags: tags, placedAt: placedAt,
            updatedAt: nil, cancelledAt: nil)
    }

    static func date(_ text: String) -> Date {
        Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0)
    }
}

import Contracts
import Foundation
import ReturnsService
import ServiceRuntime
import TestSupport
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
            return customer.tags
        }

        private func ask<T: Decodable>(_ operation: String, _ input: some Encodable) async throws -> T {
            let reply = try await customers.call(operation, input)
            guard reply.status == 200 else {
                throw reply.problem ?? Problem.internal("\(operation) failed")
            }
            return try reply.decoded(T.self)
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
                        orders: RouterOrderSource(customers: routers.customers), now: now))
                return try await body(routers, router)
            }
        }
    }

    static let usd = "USD"

    static func money(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: usd) }

    /// An order line of `quantity` units at `unitMinor` each.
    static func line(
        _ id: Int64, sku: String, quantity: Int, unitMinor: Int64, discountMinor: Int64 = 0
    ) -> OrderLine {
        OrderLine(
            platformLineID: id, productID: 1, variantID: id, sku: sku, title: "Item \(sku)",
            variantTitle: nil,
            quantity: quantity, unitPrice: money(unitMinor), discount: money(discountMinor))
    }

    /// A shipment of `lines` (all units), delivered at `deliveredAt` when given.
    static func shipment(
        _ id: Int64, lines: [OrderLine], createdAt: Date, deliveredAt: Date? = nil
    ) -> OrderFulfillment {
        OrderFulfillment(
            platformFulfillmentID: id, status: "success",
            shipmentStatus: deliveredAt == nil ? "in_transit" : "delivered",
            carrier: "UPS", trackingNumber: "1Z\(id)", trackingURL: nil, deliveredAt: deliveredAt,
            createdAt: createdAt,
            lines: lines.map { LineQuantity(platformLineID: $0.platformLineID, quantity: $0.quantity) })
    }

    /// An order in memory (for the pure rules): paid in full, `total` the lines' sum unless given.
    static func order(
        store: UUID = UUID(), customer: UUID? = UUID(), lines: [OrderLine],
        fulfillments: [OrderFulfillment] = [],
        refunds: [OrderRefund] = [], tags: [String] = [], shippingMinor: Int64 = 0,
        placedAt: Date = Date()
    ) -> Order {
        let subtotal = lines.reduce(Int64(0)) {
            $0 + $1.unitPrice.amountMinor * Int64($1.quantity) - $1.discount.amountMinor
        }
        let refunded = refunds.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
        return Order(
            id: UUID(), storeID: store, platform: .shopify, platformOrderID: 1, number: "#1001",
            customerID: customer,
            email: "ann@example.com", state: .open, financialStatus: "paid", fulfillmentStatus: nil,
            subtotal: money(subtotal), tax: money(0), shipping: money(shippingMinor), discount: money(0),
            total: money(subtotal + shippingMinor), refunded: money(refunded), presentmentTotal: nil,
            lines: lines,
            fulfillments: fulfillments, refunds: refunds, shippingAddress: nil, tags: tags,
            placedAt: placedAt,
            updatedAt: nil, cancelledAt: nil)
    }

    static func date(_ text: String) -> Date {
        Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0)
    }
}

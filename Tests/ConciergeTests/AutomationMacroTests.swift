import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

/// A time-based automation applying a macro, with the services running behind a real broker: the job's broker
/// client fills the macro's customer and order placeholders; without one, a macro that needs the order is refused.
@Suite("Automations: macros with order placeholders", .enabled(if: TestDatabase.isConfigured))
struct AutomationMacroTests {
    @Test func anAutomationsMacroFillsTheOrdersTrackingThroughTheBroker() async throws {
        try await PrivacySuite.run { suite in
            let store = UUID()
            let customer = try await suite.createCustomer(email: "ann@example.com")
            for (topic, body) in [
                ("orders/create", ShopifyBody.order(id: 5_501, financial: "paid")),
                ("fulfillments/create", ShopifyBody.fulfillment(id: 61, orderID: 5_501, tracking: "1ZAUTO")),
            ] {
                let stored = try await suite.send(
                    "customers", Operation.Customers.receiveDelivery,
                    ReceiveStoreDelivery(
                        storeID: store, platform: .shopify, shopDomain: "shop.myshopify.com", topic: topic,
                        deliveryKey: UUID().uuidString, eventID: nil, triggeredAt: nil, body: body),
                    principal: Principal(role: .integration, keyID: "webhooks"))
                #expect(stored.status == 200, "\(stored.bodyText)")
            }
            // The store-sync consumer applies both deliveries in the background.
            try await ConsumerFixture.waitUntil("order mirrored with tracking") {
                let reply = try await suite.send(
                    "customers", Operation.Customers.findOrder, FindOrder(number: "#1001", email: "ann@example.com"))
                guard reply.status == 200 else { return false }
                return try reply.decoded(Order.self).fulfillments.contains { $0.trackingNumber == "1ZAUTO" }
            }

            let macro = try await suite.send(
                "tickets", Operation.Tickets.defineMacro,
                DefineMacro(
                    name: "Tracking",
                    body: "Hi {{customer.email}}, order {{order.number}} travels as {{order.tracking_number}}."),
                key: "macro-1")
            #expect(macro.status == 200 || macro.status == 201, "\(macro.bodyText)")
            let macroID = try macro.decoded(Macro.self).id
            let automation = try await suite.send(
                "tickets", Operation.Tickets.defineAutomation,
                DefineAutomation(
                    name: "New for a day", when: .hoursInStatus, status: .new, hours: 24,
                    actions: RuleActions(macroID: macroID)),
                key: "automation-1")
            #expect(automation.status == 200, "\(automation.bodyText)")

            func openTicket(_ subject: String) async throws -> Ticket {
                let reply = try await suite.send(
                    "tickets", Operation.Tickets.create,
                    CreateTicket(
                        customerID: customer.id, subject: subject, message: "Where is it?", channel: .email,
                        orderReference: "#1001"),
                    key: UUID().uuidString)
                #expect(reply.status == 201, "\(reply.bodyText)")
                return try reply.decoded(Ticket.self)
            }
            func run(services: ServiceClient?) async throws -> [UUID: String] {
                let runs = try await TestDatabase.withDatabase(url: suite.url) { database in
                    try await database.transaction { connection in
                        try await TicketsService.runAutomations(
                            now: Date().addingTimeInterval(25 * 3600), on: connection, logger: Fixture.logger,
                            services: services)
                    }
                }
                return Dictionary(uniqueKeysWithValues: runs.map { ($0.1, $0.2) })
            }
            func messages(_ ticket: Ticket) async throws -> [String] {
                let reply = try await suite.send("tickets", Operation.Tickets.get, ByID(id: ticket.id))
                return try reply.decoded(Ticket.self).messages?.map(\.body) ?? []
            }

            // Without a broker client the order is unknown to the job: refused, nothing written.
            let first = try await openTicket("Parcel?")
            #expect(try await run(services: nil) == [first.id: "refused: order_unknown"])
            #expect(try await messages(first).contains { $0.contains("travels as") } == false)

            // With it, the macro's reply carries the customer's name, the order and its tracking number.
            let second = try await openTicket("Parcel again?")
            #expect(try await run(services: suite.services) == [second.id: "applied"])
            let replies = try await messages(second)
            #expect(replies.contains("Hi ann@example.com, order #1001 travels as 1ZAUTO."), "\(replies)")
            // Once per occasion: another round does nothing.
            #expect(try await run(services: suite.services).isEmpty)
        }
    }
}

import Foundation
import StorePlatforms
import TestSupport
import Testing

extension EndToEnd {
    /// The store-platform story through the real executables: a Shopify order webhook creates the customer and the
    /// order, a fulfillment adds tracking, a ticket about the order shows it in the customer overview, and a
    /// `customers/redact` webhook erases the customer in every service.
    @Suite struct StorePlatform {
        static let shop = "concierge-e2e.myshopify.com"
        static let secret = "shpss_e2e_0123456789abcdef"

        /// A real-format body from ../shared/fixtures.
        static func fixture(_ name: String) throws -> Data {
            let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return try Data(contentsOf: root.appending(path: "../shared/fixtures/shopify/\(name).json"))
        }

        static func deliver(
            _ http: HTTPClient, topic: String, body: Data, webhookID: String = UUID().uuidString
        ) async throws -> HTTPResponse {
            try await http.request(
                "POST", "/webhooks/shopify", body: body,
                headers: [
                    "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop,
                    "X-Shopify-Hmac-Sha256": WebhookSignature.sign(body, secret: secret),
                    "X-Shopify-Webhook-Id": webhookID, "X-Shopify-Triggered-At": "2025-01-01T12:00:00.000Z",
                ])
        }

        @Test func orderWebhookToCustomerViewToRedaction() async throws {
            try await SuiteProcesses.run { suite in
                let http = suite.http
                let admin = suite.adminKey

                let store = try await http.post(
                    "/v1/stores", key: admin,
                    json: [
                        "platform": "shopify", "shop_domain": Self.shop, "name": "E2E shop",
                        "webhook_secret": Self.secret,
                    ],
                    idempotencyKey: "e2e-store")
                try #require(store.status == 201, "\(store)")

                // A forged delivery is refused and stores nothing.
                let forged = try await http.request(
                    "POST", "/webhooks/shopify", body: try Self.fixture("orders_create"),
                    headers: [
                        "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": Self.shop,
                        "X-Shopify-Hmac-Sha256": WebhookSignature.sign(Data("x".utf8), secret: Self.secret),
                    ])
                #expect(forged.status == 401, "\(forged)")
                #expect(try await suite.count("customers.store_deliveries") == 0)

                let created = try await Self.deliver(
                    http, topic: "orders/create", body: try Self.fixture("orders_create"), webhookID: "wh-order-1")
                try #require(created.status == 200, "\(created)")
                #expect(created.string("status") == "accepted")
                let again = try await Self.deliver(
                    http, topic: "orders/create", body: try Self.fixture("orders_create"), webhookID: "wh-order-1")
                #expect(again.string("status") == "duplicate", "\(again)")

                let shipped = try await Self.deliver(
                    http, topic: "fulfillments/create", body: try Self.fixture("fulfillments_create"))
                try #require(shipped.status == 200, "\(shipped)")

                // The customer appears, found by the buyer's email, with the order and its tracking.
                var customerID = ""
                try await suite.waitUntil("the order's customer") {
                    let found = try await http.get("/v1/customers?q=%239999", key: admin)
                    guard found.status == 200, let items = found.object?["items"] as? [[String: Any]],
                        let id = items.first?["id"] as? String
                    else { return false }
                    customerID = id
                    return true
                }
                var order: [String: Any] = [:]
                try await suite.waitUntil("the order with its tracking") {
                    let orders = try await http.get("/v1/customers/\(customerID)/orders", key: admin)
                    guard let first = (orders.object?["items"] as? [[String: Any]])?.first,
                        let fulfillments = first["fulfillments"] as? [[String: Any]], !fulfillments.isEmpty
                    else { return false }
                    order = first
                    return true
                }
                #expect(order["number"] as? String == "#9999")
                #expect((order["total"] as? [String: Any])?["amount_minor"] as? Int == 38800, "\(order)")
                #expect((order["total"] as? [String: Any])?["currency"] as? String == "USD")
                let fulfillment = try #require((order["fulfillments"] as? [[String: Any]])?.first)
                #expect(fulfillment["tracking_number"] as? String == "1z827wk74630")
                #expect(fulfillment["carrier"] as? String == "UPS")

                // A ticket about the order: the agent's customer view shows the ticket beside the order.
                let ticket = try await http.post(
                    "/v1/tickets", key: admin,
                    json: [
                        "customer_id": customerID, "subject": "Where is order #9999?",
                        "message": "It has not arrived yet.", "channel": "email",
                    ], idempotencyKey: "e2e-store-ticket")
                try #require(ticket.status == 201, "\(ticket)")
                let ticketID = try #require(ticket.string("id"))
                let overview = try await http.get("/v1/customers/\(customerID)/overview", key: admin)
                try #require(overview.status == 200, "\(overview)")
                let overviewOrders = (overview.object?["orders"] as? [String: Any])?["items"] as? [[String: Any]]
                let overviewTickets = (overview.object?["tickets"] as? [String: Any])?["items"] as? [[String: Any]]
                #expect(overviewOrders?.first?["number"] as? String == "#9999", "\(overview)")
                let tracked = (overviewOrders?.first?["fulfillments"] as? [[String: Any]])?.first
                #expect(tracked?["tracking_url"] as? String != nil, "\(overview)")
                #expect(overviewTickets?.first?["id"] as? String == ticketID, "\(overview)")

                // customers/redact (the fixture names john@example.com) erases the customer in every service.
                let redact = try await Self.deliver(
                    http, topic: "customers/redact", body: try Self.fixture("customers_redact"))
                try #require(redact.status == 200, "\(redact)")
                try await suite.waitUntil("the erasure to reach every service", timeout: .seconds(60)) {
                    let status = try await http.get("/v1/customers/\(customerID)/erasure", key: admin)
                    return status.status == 200 && status.object?["complete"] as? Bool == true
                }
                let erased = try await http.get("/v1/customers/\(customerID)", key: admin)
                #expect(erased.object?["erased_at"] is String, "\(erased)")
                #expect(erased.object?["email"] == nil || erased.object?["email"] is NSNull, "\(erased)")
                let erasedTicket = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                #expect(erasedTicket.string("subject") == "[erased]", "\(erasedTicket)")
                let keptOrders = try await http.get("/v1/customers/\(customerID)/orders", key: admin)
                let keptOrder = (keptOrders.object?["items"] as? [[String: Any]])?.first
                #expect((keptOrder?["total"] as? [String: Any])?["amount_minor"] as? Int == 38800, "\(keptOrders)")
                #expect(keptOrder?["email"] == nil || keptOrder?["email"] is NSNull, "\(keptOrders)")
                let search = try await http.get("/v1/customers?q=john%40example.com", key: admin)
                #expect((search.object?["items"] as? [Any])?.isEmpty ?? false, "\(search)")
            }
        }
    }
}

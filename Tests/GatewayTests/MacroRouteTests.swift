import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Gateway macros: placeholders from the customer and the order, actions", needsDatabase)
struct MacroRouteTests {
    @Test("a macro fills in the customer's name and the order's tracking link, and applies its actions")
    func applyWithPlaceholders() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(
                .post, "/v1/customers", json: #"{"email":"ada@example.com","name":"Ada Lovelace"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            // A mirrored order #1001 of Ada's, shipped with a tracking link.
            let store = UUID()
            let inserted = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                WITH o AS (INSERT INTO customers.orders (id, store_id, platform, platform_order_id, number, customer_id,
                               email, state, currency, total_minor, placed_at)
                           VALUES ('\(UUID())', '\(store)', 'shopify', 1001, '#1001', '\(customerID)',
                                   'ada@example.com', 'open', 'EUR', 4200, now()) RETURNING 1),
                     f AS (INSERT INTO customers.fulfillments (store_id, platform_order_id, platform_fulfillment_id,
                               status, carrier, tracking_number, tracking_url)
                           VALUES ('\(store)', 1001, 1, 'success', 'DHL', '00340434', 'https://dhl.example/00340434')
                           RETURNING 1)
                SELECT (SELECT count(*) FROM o) + (SELECT count(*) FROM f)
                """)
            #expect(inserted == 2)
            let agent = try await client.send(
                .post, "/v1/agents", json: #"{"name":"Grace","email":"grace@shop.example"}"#)
            let agentID = try #require(agent.object["id"] as? String)
            let ticket = try await client.send(
                .post, "/v1/tickets",
                json: #"""
                    {"customer_id":"\#(customerID)","subject":"Where is my parcel?","message":"Not here yet",
                     "channel":"email","order_reference":"#1001"}
                    """#)
            let ticketID = try #require(ticket.object["id"] as? String)
            _ = try await client.send(.patch, "/v1/tickets/\(ticketID)", json: #"{"assignee_id":"\#(agentID)"}"#)

            let macro = try await client.send(
                .post, "/v1/macros",
                json: #"""
                    {"name":"Tracking link","body":"Hi {{customer.first_name}}, order {{order.number}} is with {{order.carrier}}: {{order.tracking_url}} (ticket {{ticket.number}}). {{agent.name}}",
                     "actions":{"status":"pending","add_tags":["tracking-sent"]}}
                    """#)
            #expect(macro.status == .ok, "\(macro.body)")
            let macroID = try #require(macro.object["id"] as? String)
            let applied = try await client.send(.post, "/v1/tickets/\(ticketID)/macros/\(macroID)", json: "{}")
            #expect(applied.status == .created, "\(applied.body)")
            let message = try #require(applied.object["message"] as? [String: Any])
            let number = try #require(ticket.object["number"] as? Int)
            #expect(
                message["body"] as? String
                    == "Hi Ada, order #1001 is with DHL: https://dhl.example/00340434 (ticket \(number)). Grace")
            #expect(message["public"] as? Bool == true)
            let after = try #require(applied.object["ticket"] as? [String: Any])
            #expect(after["status"] as? String == "pending")
            #expect(after["tags"] as? [String] == ["tracking-sent"])
            #expect(after["first_reply_at"] is String)
        }
    }

    @Test("unknown placeholders are refused; an order macro on a ticket without an order is a 409")
    func refusals() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let bad = try await client.send(
                .post, "/v1/macros", json: #"{"name":"x","body":"Hi {{customer.nickname}}"}"#)
            #expect(bad.status.code == 422)
            let customer = try await client.send(.post, "/v1/customers", json: #"{"email":"bo@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let ticket = try await client.send(
                .post, "/v1/tickets",
                json: #"{"customer_id":"\#(customerID)","subject":"Hi","message":"Hello","channel":"chat"}"#)
            let ticketID = try #require(ticket.object["id"] as? String)
            let macro = try await client.send(
                .post, "/v1/macros", json: #"{"name":"Track","body":"See {{order.tracking_url}}"}"#)
            let macroID = try #require(macro.object["id"] as? String)
            let refused = try await client.send(.post, "/v1/tickets/\(ticketID)/macros/\(macroID)", json: "{}")
            #expect(refused.status == .conflict)
            #expect(refused.object["code"] as? String == "order_unknown")
            let duplicate = try await client.send(.post, "/v1/macros", json: #"{"name":"Track","body":"Again"}"#)
            #expect(duplicate.status == .conflict)
            let replaced = try await client.send(
                .put, "/v1/macros/\(macroID)", json: #"{"name":"Track","body":"Tracking: {{order.tracking_number}}"}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.object["id"] as? String == macroID)
            let idInBody = try await client.send(
                .put, "/v1/macros/\(macroID)", json: #"{"id":"\#(macroID)","name":"Track","body":"x"}"#)
            #expect(idInBody.status.code == 422)
            let idOnCreate = try await client.send(
                .post, "/v1/macros", json: #"{"id":"\#(UUID())","name":"Other","body":"x"}"#)
            #expect(idOnCreate.status.code == 422)
            let trigger = try await client.send(
                .post, "/v1/triggers",
                json: #"{"name":"Urgent refunds","event":"ticket.created","actions":{"priority":"urgent"}}"#)
            #expect(trigger.status == .ok, "\(trigger.body)")
            let listed = try await client.send(.get, "/v1/macros")
            #expect(listed.status == .ok)
            let unknown = try await client.send(.post, "/v1/tickets/\(ticketID)/macros/\(UUID())", json: "{}")
            #expect(unknown.status.code == 422)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// What a new ticket takes from the customers service: the customer's segments (for SLA policies by segment) and the
/// mirrored order its reference names (linked, and used to categorise tickets whose words match no rule).
@Suite("Tickets: customer and order context", needsDatabase)
struct TicketContextTests {
    @Test("a ticket whose words match no rule is categorised from its order, and linked to it")
    func orderContextCategorises() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(
                .post, "/v1/customers", json: #"{"email":"ada@example.com","name":"Ada Lovelace"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let orderID = UUID()
            let store = UUID()
            // #1001 shipped (not delivered), #1002 delivered, #1003 not shipped, #1004 cancelled.
            let inserted = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                WITH o AS (INSERT INTO customers.orders (id, store_id, platform, platform_order_id, number, customer_id,
                               email, state, currency, total_minor, placed_at)
                           VALUES ('\(orderID)', '\(store)', 'shopify', 1001, '#1001', '\(customerID)',
                                   'ada@example.com', 'open', 'EUR', 4200, now()),
                                  ('\(UUID())', '\(store)', 'shopify', 1002, '#1002', '\(customerID)',
                                   'ada@example.com', 'open', 'EUR', 1900, now()),
                                  ('\(UUID())', '\(store)', 'shopify', 1003, '#1003', '\(customerID)',
                                   'ada@example.com', 'open', 'EUR', 1900, now()),
                                  ('\(UUID())', '\(store)', 'shopify', 1004, '#1004', '\(customerID)',
                                   'ada@example.com', 'cancelled', 'EUR', 1900, now()) RETURNING 1),
                     f AS (INSERT INTO customers.fulfillments (store_id, platform_order_id, platform_fulfillment_id,
                               status, carrier, tracking_number, delivered_at)
                           VALUES ('\(store)', 1001, 1, 'success', 'DHL', '00340434', NULL),
                                  ('\(store)', 1002, 2, 'success', 'DHL', '00340435', now() - interval '2 days')
                           RETURNING 1)
                SELECT (SELECT count(*) FROM o) + (SELECT count(*) FROM f)
                """)
            #expect(inserted == 6)

            func open(_ reference: String?) async throws -> [String: Any] {
                let field = reference.map { #","order_reference":"\#($0)""# } ?? ""
                let reply = try await client.send(
                    .post, "/v1/tickets",
                    json: #"""
                        {"customer_id":"\#(customerID)","subject":"A question","message":"Hello there",
                         "channel":"email"\#(field)}
                        """#)
                #expect(reply.status == .created)
                return reply.object
            }
            let shipped = try await open("#1001")
            #expect(shipped["category"] as? String == "delivery")
            #expect(
                shipped["category_reason"] as? String == "order context: order #1001 shipped and is not delivered yet")
            #expect((shipped["order_id"] as? String)?.lowercased() == orderID.uuidString.lowercased())
            let delivered = try await open("1002")
            #expect(delivered["category"] as? String == "returns")
            #expect(delivered["category_reason"] as? String == "order context: order #1002 was delivered")
            let waiting = try await open("#1003")
            #expect(waiting["category"] as? String == "delivery")
            #expect(waiting["category_reason"] as? String == "order context: order #1003 has not shipped yet")
            let cancelled = try await open("#1004")
            #expect(cancelled["category"] as? String == "billing")
            #expect(cancelled["category_reason"] as? String == "order context: order #1004 is cancelled")
            // An unknown order stays a free reference; the words decide (here: nothing matched).
            let unknown = try await open("#9999")
            #expect(unknown["category"] as? String == "other")
            #expect(unknown["order_id"] == nil || unknown["order_id"] is NSNull)
            let none = try await open(nil)
            #expect(none["category"] as? String == "other")
        }
    }

    @Test("an SLA policy for a customer segment applies to that segment's tickets, the general one to the rest")
    func slaBySegment() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            #expect(
                try await client.send(.put, "/v1/segments/vip", json: #"{"rule":{"tags_any":["vip"]}}"#).status.code
                    < 300)
            let sla = try await client.send(
                .put, "/v1/sla",
                json: #"""
                    {"calendar": {"time_zone": "UTC", "always_open": true},
                     "policies": [
                       {"id": "normal", "priority": "normal", "targets": {"first_reply": 86400}},
                       {"id": "vip-normal", "priority": "normal", "segment": "vip", "targets": {"first_reply": 3600}}]}
                    """#)
            #expect(sla.status == .ok)
            func policy(tags: String) async throws -> String? {
                let customer = try await client.send(
                    .post, "/v1/customers", json: #"{"email":"c-\#(UUID().uuidString.prefix(8))@example.com"}"#)
                let customerID = try #require(customer.object["id"] as? String)
                let tagged = try await client.send(.patch, "/v1/customers/\(customerID)", json: #"{"tags":\#(tags)}"#)
                #expect(tagged.status == .ok)
                let ticket = try await client.send(
                    .post, "/v1/tickets",
                    json: #"{"customer_id":"\#(customerID)","subject":"Hi","message":"Hello","channel":"email"}"#)
                let ticketID = try #require(ticket.object["id"] as? String)
                let clock = try await client.send(.get, "/v1/tickets/\(ticketID)/sla")
                #expect(clock.status == .ok)
                return clock.object["policy"] as? String
            }
            #expect(try await policy(tags: #"["vip"]"#) == "vip-normal")
            #expect(try await policy(tags: "[]") == "normal")
        }
    }

    @Test("GET /v1/classifier and POST /v1/classifier/train: status, training, roles")
    func classifierRoutes() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let status = try await client.send(.get, "/v1/classifier")
            #expect(status.status == .ok)
            #expect(status.object["trained"] as? Bool == false)
            let trained = try await client.send(.post, "/v1/classifier/train")
            #expect(trained.status == .ok)
            #expect(trained.object["trained"] as? Bool == false)
            #expect((trained.object["reason"] as? String)?.contains("found 0") == true)
            let agent = try await client.send(
                .post, "/v1/api-keys", json: #"{"name":"grace","role":"agent"}"#)
            let secret = try #require(agent.object["secret"] as? String)
            #expect(try await client.send(.get, "/v1/classifier", key: secret).status == .ok)
            #expect(try await client.send(.post, "/v1/classifier/train", key: secret).status == .forbidden)
        }
    }
}

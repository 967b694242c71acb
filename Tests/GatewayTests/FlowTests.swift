import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Customer, ticket, return and loyalty through the gateway", needsDatabase)
struct FlowTests {
    @Test("a customer opens a ticket, the agent answers, a return is requested, the account is read")
    func serviceCycle() async throws {
        try await GatewayHarness.run { context in
            let customer = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"Dana@Example.com","name":"Dana","phone":"+14155550123"}"#)
            #expect(customer.status == .created)
            let customerID = try #require(customer.object["id"] as? String)

            let found = try await context.client.send(.get, "/v1/customers?email=dana@example.com")
            #expect(found.object["id"] as? String == customerID)

            let ticket = try await context.client.send(
                .post, "/v1/tickets",
                json:
                    #"{"customer_id":"\#(customerID)","subject":"Late parcel","message":"Order #1001 has not arrived","channel":"email","priority":"high"}"#
            )
            #expect(ticket.status == .created)
            let ticketID = try #require(ticket.object["id"] as? String)
            #expect(ticket.object["status"] as? String == "new")
            #expect((ticket.object["number"] as? Int ?? 0) > 1000)

            let reply = try await context.client.send(
                .post, "/v1/tickets/\(ticketID)/messages", json: #"{"body":"It ships today.","public":true}"#)
            #expect(reply.status == .created)
            #expect(reply.object["author_type"] as? String == "agent")

            let read = try await context.client.send(.get, "/v1/tickets/\(ticketID)")
            let messages = try #require(read.object["messages"] as? [[String: Any]])
            #expect(messages.map { $0["body"] as? String } == ["Order #1001 has not arrived", "It ships today."])

            let list = try await context.client.send(.get, "/v1/customers/\(customerID)/tickets?limit=10")
            #expect((list.object["items"] as? [Any])?.count == 1)

            let returned = try await context.client.send(
                .post, "/v1/returns",
                json:
                    ##"{"customer_id":"\##(customerID)","order_reference":"#1001","reason":"size > too small","lines":[{"sku":"TEE-M","quantity":1}]}"##
            )
            #expect(returned.status == .created)
            #expect(returned.object["status"] as? String == "requested")

            let account = try await context.client.send(.get, "/v1/customers/\(customerID)/loyalty")
            #expect(account.status == .ok)
            #expect(account.object["available"] as? Int == 0)
        }
    }

    @Test("a service with no live worker is a 503 problem within the deadline")
    func missingService() async throws {
        let environment = ["CONCIERGE_REQUEST_EXPIRY_MS": "500", "CONCIERGE_REQUEST_DEADLINE_MS": "2000"]
        try await GatewayHarness.run(services: ["customers", "tickets", "loyalty"], environment: environment) {
            context in
            let customer = try await context.client.send(.post, "/v1/customers", json: #"{"email":"r@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let started = ContinuousClock.now
            let response = try await context.client.send(
                .post, "/v1/returns",
                json:
                    ##"{"customer_id":"\##(customerID)","order_reference":"#1","reason":"broken","lines":[{"sku":"A","quantity":1}]}"##
            )
            #expect(response.status == .serviceUnavailable)
            #expect(response.problemCode == "service_unavailable")
            #expect(response.headers[.retryAfter] != nil)
            // A guard against hanging, not a speed assertion.
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }
}

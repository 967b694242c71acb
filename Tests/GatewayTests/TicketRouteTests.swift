import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Gateway ticket lifecycle routes", needsDatabase)
struct TicketRouteTests {
    @Test("PATCH with If-Match: ETags, 412 with the current ticket, lifecycle problems, roles")
    func patchWithETags() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(.post, "/v1/customers", json: #"{"email":"lin@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let opened = try await client.send(
                .post, "/v1/tickets",
                json:
                    #"{"customer_id":"\#(customerID)","subject":"Where is my parcel?","message":"Late","channel":"email"}"#
            )
            #expect(opened.status == .created)
            let id = try #require(opened.object["id"] as? String)
            #expect(opened.object["category"] as? String == "delivery")
            let read = try await client.send(.get, "/v1/tickets/\(id)")
            #expect(read.headers[.eTag] == "\"1\"")

            let agent = try await client.send(
                .post, "/v1/agents", json: #"{"name":"Ada","email":"ada@shop.example"}"#)
            #expect(agent.status == .created)
            let agentID = try #require(agent.object["id"] as? String)
            let assigned = try await client.send(
                .patch, "/v1/tickets/\(id)", json: #"{"assignee_id":"\#(agentID)","tags":["late"]}"#,
                headers: [.ifMatch: "\"1\""])
            #expect(assigned.status == .ok)
            #expect(assigned.headers[.eTag] == "\"2\"")
            #expect(assigned.object["status"] as? String == "open")

            let stale = try await client.send(
                .patch, "/v1/tickets/\(id)", json: #"{"priority":"low"}"#, headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.headers[.eTag] == "\"2\"")
            #expect(
                ((stale.object["current"] as? [String: Any])?["assignee_id"] as? String)?.lowercased()
                    == agentID.lowercased())

            let backToNew = try await client.send(.patch, "/v1/tickets/\(id)", json: #"{"status":"new"}"#)
            #expect(backToNew.status == .conflict)  // a ticket never returns to new
            #expect(backToNew.object["code"] as? String == "invalid_transition")
            let closeEarly = try await client.send(.patch, "/v1/tickets/\(id)", json: #"{"status":"closed"}"#)
            #expect(closeEarly.status == .conflict)
            #expect(closeEarly.object["code"] as? String == "invalid_transition")
            let badMatch = try await client.send(
                .patch, "/v1/tickets/\(id)", json: #"{"priority":"low"}"#, headers: [.ifMatch: "yesterday"])
            #expect(badMatch.status == .badRequest)
            let pathField = try await client.send(
                .patch, "/v1/tickets/\(id)", json: #"{"ticket_id":"\#(id)","priority":"low"}"#)
            #expect(pathField.status.code == 422)

            let customerKey = try await client.send(
                .post, "/v1/api-keys", json: #"{"name":"lin","role":"customer","customer_id":"\#(customerID)"}"#)
            let secret = try #require(customerKey.object["secret"] as? String)
            let refused = try await client.send(
                .patch, "/v1/tickets/\(id)", key: secret, json: #"{"priority":"urgent"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await client.send(.get, "/v1/agents", key: secret).status == .forbidden)
            let listed = try await client.send(.get, "/v1/agents")
            #expect(listed.status == .ok)
            let deactivated = try await client.send(.patch, "/v1/agents/\(agentID)", json: #"{"active":false}"#)
            #expect(deactivated.object["active"] as? Bool == false)
        }
    }

    @Test("merge into the ticket in the path; split a message into a new ticket")
    func mergeAndSplit() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(.post, "/v1/customers", json: #"{"email":"mo@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            func open(_ subject: String) async throws -> String {
                let reply = try await client.send(
                    .post, "/v1/tickets",
                    json: #"{"customer_id":"\#(customerID)","subject":"\#(subject)","message":"Hi","channel":"chat"}"#)
                return try #require(reply.object["id"] as? String)
            }
            let survivor = try await open("Order 1001")
            let duplicate = try await open("Order 1001 again")
            let merged = try await client.send(
                .post, "/v1/tickets/\(survivor)/merge", json: #"{"source_ticket_id":"\#(duplicate)"}"#)
            #expect(merged.status == .ok)
            #expect(merged.headers[.eTag] != nil)
            let source = try await client.send(.get, "/v1/tickets/\(duplicate)")
            #expect(source.object["status"] as? String == "merged")
            #expect((source.object["merged_into"] as? String)?.lowercased() == survivor.lowercased())
            let unknownField = try await client.send(
                .post, "/v1/tickets/\(survivor)/merge", json: #"{"source":"\#(duplicate)"}"#)
            #expect(unknownField.status.code == 422)

            let message = try await client.send(
                .post, "/v1/tickets/\(survivor)/messages", json: #"{"body":"Also my invoice","author_type":"customer"}"#
            )
            let messageID = try #require(message.object["id"] as? String)
            let split = try await client.send(
                .post, "/v1/tickets/\(survivor)/split", json: #"{"message_id":"\#(messageID)","subject":"Invoice"}"#)
            #expect(split.status == .created)
            let ticket = try #require(split.object["ticket"] as? [String: Any])
            #expect((ticket["split_from"] as? String)?.lowercased() == survivor.lowercased())
        }
    }
}

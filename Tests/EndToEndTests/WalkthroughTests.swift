import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// The README walkthrough: one customer's path through tickets, returns and loyalty.
    @Suite struct Walkthrough {
        @Test func customerTicketReturnLoyalty() async throws {
            try await SuiteProcesses.run { suite in
                let http = suite.http
                let admin = suite.adminKey

                let created = try await http.post(
                    "/v1/customers", key: admin,
                    json: ["email": "ada@example.com", "name": "Ada Lovelace", "phone": "+442079460000"])
                try #require(created.status == 201, "\(created)")
                let customerID = try #require(created.string("id"))
                #expect(created.string("email") == "ada@example.com")
                #expect(created.string("name") == "Ada Lovelace")

                let found = try await http.get("/v1/customers?email=ada@example.com", key: admin)
                try #require(found.status == 200, "\(found)")
                #expect(found.string("id") == customerID)

                let opened = try await http.post(
                    "/v1/tickets", key: admin,
                    json: [
                        "customer_id": customerID, "subject": "Parcel not delivered",
                        "message": "My order #1001 has not arrived.", "channel": "email", "priority": "high",
                    ], idempotencyKey: "walkthrough-ticket-1")
                try #require(opened.status == 201, "\(opened)")
                let ticketID = try #require(opened.string("id"))
                #expect(opened.string("status") == "new" || opened.string("status") == "open")
                #expect(opened.object?["number"] is Int)

                let read = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                try #require(read.status == 200, "\(read)")
                #expect(read.string("subject") == "Parcel not delivered")
                #expect(read.string("customer_id")?.lowercased() == customerID.lowercased())
                let messages = try #require(read.object?["messages"] as? [[String: Any]], "\(read)")
                try #require(messages.count == 1)
                #expect(messages[0]["body"] as? String == "My order #1001 has not arrived.")
                #expect(messages[0]["author_type"] as? String == "customer")

                let listed = try await http.get("/v1/customers/\(customerID)/tickets?limit=10", key: admin)
                try #require(listed.status == 200, "\(listed)")
                let items = try #require(listed.object?["items"] as? [[String: Any]], "\(listed)")
                #expect(items.compactMap { $0["id"] as? String } == [ticketID])

                let reply = try await http.post(
                    "/v1/tickets/\(ticketID)/messages", key: admin,
                    json: ["body": "Sorry! A replacement ships today.", "public": true])
                try #require(reply.status == 201, "\(reply)")
                #expect(reply.string("author_type") == "agent")
                let reread = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                #expect((reread.object?["messages"] as? [Any])?.count == 2, "\(reread)")

                let returned = try await http.post(
                    "/v1/returns", key: admin,
                    json: [
                        "customer_id": customerID, "order_reference": "1001", "reason": "arrived damaged",
                        "lines": [["sku": "MUG-BLUE", "quantity": 2]],
                    ], idempotencyKey: "walkthrough-return-1")
                try #require(returned.status == 201, "\(returned)")
                let returnID = try #require(returned.string("id"))
                #expect(returned.string("status") == "requested")
                let readReturn = try await http.get("/v1/returns/\(returnID)", key: admin)
                try #require(readReturn.status == 200, "\(readReturn)")
                let lines = readReturn.object?["lines"] as? [[String: Any]]
                #expect(lines?.first?["sku"] as? String == "MUG-BLUE", "\(readReturn)")
                #expect(lines?.first?["quantity"] as? Int == 2, "\(readReturn)")

                let loyalty = try await http.get("/v1/customers/\(customerID)/loyalty", key: admin)
                try #require(loyalty.status == 200, "\(loyalty)")
                #expect(loyalty.object?["available"] as? Int == 0)
                #expect(loyalty.object?["pending"] as? Int == 0)
                #expect(loyalty.object?["lifetime"] as? Int == 0)

                // Assign the ticket to an agent (the ETag guards against a colleague's edit), then solve it.
                let agent = try await http.post(
                    "/v1/agents", key: admin, json: ["name": "Grace Hopper", "email": "grace@shop.example"],
                    idempotencyKey: "walkthrough-agent-1")
                try #require(agent.status == 201, "\(agent)")
                let etag = try #require(reread.header("ETag"), "\(reread.headers)")
                let assigned = try await http.request(
                    "PATCH", "/v1/tickets/\(ticketID)", key: admin,
                    json: ["assignee_id": try #require(agent.string("id")), "priority": "urgent"],
                    headers: ["If-Match": etag])
                try #require(assigned.status == 200, "\(assigned)")
                #expect(assigned.string("status") == "open")
                #expect(assigned.header("ETag") == "\"2\"")
                let stale = try await http.request(
                    "PATCH", "/v1/tickets/\(ticketID)", key: admin, json: ["priority": "low"],
                    headers: ["If-Match": etag])
                #expect(stale.status == 412, "\(stale)")
                let solved = try await http.post("/v1/tickets/\(ticketID)/solve", key: admin, json: [String: Any]())
                try #require(solved.status == 200, "\(solved)")
                #expect(solved.string("status") == "solved")

                #expect(try await suite.count("customers.customers") == 1)
                // The ticket, and the one the return opened (a return always belongs to a ticket).
                #expect(try await suite.count("tickets.tickets") == 2)
                // The two messages and the return ticket's request, besides the system events.
                #expect(try await suite.count("tickets.messages WHERE author_type <> 'system'") == 3)
                #expect(try await suite.count("returns.returns") == 1)
            }
        }
    }
}

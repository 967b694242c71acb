import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// Bearer keys and roles, through the real gateway.
    @Suite struct Auth {
        @Test func keysAndRoles() async throws {
            try await SuiteProcesses.run { suite in
                let http = suite.http
                let alice = try await suite.createCustomer()
                let bob = try await suite.createCustomer()
                let aliceTicket = try await suite.openTicket(customerID: alice)
                let bobTicket = try await suite.openTicket(customerID: bob)

                // No key: 401 problem with a Bearer challenge.
                let anonymous = try await http.get("/v1/customers/\(alice)", key: nil)
                #expect(anonymous.status == 401, "\(anonymous)")
                #expect(anonymous.isProblem, "\(anonymous.headers)")
                #expect(anonymous.code == "unauthorized")
                #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(anonymous.headers)")

                // A key nobody issued: 401.
                let unknown = try await http.get("/v1/customers/\(alice)", key: "ck_not-a-real-key-0000000000000000")
                #expect(unknown.status == 401, "\(unknown)")
                #expect(unknown.isProblem)
                #expect(unknown.code == "unauthorized")
                let malformed = try await http.request(
                    "GET", "/v1/customers/\(alice)", headers: ["Authorization": "Basic YWRtaW46YWRtaW4="])
                #expect(malformed.status == 401, "\(malformed)")

                // Agents may not create keys.
                let agent = try await suite.createKey(role: "agent")
                let keysBefore = try await suite.count("gateway.api_keys")
                let agentKey = try await http.post("/v1/api-keys", key: agent, json: ["name": "x", "role": "admin"])
                #expect(agentKey.status == 403, "\(agentKey)")
                #expect(agentKey.isProblem)
                #expect(agentKey.code == "forbidden")
                #expect(try await suite.count("gateway.api_keys") == keysBefore)
                // ... but may read any customer.
                #expect(try await http.get("/v1/customers/\(bob)", key: agent).status == 200)

                // A customer key sees its own customer and tickets, and nothing of anyone else's.
                let aliceKey = try await suite.createKey(role: "customer", customerID: alice)
                let own = try await http.get("/v1/customers/\(alice)", key: aliceKey)
                #expect(own.status == 200, "\(own)")
                #expect(own.string("id") == alice)
                let ownList = try await http.get("/v1/customers/\(alice)/tickets", key: aliceKey)
                #expect(ownList.status == 200, "\(ownList)")
                let listed = (ownList.object?["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(listed == [aliceTicket], "\(ownList)")
                let ownTicket = try await http.get("/v1/tickets/\(aliceTicket)", key: aliceKey)
                #expect(ownTicket.status == 200, "\(ownTicket)")

                for path in ["/v1/customers/\(bob)", "/v1/customers/\(bob)/tickets", "/v1/tickets/\(bobTicket)"] {
                    let foreign = try await http.get(path, key: aliceKey)
                    #expect(foreign.status == 403, "\(path): \(foreign)")
                    #expect(foreign.isProblem, "\(path)")
                    #expect(foreign.code == "forbidden", "\(path)")
                }

                // Nor may it write into another customer's records.
                let counts = try await suite.rowCounts()
                let foreignTicket = try await http.post(
                    "/v1/tickets", key: aliceKey,
                    json: ["customer_id": bob, "subject": "hi", "message": "as Bob", "channel": "web_form"])
                #expect(foreignTicket.status == 403, "\(foreignTicket)")
                let foreignMessage = try await http.post(
                    "/v1/tickets/\(bobTicket)/messages", key: aliceKey, json: ["body": "as Bob"])
                #expect(foreignMessage.status == 403, "\(foreignMessage)")
                let customerCreatesKey = try await http.post(
                    "/v1/api-keys", key: aliceKey, json: ["name": "x", "role": "admin"])
                #expect(customerCreatesKey.status == 403, "\(customerCreatesKey)")
                #expect(try await suite.rowCounts() == counts)
            }
        }
    }
}

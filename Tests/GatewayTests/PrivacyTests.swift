import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Gateway privacy routes", needsDatabase)
struct GatewayPrivacyTests {
    @Test("export bundles all four services; erase answers 202 once; status; agents refused")
    func exportAndErase() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(
                .post, "/v1/customers", json: #"{"email":"ada@example.com","name":"Ada Lovelace"}"#)
            let id = try #require(customer.object["id"] as? String)
            let ticket = try await client.send(
                .post, "/v1/tickets",
                json: #"{"customer_id":"\#(id)","subject":"Lost parcel","message":"Hello","channel":"email"}"#)
            #expect(ticket.status == .created)
            let agent = try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            let agentKey = try #require(agent.object["secret"] as? String)

            let export = try await client.send(.get, "/v1/customers/\(id)/export")
            #expect(export.status == .ok)
            #expect(export.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            let bundle = export.object
            #expect(bundle["format"] as? String == "concierge.customer-export/1")
            #expect(bundle["customer_id"] as? String == id)
            let services = try #require(bundle["services"] as? [String: Any])
            #expect(Set(services.keys) == ["customers", "tickets", "returns", "loyalty"])
            let tickets = (services["tickets"] as? [String: Any])?["tickets"] as? [[String: Any]]
            #expect(tickets?.first?["subject"] as? String == "Lost parcel")
            let profile = (services["customers"] as? [String: Any])?["profile"] as? [String: Any]
            #expect(profile?["email"] as? String == "ada@example.com")

            #expect(try await client.send(.get, "/v1/customers/\(id)/export", key: agentKey).status == .forbidden)
            #expect(try await client.send(.get, "/v1/customers/\(UUID())/export").status == .notFound)
            #expect(try await client.send(.get, "/v1/customers/not-a-uuid/export").status == .badRequest)

            #expect(try await client.send(.get, "/v1/customers/\(id)/erasure").status == .notFound)
            let refused = try await client.send(.post, "/v1/customers/\(id)/erase", key: agentKey, json: "{}")
            #expect(refused.status == .forbidden)
            let bad = try await client.send(.post, "/v1/customers/\(id)/erase", json: #"{"reason":5}"#)
            #expect(bad.status.code == 422 || bad.status.code == 400)
            let unknownField = try await client.send(.post, "/v1/customers/\(id)/erase", json: #"{"why":"x"}"#)
            #expect(unknownField.status.code == 422 || unknownField.status.code == 400)

            let headers: HTTPFields = [.idempotencyKey: "erase-ada"]
            let erased = try await client.send(
                .post, "/v1/customers/\(id)/erase", json: #"{"reason":"customer asked"}"#, headers: headers)
            #expect(erased.status == .accepted)
            let erasureID = try #require(erased.object["erasure_id"] as? String)
            let again = try await client.send(.post, "/v1/customers/\(id)/erase", json: "{}")
            #expect(again.status == .accepted)
            #expect(again.object["erasure_id"] as? String == erasureID)

            var complete = false
            for _ in 0..<200 where !complete {
                let status = try await client.send(.get, "/v1/customers/\(id)/erasure")
                #expect(status.status == .ok)
                #expect(status.object["erasure_id"] as? String == erasureID)
                complete = status.object["complete"] as? Bool == true
                if !complete { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(complete)
            let after = try await client.send(.get, "/v1/customers/\(id)/export")
            let afterServices = after.object["services"] as? [String: Any]
            let afterTickets = (afterServices?["tickets"] as? [String: Any])?["tickets"] as? [[String: Any]]
            #expect(afterTickets?.first?["subject"] as? String == "[erased]")
        }
    }

    @Test("data requests: listed for admins, completed once, unknown ids 404")
    func dataRequests() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let empty = try await client.send(.get, "/v1/data-requests")
            #expect(empty.status == .ok)
            #expect((empty.object["items"] as? [Any])?.isEmpty == true)
            let store = UUID()
            let requestID = UUID()
            let inserted = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                WITH x AS (INSERT INTO customers.data_requests (id, store_id, delivery_id)
                           VALUES ('\(requestID)', '\(store)', '\(UUID())') RETURNING 1)
                SELECT count(*) FROM x
                """)
            #expect(inserted == 1)
            let open = try await client.send(.get, "/v1/data-requests?status=open")
            let items = open.object["items"] as? [[String: Any]]
            #expect(items?.count == 1)
            #expect(items?.first?["status"] as? String == "open")
            #expect(try await client.send(.get, "/v1/data-requests?status=weird").status.code == 422)

            let agent = try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            let agentKey = try #require(agent.object["secret"] as? String)
            #expect(try await client.send(.get, "/v1/data-requests", key: agentKey).status == .forbidden)
            #expect(
                try await client.send(.post, "/v1/data-requests/\(requestID)/complete", key: agentKey).status
                    == .forbidden)

            let done = try await client.send(.post, "/v1/data-requests/\(requestID)/complete")
            #expect(done.status == .ok)
            #expect(done.object["status"] as? String == "completed")
            let completedAt = done.object["completed_at"] as? String
            let twice = try await client.send(.post, "/v1/data-requests/\(requestID)/complete")
            #expect(twice.object["completed_at"] as? String == completedAt)
            #expect(try await client.send(.post, "/v1/data-requests/\(UUID())/complete").status == .notFound)
            let remaining = try await client.send(.get, "/v1/data-requests?status=open")
            #expect((remaining.object["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a data request's export is the customer's bundle; one without a known customer is an empty bundle")
    func dataRequestExport() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(
                .post, "/v1/customers", json: #"{"email":"grace@example.com","name":"Grace Hopper"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let known = UUID()
            let unknown = UUID()
            let inserted = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                WITH x AS (INSERT INTO customers.data_requests (id, store_id, delivery_id, customer_id)
                           VALUES ('\(known)', '\(UUID())', '\(UUID())', '\(customerID)'),
                                  ('\(unknown)', '\(UUID())', '\(UUID())', NULL) RETURNING 1)
                SELECT count(*) FROM x
                """)
            #expect(inserted == 2)

            let export = try await client.send(.get, "/v1/data-requests/\(known)/export")
            #expect(export.status == .ok)
            #expect(export.headers[.contentDisposition]?.contains("data-request-") == true)
            #expect(export.object["data_request_id"] as? String == known.uuidString)
            #expect(export.object["customer_id"] as? String == customerID)
            let services = try #require(export.object["services"] as? [String: Any])
            #expect(Set(services.keys) == ["customers", "tickets", "returns", "loyalty"])
            let profile = (services["customers"] as? [String: Any])?["profile"] as? [String: Any]
            #expect(profile?["email"] as? String == "grace@example.com")

            let nothing = try await client.send(.get, "/v1/data-requests/\(unknown)/export")
            #expect(nothing.status == .ok)
            #expect(nothing.object["customer_id"] is NSNull)
            #expect((nothing.object["services"] as? [String: Any])?.isEmpty == true)

            #expect(try await client.send(.get, "/v1/data-requests/\(UUID())/export").status == .notFound)
            #expect(try await client.send(.get, "/v1/data-requests/nope/export").status == .badRequest)
            let agent = try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            let agentKey = try #require(agent.object["secret"] as? String)
            #expect(
                try await client.send(.get, "/v1/data-requests/\(known)/export", key: agentKey).status == .forbidden)
        }
    }
}

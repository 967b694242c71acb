import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Authentication and roles", needsDatabase)
struct AuthenticationTests {
    @Test("no key, a malformed header and an unknown key are 401 problems with a Bearer challenge")
    func unauthorized() async throws {
        try await GatewayHarness.run { context in
            for key in [nil, "not-a-real-key"] as [String?] {
                let response = try await context.client.send(.get, "/v1/customers?email=a@b.co", key: key)
                #expect(response.status == .unauthorized)
                #expect(response.problemCode == "unauthorized")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            let malformed = try await context.client.send(
                .get, "/v1/customers?email=a@b.co", key: nil, headers: [.authorization: "Basic abc"])
            #expect(malformed.status == .unauthorized)
        }
    }

    @Test("an agent may not create keys; an admin may")
    func roles() async throws {
        try await GatewayHarness.run { context in
            let created = try await context.client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            #expect(created.status == .created)
            let agentKey = try #require(created.object["secret"] as? String)
            let refused = try await context.client.send(
                .post, "/v1/api-keys", key: agentKey, json: #"{"name":"x","role":"admin"}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.problemCode == "forbidden")
            let allowed = try await context.client.send(
                .post, "/v1/customers", key: agentKey, json: #"{"email":"agent-made@example.com"}"#)
            #expect(allowed.status == .created)
        }
    }

    @Test("a customer key sees its own data and nobody else's")
    func customerScope() async throws {
        try await GatewayHarness.run { context in
            let alice = try await context.client.send(.post, "/v1/customers", json: #"{"email":"alice@example.com"}"#)
            let bob = try await context.client.send(.post, "/v1/customers", json: #"{"email":"bob@example.com"}"#)
            let aliceID = try #require(alice.object["id"] as? String)
            let bobID = try #require(bob.object["id"] as? String)
            let key = try await context.client.send(
                .post, "/v1/api-keys", json: #"{"name":"alice portal","role":"customer","customer_id":"\#(aliceID)"}"#)
            let aliceKey = try #require(key.object["secret"] as? String)

            #expect(try await context.client.send(.get, "/v1/customers/\(aliceID)", key: aliceKey).status == .ok)
            let other = try await context.client.send(.get, "/v1/customers/\(bobID)", key: aliceKey)
            #expect(other.status == .forbidden)

            let own = try await context.client.send(
                .post, "/v1/tickets", key: aliceKey,
                json:
                    #"{"customer_id":"\#(aliceID)","subject":"Where is my parcel?","message":"Order 1001","channel":"self_service"}"#
            )
            #expect(own.status == .created)
            let forged = try await context.client.send(
                .post, "/v1/tickets", key: aliceKey,
                json: #"{"customer_id":"\#(bobID)","subject":"x","message":"y","channel":"self_service"}"#)
            #expect(forged.status == .forbidden)
            let list = try await context.client.send(.get, "/v1/customers/\(bobID)/tickets", key: aliceKey)
            #expect(list.status == .forbidden)
            let createCustomer = try await context.client.send(
                .post, "/v1/customers", key: aliceKey, json: #"{"email":"mallory@example.com"}"#)
            #expect(createCustomer.status == .forbidden)
        }
    }

    @Test("a customer key needs an existing customer")
    func customerKeyForUnknownCustomer() async throws {
        try await GatewayHarness.run { context in
            let response = try await context.client.send(
                .post, "/v1/api-keys",
                json: #"{"name":"ghost","role":"customer","customer_id":"\#(UUID().uuidString)"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemCode == "validation_failed")
        }
    }
}

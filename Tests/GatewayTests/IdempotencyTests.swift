import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Idempotency-Key at the gateway", needsDatabase)
struct IdempotencyTests {
    @Test("the same key and body replays the first reply and creates one record")
    func replay() async throws {
        try await GatewayHarness.run { context in
            let body = #"{"email":"once@example.com","name":"Once"}"#
            let first = try await context.client.send(
                .post, "/v1/customers", json: body, headers: [.idempotencyKey: "create-once"])
            let second = try await context.client.send(
                .post, "/v1/customers", json: body, headers: [.idempotencyKey: "create-once"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.object["id"] as? String == second.object["id"] as? String)
            let count = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM customers.customers")
            #expect(count == 1)
        }
    }

    @Test("the same key with another body is refused and writes nothing")
    func conflict() async throws {
        try await GatewayHarness.run { context in
            _ = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"first@example.com"}"#, headers: [.idempotencyKey: "k1"])
            let reused = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"second@example.com"}"#, headers: [.idempotencyKey: "k1"])
            #expect(reused.status == .unprocessableContent)
            #expect(reused.problemCode == "idempotency_conflict")
            let count = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM customers.customers")
            #expect(count == 1)
        }
    }

    @Test("keys are scoped to the API key that sent them")
    func scopedPerCaller() async throws {
        try await GatewayHarness.run { context in
            let created = try await context.client.send(.post, "/v1/api-keys", json: #"{"name":"b","role":"agent"}"#)
            let otherKey = try #require(created.object["secret"] as? String)
            let a = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"a@example.com"}"#, headers: [.idempotencyKey: "same"])
            let b = try await context.client.send(
                .post, "/v1/customers", key: otherKey, json: #"{"email":"b@example.com"}"#,
                headers: [.idempotencyKey: "same"])
            #expect(a.status == .created)
            #expect(b.status == .created)
            #expect(a.object["id"] as? String != b.object["id"] as? String)
        }
    }
}

@Suite("Idempotency-Key on API keys", needsDatabase)
struct APIKeyIdempotencyTests {
    @Test("a replay creates no second key and never shows the secret again")
    func replayWithoutSecret() async throws {
        try await GatewayHarness.run { context in
            let body = #"{"name":"helpdesk","role":"agent"}"#
            let first = try await context.client.send(
                .post, "/v1/api-keys", json: body, headers: [.idempotencyKey: "key-1"])
            let second = try await context.client.send(
                .post, "/v1/api-keys", json: body, headers: [.idempotencyKey: "key-1"])
            #expect(first.status == .created)
            #expect(first.object["secret"] is String)
            #expect(second.status == .created)
            #expect(second.object["secret"] == nil)
            #expect(first.object["id"] as? String == second.object["id"] as? String)
            let keys = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM gateway.api_keys WHERE name = 'helpdesk'")
            #expect(keys == 1)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Health and readiness", needsDatabase)
struct HealthTests {
    @Test("healthz answers without a key; readyz reports every service live")
    func healthAndReady() async throws {
        try await GatewayHarness.run { context in
            let health = try await context.client.send(.get, "/healthz", key: nil)
            #expect(health.status == .ok)
            #expect(health.headers[.requestID] != nil)
            let echoed = try await context.client.send(
                .get, "/v1/nothing", key: nil, headers: [.requestID: "trace-me-42"])
            #expect(echoed.status == .notFound)
            #expect(echoed.headers[.requestID] == "trace-me-42")
            let ready = try await context.client.send(.get, "/readyz", key: nil)
            #expect(ready.status == .ok)
            let services = ready.object["services"] as? [String: String]
            #expect(services == ["customers": "ok", "tickets": "ok", "returns": "ok", "loyalty": "ok"])
            #expect(ready.object["database"] as? String == "ok")
        }
    }

    @Test("readyz names the service that has no live worker")
    func readyNamesMissingService() async throws {
        try await GatewayHarness.run(services: ["customers", "tickets", "loyalty"]) { context in
            let ready = try await context.client.send(.get, "/readyz", key: nil)
            #expect(ready.status == .serviceUnavailable)
            let services = ready.object["services"] as? [String: String]
            #expect(services?["returns"] == "no live worker")
            #expect(services?["tickets"] == "ok")
        }
    }

    @Test("metrics are served in Prometheus text format")
    func metrics() async throws {
        try await GatewayHarness.run { context in
            _ = try await context.client.send(.get, "/healthz", key: nil)
            let metrics = try await context.client.send(.get, "/metrics", key: nil)
            #expect(metrics.status == .ok)
            #expect(String(buffer: metrics.body).contains("hb_requests"))
        }
    }
}

import Foundation
import GatewayApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceRuntime
import TestSupport
import Testing

/// Runs the real gateway application (Hummingbird's router test client, no sockets for HTTP) against the in-process
/// broker and services on a fresh database.
enum GatewayHarness {
    static let adminKey = "ck_test_admin_key_0123456789abcdefghijkl"

    struct Context: Sendable {
        let client: any TestClientProtocol
        let databaseURL: String
    }

    static func run(
        services: [String] = InProcessSuite.allServices, environment: [String: String] = [:],
        _ body: @Sendable (Context) async throws -> Void
    ) async throws {
        let databaseURL = try await TestDatabase.create(prefix: "gw")
        try await InProcessSuite.run(databaseURL: databaseURL, services: services, environment: environment) { suite in
            var values = environment
            values["CONCIERGE_DATABASE_URL"] = databaseURL
            values["CONCIERGE_BROKER_ENDPOINT"] = suite.brokerEndpoint
            values["CONCIERGE_BOOTSTRAP_ADMIN_KEY"] = adminKey
            values["CONCIERGE_HTTP_PORT"] = "0"
            values["CONCIERGE_DB_POOL_SIZE"] = "4"
            let configuration = try GatewayConfiguration(environment: EnvironmentReader(values))
            var logger = Logger(label: "test.gateway")
            logger.logLevel = .warning
            let app = try buildApplication(configuration: configuration, logger: logger)
            try await app.test(.router) { client in
                try await body(Context(client: client, databaseURL: databaseURL))
            }
        }
    }
}

/// Small helpers for JSON requests and problem assertions.
extension TestClientProtocol {
    func send(
        _ method: HTTPRequest.Method, _ path: String, key: String? = GatewayHarness.adminKey, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(
            uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The problem `code` of a problem response.
    var problemCode: String? {
        headers[.contentType] == "application/problem+json" ? object["code"] as? String : nil
    }
}

/// Integration tests need the throwaway PostgreSQL that `make test` starts.
let needsDatabase = Testing.ConditionTrait.enabled(
    if: TestDatabase.isConfigured, "set CONCIERGE_TEST_DATABASE_URL (make test does)")

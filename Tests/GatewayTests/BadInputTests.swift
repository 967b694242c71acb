import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Bad input gets a clear problem and changes nothing", needsDatabase)
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var body: String
        var contentType: String = "application/json"
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "malformed JSON", path: "/v1/customers", body: #"{"email": "#, status: .badRequest,
            code: "malformed_json"),
        Case(name: "array body", path: "/v1/customers", body: "[1,2]", status: .badRequest, code: "malformed_json"),
        Case(
            name: "wrong type", path: "/v1/customers", body: #"{"email": 42}"#, status: .unprocessableContent,
            code: "validation_failed"),
        Case(
            name: "unknown field", path: "/v1/customers", body: #"{"email":"x@example.com","admin":true}"#,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "missing field", path: "/v1/customers", body: #"{"name":"No Email"}"#, status: .unprocessableContent,
            code: "validation_failed"),
        Case(
            name: "invalid email", path: "/v1/customers", body: #"{"email":"not-an-email"}"#,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "wrong media type", path: "/v1/customers", body: "email=x",
            contentType: "application/x-www-form-urlencoded", status: .unsupportedMediaType,
            code: "unsupported_media_type"),
        Case(
            name: "oversize body", path: "/v1/customers",
            body: #"{"email":"big@example.com","name":""# + String(repeating: "x", count: 5_000) + #""}"#,
            status: .contentTooLarge, code: "body_too_large"),
        Case(
            name: "unknown customer on a ticket", path: "/v1/tickets",
            body:
                #"{"customer_id":"6c1b3b5e-0d7a-4a53-9b8e-2f1f2b0e8c11","subject":"s","message":"m","channel":"email"}"#,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "unknown channel", path: "/v1/tickets",
            body:
                #"{"customer_id":"6c1b3b5e-0d7a-4a53-9b8e-2f1f2b0e8c11","subject":"s","message":"m","channel":"fax"}"#,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "NUL in text", path: "/v1/customers", body: #"{"email":"nul@example.com","name":"a\u0000b"}"#,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "unknown nested field", path: "/v1/returns",
            body:
                ##"{"customer_id":"6c1b3b5e-0d7a-4a53-9b8e-2f1f2b0e8c11","order_reference":"#1","reason":"r","lines":[{"sku":"A","quantity":1,"price":5}]}"##,
            status: .unprocessableContent, code: "validation_failed"),
        Case(
            name: "empty return", path: "/v1/returns",
            body:
                ##"{"customer_id":"6c1b3b5e-0d7a-4a53-9b8e-2f1f2b0e8c11","order_reference":"#1001","reason":"too small","lines":[]}"##,
            status: .unprocessableContent, code: "validation_failed"),
    ]

    @Test("POST with bad input", arguments: cases)
    func badPost(_ item: Case) async throws {
        try await GatewayHarness.run(environment: ["CONCIERGE_MAX_BODY_BYTES": "4096"]) { context in
            let response = try await context.client.send(
                .post, item.path, json: item.body, headers: [.contentType: item.contentType])
            #expect(response.status == item.status)
            #expect(response.problemCode == item.code)
            #expect(response.object["title"] is String)
            for table in ["customers.customers", "tickets.tickets", "returns.returns", "customers.idempotency_keys"] {
                let count = try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM \(table)")
                #expect(count == 0, "\(table) has rows after a refused request")
            }
        }
    }

    @Test("unknown ids are 404 and malformed ids 400")
    func ids() async throws {
        try await GatewayHarness.run { context in
            let unknown = UUID().uuidString
            for path in [
                "/v1/customers/\(unknown)", "/v1/tickets/\(unknown)", "/v1/returns/\(unknown)",
                "/v1/customers/\(unknown)/loyalty",
            ] {
                let response = try await context.client.send(.get, path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.problemCode == "not_found")
            }
            let malformed = try await context.client.send(.get, "/v1/tickets/not-a-uuid")
            #expect(malformed.status == .badRequest)
            #expect(malformed.problemCode == "invalid_id")
            let noRoute = try await context.client.send(.get, "/v1/nothing-here")
            #expect(noRoute.status == .notFound)
            #expect(noRoute.headers[.contentType] == "application/problem+json")
        }
    }
}

import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// Bad input of every kind: each answered with a 4xx problem carrying a code, and nothing written.
    @Suite struct BadInput {
        struct Case: CustomStringConvertible {
            var name: String
            var method = "POST"
            var path: String
            var body: Data?
            var contentType = "application/json"
            var headers: [String: String] = [:]
            var status: Int
            var code: String?
            var field: String?

            var description: String { name }
        }

        func json(_ text: String) -> Data { Data(text.utf8) }

        @Test func everyKindOfBadInputIsRefusedAndWritesNothing() async throws {
            try await SuiteProcesses.run(gatewayEnvironment: ["CONCIERGE_MAX_BODY_BYTES": "4096"]) { suite in
                let customer = try await suite.createCustomer()
                let ticket = try await suite.openTicket(customerID: customer)
                let unknown = UUID().uuidString.lowercased()
                let reusedKey = "e2e-reused-\(UUID().uuidString)"
                let first = try await suite.http.post(
                    "/v1/customers", key: suite.adminKey, json: ["email": "first@example.com"],
                    idempotencyKey: reusedKey)
                try #require(first.status == 201, "\(first)")

                let validTicket = #"{"customer_id":"\#(customer)","subject":"s","message":"m","channel":"email"}"#
                let huge = String(repeating: "x", count: 5000)
                let cases: [Case] = [
                    Case(
                        name: "malformed JSON", path: "/v1/customers", body: json(#"{"email": "a@example.com""#),
                        status: 400, code: "malformed_json"),
                    Case(
                        name: "malformed JSON (message)", path: "/v1/tickets/\(ticket)/messages",
                        body: json(#"{"body": "#), status: 400, code: "malformed_json"),
                    Case(
                        name: "JSON array body", path: "/v1/customers", body: json(#"[{"email":"a@example.com"}]"#),
                        status: 400, code: "malformed_json"),
                    Case(
                        name: "JSON array body (message)", path: "/v1/tickets/\(ticket)/messages",
                        body: json(#"["hello"]"#), status: 400, code: "malformed_json"),
                    Case(
                        name: "JSON scalar body", path: "/v1/tickets", body: json("42"), status: 400,
                        code: "malformed_json"),
                    Case(
                        name: "wrong type: subject is a number", path: "/v1/tickets",
                        body: json(
                            #"{"customer_id":"\#(customer)","subject":42,"message":"m","channel":"email"}"#),
                        status: 422, code: "validation_failed", field: "subject"),
                    Case(
                        name: "wrong type: customer_id is not a UUID", path: "/v1/tickets",
                        body: json(#"{"customer_id":"nope","subject":"s","message":"m","channel":"email"}"#),
                        status: 422, code: "validation_failed", field: "customer_id"),
                    Case(
                        name: "wrong type: quantity is a string", path: "/v1/returns",
                        body: json(
                            #"{"customer_id":"\#(customer)","order_reference":"1","reason":"r","lines":[{"sku":"A","quantity":"two"}]}"#
                        ), status: 422, code: "validation_failed", field: "lines[0].quantity"),
                    Case(
                        name: "wrong value: unknown channel", path: "/v1/tickets",
                        body: json(
                            #"{"customer_id":"\#(customer)","subject":"s","message":"m","channel":"pigeon"}"#),
                        status: 422, code: "validation_failed", field: "channel"),
                    Case(
                        name: "unknown field", path: "/v1/customers",
                        body: json(#"{"email":"b@example.com","nickname":"bee"}"#), status: 422,
                        code: "validation_failed", field: "nickname"),
                    Case(
                        name: "missing field: message", path: "/v1/tickets",
                        body: json(#"{"customer_id":"\#(customer)","subject":"s","channel":"email"}"#), status: 422,
                        code: "validation_failed", field: "message"),
                    Case(
                        name: "missing field: email", path: "/v1/customers", body: json(#"{"name":"No Email"}"#),
                        status: 422, code: "validation_failed", field: "email"),
                    Case(
                        name: "missing field: body", path: "/v1/tickets/\(ticket)/messages", body: json("{}"),
                        status: 422, code: "validation_failed", field: "body"),
                    Case(
                        name: "oversize body", path: "/v1/customers",
                        body: json(#"{"email":"c@example.com","name":"\#(huge)"}"#), status: 413,
                        code: "body_too_large"),
                    Case(
                        name: "oversize body (message)", path: "/v1/tickets/\(ticket)/messages",
                        body: json(#"{"body":"\#(huge)"}"#), status: 413, code: "body_too_large"),
                    Case(
                        name: "unknown ticket", method: "GET", path: "/v1/tickets/\(unknown)", status: 404,
                        code: "not_found"),
                    Case(
                        name: "unknown customer", method: "GET", path: "/v1/customers/\(unknown)", status: 404,
                        code: "not_found"),
                    Case(
                        name: "unknown customer's loyalty", method: "GET", path: "/v1/customers/\(unknown)/loyalty",
                        status: 404, code: "not_found"),
                    Case(
                        name: "unknown return", method: "GET", path: "/v1/returns/\(unknown)", status: 404,
                        code: "not_found"),
                    Case(
                        name: "message to unknown ticket", path: "/v1/tickets/\(unknown)/messages",
                        body: json(#"{"body":"hello"}"#), status: 404, code: "not_found"),
                    Case(
                        name: "ticket for unknown customer", path: "/v1/tickets",
                        body: json(#"{"customer_id":"\#(unknown)","subject":"s","message":"m","channel":"email"}"#),
                        status: 422, code: "validation_failed", field: "customer_id"),
                    Case(
                        name: "return for unknown customer", path: "/v1/returns",
                        body: json(
                            #"{"customer_id":"\#(unknown)","order_reference":"1","reason":"r","lines":[{"sku":"A","quantity":1}]}"#
                        ), status: 422, code: "validation_failed", field: "customer_id"),
                    Case(
                        name: "invalid UUID in path", method: "GET", path: "/v1/tickets/not-a-uuid", status: 400,
                        code: "invalid_id"),
                    Case(
                        name: "invalid UUID in path (tickets list)", method: "GET",
                        path: "/v1/customers/12345/tickets", status: 400, code: "invalid_id"),
                    Case(
                        name: "invalid UUID in path (message)", path: "/v1/tickets/zzz/messages",
                        body: json(#"{"body":"hello"}"#), status: 400, code: "invalid_id"),
                    Case(
                        name: "wrong Content-Type", path: "/v1/tickets", body: json(validTicket),
                        contentType: "text/plain", status: 415, code: "unsupported_media_type"),
                    Case(
                        name: "wrong Content-Type (form)", path: "/v1/customers", body: json("email=d@example.com"),
                        contentType: "application/x-www-form-urlencoded", status: 415,
                        code: "unsupported_media_type"),
                    Case(
                        name: "Idempotency-Key reused with a different body", path: "/v1/customers",
                        body: json(#"{"email":"second@example.com"}"#), headers: ["Idempotency-Key": reusedKey],
                        status: 422, code: "idempotency_conflict"),
                    Case(
                        name: "limit is not a number", method: "GET",
                        path: "/v1/customers/\(customer)/tickets?limit=ten",
                        status: 422, code: "validation_failed", field: "limit"),
                    Case(
                        name: "no such route", method: "GET", path: "/v1/nothing-here", status: 404, code: "not_found"),
                ]

                // Accounts are opened asynchronously by customer.created: let the consumer catch up first, so the
                // snapshot only moves if a bad request wrote something.
                try await suite.waitForAccounts()
                let before = try await suite.rowCounts()
                for item in cases {
                    let response = try await suite.http.request(
                        item.method, item.path, key: suite.adminKey, body: item.body, contentType: item.contentType,
                        headers: item.headers)
                    #expect(response.status == item.status, "\(item): \(response)")
                    #expect(response.isProblem, "\(item): \(response.headers)")
                    #expect(response.code != nil, "\(item): \(response)")
                    if let code = item.code { #expect(response.code == code, "\(item): \(response)") }
                    if let field = item.field {
                        #expect(response.fieldErrors.contains(field), "\(item): \(response)")
                    }
                }
                let after = try await suite.rowCounts()
                #expect(after == before, "rows were written by bad requests")

                // The original request under the reused key still answers as before.
                let replay = try await suite.http.post(
                    "/v1/customers", key: suite.adminKey, json: ["email": "first@example.com"],
                    idempotencyKey: reusedKey)
                #expect(replay.status == 201, "\(replay)")
                #expect(replay.string("id") == first.string("id"))
            }
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Gateway: customer profiles, search, merge, consent, segments", needsDatabase)
struct GatewayCustomerProfileTests {
    @Test("GET and PATCH carry ETags; a stale If-Match is 412 with the current record")
    func etagAndIfMatch() async throws {
        try await GatewayHarness.run { context in
            let created = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"etag@example.com","name":"E"}"#)
            let id = try #require(created.object["id"] as? String)
            let got = try await context.client.send(.get, "/v1/customers/\(id)")
            #expect(got.headers[.eTag] == #""1""#)

            let patched = try await context.client.send(
                .patch, "/v1/customers/\(id)", json: #"{"first_name":"Eva","time_zone":"Europe/Paris"}"#,
                headers: [.ifMatch: #""1""#])
            #expect(patched.status == .ok)
            #expect(patched.headers[.eTag] == #""2""#)
            #expect(patched.object["first_name"] as? String == "Eva")

            let stale = try await context.client.send(
                .patch, "/v1/customers/\(id)", json: #"{"first_name":"Late"}"#, headers: [.ifMatch: #""1""#])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.problemCode == "version_mismatch")
            #expect(stale.headers[.eTag] == #""2""#)
            let current = try #require(stale.object["current"] as? [String: Any])
            #expect(current["first_name"] as? String == "Eva")

            let badHeader = try await context.client.send(
                .patch, "/v1/customers/\(id)", json: #"{"first_name":"X"}"#, headers: [.ifMatch: "yesterday"])
            #expect(badHeader.status == .badRequest)
            let badZone = try await context.client.send(
                .patch, "/v1/customers/\(id)", json: #"{"time_zone":"Nowhere/Land"}"#)
            #expect(badZone.status == .unprocessableContent)
        }
    }

    @Test("search by q, resolve, merge and consents over HTTP; customer keys are limited")
    func profileRoutes() async throws {
        try await GatewayHarness.run { context in
            let resolved = try await context.client.send(
                .post, "/v1/customers/resolve", json: #"{"email":"Zed@Example.com","name":"Zed Zulu"}"#)
            #expect(resolved.status == .ok)
            #expect(resolved.object["created"] as? Bool == true)
            let zed = try #require((resolved.object["customer"] as? [String: Any])?["id"] as? String)
            let dup = try await context.client.send(
                .post, "/v1/customers/resolve", json: #"{"phone":"+1 415 555 0142"}"#)
            let dupID = try #require((dup.object["customer"] as? [String: Any])?["id"] as? String)

            let search = try await context.client.send(.get, "/v1/customers?q=zulu")
            #expect(search.status == .ok)
            let items = try #require(search.object["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [zed])
            #expect(try await context.client.send(.get, "/v1/customers?email=zed@example.com").status == .ok)
            #expect(try await context.client.send(.get, "/v1/customers").status == .badRequest)

            let merged = try await context.client.send(
                .post, "/v1/customers/\(zed)/merge", json: #"{"source_customer_id":"\#(dupID)"}"#)
            #expect(merged.status == .ok)
            #expect(merged.headers[.eTag] == #""2""#)
            let byPhone = try await context.client.send(.get, "/v1/customers?q=%2B14155550142")
            #expect((byPhone.object["items"] as? [[String: Any]])?.first?["id"] as? String == zed)

            let consent = try await context.client.send(
                .put, "/v1/customers/\(zed)/consents/email", json: #"{"granted":true,"legal_basis":"consent"}"#)
            #expect(consent.status == .ok)
            let consents = try #require(consent.object["consents"] as? [[String: Any]])
            #expect(consents.first?["channel"] as? String == "email")
            let badChannel = try await context.client.send(
                .put, "/v1/customers/\(zed)/consents/fax", json: #"{"granted":true,"legal_basis":"consent"}"#)
            #expect(badChannel.status == .unprocessableContent)

            let key = try await context.client.send(
                .post, "/v1/api-keys", json: #"{"name":"zed","role":"customer","customer_id":"\#(zed)"}"#)
            let customerKey = try #require(key.object["secret"] as? String)
            let own = try await context.client.send(
                .patch, "/v1/customers/\(zed)", key: customerKey, json: #"{"locale":"en-GB"}"#)
            #expect(own.status == .ok)
            let tags = try await context.client.send(
                .patch, "/v1/customers/\(zed)", key: customerKey, json: #"{"tags":["vip"]}"#)
            #expect(tags.status == .forbidden)
            let merge = try await context.client.send(
                .post, "/v1/customers/\(zed)/merge", key: customerKey, json: #"{"source_customer_id":"\#(dupID)"}"#)
            #expect(merge.status == .forbidden)
            #expect(try await context.client.send(.get, "/v1/segments", key: customerKey).status == .forbidden)
            let optOut = try await context.client.send(
                .put, "/v1/customers/\(zed)/consents/sms", key: customerKey,
                json: #"{"granted":false,"legal_basis":"consent","source":"portal"}"#)
            #expect(optOut.status == .ok)
        }
    }

    @Test("segments: define, list, members; strict rules")
    func segments() async throws {
        try await GatewayHarness.run { context in
            _ = try await context.client.send(
                .post, "/v1/customers", json: #"{"email":"seg@example.com"}"#)
            let defined = try await context.client.send(
                .put, "/v1/segments/no-orders", json: #"{"description":"never ordered","rule":{"max_orders":0}}"#)
            #expect(defined.status == .ok)
            let strict = try await context.client.send(
                .put, "/v1/segments/typo", json: #"{"rule":{"max_order":0}}"#)
            #expect(strict.status == .unprocessableContent)
            let list = try await context.client.send(.get, "/v1/segments")
            #expect(list.status == .ok)
            let members = try await context.client.send(.get, "/v1/segments/no-orders/customers?limit=10")
            #expect((members.object["items"] as? [[String: Any]])?.count == 1)
            #expect(try await context.client.send(.get, "/v1/segments/missing/customers").status == .notFound)
        }
    }
}

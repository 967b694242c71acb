import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Gateway: knowledge base", needsDatabase)
struct GatewayKnowledgeBaseTests {
    /// A customer and a `customer` key for them.
    func customerKey(_ client: any TestClientProtocol) async throws -> (id: String, key: String) {
        let created = try await client.send(.post, "/v1/customers", json: #"{"email":"kb-reader@example.com"}"#)
        let id = try #require(created.object["id"] as? String)
        let key = try await client.send(
            .post, "/v1/api-keys", json: #"{"name":"portal","role":"customer","customer_id":"\#(id)"}"#)
        return (id, try #require(key.object["secret"] as? String))
    }

    @Test("staff write; a customer key reads and searches published articles but cannot write")
    func roles() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let (_, customer) = try await customerKey(client)
            let created = try await client.send(
                .post, "/v1/kb/articles",
                json: #"""
                    {"slug":"returns-policy","title":"Returns policy","body":"Send items back within **30 days**.",
                     "category":"returns","tags":["refund"],"status":"published"}
                    """#,
                headers: [.idempotencyKey: "kb-create-1"])
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == #""1""#)
            let id = try #require(created.object["id"] as? String)
            let replay = try await client.send(
                .post, "/v1/kb/articles",
                json: #"""
                    {"slug":"returns-policy","title":"Returns policy","body":"Send items back within **30 days**.",
                     "category":"returns","tags":["refund"],"status":"published"}
                    """#,
                headers: [.idempotencyKey: "kb-create-1"])
            #expect(replay.status == .created)
            #expect(replay.object["id"] as? String == id)
            let draft = try await client.send(
                .post, "/v1/kb/articles", json: #"{"title":"Returning gift cards","body":"Soon.","category":"returns"}"#
            )
            #expect(draft.object["status"] as? String == "draft")
            #expect(draft.object["slug"] as? String == "returning-gift-cards")

            let search = try await client.send(.get, "/v1/kb/articles?q=returning&category=returns", key: customer)
            #expect(search.status == .ok)
            let items = try #require(search.object["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [id])
            let staffSearch = try await client.send(.get, "/v1/kb/articles?q=returning")
            #expect((staffSearch.object["items"] as? [[String: Any]])?.count == 2)

            let bySlug = try await client.send(.get, "/v1/kb/articles/returns-policy", key: customer)
            #expect(bySlug.status == .ok)
            #expect(bySlug.object["id"] as? String == id)
            #expect(bySlug.headers[.eTag] == #""1""#)
            let byID = try await client.send(.get, "/v1/kb/articles/\(id)", key: customer)
            #expect(byID.status == .ok)
            let hidden = try await client.send(.get, "/v1/kb/articles/returning-gift-cards", key: customer)
            #expect(hidden.status == .notFound)
            #expect(hidden.problemCode == "not_found")

            let write = try await client.send(
                .post, "/v1/kb/articles", key: customer, json: #"{"title":"x","body":"y","category":"other"}"#)
            #expect(write.status == .forbidden)
            let patch = try await client.send(
                .patch, "/v1/kb/articles/\(id)", key: customer, json: #"{"title":"Mine now"}"#)
            #expect(patch.status == .forbidden)
            let stats = try await client.send(.get, "/v1/kb/articles/\(id)/stats", key: customer)
            #expect(stats.status == .forbidden)
            let drafts = try await client.send(.get, "/v1/kb/articles?status=draft", key: customer)
            #expect(drafts.status == .forbidden)

            let suggestions = try await client.send(
                .post, "/v1/kb/suggestions", key: customer,
                json: #"{"subject":"I want a refund","message":"How do I send it back?"}"#)
            #expect(suggestions.status == .ok)
            let suggested = try #require(suggestions.object["items"] as? [[String: Any]])
            #expect(suggested.map { $0["id"] as? String } == [id])

            let deflection = #"{"article_id":"\#(id)","query":"I want a refund"}"#
            let first = try await client.send(
                .post, "/v1/kb/deflections", key: customer, json: deflection,
                headers: [.idempotencyKey: "deflect-1"])
            #expect(first.status == .created)
            let again = try await client.send(
                .post, "/v1/kb/deflections", key: customer, json: deflection,
                headers: [.idempotencyKey: "deflect-1"])
            #expect(again.object["id"] as? String == first.object["id"] as? String)
            let counted = try await client.send(.get, "/v1/kb/articles/\(id)/stats")
            #expect(counted.status == .ok)
            #expect(counted.object["deflections"] as? Int == 1)
            #expect(counted.object["views"] as? Int == 2)
        }
    }

    @Test("PATCH takes If-Match and answers ETag; a stale one is 412 with the current article")
    func etagAndIfMatch() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let created = try await client.send(
                .post, "/v1/kb/articles", json: #"{"title":"Size guide","body":"S to XL.","category":"sizing"}"#)
            let id = try #require(created.object["id"] as? String)
            let patched = try await client.send(
                .patch, "/v1/kb/articles/\(id)", json: #"{"status":"published","tags":["fit"]}"#,
                headers: [.ifMatch: #""1""#])
            #expect(patched.status == .ok)
            #expect(patched.headers[.eTag] == #""2""#)
            #expect(patched.object["published_at"] is String)

            let stale = try await client.send(
                .patch, "/v1/kb/articles/\(id)", json: #"{"title":"Old edit"}"#, headers: [.ifMatch: #""1""#])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.problemCode == "version_mismatch")
            #expect(stale.headers[.eTag] == #""2""#)
            let current = try #require(stale.object["current"] as? [String: Any])
            #expect(current["tags"] as? [String] == ["fit"])

            let badHeader = try await client.send(
                .patch, "/v1/kb/articles/\(id)", json: #"{"title":"X"}"#, headers: [.ifMatch: "tuesday"])
            #expect(badHeader.status == .badRequest)
            #expect(badHeader.problemCode == "invalid_if_match")
            let inBody = try await client.send(
                .patch, "/v1/kb/articles/\(id)", json: #"{"expected_version":2}"#)
            #expect(inBody.status == .unprocessableContent)
        }
    }

    @Test("bad input is a problem: invalid ids, bodies, fields and query parameters")
    func problems() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let invalid = try await client.send(
                .post, "/v1/kb/articles", json: #"{"title":"","body":"b","category":"No Spaces","extra":1}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.headers[.contentType] == "application/problem+json")
            #expect(invalid.problemCode == "validation_failed")
            let fields = Set(
                ((invalid.object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["extra"])
            let wrong = try await client.send(
                .post, "/v1/kb/articles", json: #"{"title":"","body":"b","category":"No Spaces"}"#)
            let wrongFields = Set(
                ((wrong.object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(wrongFields == ["title", "category"])
            let notJSON = try await client.send(.post, "/v1/kb/articles", json: "{nope")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.problemCode == "malformed_json")
            let media = try await client.send(
                .post, "/v1/kb/suggestions", json: "subject=x", headers: [.contentType: "text/plain"])
            #expect(media.status == .unsupportedMediaType)
            let patchID = try await client.send(.patch, "/v1/kb/articles/not-a-uuid", json: "{}")
            #expect(patchID.status == .badRequest)
            #expect(patchID.problemCode == "invalid_id")
            let badSlug = try await client.send(.get, "/v1/kb/articles/Not%20A%20Slug")
            #expect(badSlug.status == .unprocessableContent)
            let limit = try await client.send(.get, "/v1/kb/articles?limit=many")
            #expect(limit.status == .unprocessableContent)
            let status = try await client.send(.get, "/v1/kb/articles?status=live")
            #expect(status.status == .unprocessableContent)
            let suggest = try await client.send(.post, "/v1/kb/suggestions", json: #"{"message":"no subject"}"#)
            #expect(suggest.status == .unprocessableContent)
            let deflect = try await client.send(
                .post, "/v1/kb/deflections", json: #"{"article_id":"\#(UUID().uuidString)"}"#)
            #expect(deflect.status == .unprocessableContent)
            let anonymous = try await client.send(.get, "/v1/kb/articles", key: nil)
            #expect(anonymous.status == .unauthorized)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import GatewayApp

/// Connects a store through the admin API and returns its id (helper for the store and webhook suites).
func connectStore(
    _ client: any TestClientProtocol, platform: String = "shopify", domain: String, secret: String,
    name: String = "Test shop"
) async throws -> String {
    let response = try await client.send(
        .post, "/v1/stores",
        json: #"{"platform":"\#(platform)","shop_domain":"\#(domain)","name":"\#(name)","webhook_secret":"\#(secret)"}"#
    )
    #expect(response.status == .created)
    return try #require(response.object["id"] as? String)
}

@Suite("Connected stores", needsDatabase)
struct StoreTests {
    static let secret = "shpss_0123456789abcdef0123456789"

    @Test("an admin connects a store: normalised domain, no secrets shown, an integration key bound to the store")
    func create() async throws {
        try await GatewayHarness.run(services: []) { context in
            let created = try await context.client.send(
                .post, "/v1/stores",
                json:
                    #"{"platform":"shopify","shop_domain":"https://Demo-Shop.MyShopify.com:443/","name":"Demo","webhook_secret":"\#(Self.secret)"}"#
            )
            #expect(created.status == .created)
            let store = created.object
            let id = try #require(store["id"] as? String)
            #expect(store["platform"] as? String == "shopify")
            #expect(store["shop_domain"] as? String == "demo-shop.myshopify.com")
            #expect(store["name"] as? String == "Demo")
            #expect(store["has_previous_secret"] as? Bool == false)
            #expect(store["created_at"] is String)
            #expect(!String(buffer: created.body).contains(Self.secret))
            let key = try #require(store["integration_key"] as? [String: Any])
            let keySecret = try #require(key["secret"] as? String)
            let keyID = try #require(key["id"] as? String)

            let bound = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                SELECT count(*) FROM gateway.api_keys
                WHERE id = '\(keyID)' AND role = 'integration' AND store_id = '\(id)'
                """)
            #expect(bound == 1)
            // The integration key authenticates, and as an integration key it may not administer stores.
            let asIntegration = try await context.client.send(.get, "/v1/stores", key: keySecret)
            #expect(asIntegration.status == .forbidden)

            let fetched = try await context.client.send(.get, "/v1/stores/\(id)")
            #expect(fetched.status == .ok)
            #expect(fetched.object["shop_domain"] as? String == "demo-shop.myshopify.com")
            #expect(fetched.object["integration_key"] == nil)
            #expect(!String(buffer: fetched.body).contains(Self.secret))
        }
    }

    @Test("bad input is a 422 naming every field, and stores nothing")
    func validation() async throws {
        try await GatewayHarness.run(services: []) { context in
            let bad = try await context.client.send(
                .post, "/v1/stores",
                json: #"{"platform":"magento","shop_domain":"not a domain","name":"  ","webhook_secret":"short"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problemCode == "validation_failed")
            let fields = Set(((bad.object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["platform", "shop_domain", "name", "webhook_secret"])

            let cases = [
                #"{"platform":"shopify","shop_domain":"a.example.com","name":"A","webhook_secret":"\#(Self.secret)","x":1}"#,
                #"{"platform":"shopify","shop_domain":"a.example.com","name":"A"}"#,
                #"{"platform":"shopify","shop_domain":"user@a.example.com","name":"A","webhook_secret":"\#(Self.secret)"}"#,
                #"{"platform":"shopify","shop_domain":"-bad-.example.com","name":"A","webhook_secret":"\#(Self.secret)"}"#,
                #"{"platform":"shopify","shop_domain":"ftp://a.example.com","name":"A","webhook_secret":"\#(Self.secret)"}"#,
                #"{"platform":"shopify","shop_domain":"a.example.com","name":"A","webhook_secret":"has a space in it ok"}"#,
                #"{"platform":"shopify","shop_domain":"a.example.com","name":"A","webhook_secret":"\#(String(repeating: "x", count: 513))"}"#,
            ]
            for json in cases {
                let response = try await context.client.send(.post, "/v1/stores", json: json)
                #expect(response.status == .unprocessableContent, "\(json.prefix(120))")
            }
            let malformed = try await context.client.send(.post, "/v1/stores", json: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(malformed.problemCode == "malformed_json")
            let stores = try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM gateway.stores")
            #expect(stores == 0)
            let keys = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM gateway.api_keys WHERE role = 'integration'")
            #expect(keys == 0)
        }
    }

    @Test("a replay with the same Idempotency-Key answers the same store and key, without the key's secret")
    func idempotentReplay() async throws {
        try await GatewayHarness.run(services: []) { context in
            let body =
                #"{"platform":"woocommerce","shop_domain":"shop.example.org","name":"Woo","webhook_secret":"\#(Self.secret)"}"#
            let first = try await context.client.send(
                .post, "/v1/stores", json: body, headers: [.idempotencyKey: "connect-1"])
            let second = try await context.client.send(
                .post, "/v1/stores", json: body, headers: [.idempotencyKey: "connect-1"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.object["id"] as? String == second.object["id"] as? String)
            let firstKey = try #require(first.object["integration_key"] as? [String: Any])
            let secondKey = try #require(second.object["integration_key"] as? [String: Any])
            #expect(firstKey["secret"] is String)
            #expect(secondKey["secret"] == nil)
            #expect(firstKey["id"] as? String == secondKey["id"] as? String)
            let stores = try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM gateway.stores")
            #expect(stores == 1)
            let keys = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM gateway.api_keys WHERE store_id IS NOT NULL")
            #expect(keys == 1)
        }
    }

    @Test("the same platform and domain again is 409 store_exists; another platform is a separate store")
    func conflict() async throws {
        try await GatewayHarness.run(services: []) { context in
            _ = try await connectStore(context.client, domain: "dup.example.com", secret: Self.secret)
            let again = try await context.client.send(
                .post, "/v1/stores",
                json:
                    #"{"platform":"shopify","shop_domain":"HTTPS://DUP.example.com/","name":"Again","webhook_secret":"\#(Self.secret)"}"#
            )
            #expect(again.status == .conflict)
            #expect(again.problemCode == "store_exists")
            let keys = try await TestDatabase.scalar(
                url: context.databaseURL, "SELECT count(*) FROM gateway.api_keys WHERE role = 'integration'")
            #expect(keys == 1)
            _ = try await connectStore(
                context.client, platform: "woocommerce", domain: "dup.example.com", secret: Self.secret)
            let stores = try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM gateway.stores")
            #expect(stores == 2)
        }
    }

    @Test("rotation keeps the previous secret until it is ended; both calls are idempotent")
    func rotation() async throws {
        try await GatewayHarness.run(services: []) { context in
            let id = try await connectStore(context.client, domain: "rotate.example.com", secret: Self.secret)
            let next = "shpss_next_secret_0123456789"
            for _ in 0..<2 {
                let rotated = try await context.client.send(
                    .post, "/v1/stores/\(id)/webhook-secret", json: #"{"webhook_secret":"\#(next)"}"#)
                #expect(rotated.status == .ok)
                #expect(rotated.object["has_previous_secret"] as? Bool == true)
                #expect(!String(buffer: rotated.body).contains(next))
            }
            // Sending the same secret twice must not push the first secret out of `previous`.
            let previous = try await TestDatabase.scalar(
                url: context.databaseURL,
                """
                SELECT count(*) FROM gateway.stores
                WHERE id = '\(id)' AND webhook_secret = '\(next)' AND previous_webhook_secret = '\(Self.secret)'
                """)
            #expect(previous == 1)
            for _ in 0..<2 {
                let ended = try await context.client.send(.delete, "/v1/stores/\(id)/previous-webhook-secret")
                #expect(ended.status == .ok)
                #expect(ended.object["has_previous_secret"] as? Bool == false)
            }
            let short = try await context.client.send(
                .post, "/v1/stores/\(id)/webhook-secret", json: #"{"webhook_secret":"tiny"}"#)
            #expect(short.status == .unprocessableContent)
            let unknown = try await context.client.send(
                .post, "/v1/stores/\(UUID())/webhook-secret", json: #"{"webhook_secret":"\#(next)"}"#)
            #expect(unknown.status == .notFound)
            #expect(
                try await context.client.send(.delete, "/v1/stores/\(UUID())/previous-webhook-secret").status
                    == .notFound)
            #expect(try await context.client.send(.get, "/v1/stores/\(UUID())").status == .notFound)
            let badID = try await context.client.send(.get, "/v1/stores/not-an-id")
            #expect(badID.status == .badRequest)
            #expect(badID.problemCode == "invalid_id")
        }
    }

    @Test("only admins manage stores")
    func adminOnly() async throws {
        try await GatewayHarness.run(services: []) { context in
            let created = try await context.client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            let agentKey = try #require(created.object["secret"] as? String)
            let id = try await connectStore(context.client, domain: "admin.example.com", secret: Self.secret)
            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (
                    .post, "/v1/stores",
                    #"{"platform":"shopify","shop_domain":"x.example.com","name":"X","webhook_secret":"\#(Self.secret)"}"#
                ),
                (.get, "/v1/stores", nil),
                (.get, "/v1/stores/\(id)", nil),
                (.post, "/v1/stores/\(id)/webhook-secret", #"{"webhook_secret":"\#(Self.secret)_2"}"#),
                (.delete, "/v1/stores/\(id)/previous-webhook-secret", nil),
            ]
            for (method, path, json) in attempts {
                let response = try await context.client.send(method, path, key: agentKey, json: json)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.problemCode == "forbidden")
                let anonymous = try await context.client.send(method, path, key: nil, json: json)
                #expect(anonymous.status == .unauthorized)
            }
            let stores = try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM gateway.stores")
            #expect(stores == 1)
        }
    }

    @Test("the list pages with a cursor and refuses bad paging input")
    func list() async throws {
        try await GatewayHarness.run(services: []) { context in
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(try await connectStore(context.client, domain: "s\(index).example.com", secret: Self.secret))
            }
            let first = try await context.client.send(.get, "/v1/stores?limit=2")
            #expect(first.status == .ok)
            let firstItems = try #require(first.object["items"] as? [[String: Any]])
            #expect(firstItems.compactMap { $0["id"] as? String } == Array(ids.prefix(2)))
            let cursor = try #require(first.object["next_cursor"] as? String)
            let second = try await context.client.send(.get, "/v1/stores?limit=2&cursor=\(cursor)")
            let secondItems = try #require(second.object["items"] as? [[String: Any]])
            #expect(secondItems.compactMap { $0["id"] as? String } == [ids[2]])
            #expect(second.object["next_cursor"] == nil)
            #expect(!String(buffer: first.body).contains(Self.secret))
            for query in ["limit=0", "limit=101", "limit=abc", "cursor=nope"] {
                let bad = try await context.client.send(.get, "/v1/stores?\(query)")
                #expect(bad.status == .unprocessableContent, "\(query)")
                #expect(bad.problemCode == "validation_failed")
            }
        }
    }
}

@Suite("Shop domains")
struct ShopDomainTests {
    @Test("URLs and hosts normalise to a lower-case host")
    func normalise() {
        #expect(ShopDomain.normalise("Shop.Example.com") == "shop.example.com")
        #expect(ShopDomain.normalise("https://shop.example.com/") == "shop.example.com")
        #expect(ShopDomain.normalise("http://shop.example.com:8080/wp/") == "shop.example.com")
        #expect(ShopDomain.normalise(" demo.myshopify.com. ") == "demo.myshopify.com")
        #expect(ShopDomain.normalise("localhost:8080") == "localhost")
    }

    @Test("anything without a usable host is refused")
    func refuse() {
        for text in [
            "", "shop", "a b.example.com", "ftp://shop.example.com", "user:pw@shop.example.com", "shop..example.com",
            "-shop.example.com", "shop_1.example.com", "[::1]", "https://", "\u{0}.example.com",
            String(repeating: "a", count: 64) + ".example.com",
        ] {
            #expect(ShopDomain.normalise(text) == nil, "\(text)")
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorePlatforms
import TestSupport
import Testing

@testable import GatewayApp

/// The platforms' sample bodies in /work/shared/fixtures (next to the repository).
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }
}

/// Header values for a delivery; names are given as strings so tests can vary their case.
func headers(_ values: [String: String]) throws -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in values {
        fields.append(HTTPField(name: try #require(HTTPField.Name(name)), value: value))
    }
    return fields
}

extension TestClientProtocol {
    /// Posts raw bytes to a webhook route, without an API key.
    func deliver(_ path: String, body: [UInt8], headers: HTTPFields) async throws -> TestResponse {
        try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}

@Suite("Shopify webhooks", needsDatabase)
struct ShopifyWebhookTests {
    static let secret = "shpss_webhook_secret_0123456789"
    static let domain = "demo-shop.myshopify.com"

    static func shopifyHeaders(
        body: [UInt8], secret: String = secret, topic: String = "orders/create", domain: String = domain,
        webhookID: String? = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", extra: [String: String] = [:]
    ) throws -> HTTPFields {
        var values = [
            "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": domain,
            "X-Shopify-Hmac-Sha256": WebhookSignature.sign(body, secret: secret), "Content-Type": "application/json",
        ]
        if let webhookID { values["X-Shopify-Webhook-Id"] = webhookID }
        return try headers(values.merging(extra) { $1 })
    }

    static func deliveries(_ url: String, _ condition: String = "true") async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM customers.store_deliveries WHERE \(condition)")
    }

    @Test("a signed delivery is accepted once; the same delivery again is a duplicate of the same stored row")
    func acceptedThenDuplicate() async throws {
        try await GatewayHarness.run { context in
            let storeID = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/orders_create.json")
            let signed = try Self.shopifyHeaders(
                body: body,
                extra: [
                    "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
                    "X-Shopify-Triggered-At": "2023-03-29T18:00:27.877041743Z",
                ])
            let first = try await context.client.deliver("/webhooks/shopify", body: body, headers: signed)
            #expect(first.status == .ok)
            #expect(first.object["status"] as? String == "accepted")
            let deliveryID = try #require(first.object["delivery_id"] as? String)
            let second = try await context.client.deliver("/webhooks/shopify", body: body, headers: signed)
            #expect(second.status == .ok)
            #expect(second.object["status"] as? String == "duplicate")
            #expect(second.object["delivery_id"] as? String == deliveryID)

            #expect(try await Self.deliveries(context.databaseURL) == 1)
            let stored = try await Self.deliveries(
                context.databaseURL,
                """
                store_id = '\(storeID)' AND topic = 'orders/create' AND shop_domain = '\(Self.domain)'
                AND delivery_key = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043'
                AND event_id = '98880550-7158-44d4-b7cd-2c97c8a091b5'
                AND triggered_at = '2023-03-29T18:00:27.877Z'::timestamptz
                AND body = convert_from(decode('\(Data(body).base64EncodedString())', 'base64'), 'UTF8')
                """)
            #expect(stored == 1)
        }
    }

    @Test("a bad signature, a wrong secret or an unknown shop is 401 with one detail, and nothing is stored")
    func unauthorized() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/orders_paid.json")
            var forged = try Self.shopifyHeaders(body: body)
            forged[try #require(HTTPField.Name("X-Shopify-Hmac-Sha256"))] = "bm90IGEgc2lnbmF0dXJl"
            var tampered = body
            tampered[tampered.count / 2] ^= 0x01
            let attempts: [([UInt8], HTTPFields)] = [
                (body, forged),
                (body, try Self.shopifyHeaders(body: body, secret: "another_secret_0123456789")),
                (tampered, try Self.shopifyHeaders(body: body)),
                (body, try Self.shopifyHeaders(body: body, domain: "unknown-shop.myshopify.com")),
                (body, try Self.shopifyHeaders(body: body, domain: "not a domain")),
            ]
            var details: Set<String> = []
            for (sent, fields) in attempts {
                let response = try await context.client.deliver("/webhooks/shopify", body: sent, headers: fields)
                #expect(response.status == .unauthorized)
                #expect(response.problemCode == "unauthorized")
                details.insert(response.object["detail"] as? String ?? "")
            }
            #expect(details.count == 1)
            #expect(try await Self.deliveries(context.databaseURL) == 0)
        }
    }

    @Test("each missing header is a 400 naming it")
    func missingHeaders() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/customers_create.json")
            for name in ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Hmac-Sha256"] {
                var fields = try Self.shopifyHeaders(body: body)
                fields[try #require(HTTPField.Name(name))] = nil
                let response = try await context.client.deliver("/webhooks/shopify", body: body, headers: fields)
                #expect(response.status == .badRequest)
                #expect(response.problemCode == "missing_header")
                #expect((response.object["detail"] as? String)?.lowercased().contains(name.lowercased()) == true)
            }
            #expect(try await Self.deliveries(context.databaseURL) == 0)
        }
    }

    @Test("header names in any case are read")
    func headerCase() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/customers_update.json")
            let fields = try headers([
                "x-shopify-hmac-sha256": WebhookSignature.sign(body, secret: Self.secret),
                "X-SHOPIFY-TOPIC": "customers/update", "x-Shopify-shop-DOMAIN": "Demo-Shop.myshopify.com",
                "x-shopify-webhook-id": "lower-case-id",
            ])
            let response = try await context.client.deliver("/webhooks/shopify", body: body, headers: fields)
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "accepted")
            #expect(try await Self.deliveries(context.databaseURL, "delivery_key = 'lower-case-id'") == 1)
        }
    }

    @Test("without a webhook id the body hash de-duplicates")
    func bodyHashKey() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/orders_updated.json")
            let fields = try Self.shopifyHeaders(body: body, topic: "orders/updated", webhookID: nil)
            let first = try await context.client.deliver("/webhooks/shopify", body: body, headers: fields)
            let second = try await context.client.deliver("/webhooks/shopify", body: body, headers: fields)
            #expect(first.object["status"] as? String == "accepted")
            #expect(second.object["status"] as? String == "duplicate")
            #expect(
                try await Self.deliveries(
                    context.databaseURL, "delivery_key = '\(WebhookReceiver.bodyHashKey(body))'") == 1)
        }
    }

    @Test("oversize bodies get 413 and non-UTF-8 bodies 400, and neither is stored")
    func badBodies() async throws {
        try await GatewayHarness.run(environment: ["CONCIERGE_WEBHOOK_MAX_BODY_BYTES": "1024"]) { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let large = Array(("{\"note\":\"" + String(repeating: "x", count: 2000) + "\"}").utf8)
            let tooLarge = try await context.client.deliver(
                "/webhooks/shopify", body: large, headers: try Self.shopifyHeaders(body: large))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.problemCode == "body_too_large")
            #expect((tooLarge.object["detail"] as? String)?.contains("1024") == true)

            let latin1: [UInt8] = Array("{\"name\":\"caf".utf8) + [0xE9] + Array("\"}".utf8)
            let notUTF8 = try await context.client.deliver(
                "/webhooks/shopify", body: latin1, headers: try Self.shopifyHeaders(body: latin1))
            #expect(notUTF8.status == .badRequest)
            #expect(notUTF8.problemCode == "invalid_body")
            #expect(try await Self.deliveries(context.databaseURL) == 0)
        }
    }

    @Test("during a rotation both secrets verify; after it ends only the new one")
    func rotation() async throws {
        try await GatewayHarness.run { context in
            let id = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let next = "shpss_rotated_secret_9876543210"
            let rotated = try await context.client.send(
                .post, "/v1/stores/\(id)/webhook-secret", json: #"{"webhook_secret":"\#(next)"}"#)
            #expect(rotated.status == .ok)
            let body = try Fixture.bytes("shopify/orders_fulfilled.json")
            let old = try await context.client.deliver(
                "/webhooks/shopify", body: body, headers: try Self.shopifyHeaders(body: body, webhookID: "w-old"))
            let new = try await context.client.deliver(
                "/webhooks/shopify", body: body,
                headers: try Self.shopifyHeaders(body: body, secret: next, webhookID: "w-new"))
            #expect(old.object["status"] as? String == "accepted")
            #expect(new.object["status"] as? String == "accepted")

            let ended = try await context.client.send(.delete, "/v1/stores/\(id)/previous-webhook-secret")
            #expect(ended.status == .ok)
            let oldAfter = try await context.client.deliver(
                "/webhooks/shopify", body: body, headers: try Self.shopifyHeaders(body: body, webhookID: "w-old-2"))
            #expect(oldAfter.status == .unauthorized)
            let newAfter = try await context.client.deliver(
                "/webhooks/shopify", body: body,
                headers: try Self.shopifyHeaders(body: body, secret: next, webhookID: "w-new-2"))
            #expect(newAfter.object["status"] as? String == "accepted")
            #expect(try await Self.deliveries(context.databaseURL) == 3)
        }
    }

    @Test("with the customers service down a verified delivery gets 503 and Retry-After")
    func serviceDown() async throws {
        try await GatewayHarness.run(
            services: ["tickets"], environment: ["CONCIERGE_WEBHOOK_DEADLINE_MS": "500"]
        ) { context in
            _ = try await connectStore(context.client, domain: Self.domain, secret: Self.secret)
            let body = try Fixture.bytes("shopify/refunds_create.json")
            let response = try await context.client.deliver(
                "/webhooks/shopify", body: body, headers: try Self.shopifyHeaders(body: body, topic: "refunds/create"))
            #expect(response.status == .serviceUnavailable)
            #expect(response.problemCode == "delivery_unavailable")
            #expect(response.headers[.retryAfter] != nil)
        }
    }
}

@Suite("WooCommerce webhooks", needsDatabase)
struct WooCommerceWebhookTests {
    static let secret = "wc_webhook_secret_0123456789"
    static let source = "https://Shop.Example.org/"

    static func wooHeaders(
        body: [UInt8], secret: String = secret, topic: String = "order.created", source: String = source
    ) throws -> HTTPFields {
        try headers([
            "X-WC-Webhook-Source": source, "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": WebhookSignature.sign(body, secret: secret), "Content-Type": "application/json",
        ])
    }

    @Test("the unsigned creation ping is 200 and stores nothing")
    func ping() async throws {
        try await GatewayHarness.run { context in
            let response = try await context.client.deliver(
                "/webhooks/woocommerce", body: Array("webhook_id=42".utf8),
                headers: try headers(["Content-Type": "application/x-www-form-urlencoded"]))
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "ping")
            #expect(try await ShopifyWebhookTests.deliveries(context.databaseURL) == 0)
        }
    }

    @Test("a signed delivery is accepted, its replay is a duplicate, keyed by resource id and modified time")
    func acceptedThenDuplicate() async throws {
        try await GatewayHarness.run { context in
            let storeID = try await connectStore(
                context.client, platform: "woocommerce", domain: "shop.example.org", secret: Self.secret)
            let body = try Fixture.bytes("woocommerce/order.created.json")
            let fields = try Self.wooHeaders(body: body)
            let first = try await context.client.deliver("/webhooks/woocommerce", body: body, headers: fields)
            #expect(first.status == .ok)
            #expect(first.object["status"] as? String == "accepted")
            let second = try await context.client.deliver("/webhooks/woocommerce", body: body, headers: fields)
            #expect(second.object["status"] as? String == "duplicate")
            #expect(second.object["delivery_id"] as? String == first.object["delivery_id"] as? String)
            let stored = try await ShopifyWebhookTests.deliveries(
                context.databaseURL,
                """
                store_id = '\(storeID)' AND platform = 'woocommerce' AND topic = 'order.created'
                AND delivery_key = 'order.created:727:2017-03-22T19:28:08'
                """)
            #expect(stored == 1)
        }
    }

    @Test("bad signature and unknown source are 401, missing headers 400; nothing stored")
    func refused() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(
                context.client, platform: "woocommerce", domain: "shop.example.org", secret: Self.secret)
            let body = try Fixture.bytes("woocommerce/customer.created.json")
            let wrongSecret = try await context.client.deliver(
                "/webhooks/woocommerce", body: body,
                headers: try Self.wooHeaders(body: body, secret: "not_the_secret_0123456789", topic: "customer.created")
            )
            #expect(wrongSecret.status == .unauthorized)
            let unknown = try await context.client.deliver(
                "/webhooks/woocommerce", body: body,
                headers: try Self.wooHeaders(body: body, topic: "customer.created", source: "https://other.example"))
            #expect(unknown.status == .unauthorized)
            // A Shopify store with the same domain is not a WooCommerce store.
            _ = try await connectStore(context.client, domain: "shopify-only.example.org", secret: Self.secret)
            let otherPlatform = try await context.client.deliver(
                "/webhooks/woocommerce", body: body,
                headers: try Self.wooHeaders(
                    body: body, topic: "customer.created", source: "https://shopify-only.example.org"))
            #expect(otherPlatform.status == .unauthorized)

            for name in ["X-WC-Webhook-Source", "X-WC-Webhook-Topic", "X-WC-Webhook-Signature"] {
                var fields = try Self.wooHeaders(body: body, topic: "customer.created")
                fields[try #require(HTTPField.Name(name))] = nil
                let response = try await context.client.deliver("/webhooks/woocommerce", body: body, headers: fields)
                #expect(response.status == .badRequest)
                #expect(response.problemCode == "missing_header")
            }
            #expect(try await ShopifyWebhookTests.deliveries(context.databaseURL) == 0)
        }
    }

    @Test("a topic Concierge does not act on is stored and acknowledged, on either platform")
    func unknownTopicsAreAcknowledged() async throws {
        try await GatewayHarness.run { context in
            _ = try await connectStore(
                context.client, platform: "woocommerce", domain: "shop.example.org", secret: Self.secret)
            let body = Array(#"{"id":42,"name":"Mug","date_modified_gmt":"2025-03-01T10:00:00"}"#.utf8)
            let product = try await context.client.deliver(
                "/webhooks/woocommerce", body: body, headers: try Self.wooHeaders(body: body, topic: "product.updated"))
            #expect(product.status == .ok)
            #expect(product.object["status"] as? String == "accepted")
            #expect(
                try await ShopifyWebhookTests.deliveries(
                    context.databaseURL, "platform = 'woocommerce' AND topic = 'product.updated'") == 1)

            _ = try await connectStore(context.client, domain: "unknown-topic.myshopify.com", secret: Self.secret)
            let shopifyBody = Array(#"{"id":7,"title":"Mug"}"#.utf8)
            let fields = try ShopifyWebhookTests.shopifyHeaders(
                body: shopifyBody, secret: Self.secret, topic: "products/update", domain: "unknown-topic.myshopify.com",
                webhookID: "unknown-topic-1")
            let shopify = try await context.client.deliver("/webhooks/shopify", body: shopifyBody, headers: fields)
            #expect(shopify.status == .ok)
            #expect(shopify.object["status"] as? String == "accepted")
            #expect(
                try await ShopifyWebhookTests.deliveries(
                    context.databaseURL, "platform = 'shopify' AND topic = 'products/update'") == 1)
        }
    }
}

@Suite("X-Shopify-Triggered-At")
struct TriggeredAtTests {
    @Test("RFC 3339 with any fractional digits and offsets parses")
    func parses() throws {
        let nine = try #require(TriggeredAt.parse("2023-03-29T18:00:27.877041743Z"))
        #expect(abs(nine.timeIntervalSince1970 - 1_680_112_827.877041743) < 0.000_01)
        #expect(TriggeredAt.parse("2023-03-29T18:00:27Z")?.timeIntervalSince1970 == 1_680_112_827)
        #expect(TriggeredAt.parse("2023-03-29T20:00:27+02:00")?.timeIntervalSince1970 == 1_680_112_827)
        #expect(TriggeredAt.parse("2023-03-29T13:00:27.5-05:00")?.timeIntervalSince1970 == 1_680_112_827.5)
    }

    @Test("anything else is nil")
    func refuses() {
        for text in [
            "", "yesterday", "2023-03-29", "2023-03-29T18:00:27", "2023-02-30T18:00:27Z", "2023-03-29T25:00:27Z",
            "2023-03-29T18:00:27.Z", "2023-03-29T18:00:27Z junk", "1680112827",
        ] {
            #expect(TriggeredAt.parse(text) == nil, "\(text)")
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import StorePlatforms
import Wire

/// `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: store-platform deliveries, authenticated by their
/// HMAC signature instead of an API key (so they live outside `/v1`).
struct WebhookRoutes {
    let receiver: WebhookReceiver

    func register(on router: Router<GatewayRequestContext>) {
        router.post("webhooks/shopify") { request, context in
            try await shopify(request, context: context)
        }
        router.post("webhooks/woocommerce") { request, context in
            try await wooCommerce(request, context: context)
        }
    }

    func shopify(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let topic = try receiver.required(.shopifyTopic, in: request, platform: .shopify)
        let domain = try receiver.required(.shopifyShopDomain, in: request, platform: .shopify)
        let signature = try receiver.required(.shopifyHmac, in: request, platform: .shopify)
        let body = try await receiver.body(of: request, platform: .shopify)
        let store = try await receiver.verify(
            platform: .shopify, domain: domain, signature: signature, body: body, logger: context.logger)
        let text = try receiver.text(of: body, platform: .shopify)
        let webhookID = request.headers[.shopifyWebhookID]?.trimmingCharacters(in: .whitespaces)
        let deliveryKey = webhookID.flatMap { $0.isEmpty ? nil : $0 } ?? WebhookReceiver.bodyHashKey(body)
        let eventID = request.headers[.shopifyEventID]?.trimmingCharacters(in: .whitespaces)
        return try await receiver.deliver(
            .init(
                store: store, topic: topic, deliveryKey: deliveryKey,
                eventID: eventID.flatMap { $0.isEmpty ? nil : $0 },
                triggeredAt: request.headers[.shopifyTriggeredAt].flatMap(TriggeredAt.parse), body: text),
            request: request, context: context)
    }

    func wooCommerce(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await receiver.body(of: request, platform: .woocommerce)
        if WooCommerceDelivery.isCreationPing(body) {
            WebhookMetrics.record(.woocommerce, .ping)
            context.logger.info("woocommerce creation ping")
            return try StoreRoutes.json(WebhookReceiver.Acknowledgement(status: "ping", deliveryID: nil))
        }
        let source = try receiver.required(.wooSource, in: request, platform: .woocommerce)
        let topic = try receiver.required(.wooTopic, in: request, platform: .woocommerce)
        let signature = try receiver.required(.wooSignature, in: request, platform: .woocommerce)
        let store = try await receiver.verify(
            platform: .woocommerce, domain: source, signature: signature, body: body, logger: context.logger)
        let text = try receiver.text(of: body, platform: .woocommerce)
        // A topic Concierge does not act on (`product.updated`, an `action.*` hook) is stored and acknowledged like
        // any other, so the store never disables the webhook for failures; store sync marks it `ignored`.
        return try await receiver.deliver(
            .init(
                store: store, topic: topic,
                deliveryKey: WooCommerceDelivery.deduplicationKey(topic: topic, body: body), body: text),
            request: request, context: context)
    }
}

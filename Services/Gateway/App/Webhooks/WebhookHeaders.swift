import HTTPTypes

// The literals are valid header names, so these initialisers cannot fail. HTTP field names compare
// case-insensitively, so `x-shopify-hmac-sha256` finds `X-Shopify-Hmac-Sha256`.
extension HTTPField.Name {
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: base64 HMAC-SHA256 of the raw body.
    static let shopifyHmac = Self("X-Shopify-Hmac-Sha256")!
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: the topic, for example `orders/create`.
    static let shopifyTopic = Self("X-Shopify-Topic")!
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: the shop's `*.myshopify.com` domain.
    static let shopifyShopDomain = Self("X-Shopify-Shop-Domain")!
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: the delivery's id, the same on every retry of it.
    static let shopifyWebhookID = Self("X-Shopify-Webhook-Id")!
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: the event's id, the same for every subscription it is delivered to.
    static let shopifyEventID = Self("X-Shopify-Event-Id")!
    // swift-format-ignore: NeverForceUnwrap
    /// Shopify: when the event happened.
    static let shopifyTriggeredAt = Self("X-Shopify-Triggered-At")!
    // swift-format-ignore: NeverForceUnwrap
    /// WooCommerce: base64 HMAC-SHA256 of the raw body.
    static let wooSignature = Self("X-WC-Webhook-Signature")!
    // swift-format-ignore: NeverForceUnwrap
    /// WooCommerce: the topic, for example `order.updated`.
    static let wooTopic = Self("X-WC-Webhook-Topic")!
    // swift-format-ignore: NeverForceUnwrap
    /// WooCommerce: the store's site URL.
    static let wooSource = Self("X-WC-Webhook-Source")!
}

import Contracts

/// Turns the body of a store-platform webhook into what it means (`StoreUpdate`), faithfully: 64-bit ids exactly,
/// decimal money strings to exact minor units, Shopify's `*_set` presentment money, every optional field allowed
/// to be missing or null, unknown fields ignored. A topic Concierge does not act on decodes to `.unknown` without
/// reading the body, so it is stored and acknowledged rather than refused.
public enum StorePayloadDecoder {
    /// Decodes `body`, delivered for `topic` (`orders/create`, `order.updated`) by `platform`.
    /// - Throws: `StorePayloadError` when the body of a known topic is not JSON, not an object, lacks a required id,
    ///   or holds a value of the wrong kind (bad money, a non-integer id, an unparseable date).
    public static func decode(platform: StorePlatform, topic: String, body: [UInt8]) throws -> StoreUpdate {
        switch platform {
        case .shopify: return try decodeShopify(topic: topic, body: body)
        case .woocommerce: return try decodeWooCommerce(topic: topic, body: body)
        }
    }

    private static func decodeShopify(topic: String, body: [UInt8]) throws -> StoreUpdate {
        switch topic.lowercased() {
        case "orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/partially_fulfilled",
            "orders/cancelled":
            return .order(try ShopifyOrderDecoder.order(try .body(body)))
        case "fulfillments/create", "fulfillments/update":
            let object = try PayloadObject.body(body)
            let orderID = try object.requiredID("order_id")
            return .fulfillment(platformOrderID: orderID, try ShopifyOrderDecoder.fulfillment(object))
        case "refunds/create":
            let object = try PayloadObject.body(body)
            let orderID = try object.requiredID("order_id")
            return .refund(platformOrderID: orderID, try ShopifyOrderDecoder.refund(object, currency: nil))
        case "customers/create", "customers/update":
            return .customer(try ShopifyCustomerDecoder.customer(try .body(body), requireID: true))
        case "customers/delete":
            return .customerDeleted(platformCustomerID: try PayloadObject.body(body).requiredID("id"))
        case "products/create", "products/update":
            return .product(try ProductDecoder.shopify(try .body(body)))
        case "products/delete":
            return .productDeleted(platformProductID: try PayloadObject.body(body).requiredID("id"))
        case "customers/data_request":
            let request = try ShopifyCustomerDecoder.compliance(try .body(body), ordersKey: "orders_requested")
            return .customerDataRequest(
                platformCustomerID: request.customerID, email: request.email, phone: request.phone,
                platformOrderIDs: request.orderIDs)
        case "customers/redact":
            let request = try ShopifyCustomerDecoder.compliance(try .body(body), ordersKey: "orders_to_redact")
            return .customerRedact(
                platformCustomerID: request.customerID, email: request.email, phone: request.phone,
                platformOrderIDs: request.orderIDs)
        case "shop/redact":
            let object = try PayloadObject.body(body)
            guard let domain = try object.text("shop_domain") else {
                throw StorePayloadError.missingField("shop_domain")
            }
            return .shopRedact(shopDomain: domain)
        default:
            return .unknown(topic: topic)
        }
    }

    private static func decodeWooCommerce(topic: String, body: [UInt8]) throws -> StoreUpdate {
        if WooCommerceDelivery.isCreationPing(body) { return .ping }
        switch topic.lowercased() {
        case "order.created", "order.updated", "order.restored":
            return .order(try WooCommerceDecoder.order(try .body(body)))
        case "order.deleted":
            return .orderDeleted(platformOrderID: try PayloadObject.body(body).requiredID("id"))
        case "customer.created", "customer.updated":
            return .customer(try WooCommerceDecoder.customer(try .body(body)))
        case "customer.deleted":
            return .customerDeleted(platformCustomerID: try PayloadObject.body(body).requiredID("id"))
        case "product.created", "product.updated", "product.restored":
            return .product(try ProductDecoder.wooCommerce(try .body(body)))
        case "product.deleted":
            return .productDeleted(platformProductID: try PayloadObject.body(body).requiredID("id"))
        default:
            return .unknown(topic: topic)
        }
    }
}

import Contracts
import Foundation
import StorePlatforms

/// Loads webhook bodies: the shared platform samples (`../shared/fixtures` beside the repository) and this target's
/// own `Fixtures/` folder.
enum Fixture {
    /// The repository root (three levels above this file).
    static let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A shared sample: `shared("shopify/orders_create.json")`.
    static func shared(_ name: String) throws -> [UInt8] {
        try bytes(repositoryRoot.appending(path: "../shared/fixtures/\(name)"))
    }

    /// One of this target's fixtures: `local("shopify/order_jpy.json")`.
    static func local(_ name: String) throws -> [UInt8] {
        try bytes(URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/\(name)"))
    }

    private static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    /// The instant of an RFC 3339 string, for expectations.
    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    /// The order inside an update, or nil.
    static func order(_ update: StoreUpdate) -> StoreOrder? {
        if case .order(let order) = update { return order }
        return nil
    }

    /// The customer inside an update, or nil.
    static func customer(_ update: StoreUpdate) -> StoreCustomer? {
        if case .customer(let customer) = update { return customer }
        return nil
    }

    /// Decodes `body` as a Shopify delivery of `topic`.
    static func shopify(_ topic: String, _ body: [UInt8]) throws -> StoreUpdate {
        try StorePayloadDecoder.decode(platform: .shopify, topic: topic, body: body)
    }

    /// Decodes `body` as a WooCommerce delivery of `topic`.
    static func woo(_ topic: String, _ body: [UInt8]) throws -> StoreUpdate {
        try StorePayloadDecoder.decode(platform: .woocommerce, topic: topic, body: body)
    }

    /// The `StorePayloadError` that decoding throws, or nil when it succeeds or throws something else.
    static func error(_ platform: StorePlatform, _ topic: String, _ body: String) -> StorePayloadError? {
        do {
            _ = try StorePayloadDecoder.decode(platform: platform, topic: topic, body: Array(body.utf8))
            return nil
        } catch let error as StorePayloadError {
            return error
        } catch {
            return nil
        }
    }
}

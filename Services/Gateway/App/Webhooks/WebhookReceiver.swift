import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceRuntime
import StorePlatforms
import Wire

/// The steps every store-platform webhook goes through: read the raw body within the limit, find the store and
/// check the signature (401 for either failure, with the same detail, and nothing stored), then have the customers
/// service store the delivery as received (`customers.receive_delivery`) and acknowledge it.
struct WebhookReceiver: Sendable {
    let services: ServiceClient
    let stores: StoreCache
    let maxBodyBytes: Int
    let deadline: Duration

    /// The answer to an acknowledged delivery.
    struct Acknowledgement: Codable, Sendable, Equatable {
        /// `accepted`, `duplicate` or (WooCommerce's creation ping) `ping`.
        var status: String
        var deliveryID: UUID?

        enum CodingKeys: String, CodingKey {
            case status
            case deliveryID = "delivery_id"
        }
    }

    /// Everything known about a verified delivery.
    struct Delivery: Sendable {
        var store: ConnectedStore
        var topic: String
        var deliveryKey: String
        var eventID: String?
        var triggeredAt: Date?
        var body: String
    }

    /// One detail for an unknown store and a bad signature, so a caller learns nothing from the difference.
    static let unauthorized = GatewayProblem.unauthorized("the webhook signature could not be verified")

    /// The raw body, at most `maxBodyBytes` (413 beyond, before reading when `Content-Length` says so).
    func body(of request: Request, platform: StorePlatform) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            WebhookMetrics.record(platform, .rejected)
            throw GatewayProblem.tooLarge(limit: maxBodyBytes)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            WebhookMetrics.record(platform, .rejected)
            throw GatewayProblem.tooLarge(limit: maxBodyBytes)
        }
    }

    /// The value of a header the platform always sends; 400 `missing_header` naming it when absent or blank.
    func required(_ name: HTTPField.Name, in request: Request, platform: StorePlatform) throws -> String {
        guard let value = request.headers[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            WebhookMetrics.record(platform, .rejected)
            throw Problem.badRequest("the \(name.rawName) header is required", code: "missing_header")
        }
        return value
    }

    /// The connected store for `domain` whose current or previous secret made `signature` over `body`; 401 otherwise.
    func verify(
        platform: StorePlatform, domain: String, signature: String, body: [UInt8], logger: Logger
    ) async throws -> ConnectedStore {
        guard let normalised = ShopDomain.normalise(domain),
            let store = try await stores.store(platform: platform, domain: normalised),
            WebhookSignature.isValid(signature, body: body, secrets: store.webhookSecrets)
        else {
            WebhookMetrics.record(platform, .unauthorized)
            logger.notice(
                "webhook refused: unknown store or bad signature",
                metadata: ["platform": "\(platform.rawValue)", "shop_domain": "\(domain.prefix(255))"])
            throw Self.unauthorized
        }
        return store
    }

    /// The body as text; 400 `invalid_body` when it is not UTF-8.
    func text(of body: [UInt8], platform: StorePlatform) throws -> String {
        guard let text = String(validating: body, as: UTF8.self) else {
            WebhookMetrics.record(platform, .rejected)
            throw Problem.badRequest("the body is not UTF-8", code: "invalid_body")
        }
        return text
    }

    /// `sha256:` and the lowercase hex SHA-256 of `body`: the delivery key when the platform sends no delivery id.
    static func bodyHashKey(_ body: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    /// Has the customers service store `delivery` and answers 200 `accepted` or `duplicate`. A service that is
    /// down, slow or does not know the operation yet gives 503 with `Retry-After` (the platforms retry); a problem
    /// the service answered about the delivery itself is passed on.
    func deliver(_ delivery: Delivery, request: Request, context: GatewayRequestContext) async throws -> Response {
        let store = delivery.store
        let input = ReceiveStoreDelivery(
            storeID: store.id, platform: store.platform, shopDomain: store.shopDomain, topic: delivery.topic,
            deliveryKey: delivery.deliveryKey, eventID: delivery.eventID, triggeredAt: delivery.triggeredAt,
            body: delivery.body)
        // The key covers the gateway's own retries of this one request. A platform's retry is a new request: the
        // customers service recognises it by (store, delivery key) and answers `duplicate`.
        let idempotencyKey = "webhook:\(store.id.uuidString.lowercased()):\(delivery.deliveryKey):\(UUID().uuidString)"
        let deadlineMillis = Int64(Date().timeIntervalSince1970 * 1000) + deadline.milliseconds
        let metadata = RequestMetadata(
            requestID: context.requestID, idempotencyKey: idempotencyKey,
            principal: Principal(role: .integration, keyID: "store:\(store.id.uuidString)", storeID: store.id),
            deadlineMillis: deadlineMillis, traceparent: request.headers[.traceparent])
        let reply = await services.send(
            service: Operation.Customers.service, operation: Operation.Customers.receiveDelivery,
            payload: try PayloadDecoder.encode(input), metadata: metadata)
        let logMetadata: Logger.Metadata = [
            "store_id": "\(store.id)", "platform": "\(store.platform.rawValue)", "topic": "\(delivery.topic)",
            "delivery_key": "\(delivery.deliveryKey)",
        ]
        if reply.isSuccess,
            let receipt = try? WireJSON.decoder.decode(StoreDeliveryReceipt.self, from: Data(reply.body))
        {
            WebhookMetrics.record(store.platform, receipt.duplicate ? .duplicate : .accepted)
            context.logger.info(
                receipt.duplicate ? "webhook duplicate" : "webhook accepted",
                metadata: logMetadata.merging(["delivery_id": "\(receipt.deliveryID)"]) { $1 })
            let acknowledgement = Acknowledgement(
                status: receipt.duplicate ? "duplicate" : "accepted", deliveryID: receipt.deliveryID)
            return try StoreRoutes.json(acknowledgement)
        }
        let problem =
            (try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)))
            ?? .internal("unreadable reply from \(Operation.Customers.service)")
        if reply.isSuccess || reply.status >= 500 || problem.code == "unknown_operation" {
            WebhookMetrics.record(store.platform, .unavailable)
            context.logger.warning(
                "webhook not stored",
                metadata: logMetadata.merging(["status": "\(reply.status)", "code": "\(problem.code)"]) { $1 })
            throw Problem.serviceUnavailable(
                "the delivery could not be stored now; retry later", code: "delivery_unavailable")
        }
        WebhookMetrics.record(store.platform, .rejected)
        return problem.response()
    }
}

extension Duration {
    /// This duration in whole milliseconds.
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

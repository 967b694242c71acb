import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import StorePlatforms
import Wire

/// The `customers.store_sync` consumer: applies each stored store delivery (`store.delivery_received`) to the
/// order and product mirrors and the customer records, in the consumer's transaction, and records how it ended on the delivery.
///
/// A signed but unusable delivery (undecodable body, or one whose application is refused) is marked `failed` with a
/// reason that holds no personal data, and never blocks the deliveries after it.
public struct StoreSync: Sendable {
    private let mirror = OrderMirror()
    private let products = ProductMirror()
    private let emitter = OrderEventEmitter()
    private let customers = StoreCustomerSync()

    public init() {}

    /// The consumer's handlers.
    public func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.storeDeliveryReceived) { event, connection, logger in
            let payload = try event.decode(StoreDeliveryReceived.self)
            try await apply(deliveryID: payload.deliveryID, on: connection, logger: logger)
        }
        return handlers
    }

    /// Applies the stored delivery `deliveryID` unless it was applied before (then nothing changes).
    public func apply(deliveryID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        var logger = logger
        logger[metadataKey: "delivery_id"] = "\(deliveryID)"
        guard let delivery = try await StoredDelivery.load(id: deliveryID, on: connection, logger: logger) else {
            logger.warning("store delivery not found; nothing to apply")
            return
        }
        guard delivery.appliedAt == nil, delivery.outcome != StoreSyncOutcome.redacted.rawValue else { return }
        logger[metadataKey: "store_id"] = "\(delivery.storeID)"
        logger[metadataKey: "topic"] = "\(delivery.topic)"
        let update: StoreUpdate
        do {
            update = try StorePayloadDecoder.decode(
                platform: delivery.platform, topic: delivery.topic, body: Array(delivery.body.utf8))
        } catch {
            let reason = (error as? StorePayloadError)?.description ?? "the body could not be decoded"
            logger.error("store delivery could not be decoded", metadata: ["error": "\(reason)"])
            try await delivery.finish(outcome: .failed, error: reason, on: connection, logger: logger)
            return
        }
        // A refused application (a Problem) rolls back to here and marks the delivery failed; anything else (the
        // database went away) propagates so the consumer retries.
        try await connection.query("SAVEPOINT store_sync_apply", logger: logger)
        do {
            let (outcome, customerID) = try await apply(update, delivery: delivery, on: connection, logger: logger)
            try await connection.query("RELEASE SAVEPOINT store_sync_apply", logger: logger)
            try await delivery.finish(outcome: outcome, customerID: customerID, on: connection, logger: logger)
            logger.info(
                "store delivery applied",
                metadata: ["outcome": "\(outcome.rawValue)", "customer_id": "\(customerID?.uuidString ?? "none")"])
        } catch let problem as Problem {
            try await connection.query("ROLLBACK TO SAVEPOINT store_sync_apply", logger: logger)
            let reason = "\(problem.code): \(problem.title)"
            logger.error("store delivery refused", metadata: ["error": "\(reason)"])
            try await delivery.finish(outcome: .failed, error: reason, on: connection, logger: logger)
        }
    }

    private func apply(
        _ update: StoreUpdate, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger
    ) async throws -> (StoreSyncOutcome, UUID?) {
        switch update {
        case .order(let order):
            var customerID: UUID?
            let current = try await mirror.existing(
                storeID: delivery.storeID, platformOrderID: order.platformOrderID, on: connection, logger: logger)
            let stale = OrderMirror.isStale(stored: current?.1, incoming: order.updatedAt ?? delivery.triggeredAt)
            if !stale {
                customerID = try await customers.resolveBuyer(
                    of: order, delivery: delivery, on: connection, logger: logger)
            }
            let result = try await mirror.write(
                order, customerID: customerID, delivery: delivery, on: connection, logger: logger)
            try await emitter.emitDue(
                storeID: delivery.storeID, platform: delivery.platform, platformOrderID: order.platformOrderID,
                created: result.inserted, on: connection, logger: logger)
            switch result.kept {
            case nil, .sameVersion: return (.applied, customerID)
            case .stale: return (.stale, customerID)
            case .partial: return (.merged, customerID)
            }
        case .fulfillment(let platformOrderID, let fulfillment):
            let written = try await mirror.upsert(
                fulfillment, platformOrderID: platformOrderID, storeID: delivery.storeID, overwrite: true,
                on: connection, logger: logger)
            try await mirror.deriveFulfillmentStatus(
                storeID: delivery.storeID, platformOrderID: platformOrderID, on: connection, logger: logger)
            try await emitter.emitDue(
                storeID: delivery.storeID, platform: delivery.platform, platformOrderID: platformOrderID,
                created: false, on: connection, logger: logger)
            return (written ? .applied : .stale, nil)
        case .refund(let platformOrderID, let refund):
            try await mirror.insert(
                refund, platformOrderID: platformOrderID, storeID: delivery.storeID, on: connection, logger: logger)
            try await mirror.recomputeRefunded(
                storeID: delivery.storeID, platformOrderID: platformOrderID, on: connection, logger: logger)
            try await emitter.emitDue(
                storeID: delivery.storeID, platform: delivery.platform, platformOrderID: platformOrderID,
                created: false, on: connection, logger: logger)
            return (.applied, nil)
        case .customer(let customer):
            return try await customers.apply(customer, delivery: delivery, on: connection, logger: logger)
        case .customerDeleted(let platformCustomerID):
            let customerID = try await customers.delete(
                platformCustomerID: platformCustomerID, delivery: delivery, on: connection, logger: logger)
            return (.applied, customerID)
        case .customerDataRequest, .customerRedact, .shopRedact:
            let outcome = try await PrivacyCompliance.apply(
                update, storeID: delivery.storeID, deliveryID: delivery.id, on: connection, logger: logger)
            return (StoreSyncOutcome(rawValue: outcome) ?? .applied, nil)
        case .orderDeleted(let platformOrderID):
            let deleted = try await mirror.markDeleted(
                storeID: delivery.storeID, platformOrderID: platformOrderID, on: connection, logger: logger)
            return (deleted ? .applied : .ignored, nil)
        case .product(let product):
            let written = try await products.write(product, delivery: delivery, on: connection, logger: logger)
            return (written ? .applied : .stale, nil)
        case .productDeleted(let platformProductID):
            let deleted = try await products.markDeleted(
                storeID: delivery.storeID, platformProductID: platformProductID, on: connection, logger: logger)
            return (deleted ? .applied : .ignored, nil)
        case .ping, .unknown:
            return (.ignored, nil)
        }
    }
}

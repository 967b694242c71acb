import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The customer timeline: one time-ordered history across tickets, returns and the customer record, projected from
/// events by the `customers.timeline` consumer and read by `customers.timeline`.
public struct TimelineProjection: Sendable {
    public init() {}

    /// The consumer's handlers: each event becomes one entry (a replayed event changes nothing).
    public func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.customerCreated) { event, connection, logger in
            let payload = try event.decode(CustomerCreated.self)
            try await insert(
                event, customerID: payload.customerID, subjectType: "customer", subjectID: event.aggregateID,
                summary: "Customer record created", on: connection, logger: logger)
        }
        handlers.on(EventType.ticketCreated) { event, connection, logger in
            let payload = try event.decode(TicketEvent.self)
            try await insert(
                event, customerID: payload.customerID, subjectType: "ticket", subjectID: event.aggregateID,
                summary: "Ticket #\(payload.number) opened by \(payload.channel.rawValue): \(payload.subject)",
                on: connection, logger: logger)
        }
        handlers.on(EventType.ticketSolved) { event, connection, logger in
            let payload = try event.decode(TicketEvent.self)
            try await insert(
                event, customerID: payload.customerID, subjectType: "ticket", subjectID: event.aggregateID,
                summary: "Ticket #\(payload.number) solved: \(payload.subject)", on: connection, logger: logger)
        }
        handlers.on(EventType.returnRequested) { event, connection, logger in
            let payload = try event.decode(ReturnRequested.self)
            let items = payload.lines.reduce(0) { $0 + $1.quantity }
            try await insert(
                event, customerID: payload.customerID, subjectType: "return", subjectID: event.aggregateID,
                summary: "Return requested for order \(payload.orderReference) (\(items) item\(items == 1 ? "" : "s"))",
                on: connection, logger: logger)
        }
        handlers.on(EventType.csatReceived) { event, connection, logger in
            let payload = try event.decode(CSATReceived.self)
            let changed = payload.previousRating.map { " (was \($0)/5)" } ?? ""
            try await insert(
                event, customerID: payload.customerID, subjectType: "ticket", subjectID: payload.ticketID.uuidString,
                summary: "Rated ticket #\(payload.ticketNumber): \(payload.rating)/5\(changed)", on: connection,
                logger: logger)
        }
        handlers.on(EventType.npsReceived) { event, connection, logger in
            let payload = try event.decode(NPSReceived.self)
            try await insert(
                event, customerID: payload.customerID, subjectType: "nps_survey", subjectID: event.aggregateID,
                summary: "Would recommend us: \(payload.score)/10", on: connection, logger: logger)
        }
        orderHandlers(&handlers)
        summaryHandlers(&handlers)
        return handlers
    }

    /// Return and loyalty events carry their own summary line and customer.
    private func summaryHandlers(_ handlers: inout EventHandlers) {
        let returnTypes = [
            EventType.returnApproved, EventType.returnDeclined, EventType.returnLabelIssued, EventType.returnReceived,
            EventType.returnInspected, EventType.returnRefunded, EventType.returnClosed, EventType.returnCancelled,
        ]
        for type in returnTypes {
            handlers.on(type) { event, connection, logger in
                let payload = try event.decode(ReturnEvent.self)
                try await insert(
                    event, customerID: payload.customerID, subjectType: "return", subjectID: event.aggregateID,
                    summary: payload.summary, on: connection, logger: logger)
            }
        }
        let loyaltyTypes = [
            EventType.loyaltyEntryRecorded, EventType.loyaltyPointsAvailable, EventType.loyaltyExpiryWarning,
            EventType.loyaltyTierChanged, EventType.loyaltyRewardIssued, EventType.loyaltyRewardCancelled,
        ]
        for type in loyaltyTypes {
            handlers.on(type) { event, connection, logger in
                let payload = try event.decode(LoyaltyEvent.self)
                try await insert(
                    event, customerID: payload.customerID, subjectType: "loyalty",
                    subjectID: payload.entryID?.uuidString ?? payload.sourceID ?? event.aggregateID,
                    summary: payload.summary, on: connection, logger: logger)
            }
        }
    }

    /// Order events become entries of the order's customer (guest orders without a customer have no timeline).
    private func orderHandlers(_ handlers: inout EventHandlers) {
        func on(_ type: String, _ summary: @escaping @Sendable (OrderEvent, String, String?) -> String) {
            handlers.on(type) { event, connection, logger in
                let payload = try event.decode(OrderEvent.self)
                guard let customerID = payload.customerID else { return }
                let number = payload.number.hasPrefix("#") ? payload.number : "#\(payload.number)"
                let carrier =
                    type == EventType.orderFulfilled
                    ? try await self.carrier(of: payload, on: connection, logger: logger) : nil
                try await insert(
                    event, customerID: customerID, subjectType: "order", subjectID: event.aggregateID,
                    summary: summary(payload, number, carrier), on: connection, logger: logger)
            }
        }
        on(EventType.orderCreated) { payload, number, _ in
            "Order \(number) placed: \(MoneyText.format(payload.amount))"
        }
        on(EventType.orderPaid) { payload, number, _ in
            "Order \(number) paid: \(MoneyText.format(payload.amount))"
        }
        on(EventType.orderFulfilled) { payload, number, carrier in
            let via = carrier.map { " via \($0)" } ?? ""
            let tracking = payload.trackingNumber.map { ", tracking \($0)" } ?? ""
            return "Order \(number) shipped\(via)\(tracking)"
        }
        on(EventType.orderRefunded) { payload, number, _ in
            "Order \(number) refunded: \(MoneyText.format(payload.amount))"
        }
        on(EventType.orderCancelled) { _, number, _ in "Order \(number) cancelled" }
    }

    /// The carrier of the fulfillment whose tracking number `order.fulfilled` carries (the event has none itself).
    private func carrier(of payload: OrderEvent, on connection: PostgresConnection, logger: Logger) async throws
        -> String?
    {
        guard let trackingNumber = payload.trackingNumber else { return nil }
        let rows = try await connection.query(
            """
            SELECT carrier FROM customers.fulfillments
            WHERE store_id = \(payload.storeID) AND platform_order_id = \(payload.platformOrderID)
              AND tracking_number = \(trackingNumber) AND carrier IS NOT NULL
            ORDER BY created_at DESC NULLS LAST
            LIMIT 1
            """, logger: logger)
        for try await carrier in rows.decode(String.self) { return carrier }
        return nil
    }

    private func insert(
        _ event: EventEnvelope, customerID: UUID, subjectType: String, subjectID: String, summary: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO customers.timeline
                (event_id, customer_id, type, source, occurred_at, subject_type, subject_id, summary)
            VALUES (\(event.id), \(customerID), \(event.type), \(event.source), \(event.occurredAt), \(subjectType),
                    \(subjectID), \(summary))
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }

    /// A page of a customer's timeline, newest first.
    public func page(
        customerID: UUID, limit: Int, after cursor: KeysetCursor?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<TimelineEntry> {
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let fetch = limit + 1
        let rows = try await connection.query(
            """
            SELECT event_id, type, source, occurred_at, subject_type, subject_id, summary,
                   (extract(epoch FROM occurred_at) * 1000000)::bigint
            FROM customers.timeline
            WHERE customer_id = \(customerID)
              AND (occurred_at, event_id) < (CASE WHEN \(afterMicros) = \(Int64.max) THEN 'infinity'::timestamptz
                                                  ELSE 'epoch'::timestamptz + \(afterMicros) * interval '1 microsecond' END,
                                             \(afterID))
            ORDER BY occurred_at DESC, event_id DESC
            LIMIT \(fetch)
            """, logger: logger)
        var entries: [(TimelineEntry, Int64)] = []
        for try await row in rows.decode((UUID, String, String, Date, String, String, String, Int64).self) {
            entries.append(
                (
                    TimelineEntry(
                        eventID: row.0, type: row.1, source: row.2, occurredAt: row.3, subjectType: row.4,
                        subjectID: row.5, summary: row.6), row.7
                ))
        }
        let page = Array(entries.prefix(limit))
        let next =
            entries.count > limit
            ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.eventID).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }
}

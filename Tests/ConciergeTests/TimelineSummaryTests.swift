import Contracts
import CustomersService
import Foundation
import ServiceRuntime
import TestSupport
import Testing

/// Return and loyalty events reach the customer timeline with the summary line their service wrote.
@Suite struct TimelineSummaryTests {
    @Test func returnAndLoyaltyEventsBecomeTimelineEntriesOnce() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let returnID = UUID()
            let entryID = UUID()
            let approved = ReturnEvent(
                returnID: returnID, customerID: customer.id, orderID: nil, orderReference: "#1001", ticketID: nil,
                status: "approved", summary: "Return for order #1001 approved automatically",
                lines: [ReturnEventLine(platformLineID: 1, sku: "TEE-M", quantity: 1)])
            let earned = LoyaltyEvent(
                customerID: customer.id, entryID: entryID, kind: "earn", points: 120, source: "order",
                sourceID: "order-1", summary: "Earned 120 points (pending) on order #1001", available: 0,
                pending: 120)
            let events = [
                try NewEvent(
                    type: EventType.returnApproved, aggregateType: "return", aggregateID: returnID.uuidString,
                    payload: approved),
                try NewEvent(
                    type: EventType.loyaltyEntryRecorded, aggregateType: "loyalty_account",
                    aggregateID: customer.id.uuidString, payload: earned),
            ]
            let handlers = TimelineProjection().handlers()
            try await TestDatabase.withDatabase(url: routers.url) { database in
                for event in events {
                    let envelope = try await database.transaction {
                        try await EventStore(source: "test").append(
                            event, traceparent: nil, on: $0, logger: Fixture.logger)
                    }
                    let handler = try #require(handlers.handlers[event.type])
                    // Applied twice, as a redelivery would: one entry.
                    for _ in 0..<2 {
                        try await database.transaction { try await handler(envelope, $0, Fixture.logger) }
                    }
                }
            }
            let timeline = try await routers.customers.call(
                Operation.Customers.timeline, ListTimeline(customerID: customer.id))
            let entries = try timeline.decoded(Page<TimelineEntry>.self).items
            let returnEntries = entries.filter { $0.type == EventType.returnApproved }
            let loyaltyEntries = entries.filter { $0.type == EventType.loyaltyEntryRecorded }
            #expect(returnEntries.map(\.summary) == ["Return for order #1001 approved automatically"])
            #expect(returnEntries.map(\.subjectID) == [returnID.uuidString])
            #expect(loyaltyEntries.map(\.summary) == ["Earned 120 points (pending) on order #1001"])
            #expect(loyaltyEntries.map(\.subjectType) == ["loyalty"])
            #expect(loyaltyEntries.map(\.subjectID) == [entryID.uuidString])
        }
    }
}

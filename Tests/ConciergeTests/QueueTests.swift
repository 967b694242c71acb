import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Queues: views, filters, search and cursors", .enabled(if: TestDatabase.isConfigured))
struct QueueTests {
    func page(_ routers: Fixture.Routers, _ query: TicketQueue) async throws -> Page<Ticket> {
        let reply = try await routers.tickets.call(Operation.Tickets.queue, query)
        guard reply.status == 200 else { throw TestSetupError("queue answered \(reply.bodyText)") }
        return try reply.decoded(Page<Ticket>.self)
    }

    @Test func eachViewHoldsItsTicketsOldestFirst() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let other = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            let a = try await routers.openTicket(customer, subject: "Where is order 1001?")
            let b = try await routers.openTicket(customer, subject: "Invoice wrong", message: "charged twice")
            let c = try await routers.openTicket(other, subject: "Size question", message: "sizing chart")
            _ = try await routers.update(UpdateTicket(ticketID: b.id, assigneeID: .set(agent.id), tags: ["vip"]))
            _ = try await routers.update(
                UpdateTicket(ticketID: c.id, status: .pending, group: .set("product"), orderReference: .set("#2002")))

            #expect(try await page(routers, TicketQueue(view: .unassigned)).items.map(\.id) == [a.id])
            #expect(try await page(routers, TicketQueue(view: .mine, agentID: agent.id)).items.map(\.id) == [b.id])
            #expect(try await page(routers, TicketQueue(view: .group, group: "product")).items.map(\.id) == [c.id])
            #expect(try await page(routers, TicketQueue(view: .pendingCustomer)).items.map(\.id) == [c.id])
            #expect(try await page(routers, TicketQueue(view: .all)).items.map(\.id) == [c.id, b.id, a.id])

            // Filters and search.
            #expect(try await page(routers, TicketQueue(view: .all, tag: "vip")).items.map(\.id) == [b.id])
            #expect(try await page(routers, TicketQueue(view: .all, customerID: other.id)).items.map(\.id) == [c.id])
            #expect(try await page(routers, TicketQueue(view: .all, orderReference: "2002")).items.map(\.id) == [c.id])
            #expect(try await page(routers, TicketQueue(view: .all, q: "invoice")).items.map(\.id) == [b.id])
            #expect(try await page(routers, TicketQueue(view: .all, category: "delivery")).items.map(\.id) == [a.id])
            #expect(
                try await page(routers, TicketQueue(view: .all, status: .new, channel: .email)).items.map(\.id) == [
                    a.id
                ])
        }
    }

    @Test func cursorsWalkEveryTicketOnceAndBadInputIsRefused() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            var opened: [UUID] = []
            for index in 0..<7 { opened.append(try await routers.openTicket(customer, subject: "Q \(index)").id) }
            var seen: [UUID] = []
            var cursor: String?
            repeat {
                let next = try await page(routers, TicketQueue(view: .unassigned, limit: 3, cursor: cursor))
                seen += next.items.map(\.id)
                cursor = next.nextCursor
            } while cursor != nil
            #expect(seen == opened)
            for json in [
                #"{"view":"mine"}"#, #"{"view":"group"}"#, #"{"view":"later"}"#, #"{"view":"all","limit":0}"#,
                #"{"view":"all","cursor":"nope"}"#, #"{"view":"all","within_minutes":0}"#,
                #"{"view":"all","colour":"red"}"#,
            ] {
                let reply = await routers.tickets.call(Operation.Tickets.queue, json: json)
                #expect(reply.status == 422, "\(json)")
            }
            let customerKey = try await routers.tickets.call(
                Operation.Tickets.queue, TicketQueue(view: .all), principal: .customer(customer.id))
            #expect(customerKey.status == 403)
        }
    }
}

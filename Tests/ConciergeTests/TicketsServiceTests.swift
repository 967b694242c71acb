import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Tickets service through its router", .enabled(if: TestDatabase.isConfigured))
struct TicketsServiceTests {
    private func create(
        _ routers: Fixture.Routers, customer: UUID, subject: String = "Where is my order?",
        priority: TicketPriority? = nil
    ) async throws -> Ticket {
        let reply = try await routers.tickets.call(
            Operation.Tickets.create,
            CreateTicket(
                customerID: customer, subject: subject, message: "It has not arrived", channel: .email,
                priority: priority))
        #expect(reply.status == 201, "\(reply.bodyText)")
        return try reply.decoded(Ticket.self)
    }

    @Test func createAssignsANumberAndTheFirstMessage() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let first = try await create(routers, customer: customer)
            let second = try await create(routers, customer: customer, priority: .urgent)
            #expect(first.status == .new)
            #expect(first.priority == .normal)
            #expect(second.priority == .urgent)
            #expect(first.number > 0)
            #expect(second.number > first.number)
            #expect(first.customerID == customer)
            let message = try #require(first.messages?.first)
            #expect(first.messages?.count == 1)
            #expect(message.body == "It has not arrived")
            #expect(message.authorType == .customer)
            #expect(message.isPublic)
            #expect(message.ticketID == first.id)
        }
    }

    @Test func getHidesInternalNotesFromTheCustomerOnly() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let ticket = try await create(routers, customer: customer)
            let note = try await routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(ticketID: ticket.id, body: "refund fraud risk", authorType: .agent, isPublic: false),
                principal: .agent)
            #expect(note.status == 201)
            #expect(try note.decoded(TicketMessage.self).isPublic == false)

            let asAgent = try await routers.tickets.call(Operation.Tickets.get, ByID(id: ticket.id), principal: .agent)
            #expect(asAgent.status == 200)
            #expect(
                try asAgent.decoded(Ticket.self).messages?.map(\.body) == ["It has not arrived", "refund fraud risk"])

            let asCustomer = try await routers.tickets.call(
                Operation.Tickets.get, ByID(id: ticket.id), principal: .customer(customer))
            #expect(asCustomer.status == 200)
            #expect(try asCustomer.decoded(Ticket.self).messages?.map(\.body) == ["It has not arrived"])
            #expect(!asCustomer.bodyText.contains("refund fraud risk"))
        }
    }

    @Test func addMessageAppendsInOrder() async throws {
        try await Fixture.withRouters { routers in
            let ticket = try await create(routers, customer: UUID())
            let reply = try await routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(ticketID: ticket.id, body: "Any news?", authorType: .customer))
            #expect(reply.status == 201)
            let message = try reply.decoded(TicketMessage.self)
            #expect(message.channel == .email)
            #expect(message.isPublic)
            let got = try await routers.tickets.call(Operation.Tickets.get, ByID(id: ticket.id))
            #expect(try got.decoded(Ticket.self).messages?.map(\.body) == ["It has not arrived", "Any news?"])

            let missing = try await routers.tickets.call(
                Operation.Tickets.addMessage, AddTicketMessage(ticketID: UUID(), body: "x", authorType: .agent))
            #expect(missing.status == 404)
        }
    }

    @Test func unknownTicketIs404() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.tickets.call(Operation.Tickets.get, ByID(id: UUID()))
            #expect(reply.status == 404)
        }
    }

    @Test func listByCustomerPagesWithoutGapsOrDuplicates() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            var created: [Ticket] = []
            for index in 0..<5 { created.append(try await create(routers, customer: customer, subject: "T\(index)")) }
            _ = try await create(routers, customer: UUID(), subject: "someone else's")

            var pages: [Page<Ticket>] = []
            var cursor: String?
            repeat {
                let reply = try await routers.tickets.call(
                    Operation.Tickets.listByCustomer,
                    ListTicketsByCustomer(customerID: customer, limit: 2, cursor: cursor))
                #expect(reply.status == 200, "\(reply.bodyText)")
                let page = try reply.decoded(Page<Ticket>.self)
                pages.append(page)
                cursor = page.nextCursor
            } while cursor != nil && pages.count < 10
            #expect(pages.map(\.items.count) == [2, 2, 1])
            #expect(pages.last?.nextCursor == nil)
            let ids = pages.flatMap(\.items).map(\.id)
            #expect(ids == created.reversed().map(\.id), "newest first, each exactly once")
            #expect(pages.flatMap(\.items).allSatisfy { $0.messages == nil && $0.customerID == customer })
        }
    }

    @Test func listWithAGarbageCursorIs422() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.tickets.call(
                Operation.Tickets.listByCustomer, ListTicketsByCustomer(customerID: UUID(), cursor: "zzz"))
            #expect(reply.status == 422)
            #expect(reply.problem?.errors?.map(\.field) == ["cursor"])
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Customer principals see only their own data", .enabled(if: TestDatabase.isConfigured))
struct AuthorizationTests {
    /// Two customers, each with a ticket and a return, created by staff.
    private struct World: Sendable {
        var routers: Fixture.Routers
        var mine: Customer
        var theirs: Customer
        var myTicket: Ticket
        var theirTicket: Ticket
        var myReturn: ReturnRequest
        var theirReturn: ReturnRequest
    }

    private func withWorld(_ body: @Sendable (World) async throws -> Void) async throws {
        try await Fixture.withRouters { routers in
            let mine = try await routers.customers.createCustomer()
            let theirs = try await routers.customers.createCustomer()
            func ticket(_ customer: Customer) async throws -> Ticket {
                try await routers.tickets.call(
                    Operation.Tickets.create,
                    CreateTicket(customerID: customer.id, subject: "s", message: "m", channel: .chat)
                ).decoded(Ticket.self)
            }
            func rma(_ customer: Customer) async throws -> ReturnRequest {
                try await routers.returns.call(
                    Operation.Returns.create,
                    CreateReturn(
                        customerID: customer.id, orderReference: "O", reason: "r",
                        lines: [ReturnLine(sku: "A", quantity: 1)])
                ).decoded(ReturnRequest.self)
            }
            try await body(
                World(
                    routers: routers, mine: mine, theirs: theirs, myTicket: try await ticket(mine),
                    theirTicket: try await ticket(theirs), myReturn: try await rma(mine),
                    theirReturn: try await rma(theirs)))
        }
    }

    @Test func readingAnotherCustomersDataIsForbidden() async throws {
        try await withWorld { world in
            let me = Principal.customer(world.mine.id)
            let replies = [
                try await world.routers.tickets.call(
                    Operation.Tickets.get, ByID(id: world.theirTicket.id), principal: me),
                try await world.routers.returns.call(
                    Operation.Returns.get, ByID(id: world.theirReturn.id), principal: me),
                try await world.routers.customers.call(
                    Operation.Customers.get, ByID(id: world.theirs.id), principal: me),
                try await world.routers.tickets.call(
                    Operation.Tickets.listByCustomer, ListTicketsByCustomer(customerID: world.theirs.id), principal: me),
                try await world.routers.loyalty.call(
                    Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: world.theirs.id), principal: me),
            ]
            #expect(replies.map(\.status) == [403, 403, 403, 403, 403])
            #expect(replies.allSatisfy { $0.problem?.code == "forbidden" })
        }
    }

    @Test func writingForAnotherCustomerIsForbidden() async throws {
        try await withWorld { world in
            let me = Principal.customer(world.mine.id)
            let ticket = try await world.routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(customerID: world.theirs.id, subject: "s", message: "m", channel: .chat), principal: me)
            let message = try await world.routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(ticketID: world.theirTicket.id, body: "hi", authorType: .customer), principal: me)
            let rma = try await world.routers.returns.call(
                Operation.Returns.create,
                CreateReturn(
                    customerID: world.theirs.id, orderReference: "O", reason: "r",
                    lines: [ReturnLine(sku: "A", quantity: 1)]), principal: me)
            let statuses: [Int] = [ticket.status, message.status, rma.status]
            #expect(statuses == [403, 403, 403])
            #expect(try await TestDatabase.scalar(url: world.routers.url, "SELECT count(*) FROM tickets.tickets") == 2)
            #expect(try await TestDatabase.scalar(url: world.routers.url, "SELECT count(*) FROM tickets.messages") == 2)
        }
    }

    @Test func customersMayNotCreateOrSearchCustomers() async throws {
        try await withWorld { world in
            let me = Principal.customer(world.mine.id)
            let create = try await world.routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "new@example.com"), principal: me)
            #expect(create.status == 403)
            let find = try await world.routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: world.theirs.email ?? ""), principal: me)
            #expect(find.status == 403)
        }
    }

    @Test func ownDataIsReadable() async throws {
        try await withWorld { world in
            let me = Principal.customer(world.mine.id)
            let ticket = try await world.routers.tickets.call(
                Operation.Tickets.get, ByID(id: world.myTicket.id), principal: me)
            #expect(ticket.status == 200)
            #expect(try ticket.decoded(Ticket.self).id == world.myTicket.id)
            let rma = try await world.routers.returns.call(
                Operation.Returns.get, ByID(id: world.myReturn.id), principal: me)
            #expect(rma.status == 200)
            let customer = try await world.routers.customers.call(
                Operation.Customers.get, ByID(id: world.mine.id), principal: me)
            #expect(try customer.decoded(Customer.self) == world.mine)
            let list = try await world.routers.tickets.call(
                Operation.Tickets.listByCustomer, ListTicketsByCustomer(customerID: world.mine.id), principal: me)
            #expect(try list.decoded(Page<Ticket>.self).items.map(\.id) == [world.myTicket.id])
            let account = try await world.routers.loyalty.call(
                Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: world.mine.id), principal: me)
            #expect(account.status == 200)
            let message = try await world.routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(ticketID: world.myTicket.id, body: "thanks", authorType: .customer), principal: me)
            #expect(message.status == 201)
        }
    }

    @Test func aCustomerMayNotWriteAsAnAgent() async throws {
        try await withWorld { world in
            let reply = try await world.routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(ticketID: world.myTicket.id, body: "I am staff", authorType: .agent),
                principal: .customer(world.mine.id))
            #expect(reply.status == 403)
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

/// Helpers of the routing suites.
extension Fixture.Routers {
    func defineGroup(
        _ name: String, assignment: AssignmentMode, categories: [String] = []
    ) async throws -> TicketGroup {
        let reply = try await tickets.call(
            Operation.Tickets.defineGroup, DefineGroup(name: name, assignment: assignment, categories: categories))
        guard reply.status == 200 else { throw TestSetupError("define_group answered \(reply.bodyText)") }
        return try reply.decoded(TicketGroup.self)
    }

    func agent(
        _ name: String, groups: [String], skills: [String] = [], capacity: Int? = nil
    ) async throws -> Agent {
        let reply = try await tickets.call(
            Operation.Tickets.createAgent,
            CreateAgent(
                name: name, email: "\(name.lowercased())-\(UUID().uuidString.prefix(6))@shop.example", groups: groups,
                skills: skills, capacity: capacity))
        guard reply.status == 201 else { throw TestSetupError("create_agent answered \(reply.bodyText)") }
        return try reply.decoded(Agent.self)
    }
}

@Suite(
    "Routing: groups, skills, capacity, round-robin, least-loaded, backfill", .enabled(if: TestDatabase.isConfigured))
struct RoutingTests {
    @Test func roundRobinTakesTurnsInTheCategorysGroup() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.defineGroup("delivery", assignment: .roundRobin, categories: ["delivery"])
            let ana = try await routers.agent("Ana", groups: ["delivery"])
            let ben = try await routers.agent("Ben", groups: ["delivery"])
            _ = try await routers.agent("Cy", groups: ["billing"])
            let customer = try await routers.customers.createCustomer()
            var assignees: [UUID?] = []
            for _ in 0..<4 {
                let ticket = try await routers.openTicket(customer, subject: "Where is my order?")
                #expect(ticket.group == "delivery")
                #expect(ticket.status == .open)
                assignees.append(ticket.assigneeID)
            }
            #expect(Set(assignees.prefix(2)) == [ana.id, ben.id])
            #expect(assignees[2] == assignees[0])
            #expect(assignees[3] == assignees[1])
            // A ticket of a category no group takes stays unassigned, in no group.
            let other = try await routers.openTicket(customer, subject: "Hello", message: "Gift cards?")
            #expect(other.group == nil)
            #expect(other.assigneeID == nil)
            #expect(other.status == .new)
        }
    }

    @Test func leastLoadedCapacityAndSkillsDecideAndWaitingTicketsAreBackfilled() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.defineGroup("billing", assignment: .leastLoaded, categories: ["billing"])
            let busy = try await routers.agent("Busy", groups: ["billing"], capacity: 5)
            let german = try await routers.agent("Greta", groups: ["billing"], skills: ["german"], capacity: 1)
            let customer = try await routers.customers.createCustomer()
            // Busy already has two tickets (assigned by hand).
            for _ in 0..<2 {
                let ticket = try await routers.openTicket(customer, subject: "Hi", message: "question")
                _ = try await routers.update(UpdateTicket(ticketID: ticket.id, assigneeID: .set(busy.id)))
            }
            let first = try await routers.openTicket(customer, subject: "Invoice", message: "I was charged twice")
            #expect(first.assigneeID == german.id)  // least loaded
            let second = try await routers.openTicket(customer, subject: "Invoice", message: "charged again")
            #expect(second.assigneeID == busy.id)  // Greta is at capacity

            // A ticket that needs German waits: only Greta has the skill and she has no room.
            let needsGerman = try await routers.openTicket(customer, subject: "Rechnung", message: "no rule here")
            let grouped = try await routers.update(
                UpdateTicket(ticketID: needsGerman.id, group: .set("billing"), requiredSkills: ["german"]))
            #expect(try grouped.decoded(Ticket.self).assigneeID == nil)
            let queue = try await routers.tickets.call(
                Operation.Tickets.queue, TicketQueue(view: .unassigned, group: "billing"))
            #expect(try queue.decoded(Page<Ticket>.self).items.map(\.id) == [needsGerman.id])

            // Greta solves her ticket: she frees up and the waiting one is hers.
            let solved = try await routers.update(UpdateTicket(ticketID: first.id, status: .solved))
            #expect(solved.status == 200, "\(solved.bodyText)")
            #expect(try await routers.ticket(needsGerman.id).assigneeID == german.id)
            #expect(try await routers.ticket(needsGerman.id).status == .open)

            // Raising a capacity backfills too.
            let waiting = try await routers.openTicket(customer, subject: "Rechnung 2", message: "no rule")
            _ = try await routers.update(
                UpdateTicket(ticketID: waiting.id, group: .set("billing"), requiredSkills: ["german"]))
            #expect(try await routers.ticket(waiting.id).assigneeID == nil)
            let raised = try await routers.tickets.call(
                Operation.Tickets.updateAgent, UpdateAgent(agentID: german.id, capacity: .set(3)))
            #expect(try raised.decoded(Agent.self).load == 2)
            #expect(try await routers.ticket(waiting.id).assigneeID == german.id)
        }
    }

    @Test func racingRoutingsNeverExceedAnAgentsCapacity() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.defineGroup("returns", assignment: .roundRobin, categories: ["returns"])
            let solo = try await routers.agent("Solo", groups: ["returns"], capacity: 3)
            let customer = try await routers.customers.createCustomer()
            let tickets = try await withThrowingTaskGroup(of: Ticket.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await routers.openTicket(customer, subject: "Return \(index)", message: "exchange please")
                    }
                }
                var all: [Ticket] = []
                for try await ticket in group { all.append(ticket) }
                return all
            }
            #expect(tickets.filter { $0.assigneeID == solo.id }.count == 3)
            #expect(tickets.filter { $0.assigneeID == nil }.count == 7)
            let listed = try await routers.tickets.call(Operation.Tickets.listAgents, ListAgents())
            #expect(try listed.decoded([Agent].self).first?.load == 3)
        }
    }

    @Test func groupsAreValidatedAndACategoryBelongsToOneGroup() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.defineGroup("delivery", assignment: .manual, categories: ["delivery"])
            let clash = try await routers.tickets.call(
                Operation.Tickets.defineGroup, DefineGroup(name: "shipping", categories: ["delivery"]))
            #expect(clash.status == 409)
            #expect(clash.problem?.code == "category_taken")
            let bad = await routers.tickets.call(
                Operation.Tickets.defineGroup, json: #"{"name":"Bad Name","assignment":"random"}"#)
            #expect(bad.status == 422)
            let byAgent = try await routers.tickets.call(
                Operation.Tickets.defineGroup, DefineGroup(name: "x"), principal: .agent)
            #expect(byAgent.status == 403)
            // A manual group takes the tickets but assigns nobody.
            _ = try await routers.agent("Dee", groups: ["delivery"])
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            #expect(ticket.group == "delivery")
            #expect(ticket.assigneeID == nil)
            let groups = try await routers.tickets.call(Operation.Tickets.listGroups, ListGroups(), principal: .agent)
            #expect(try groups.decoded([TicketGroup].self).map(\.name) == ["delivery"])
        }
    }
}

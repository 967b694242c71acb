import Contracts
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

@Suite("SLA on tickets: targets, pauses, breach events, queues", .enabled(if: TestDatabase.isConfigured))
struct ServiceLevelTests {
    /// A 24/7 calendar: business time is calendar time, so the test can reason in plain seconds.
    static let document = #"""
        {"calendar": {"time_zone": "UTC", "always_open": true},
         "policies": [
           {"id": "urgent", "priority": "urgent", "targets": {"first_reply": 3600, "resolution": 14400}},
           {"id": "urgent-chat", "priority": "urgent", "channel": "chat", "targets": {"first_reply": 300}},
           {"id": "normal", "priority": "normal", "targets": {"first_reply": 86400, "next_reply": 43200}}]}
        """#

    func define(_ routers: Fixture.Routers) async throws {
        let reply = await routers.tickets.call(Operation.Tickets.defineSLA, json: Self.document)
        guard reply.status == 200 else { throw TestSetupError("define_sla answered \(reply.bodyText)") }
    }

    func targets(_ url: String, _ ticket: UUID) async throws -> [String: (String, Date?)] {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(
                "SELECT metric, phase, due_at FROM tickets.sla_targets WHERE ticket_id = \(ticket)", logger: logger)
            var result: [String: (String, Date?)] = [:]
            for try await (metric, phase, due) in rows.decode((String, String, Date?).self) {
                result[metric] = (phase, due)
            }
            return result
        }
    }

    func watch(_ url: String, at now: Date) async throws -> [(String, UUID)] {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.transaction { connection in
                try await TicketsService.watchSLAs(now: now, on: connection, logger: Fixture.logger)
            }
        }
    }

    @Test func theMostSpecificPolicyGivesTheTicketItsDueTimes() async throws {
        try await Fixture.withRouters { routers in
            try await define(routers)
            let customer = try await routers.customers.createCustomer()
            let reply = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(
                    customerID: customer.id, subject: "Broken", message: "It broke", channel: .email,
                    priority: .urgent))
            let ticket = try reply.decoded(Ticket.self)
            let stored = try await targets(routers.url, ticket.id)
            #expect(stored["first_reply"]?.0 == "running")
            #expect(stored["resolution"]?.0 == "running")
            let due = try #require(stored["first_reply"]?.1)
            #expect(abs(due.timeIntervalSince(ticket.createdAt) - 3600) < 1)
            // On chat the chat policy applies: five minutes.
            let chat = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(
                    customerID: customer.id, subject: "Broken", message: "It broke", channel: .chat, priority: .urgent))
            let chatTicket = try chat.decoded(Ticket.self)
            let chatDue = try #require(try await targets(routers.url, chatTicket.id)["first_reply"]?.1)
            #expect(abs(chatDue.timeIntervalSince(chatTicket.createdAt) - 300) < 1)
            // Low priority has no policy: no targets.
            let low = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(customerID: customer.id, subject: "Idea", message: "Hi", channel: .email, priority: .low))
            #expect(try await targets(routers.url, try low.decoded(Ticket.self).id).isEmpty)
            // The report through the operation.
            let sla = try await routers.tickets.call(Operation.Tickets.ticketSLA, ByID(id: ticket.id))
            let object = try JSONSerialization.jsonObject(with: Data(sla.body)) as? [String: Any]
            #expect(object?["policy"] as? String == "urgent")
            #expect((object?["metrics"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func anAgentReplyAchievesTheFirstReplyAndPendingPausesTheClock() async throws {
        try await Fixture.withRouters { routers in
            try await define(routers)
            let customer = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            let created = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(
                    customerID: customer.id, subject: "Broken", message: "It broke", channel: .email,
                    priority: .urgent))
            let ticket = try created.decoded(Ticket.self)
            _ = try await routers.reply(ticket, "We are on it", as: .agent)
            var stored = try await targets(routers.url, ticket.id)
            #expect(stored["first_reply"]?.0 == "achieved")
            #expect(stored["resolution"]?.0 == "running")
            _ = try await routers.update(
                UpdateTicket(ticketID: ticket.id, status: .pending, assigneeID: .set(agent.id)))
            stored = try await targets(routers.url, ticket.id)
            #expect(stored["resolution"]?.0 == "paused")
            #expect(stored["resolution"]?.1 == nil)
            // Paused targets raise nothing, however late it gets.
            #expect(try await watch(routers.url, at: Date().addingTimeInterval(86400)).isEmpty)
            _ = try await routers.reply(ticket, "Still broken")
            stored = try await targets(routers.url, ticket.id)
            #expect(stored["resolution"]?.0 == "running")
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .solved))
            stored = try await targets(routers.url, ticket.id)
            #expect(stored["resolution"]?.0 == "achieved")
        }
    }

    @Test func nearBreachAndBreachArePublishedOncePerDueTimeAndShowInTheQueue() async throws {
        try await Fixture.withRouters { routers in
            try await define(routers)
            let customer = try await routers.customers.createCustomer()
            let created = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(
                    customerID: customer.id, subject: "Broken", message: "It broke", channel: .email,
                    priority: .urgent))
            let ticket = try created.decoded(Ticket.self)
            let calm = try await routers.tickets.call(
                Operation.Tickets.create,
                CreateTicket(customerID: customer.id, subject: "Hello", message: "Hi", channel: .email))
            #expect(try await watch(routers.url, at: Date()).isEmpty)
            // 50 minutes in: within the last 20 % of the hour.
            let near = try await watch(routers.url, at: ticket.createdAt.addingTimeInterval(50 * 60))
            #expect(near.map(\.0) == [EventType.ticketSLANearBreach])
            #expect(try await watch(routers.url, at: ticket.createdAt.addingTimeInterval(55 * 60)).isEmpty)
            let late = try await watch(routers.url, at: ticket.createdAt.addingTimeInterval(3700))
            #expect(late.map(\.0) == [EventType.ticketSLABreached])
            #expect(try await watch(routers.url, at: ticket.createdAt.addingTimeInterval(3800)).isEmpty)
            #expect(try await routers.events(EventType.ticketSLABreached) == 1)

            let soon = try await routers.tickets.call(
                Operation.Tickets.queue, TicketQueue(view: .breachingSoon, withinMinutes: 120))
            let ids = try soon.decoded(Page<Ticket>.self).items.map(\.id)
            #expect(ids.first == ticket.id)
            #expect(!ids.contains(try calm.decoded(Ticket.self).id))
        }
    }

    @Test func badDocumentsAreRefusedWithTheFieldsNamed() async throws {
        try await Fixture.withRouters { routers in
            let badZone = await routers.tickets.call(
                Operation.Tickets.defineSLA,
                json: #"{"calendar":{"time_zone":"Mars/Olympus"},"policies":[]}"#)
            #expect(badZone.status == 422)
            #expect(badZone.problem?.errors?.contains { $0.field.hasPrefix("calendar") } == true)
            let badBlock = await routers.tickets.call(
                Operation.Tickets.defineSLA,
                json: #"""
                    {"calendar":{"time_zone":"Europe/Berlin","weekly_hours":{"monday":[{"start":"17:00","end":"09:00"}]}},
                     "policies":[{"id":"a","priority":"normal","targets":{"first_reply":-5}}]}
                    """#)
            #expect(badBlock.status == 422)
            let byAgent = await routers.tickets.call(
                Operation.Tickets.defineSLA, json: Self.document, principal: .agent)
            #expect(byAgent.status == 403)
            let none = try await routers.tickets.call(Operation.Tickets.getSLA, ListAgents())
            #expect(none.status == 404)
            try await define(routers)
            let stored = try await routers.tickets.call(Operation.Tickets.getSLA, ListAgents(), principal: .agent)
            #expect(stored.status == 200)
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

@Suite("Triggers and time-based automations", .enabled(if: TestDatabase.isConfigured))
struct AutomationTests {
    func runAutomations(_ url: String, at now: Date) async throws -> [(String, UUID, String)] {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.transaction { connection in
                try await TicketsService.runAutomations(now: now, on: connection, logger: Fixture.logger)
            }
        }
    }

    @Test func triggersOnCreationAndOnCustomerRepliesApplyTheirActionsInOrder() async throws {
        try await Fixture.withRouters { routers in
            let urgent = try await routers.tickets.call(
                Operation.Tickets.defineTrigger,
                DefineTrigger(
                    name: "Refund words are urgent", event: .created,
                    conditions: [
                        RuleCondition(field: .message, op: .contains, value: "refund"),
                        RuleCondition(field: .channel, op: .is, value: "email"),
                    ],
                    actions: RuleActions(priority: .urgent, addTags: ["refund-request"], notify: "Refund asked"),
                    position: 1))
            #expect(urgent.status == 200, "\(urgent.bodyText)")
            _ = try await routers.tickets.call(
                Operation.Tickets.defineTrigger,
                DefineTrigger(
                    name: "Tag VIP refunds", event: .created,
                    conditions: [RuleCondition(field: .tag, op: .is, value: "refund-request")],
                    actions: RuleActions(addTags: ["review"]), position: 2))
            let customer = try await routers.customers.createCustomer()
            let matching = try await routers.openTicket(customer, subject: "Help", message: "I want a refund please")
            #expect(matching.priority == .urgent)
            #expect(matching.tags == ["refund-request", "review"])  // the second saw what the first did
            #expect(matching.messages?.contains { $0.body == "Rule applied: trigger Refund words are urgent" } == true)
            #expect(try await routers.events(EventType.ticketNotification) == 1)
            let other = try await routers.openTicket(customer, subject: "Help", message: "Where is my parcel")
            #expect(other.priority == .normal)
            #expect(other.tags.isEmpty)

            _ = try await routers.tickets.call(
                Operation.Tickets.defineTrigger,
                DefineTrigger(
                    name: "Angry customers", event: .customerReplied,
                    conditions: [RuleCondition(field: .message, op: .contains, value: "unacceptable")],
                    actions: RuleActions(priority: .high)))
            _ = try await routers.reply(other, "This is unacceptable")
            #expect(try await routers.ticket(other.id).priority == .high)
        }
    }

    @Test func anUpdateTriggerRunsOnceAndTriggersDoNotLoop() async throws {
        try await Fixture.withRouters { routers in
            // A trigger whose own action is an update must not set itself off again.
            _ = try await routers.tickets.call(
                Operation.Tickets.defineTrigger,
                DefineTrigger(
                    name: "Pending means waiting tag", event: .updated,
                    conditions: [RuleCondition(field: .status, op: .is, value: "pending")],
                    actions: RuleActions(addTags: ["waiting"], notify: "Waiting for the customer")))
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            let updated = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .pending))
            #expect(try updated.decoded(Ticket.self).tags == ["waiting"])
            #expect(try await routers.events(EventType.ticketNotification) == 1)
            // A later unrelated update: the ticket is still pending, so the trigger applies again (idempotent tags).
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, priority: .high))
            #expect(try await routers.ticket(ticket.id).tags == ["waiting"])
        }
    }

    @Test func pendingTicketsAreSolvedAfterTheirHoursOncePerPendingPeriod() async throws {
        try await Fixture.withRouters { routers in
            let agent = try await routers.createAgent()
            let defined = try await routers.tickets.call(
                Operation.Tickets.defineAutomation,
                DefineAutomation(
                    name: "Close the loop", when: .hoursInStatus, status: .pending, hours: 72,
                    actions: RuleActions(status: .solved, addTags: ["auto-solved"])))
            #expect(defined.status == 200, "\(defined.bodyText)")
            let customer = try await routers.customers.createCustomer()
            let assigned = try await routers.openTicket(customer)
            _ = try await routers.update(
                UpdateTicket(ticketID: assigned.id, status: .pending, assigneeID: .set(agent.id)))
            let unassigned = try await routers.openTicket(customer)
            _ = try await routers.update(UpdateTicket(ticketID: unassigned.id, status: .pending))

            #expect(try await runAutomations(routers.url, at: Date().addingTimeInterval(3600)).isEmpty)
            let later = Date().addingTimeInterval(73 * 3600)
            let runs = try await runAutomations(routers.url, at: later)
            let outcomes = Dictionary(uniqueKeysWithValues: runs.map { ($0.1, $0.2) })
            #expect(outcomes[assigned.id] == "applied")
            #expect(outcomes[unassigned.id] == "refused: invalid_transition")  // solving needs an assignee
            let solved = try await routers.ticket(assigned.id)
            #expect(solved.status == .solved)
            #expect(solved.tags == ["auto-solved"])
            #expect(try await routers.ticket(unassigned.id).tags.isEmpty)  // nothing of a refused run stays
            // Once per occasion: the next round does nothing.
            #expect(try await runAutomations(routers.url, at: later.addingTimeInterval(60)).isEmpty)
        }
    }

    @Test func badRulesAreRefused() async throws {
        try await Fixture.withRouters { routers in
            for json in [
                #"{"name":"x","event":"ticket.deleted","actions":{"priority":"high"}}"#,
                #"{"name":"x","event":"ticket.created","actions":{}}"#,
                #"{"name":"x","event":"ticket.created","conditions":[{"field":"mood","op":"is","value":"sad"}],"actions":{"priority":"high"}}"#,
                #"{"name":"x","event":"ticket.created","actions":{"status":"merged"}}"#,
                #"{"name":"x","event":"ticket.created","actions":{"macro_id":"\#(UUID())"}}"#,
                #"{"name":"x","event":"ticket.created","actions":{"priority":"high","colour":"red"}}"#,
            ] {
                let reply = await routers.tickets.call(Operation.Tickets.defineTrigger, json: json)
                #expect(reply.status == 422, "\(json): \(reply.bodyText)")
            }
            let noHours = await routers.tickets.call(
                Operation.Tickets.defineAutomation,
                json: #"{"name":"x","when":"hours_in_status","status":"pending","actions":{"priority":"high"}}"#)
            #expect(noHours.status == 422)
            let byAgent = try await routers.tickets.call(
                Operation.Tickets.defineTrigger,
                DefineTrigger(name: "x", event: .created, actions: RuleActions(priority: .high)), principal: .agent)
            #expect(byAgent.status == 403)
            let rules = try await routers.tickets.call(Operation.Tickets.listRules, ListRules(), principal: .agent)
            #expect(try rules.decoded(Rules.self).triggers.isEmpty)
        }
    }
}

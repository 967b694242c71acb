import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

@Suite("Ticket lifecycle rules")
struct TicketLifecycleRuleTests {
    @Test(arguments: [
        (TicketStatus.new, TicketStatus.open, true), (.new, .pending, true), (.new, .solved, true),
        (.open, .pending, true), (.pending, .onHold, true), (.onHold, .open, true), (.solved, .open, true),
        (.solved, .closed, true), (.open, .new, false), (.solved, .new, false), (.open, .closed, false),
        (.new, .closed, false), (.closed, .open, false), (.merged, .open, false), (.open, .merged, false),
    ])
    func transitions(from: TicketStatus, to: TicketStatus, allowed: Bool) {
        let result = Result { try TicketLifecycle.check(from: from, to: to, hasAssignee: true, number: 1) }
        #expect(((try? result.get()) != nil) == allowed, "\(from) → \(to)")
        if !allowed, case .failure(let error) = result {
            #expect((error as? Problem)?.code == "invalid_transition")
            #expect((error as? Problem)?.status == 409)
        }
    }

    @Test func solvingNeedsAnAssignee() {
        #expect(throws: Problem.self) {
            try TicketLifecycle.check(from: .open, to: .solved, hasAssignee: false, number: 7)
        }
    }

    @Test func repliesAndAssignments() {
        #expect(TicketLifecycle.afterAssignment(.new) == .open)
        #expect(TicketLifecycle.afterAssignment(.pending) == .pending)
        for status in [TicketStatus.pending, .onHold, .solved] {
            #expect(TicketLifecycle.afterCustomerReply(status) == .open)
        }
        #expect(TicketLifecycle.afterCustomerReply(.new) == .new)
        #expect(TicketLifecycle.isReopen(from: .solved, to: .open))
        #expect(!TicketLifecycle.isReopen(from: .solved, to: .closed))
        #expect(!TicketLifecycle.isReopen(from: .pending, to: .open))
    }
}

/// Helpers of the ticket suites.
extension Fixture.Routers {
    func createAgent(_ name: String = "Agent \(UUID().uuidString.prefix(4))") async throws -> Agent {
        let reply = try await tickets.call(
            Operation.Tickets.createAgent, CreateAgent(name: name, email: "\(UUID().uuidString.prefix(8))@shop.example")
        )
        guard reply.status == 201 else { throw TestSetupError("create_agent answered \(reply.bodyText)") }
        return try reply.decoded(Agent.self)
    }

    func openTicket(
        _ customer: Customer, subject: String = "Where is my parcel?", message: String = "It has not arrived.",
        category: String? = nil
    ) async throws -> Ticket {
        let reply = try await tickets.call(
            Operation.Tickets.create,
            CreateTicket(
                customerID: customer.id, subject: subject, message: message, channel: .email, category: category))
        guard reply.status == 201 else { throw TestSetupError("create answered \(reply.bodyText)") }
        return try reply.decoded(Ticket.self)
    }

    func update(_ input: UpdateTicket, key: String? = nil, principal: Principal? = nil) async throws -> ReplyEnvelope {
        try await tickets.call(Operation.Tickets.update, input, principal: principal, key: key)
    }

    func ticket(_ id: UUID, principal: Principal? = nil) async throws -> Ticket {
        try await tickets.call(Operation.Tickets.get, ByID(id: id), principal: principal).decoded(Ticket.self)
    }

    func reply(_ ticket: Ticket, _ body: String, as author: AuthorType = .customer, isPublic: Bool? = nil)
        async throws -> ReplyEnvelope
    {
        try await tickets.call(
            Operation.Tickets.addMessage,
            AddTicketMessage(ticketID: ticket.id, body: body, authorType: author, isPublic: isPublic))
    }

    func events(_ type: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM events.log WHERE type = '\(type)'")
    }
}

@Suite("Ticket lifecycle on PostgreSQL", .enabled(if: TestDatabase.isConfigured))
struct TicketLifecycleTests {
    @Test func assigningANewTicketOpensItAndItNeverReturnsToNew() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            let ticket = try await routers.openTicket(customer)
            #expect(ticket.status == .new)
            #expect(ticket.version == 1)
            let assigned = try await routers.update(UpdateTicket(ticketID: ticket.id, assigneeID: .set(agent.id)))
            #expect(assigned.status == 200, "\(assigned.bodyText)")
            let open = try assigned.decoded(Ticket.self)
            #expect(open.status == .open)
            #expect(open.assigneeID == agent.id)
            #expect(open.version == 2)
            let back = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .new))
            #expect(back.status == 409)
            #expect(back.problem?.code == "invalid_transition")
            #expect(try await routers.events(EventType.ticketUpdated) == 1)
            // The change is a system event in the conversation, for agents only.
            let staffView = try await routers.ticket(ticket.id)
            #expect(staffView.messages?.contains { $0.authorType == .system && $0.body.contains("new → open") } == true)
            let customerView = try await routers.ticket(ticket.id, principal: .customer(customer.id))
            #expect(customerView.messages?.allSatisfy { $0.isPublic } == true)
        }
    }

    @Test func solvingNeedsAnAssigneeAndPublishesOnce() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            let unassigned = try await routers.tickets.call(Operation.Tickets.solve, SolveTicket(ticketID: ticket.id))
            #expect(unassigned.status == 409)
            #expect(unassigned.problem?.detail?.contains("assign") == true)
            let agent = try await routers.createAgent()
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, assigneeID: .set(agent.id)))
            let solved = try await routers.tickets.call(Operation.Tickets.solve, SolveTicket(ticketID: ticket.id))
            #expect(solved.status == 200)
            #expect(try solved.decoded(Ticket.self).solvedAt != nil)
            let again = try await routers.tickets.call(Operation.Tickets.solve, SolveTicket(ticketID: ticket.id))
            #expect(try again.decoded(Ticket.self).status == .solved)
            #expect(try await routers.events(EventType.ticketSolved) == 1)
            // A solved ticket keeps its assignee.
            let unassign = try await routers.update(UpdateTicket(ticketID: ticket.id, assigneeID: .clear))
            #expect(unassign.status == 409)
        }
    }

    @Test func aCustomerReplyReopensPendingOnHoldAndSolvedTickets() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            for status in [TicketStatus.pending, .onHold, .solved] {
                let ticket = try await routers.openTicket(customer)
                let moved = try await routers.update(
                    UpdateTicket(ticketID: ticket.id, status: status, assigneeID: .set(agent.id)))
                #expect(try moved.decoded(Ticket.self).status == status, "\(moved.bodyText)")
                let reply = try await routers.reply(ticket, "Any news?")
                #expect(reply.status == 201)
                let after = try await routers.ticket(ticket.id)
                #expect(after.status == .open, "\(status)")
                #expect(after.reopenCount == (status == .solved ? 1 : 0))
                #expect(after.solvedAt == nil)
            }
            #expect(try await routers.events(EventType.ticketReopened) == 1)
            #expect(try await routers.events(EventType.ticketCustomerReplied) == 3)
            // An internal note reopens nothing and is hidden from the customer.
            let ticket = try await routers.openTicket(customer)
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .pending))
            let note = try await routers.reply(ticket, "Carrier says Tuesday", as: .agent, isPublic: false)
            #expect(note.status == 201)
            #expect(try await routers.ticket(ticket.id).status == .pending)
            let seen = try await routers.ticket(ticket.id, principal: .customer(customer.id))
            #expect(seen.messages?.contains { $0.body == "Carrier says Tuesday" } == false)
        }
    }

    @Test func aClosedTicketTakesOnlyTagsAndACustomerReplyOpensALinkedFollowUp() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            let ticket = try await routers.openTicket(customer)
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .solved, assigneeID: .set(agent.id)))
            let early = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .closed))
            #expect(early.status == 200)  // an agent may close a solved ticket at once
            let closed = try early.decoded(Ticket.self)
            #expect(closed.closedAt != nil)
            let priority = try await routers.update(UpdateTicket(ticketID: ticket.id, priority: .urgent))
            #expect(priority.status == 409)
            #expect(priority.problem?.code == "ticket_final")
            let tagged = try await routers.update(UpdateTicket(ticketID: ticket.id, addTags: ["vip"]))
            #expect(try tagged.decoded(Ticket.self).tags == ["vip"])
            #expect(try await routers.reply(ticket, "More", as: .agent).status == 409)

            let reply = try await routers.reply(ticket, "It broke again")
            #expect(reply.status == 201)
            let message = try reply.decoded(TicketMessage.self)
            #expect(message.ticketID != ticket.id)
            let followUp = try await routers.ticket(message.ticketID)
            #expect(followUp.followUpOf == ticket.id)
            #expect(followUp.status == .new)
            #expect(followUp.customerID == customer.id)
            #expect(followUp.messages?.first?.body == "It broke again")
            #expect(try await routers.ticket(ticket.id).status == .closed)
        }
    }

    @Test func solvedTicketsCloseAutomaticallyAfterTheConfiguredTime() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let agent = try await routers.createAgent()
            let ticket = try await routers.openTicket(customer)
            let open = try await routers.openTicket(customer)
            _ = try await routers.update(UpdateTicket(ticketID: ticket.id, status: .solved, assigneeID: .set(agent.id)))
            let closed = try await TestDatabase.withDatabase(url: routers.url) { database in
                try await database.transaction { connection in
                    let early = try await TicketsService.closeSolvedTickets(
                        after: .seconds(3600), now: Date(), on: connection, logger: Fixture.logger)
                    #expect(early.isEmpty)
                    return try await TicketsService.closeSolvedTickets(
                        after: .seconds(3600), now: Date().addingTimeInterval(3601), on: connection,
                        logger: Fixture.logger)
                }
            }
            #expect(closed.map(\.id) == [ticket.id])
            #expect(try await routers.ticket(ticket.id).status == .closed)
            #expect(try await routers.ticket(open.id).status == .new)
            #expect(try await routers.events(EventType.ticketClosed) == 1)
        }
    }

    @Test func aSecondAgentEditingAnOldVersionGets412WithTheCurrentTicket() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            let first = try await routers.update(
                UpdateTicket(ticketID: ticket.id, expectedVersion: 1, priority: .high), principal: .agent)
            #expect(first.status == 200)
            let second = try await routers.update(
                UpdateTicket(ticketID: ticket.id, expectedVersion: 1, priority: .low), principal: .agent)
            #expect(second.status == 412)
            let problem = try #require(second.problem)
            #expect(problem.code == "version_mismatch")
            let current = try JSONSerialization.jsonObject(with: Data(second.body)) as? [String: Any]
            let currentTicket = current?["current"] as? [String: Any]
            #expect(currentTicket?["priority"] as? String == "high")
            #expect(currentTicket?["version"] as? Int == 2)
            #expect(try await routers.ticket(ticket.id).priority == .high)
        }
    }

    @Test func twoRacingAssignmentsOfOneVersionLeaveExactlyOneWinner() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            var agents: [Agent] = []
            for _ in 0..<6 { agents.append(try await routers.createAgent()) }
            let statuses = try await withThrowingTaskGroup(of: (UUID, Int).self) { group in
                for agent in agents {
                    group.addTask {
                        let reply = try await routers.update(
                            UpdateTicket(ticketID: ticket.id, expectedVersion: 1, assigneeID: .set(agent.id)))
                        return (agent.id, reply.status)
                    }
                }
                var all: [(UUID, Int)] = []
                for try await result in group { all.append(result) }
                return all
            }
            let winners = statuses.filter { $0.1 == 200 }
            #expect(winners.count == 1, "\(statuses)")
            #expect(statuses.filter { $0.1 == 412 }.count == agents.count - 1, "\(statuses)")
            let stored = try await routers.ticket(ticket.id)
            #expect(stored.assigneeID == winners.first?.0)
            #expect(stored.version == 2)
        }
    }

    @Test func fieldsTagsCustomFieldsOrderAndBadInput() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            let updated = try await routers.update(
                UpdateTicket(
                    ticketID: ticket.id, category: "billing", group: .set("billing"), tags: ["Gift", "gift", " rush "],
                    customFields: ["gift_wrap": "yes", "size": "M"], orderReference: .set("#1001")),
                key: "edit-1")
            #expect(updated.status == 200, "\(updated.bodyText)")
            let edited = try updated.decoded(Ticket.self)
            #expect(edited.category == "billing")
            #expect(edited.categoryReason == "set by an agent")
            #expect(edited.group == "billing")
            #expect(edited.tags == ["Gift", "rush"])
            #expect(edited.customFields == ["gift_wrap": "yes", "size": "M"])
            #expect(edited.orderReference == "#1001")
            // The same request again (a retry) answers the same and changes nothing.
            let retry = try await routers.update(
                UpdateTicket(
                    ticketID: ticket.id, category: "billing", group: .set("billing"), tags: ["Gift", "gift", " rush "],
                    customFields: ["gift_wrap": "yes", "size": "M"], orderReference: .set("#1001")),
                key: "edit-1")
            #expect(retry.body == updated.body)
            let removed = try await routers.update(
                UpdateTicket(
                    ticketID: ticket.id, group: .clear, removeTags: ["GIFT"], customFields: ["size": ""],
                    orderReference: .clear))
            let after = try removed.decoded(Ticket.self)
            #expect(after.group == nil)
            #expect(after.tags == ["rush"])
            #expect(after.customFields == ["gift_wrap": "yes"])
            #expect(after.orderReference == nil)
            #expect(after.version == 3)

            let id = ticket.id.uuidString
            for json in [
                #"{"ticket_id":"\#(id)"}"#, #"{"ticket_id":"\#(id)","category":"Not A Slug"}"#,
                #"{"ticket_id":"\#(id)","status":"merged"}"#, #"{"ticket_id":"\#(id)","status":"done"}"#,
                #"{"ticket_id":"\#(id)","tags":["a"],"add_tags":["b"]}"#,
                #"{"ticket_id":"\#(id)","assignee_id":"\#(UUID().uuidString)"}"#,
                #"{"ticket_id":"\#(id)","custom_fields":{"Bad Key":"x"}}"#, #"{"ticket_id":"\#(id)","colour":"red"}"#,
            ] {
                let reply = await routers.tickets.call(Operation.Tickets.update, json: json)
                #expect(reply.status == 422, "\(json): \(reply.bodyText)")
            }
            let customerKey = try await routers.update(
                UpdateTicket(ticketID: ticket.id, priority: .urgent), principal: .customer(customer.id))
            #expect(customerKey.status == 403)
            #expect(try await routers.ticket(ticket.id).version == 3)
        }
    }

    @Test func categoriesComeFromRulesWithTheirReason() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let cases: [(String, String, String)] = [
                ("Where is my order?", "Ordered last week", "delivery"),
                ("Question", "I was charged twice for order 1001", "billing"),
                ("Wrong size", "Can I exchange it for a medium?", "returns"),
                ("Help", "The handle arrived broken", "product"),
                ("Login trouble", "I forgot my password", "account"),
                ("Hello", "Do you have gift cards?", "other"),
            ]
            for (subject, message, category) in cases {
                let ticket = try await routers.openTicket(customer, subject: subject, message: message)
                #expect(ticket.category == category, "\(subject) / \(message)")
                #expect(ticket.categoryReason != nil)
            }
            let given = try await routers.openTicket(customer, subject: "Where is my order?", category: "vip-care")
            #expect(given.category == "vip-care")
            #expect(given.categoryReason == "set on creation")
        }
    }

    @Test func mergeKeepsHistoryAndPointsAtTheSurvivor() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let other = try await routers.customers.createCustomer()
            let target = try await routers.openTicket(customer, subject: "Parcel late")
            let source = try await routers.openTicket(customer, subject: "Still no parcel")
            _ = try await routers.update(UpdateTicket(ticketID: source.id, tags: ["angry"]))
            let merge = MergeTickets(sourceTicketID: source.id, targetTicketID: target.id)
            let merged = try await routers.tickets.call(Operation.Tickets.merge, merge, key: "merge-1")
            #expect(merged.status == 200, "\(merged.bodyText)")
            let survivor = try merged.decoded(Ticket.self)
            #expect(survivor.id == target.id)
            #expect(survivor.tags == ["angry"])
            let gone = try await routers.ticket(source.id)
            #expect(gone.status == .merged)
            #expect(gone.mergedInto == target.id)
            #expect(gone.messages?.contains { $0.body == "It has not arrived." } == true)
            #expect(try await routers.reply(gone, "hello?").status == 409)
            #expect(try await routers.update(UpdateTicket(ticketID: source.id, priority: .low)).status == 409)
            let again = try await routers.tickets.call(Operation.Tickets.merge, merge)
            #expect(try again.decoded(Ticket.self).id == target.id)
            #expect(try await routers.events(EventType.ticketMerged) == 1)

            let foreign = try await routers.openTicket(other)
            let refused = try await routers.tickets.call(
                Operation.Tickets.merge, MergeTickets(sourceTicketID: foreign.id, targetTicketID: target.id))
            #expect(refused.status == 409)
            #expect(refused.problem?.code == "different_customers")
            let itself = await routers.tickets.call(
                Operation.Tickets.merge,
                json: #"{"source_ticket_id":"\#(target.id)","target_ticket_id":"\#(target.id)"}"#)
            #expect(itself.status == 422)
        }
    }

    @Test func splitCopiesAMessageIntoANewLinkedTicket() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer, subject: "Parcel late")
            let attachment = Attachment(
                name: "invoice.pdf", contentType: "application/pdf", sizeBytes: 52_000,
                url: "https://files.shop.example/invoice.pdf")
            let second = try await routers.tickets.call(
                Operation.Tickets.addMessage,
                AddTicketMessage(
                    ticketID: ticket.id, body: "Also, my invoice is wrong", authorType: .customer,
                    attachments: [attachment]))
            let message = try second.decoded(TicketMessage.self)
            #expect(message.attachments == [attachment])
            let split = try await routers.tickets.call(
                Operation.Tickets.split, SplitTicket(ticketID: ticket.id, messageID: message.id, subject: "Invoice"))
            #expect(split.status == 201, "\(split.bodyText)")
            let result = try split.decoded(SplitResult.self)
            #expect(result.ticket.splitFrom == ticket.id)
            #expect(result.ticket.subject == "Invoice")
            #expect(result.ticket.category == "billing")
            let first = try #require(result.ticket.messages?.first)
            #expect(first.body == "Also, my invoice is wrong")
            #expect(first.attachments == [attachment])
            #expect(result.original.id == ticket.id)
            let original = try await routers.ticket(ticket.id)
            #expect(original.messages?.contains { $0.id == message.id } == true)
            let unknown = try await routers.tickets.call(
                Operation.Tickets.split, SplitTicket(ticketID: ticket.id, messageID: UUID()))
            #expect(unknown.status == 422)
            let badAttachment = await routers.tickets.call(
                Operation.Tickets.addMessage,
                json: #"""
                    {"ticket_id":"\#(ticket.id)","body":"x","author_type":"customer",
                     "attachments":[{"name":"a","content_type":"nope","size_bytes":-1,"url":"ftp://x"}]}
                    """#)
            #expect(badAttachment.status == 422)
        }
    }

    @Test func agentsAreManagedByAdminsAndOnlyActiveOnesTakeTickets() async throws {
        try await Fixture.withRouters { routers in
            let agent = try await routers.createAgent("Grace")
            let duplicate = try await routers.tickets.call(
                Operation.Tickets.createAgent, CreateAgent(name: "Again", email: agent.email.uppercased()))
            #expect(duplicate.status == 409)
            let byAgent = try await routers.tickets.call(
                Operation.Tickets.createAgent, CreateAgent(name: "X", email: "x@shop.example"), principal: .agent)
            #expect(byAgent.status == 403)
            let off = try await routers.tickets.call(
                Operation.Tickets.updateAgent, UpdateAgent(agentID: agent.id, active: false))
            #expect(try off.decoded(Agent.self).active == false)
            let listed = try await routers.tickets.call(Operation.Tickets.listAgents, ListAgents(), principal: .agent)
            #expect(try listed.decoded([Agent].self).map(\.id) == [agent.id])
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.openTicket(customer)
            let refused = try await routers.update(UpdateTicket(ticketID: ticket.id, assigneeID: .set(agent.id)))
            #expect(refused.status == 422)
        }
    }
}

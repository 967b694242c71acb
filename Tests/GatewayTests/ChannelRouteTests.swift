import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The channels through the gateway, the broker and the real services: customers are resolved by the customers
/// service.
@Suite("Gateway channel routes", needsDatabase)
struct ChannelRouteTests {
    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }

    static func email(
        from: String = "grace@example.com", subject: String = "Where is my parcel?", text: String? = "Still waiting.",
        messageID: String = "<\(UUID().uuidString)@mail.example>", extra: [String: Any] = [:]
    ) -> String {
        var object: [String: Any] = [
            "from": from, "from_name": "Grace Hopper", "to": "help@shop.example", "subject": subject,
            "message_id": messageID,
        ]
        if let text { object["text"] = text }
        for (key, value) in extra { object[key] = value }
        return json(object)
    }

    @Test("email: a new sender gets a customer and a ticket; replies thread by headers and subject number")
    func emailThreading() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let first = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(messageID: "<first@mail.example>", extra: ["html": "<p>ignored</p>"]))
            #expect(first.status == .created)
            #expect(first.object["outcome"] as? String == "created")
            #expect(first.object["customer_created"] as? Bool == true)
            let ticketID = try #require(first.object["ticket_id"] as? String)
            let customerID = try #require(first.object["customer_id"] as? String)
            let customer = try await client.send(.get, "/v1/customers/\(customerID)")
            #expect(customer.object["email"] as? String == "grace@example.com")
            let ticket = try await client.send(.get, "/v1/tickets/\(ticketID)")
            #expect(ticket.object["channel"] as? String == "email")
            #expect(ticket.object["category"] as? String == "delivery")
            let messages = try #require(ticket.object["messages"] as? [[String: Any]])
            #expect(messages.first?["body"] as? String == "Still waiting.")
            #expect(messages.first?["external_id"] as? String == "<first@mail.example>")
            let number = try #require(ticket.object["number"] as? Int)

            // The same delivery again: nothing new.
            let again = try await client.send(
                .post, "/v1/channels/email", json: Self.email(messageID: "first@mail.example"))
            #expect(again.status == .ok)
            #expect(again.object["outcome"] as? String == "duplicate")
            #expect(again.object["original_outcome"] as? String == "created")
            #expect(again.object["ticket_id"] as? String == ticketID)
            let tickets = "SELECT count(*) FROM tickets.tickets"
            #expect(try await TestDatabase.scalar(url: context.databaseURL, tickets) == 1)

            // An agent's reply gets a Message-ID; the customer's answer to it threads back (and reopens it).
            let agent = try await client.send(.post, "/v1/agents", json: #"{"name":"Ada","email":"ada@shop.example"}"#)
            let agentID = try #require(agent.object["id"] as? String)
            _ = try await client.send(.patch, "/v1/tickets/\(ticketID)", json: #"{"assignee_id":"\#(agentID)"}"#)
            let reply = try await client.send(
                .post, "/v1/tickets/\(ticketID)/messages", json: #"{"body":"It ships today."}"#)
            #expect(reply.status == .created)
            let outgoing = try #require(reply.object["external_id"] as? String)
            #expect(outgoing.hasPrefix("<ticket-\(number)-") && outgoing.hasSuffix("@concierge>"))
            #expect(try await client.send(.post, "/v1/tickets/\(ticketID)/solve").status == .ok)
            let answer = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(
                    from: "grace.h@elsewhere.example", subject: "Re: Where is my parcel?", text: "Not yet!",
                    extra: ["in_reply_to": outgoing, "references": "<first@mail.example> \(outgoing)"]))
            #expect(answer.status == .ok)
            #expect(answer.object["outcome"] as? String == "appended")
            #expect(answer.object["ticket_id"] as? String == ticketID)
            let reopened = try await client.send(.get, "/v1/tickets/\(ticketID)")
            #expect(reopened.object["status"] as? String == "open")
            #expect(reopened.object["reopen_count"] as? Int == 1)
            // Threading by headers needed no customer: the other address created none.
            #expect(
                try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM customers.customers") == 1
            )

            // A ticket number in the subject, from the same customer, without headers.
            let bySubject = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(subject: "Re: [#\(number)] parcel", text: nil, extra: ["html": "<p>Any news&#63;</p>"])
            )
            #expect(bySubject.status == .ok)
            #expect(bySubject.object["outcome"] as? String == "appended")
            #expect(bySubject.object["ticket_id"] as? String == ticketID)
            #expect(bySubject.object["customer_created"] as? Bool == false)
            let thread = try await client.send(.get, "/v1/tickets/\(ticketID)")
            let bodies = (thread.object["messages"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
            #expect(bodies.contains("Any news?"))

            // The same number from someone else is not their ticket: a new one opens.
            let stranger = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(from: "eve@example.com", subject: "Ticket #\(number) is mine"))
            #expect(stranger.status == .created)
            #expect(stranger.object["outcome"] as? String == "created")
            #expect(stranger.object["ticket_id"] as? String != ticketID)

            // A reply to a closed ticket opens a follow-up.
            #expect(try await client.send(.post, "/v1/tickets/\(ticketID)/solve").status == .ok)
            let closed = try await client.send(.patch, "/v1/tickets/\(ticketID)", json: #"{"status":"closed"}"#)
            #expect(closed.object["status"] as? String == "closed")
            let late = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(subject: "Re: Where is my parcel?", extra: ["in_reply_to": "<first@mail.example>"]))
            #expect(late.status == .created)
            #expect(late.object["outcome"] as? String == "follow_up")
            let followUpID = try #require(late.object["ticket_id"] as? String)
            #expect(followUpID != ticketID)
            let followUp = try await client.send(.get, "/v1/tickets/\(followUpID)")
            #expect((followUp.object["follow_up_of"] as? String)?.lowercased() == ticketID.lowercased())
            #expect(followUp.object["channel"] as? String == "email")
        }
    }

    @Test("email: auto-replies and bounces create nothing (202 ignored)")
    func automaticMail() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let autoReply = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(
                    subject: "Automatic reply: Where is my parcel?",
                    extra: ["headers": ["Auto-Submitted": "auto-replied", "X-Autoreply": "yes"]]))
            #expect(autoReply.status == .accepted)
            #expect(autoReply.object["outcome"] as? String == "ignored")
            #expect(autoReply.object["reason"] is String)
            let bounce = try await client.send(
                .post, "/v1/channels/email",
                json: Self.email(
                    from: "MAILER-DAEMON@mx.shop.example", subject: "Undeliverable: Re: [#1001]",
                    extra: ["headers": ["Content-Type": "multipart/report; report-type=delivery-status"]]))
            #expect(bounce.status == .accepted)
            #expect(bounce.object["outcome"] as? String == "ignored")
            for table in ["customers.customers", "tickets.tickets", "tickets.messages", "tickets.inbound_emails"] {
                #expect(try await TestDatabase.scalar(url: context.databaseURL, "SELECT count(*) FROM \(table)") == 0)
            }
        }
    }

    @Test("phone, social and web form: matched to existing customers, created when unknown")
    func contacts() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let known = try await client.send(
                .post, "/v1/customers", json: #"{"email":"lin@example.com","name":"Lin","phone":"+442079460000"}"#)
            let knownID = try #require(known.object["id"] as? String)

            let call = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "phone", "contact": ["phone": "+44 20 7946 0000"], "subject": "Refund for my order",
                    "message": "Called about order #1001", "order_reference": "#1001",
                ]))
            #expect(call.status == .created)
            #expect(call.object["outcome"] as? String == "created")
            #expect((call.object["customer_id"] as? String)?.lowercased() == knownID.lowercased())
            #expect(call.object["customer_created"] as? Bool == false)
            let callTicketID = try #require(call.object["ticket_id"] as? String)
            let callTicket = try await client.send(.get, "/v1/tickets/\(callTicketID)")
            #expect(callTicket.object["channel"] as? String == "phone")
            #expect(callTicket.object["order_reference"] as? String == "#1001")

            // A second call adds to that ticket.
            let again = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "phone", "contact": ["phone": "+442079460000"], "message": "Called again",
                    "ticket_id": callTicketID,
                ]))
            #expect(again.status == .ok)
            #expect(again.object["outcome"] as? String == "appended")

            let dm = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "social", "contact": ["social": ["network": "instagram", "handle": "@NewShopper"]],
                    "subject": "Sizing", "message": "Does the M fit?",
                ]))
            #expect(dm.status == .created)
            #expect(dm.object["customer_created"] as? Bool == true)
            let shopperID = try #require(dm.object["customer_id"] as? String)
            let dmTicketID = try #require(dm.object["ticket_id"] as? String)
            let network = try await TestDatabase.scalar(
                url: context.databaseURL,
                "SELECT count(*) FROM tickets.tickets WHERE id = '\(dmTicketID)' AND channel = 'social'"
                    + " AND social_network = 'instagram' AND contact_address = '@NewShopper'")
            #expect(network == 1)
            let secondDM = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "social", "contact": ["social": ["network": "instagram", "handle": "newshopper"]],
                    "subject": "Sizing again", "message": "And the L?",
                ]))
            #expect(secondDM.object["customer_id"] as? String == shopperID)
            #expect(secondDM.object["customer_created"] as? Bool == false)
            // Someone else's ticket cannot take this contact's message.
            let foreign = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "social", "contact": ["social": ["network": "instagram", "handle": "newshopper"]],
                    "message": "Hi", "ticket_id": callTicketID,
                ]))
            #expect(foreign.status.code == 422)

            let form = try await client.send(
                .post, "/v1/channels/contact",
                json: Self.json([
                    "channel": "web_form", "contact": ["email": "Form.Filler@Example.com", "name": "Fil"],
                    "subject": "Password", "message": "I cannot log in",
                ]))
            #expect(form.status == .created)
            #expect(form.object["customer_created"] as? Bool == true)
            let formCustomer = try #require(form.object["customer_id"] as? String)
            let found = try await client.send(.get, "/v1/customers/\(formCustomer)")
            #expect((found.object["email"] as? String)?.lowercased() == "form.filler@example.com")
        }
    }

    @Test("bad input is 422 with field errors; roles are checked")
    func badInputAndRoles() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let bad = try await client.send(
                .post, "/v1/channels/email",
                json: #"{"from":"nobody","to":"help@shop.example","subject":"x","message_id":"<a@b>"}"#)
            #expect(bad.status.code == 422)
            #expect(bad.problemCode == "validation_failed")
            let fields = Set((bad.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["from", "text"])
            let contact = try await client.send(
                .post, "/v1/channels/contact", json: #"{"channel":"phone","contact":{},"subject":"s","message":"m"}"#)
            #expect(contact.status.code == 422)
            let contactFields = Set(
                (contact.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(contactFields == ["contact", "contact.phone"])
            let notJSON = try await client.send(
                .post, "/v1/channels/email", json: "from=a", headers: [.contentType: "text/plain"])
            #expect(notJSON.status == .unsupportedMediaType)

            let agentKey = try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
            let agentSecret = try #require(agentKey.object["secret"] as? String)
            let refused = try await client.send(.post, "/v1/channels/email", key: agentSecret, json: Self.email())
            #expect(refused.status == .forbidden)
            let integrationKey = try await client.send(
                .post, "/v1/api-keys", json: #"{"name":"mail","role":"integration"}"#)
            let integration = try #require(integrationKey.object["secret"] as? String)
            let accepted = try await client.send(.post, "/v1/channels/email", key: integration, json: Self.email())
            #expect(accepted.status == .created)
            #expect(
                try await client.send(.post, "/v1/channels/email", key: nil, json: Self.email()).status == .unauthorized
            )
        }
    }
}

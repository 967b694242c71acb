import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

@Suite("Channel rules: auto-replies, threading keys, HTML to text")
struct ChannelRulesTests {
    @Test(arguments: [
        (["Auto-Submitted": "auto-replied"], "ada@example.com", "Re: my order"),
        (["auto-submitted": "auto-generated"], "ada@example.com", "Hello"),
        (["X-Autoreply": "yes"], "ada@example.com", "Hello"),
        (["X-Autorespond": "1"], "ada@example.com", "Hello"),
        (["Precedence": "bulk"], "ada@example.com", "Hello"),
        (["precedence": "Junk"], "ada@example.com", "Hello"),
        (["Precedence": "auto_reply"], "ada@example.com", "Hello"),
        (["Precedence": "list"], "ada@example.com", "Hello"),
        (["X-Auto-Response-Suppress": "All"], "ada@example.com", "Hello"),
        (["Content-Type": "multipart/report; report-type=delivery-status"], "ada@example.com", "Hello"),
        ([:], "MAILER-DAEMON@mx.example.com", "Hello"),
        ([:], "postmaster@example.com", "Hello"),
        ([:], "no-reply@example.com", "Hello"),
        ([:], "noreply@example.com", "Hello"),
        ([:], "ada@example.com", "Auto: Re: where is my parcel"),
        ([:], "ada@example.com", "Out of Office: back Monday"),
        ([:], "ada@example.com", "Automatic reply: Your ticket"),
        ([:], "ada@example.com", "Undeliverable: Re: [#1001]"),
        ([:], "ada@example.com", "Delivery Status Notification (Failure)"),
    ])
    func automaticMailIsRecognised(headers: [String: String], from: String, subject: String) {
        #expect(EmailRules.automaticReason(from: from, subject: subject, headers: headers) != nil)
    }

    @Test(arguments: [
        (["Auto-Submitted": "no"], "Where is my parcel?"),
        (["Precedence": "first-class"], "Re: [#1001] still waiting"),
        (["Content-Type": "multipart/alternative; boundary=x"], "My out of office question"),
        ([:], "Re: Automatic replies are annoying"),
    ])
    func personalMailIsNot(headers: [String: String], subject: String) {
        #expect(EmailRules.automaticReason(from: "ada@example.com", subject: subject, headers: headers) == nil)
    }

    @Test func ticketNumbersInSubjects() {
        #expect(EmailRules.ticketNumbers(inSubject: "Re: [#1234] Where is my parcel?") == [1234])
        #expect(EmailRules.ticketNumbers(inSubject: "RE: Ticket #1234 - late") == [1234])
        #expect(EmailRules.ticketNumbers(inSubject: "about ticket 98765") == [98765])
        #expect(EmailRules.ticketNumbers(inSubject: "Re: [1001] and (#1002)") == [1001, 1002])
        #expect(EmailRules.ticketNumbers(inSubject: "Order #5521 has not arrived").isEmpty)
        #expect(EmailRules.ticketNumbers(inSubject: "Where is my parcel?").isEmpty)
    }

    @Test func messageIDsAndReferences() {
        #expect(EmailRules.normalizedMessageID(" abc@mail.example ") == "<abc@mail.example>")
        #expect(EmailRules.normalizedMessageID("<abc@mail.example>") == "<abc@mail.example>")
        let references = EmailRules.threadReferences(
            inReplyTo: "<c@x>", references: "<a@x>\r\n <b@x> <c@x>")
        #expect(references == ["<c@x>", "<b@x>", "<a@x>"])
        #expect(EmailRules.threadReferences(inReplyTo: nil, references: "a@x b@x") == ["<b@x>", "<a@x>"])
        #expect(EmailRules.threadReferences(inReplyTo: "", references: nil).isEmpty)
        let id = UUID()
        #expect(
            EmailRules.outgoingMessageID(ticketNumber: 1234, messageID: id)
                == "<ticket-1234-\(id.uuidString.lowercased())@concierge>")
    }

    @Test func htmlBecomesText() {
        let html = """
            <html><head><title>x</title><style>p { color: red }</style></head><body>
            <p>Hello&nbsp;team,</p><p>my order &amp; parcel &lt;#1001&gt; is <b>late</b>.<br>Thanks &#8211; Ada&#x21;</p>
            <script>alert(1)</script><!-- tracking --><ul><li>one</li><li>two</li></ul>
            </body></html>
            """
        #expect(
            EmailRules.plainText(fromHTML: html)
                == "Hello team,\n\nmy order & parcel <#1001> is late.\nThanks – Ada!\n\n- one\n- two")
        #expect(EmailRules.plainText(fromHTML: "caf&eacute; &unknown; 5 &gt 3") == "caf&eacute; &unknown; 5 &gt 3")
        #expect(EmailRules.body(text: "  plain wins ", html: "<p>html</p>") == "plain wins")
        #expect(EmailRules.body(text: " ", html: "<p>from html</p>") == "from html")
        #expect(EmailRules.body(text: nil, html: "<img src=x>") == "(no text)")
        #expect(EmailRules.ticketSubject("  ") == "(no subject)")
        #expect(EmailRules.ticketSubject(String(repeating: "a", count: 300)).count == 250)
    }
}

@Suite("Channel operations without a broker", .enabled(if: TestDatabase.isConfigured))
struct ChannelServiceTests {
    static let email = ReceiveEmail(
        from: "ada@example.com", fromName: "Ada", to: "help@shop.example", subject: "Where is my parcel?",
        text: "It has not arrived.", messageID: "<m1@mail.example>")

    @Test("matching a contact needs the customers service: 503 customers_unreachable")
    func noBroker() async throws {
        try await Fixture.withRouters { routers in
            let reply = await routers.tickets.call(Operation.Tickets.receiveEmail, try Fixture.payload(Self.email))
            #expect(reply.status == 503)
            #expect(try reply.decoded(Problem.self).code == "customers_unreachable")
            let contact = ReceiveContact(
                channel: .phone, contact: ChannelContact(phone: "+14155550123"), subject: "Call", message: "Called")
            let phoned = await routers.tickets.call(Operation.Tickets.receiveContact, try Fixture.payload(contact))
            #expect(phoned.status == 503)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM tickets.tickets") == 0)
        }
    }

    @Test("auto-replies are ignored even without the customers service")
    func ignoredWithoutBroker() async throws {
        try await Fixture.withRouters { routers in
            var email = Self.email
            email.headers = ["Auto-Submitted": "auto-replied"]
            let reply = await routers.tickets.call(Operation.Tickets.receiveEmail, try Fixture.payload(email))
            #expect(reply.status == 200)
            let receipt = try reply.decoded(ChannelReceipt.self)
            #expect(receipt.outcome == .ignored)
            #expect(receipt.reason?.contains("Auto-Submitted") == true)
            #expect(receipt.ticketID == nil)
        }
    }

    @Test("bad input: 422 with field errors; customer keys are refused")
    func badInput() async throws {
        try await Fixture.withRouters { routers in
            let missing = await routers.tickets.call(
                Operation.Tickets.receiveEmail,
                json: #"{"from":"not-an-address","to":"help@shop.example","subject":"x","message_id":" ","colour":1}"#)
            #expect(missing.status == 422)
            #expect(try missing.decoded(Problem.self).errors?.map(\.field) == ["colour"])
            let invalid = await routers.tickets.call(
                Operation.Tickets.receiveEmail,
                json: #"{"from":"not-an-address","to":"help@shop.example","subject":"x","message_id":" "}"#)
            let fields = Set(try invalid.decoded(Problem.self).errors?.map(\.field) ?? [])
            #expect(invalid.status == 422)
            #expect(fields == ["from", "message_id", "text"])
            let contact = await routers.tickets.call(
                Operation.Tickets.receiveContact,
                json: #"{"channel":"social","contact":{"phone":"call me"},"message":" "}"#)
            #expect(contact.status == 422)
            #expect(
                Set(try contact.decoded(Problem.self).errors?.map(\.field) ?? [])
                    == ["contact.social", "contact.phone", "subject", "message"])
            let emailChannel = await routers.tickets.call(
                Operation.Tickets.receiveContact,
                json: #"{"channel":"email","contact":{"email":"a@b.example"},"subject":"s","message":"m"}"#)
            #expect(try emailChannel.decoded(Problem.self).errors?.map(\.field) == ["channel"])
            let customer = await routers.tickets.call(
                Operation.Tickets.receiveEmail, try Fixture.payload(Self.email),
                principal: Principal(role: .customer, customerID: UUID()))
            #expect(customer.status == 403)
        }
    }
}

import Contracts
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

/// Helpers of the feedback suites.
extension Fixture.Routers {
    /// Runs the `tickets.feedback` consumer's handler over every `ticket.solved` in the log (it is idempotent).
    ///
    /// The log is read the way consumers read it, below the oldest transaction still running on the server, which on
    /// a busy test server (other suites' transactions) can hide events committed a moment ago: it waits until every
    /// `ticket.solved` row is readable.
    func applyFeedback() async throws {
        let handler = try #require(TicketFeedback.handlers().handlers[EventType.ticketSolved])
        let expected = try await events(EventType.ticketSolved)
        try await TestDatabase.withDatabase(url: url) { database in
            var events: [EventEnvelope] = []
            let giveUp = ContinuousClock.now + .seconds(60)
            repeat {
                events = try await database.withConnection {
                    try await EventStore(source: "").read(
                        after: .start, types: [EventType.ticketSolved], limit: 100, on: $0, logger: Fixture.logger)
                }
                if events.count < expected { try await Task.sleep(for: .milliseconds(100)) }
            } while events.count < expected && ContinuousClock.now < giveUp
            for event in events {
                try await database.transaction { try await handler(event, $0, Fixture.logger) }
            }
        }
    }

    /// Runs `sql`: statements without results, each ending in `;` and a line break.
    func execute(_ sql: String) async throws {
        try await TestDatabase.withClient(url: url) { client, logger in
            // One statement per query (the extended protocol takes one at a time).
            for statement in sql.components(separatedBy: ";\n")
            where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                _ = try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    /// The `token` fields of every event of `type`, in log order.
    func tokens(_ type: String) async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT payload->>'token' FROM events.log WHERE type = '\(type)' ORDER BY position"),
                logger: logger)
            var tokens: [String] = []
            for try await token in rows.decode(String.self) { tokens.append(token) }
            return tokens
        }
    }

    /// A solved ticket with an assignee.
    func solvedTicket(_ customer: Customer) async throws -> Ticket {
        let agent = try await createAgent()
        let ticket = try await openTicket(customer)
        _ = try await update(UpdateTicket(ticketID: ticket.id, assigneeID: .set(agent.id)))
        let solved = try await tickets.call(Operation.Tickets.solve, SolveTicket(ticketID: ticket.id))
        guard solved.status == 200 else { throw TestSetupError("solve answered \(solved.bodyText)") }
        return try solved.decoded(Ticket.self)
    }
}

@Suite("Feedback: CSAT and NPS", .enabled(if: TestDatabase.isConfigured))
struct FeedbackTests {
    @Test func csatIsRequestedOncePerTicketEvenAfterAReopen() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.solvedTicket(customer)
            try await routers.applyFeedback()
            let tokens = try await routers.tokens(EventType.csatRequested)
            #expect(tokens.count == 1)
            let token = try #require(tokens.first)
            #expect(FeedbackToken.isWellFormed(token))
            // Only the SHA-256 of the token is stored.
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM tickets.csat_surveys WHERE token_hash = sha256(convert_to('\(token)', 'UTF8'))"
                ) == 1)
            let link = try await TestDatabase.scalar(
                url: routers.url,
                """
                SELECT count(*) FROM events.log WHERE type = 'feedback.csat_requested'
                AND payload->>'link_path' = '/feedback/csat/\(token)' AND (payload->>'ticket_number')::bigint = \(ticket.number)
                """)
            #expect(link == 1)

            // The customer reopens, the agent solves again: no second survey.
            #expect(try await routers.reply(ticket, "Still broken").status == 201)
            #expect(try await routers.ticket(ticket.id).status == .open)
            let again = try await routers.tickets.call(Operation.Tickets.solve, SolveTicket(ticketID: ticket.id))
            #expect(again.status == 200)
            #expect(try await routers.events(EventType.ticketSolved) == 2)
            try await routers.applyFeedback()
            #expect(try await routers.tokens(EventType.csatRequested).count == 1)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM tickets.csat_surveys") == 1)
        }
    }

    @Test func answeringByTokenChangesWithinSevenDaysThenRefuses() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let ticket = try await routers.solvedTicket(customer)
            try await routers.applyFeedback()
            let token = try #require(try await routers.tokens(EventType.csatRequested).first)
            let link = Principal(role: .customer, keyID: "feedback-link:test")

            let shown = try await routers.tickets.call(
                Operation.Tickets.getCSAT, FeedbackLink(token: token), principal: link)
            #expect(shown.status == 200)
            let survey = try shown.decoded(CSATSurvey.self)
            #expect(survey.ticketNumber == ticket.number)
            #expect(survey.subject == ticket.subject)
            #expect(!survey.answered)

            let outOfRange = try await routers.tickets.call(
                Operation.Tickets.answerCSAT, AnswerCSAT(token: token, rating: 6), principal: link)
            #expect(outOfRange.status == 422)
            #expect(outOfRange.problem?.errors?.first?.field == "rating")

            let answered = try await routers.tickets.call(
                Operation.Tickets.answerCSAT, AnswerCSAT(token: token, rating: 5, comment: "Quick!"), principal: link)
            #expect(answered.status == 200, "\(answered.bodyText)")
            #expect(try answered.decoded(CSATSurvey.self).rating == 5)
            #expect(try answered.decoded(CSATSurvey.self).answered)

            // A change within 7 days replaces the rating and says what it was.
            let changed = try await routers.tickets.call(
                Operation.Tickets.answerCSAT, AnswerCSAT(token: token, rating: 2), principal: link)
            #expect(changed.status == 200)
            #expect(try changed.decoded(CSATSurvey.self).rating == 2)
            #expect(try await routers.events(EventType.csatReceived) == 2)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM events.log WHERE type = 'feedback.csat_received' AND payload->>'previous_rating' = '5' AND payload->>'rating' = '2'"
                ) == 1)

            // After 7 days the answer stands.
            try await routers.execute(
                "UPDATE tickets.csat_surveys SET answered_at = now() - interval '8 days', sent_at = now() - interval '9 days'"
            )
            let late = try await routers.tickets.call(
                Operation.Tickets.answerCSAT, AnswerCSAT(token: token, rating: 4), principal: link)
            #expect(late.status == 409)
            #expect(late.problem?.code == "survey_answered")

            // Unknown and malformed tokens are 404, expired links 410.
            let unknown = try await routers.tickets.call(
                Operation.Tickets.getCSAT, FeedbackLink(token: String(repeating: "A", count: 43)), principal: link)
            #expect(unknown.status == 404)
            let malformed = try await routers.tickets.call(
                Operation.Tickets.answerCSAT, AnswerCSAT(token: "nope", rating: 3), principal: link)
            #expect(malformed.status == 404)
            try await routers.execute("UPDATE tickets.csat_surveys SET expires_at = now() - interval '1 second'")
            let expired = try await routers.tickets.call(
                Operation.Tickets.getCSAT, FeedbackLink(token: token), principal: link)
            #expect(expired.status == 410)
            #expect(expired.problem?.code == "survey_expired")

            // The link's principal can do nothing else.
            let other = try await routers.tickets.call(Operation.Tickets.get, ByID(id: ticket.id), principal: link)
            #expect(other.status == 403)
            let nps = try await routers.tickets.call(
                Operation.Tickets.requestNPS, RequestNPS(customerID: customer.id), principal: link)
            #expect(nps.status == 403)
        }
    }

    @Test func npsHonoursTheCooldown() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let first = try await routers.tickets.call(
                Operation.Tickets.requestNPS, RequestNPS(customerID: customer.id), principal: .agent)
            #expect(first.status == 201, "\(first.bodyText)")
            let request = try first.decoded(NPSRequest.self)
            #expect(request.customerID == customer.id)

            let second = try await routers.tickets.call(
                Operation.Tickets.requestNPS, RequestNPS(customerID: customer.id), principal: .agent)
            #expect(second.status == 409)
            #expect(second.problem?.code == "nps_cooldown")
            let next = request.sentAt.addingTimeInterval(90 * 86400)
            #expect(
                second.problem?.current
                    == .object([
                        "last_sent_at": .string(Timestamp.format(request.sentAt)),
                        "next_allowed_at": .string(Timestamp.format(next)),
                    ]))
            #expect(second.problem?.detail?.contains(Timestamp.format(next)) == true)

            let asCustomer = try await routers.tickets.call(
                Operation.Tickets.requestNPS, RequestNPS(customerID: customer.id), principal: .customer(customer.id))
            #expect(asCustomer.status == 403)

            // Answering: 0-10 only; then the cooldown passes and a new survey may go out.
            let token = try #require(try await routers.tokens(EventType.npsRequested).first)
            let link = Principal(role: .customer, keyID: "feedback-link:test")
            let tooHigh = try await routers.tickets.call(
                Operation.Tickets.answerNPS, AnswerNPS(token: token, score: 11), principal: link)
            #expect(tooHigh.status == 422)
            let answered = try await routers.tickets.call(
                Operation.Tickets.answerNPS, AnswerNPS(token: token, score: 3, comment: "Slow"), principal: link)
            #expect(answered.status == 200)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM events.log WHERE type = 'feedback.nps_received' AND payload->>'category' = 'detractor'"
                ) == 1)
            let shown = try await routers.tickets.call(
                Operation.Tickets.getNPS, FeedbackLink(token: token), principal: link)
            #expect(try shown.decoded(NPSSurvey.self).score == 3)

            try await routers.execute("UPDATE tickets.nps_surveys SET sent_at = sent_at - interval '91 days'")
            let later = try await routers.tickets.call(
                Operation.Tickets.requestNPS, RequestNPS(customerID: customer.id), principal: .agent)
            #expect(later.status == 201)
        }
    }
}

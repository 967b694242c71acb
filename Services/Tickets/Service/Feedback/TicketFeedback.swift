import Contracts
import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Customer feedback: the `tickets.feedback` consumer sends one CSAT survey per solved ticket; `tickets.request_nps`
/// asks a customer for an NPS score at most once per cooldown; `tickets.get_csat`/`answer_csat` and
/// `tickets.get_nps`/`answer_nps` serve the survey links (docs/kpis.md, docs/protocol.md).
///
/// A link's token is 32 random bytes (base64url); only its SHA-256 is stored. The token leaves the service once, in
/// `feedback.csat_requested` / `feedback.nps_requested`, for the mailer that delivers it.
public enum TicketFeedback {
    /// How long an answer may still be changed after the first one.
    static let changeWindow: TimeInterval = 7 * 86400

    /// The `tickets.feedback` consumer: `ticket.solved` creates the ticket's CSAT survey (once); `customer.erased`
    /// drops survey comments; `customer.merged` moves surveys to the surviving customer.
    public static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.ticketSolved) { event, connection, logger in
            let ticket = try event.decode(TicketEvent.self)
            let settings = try FeedbackSettings(EnvironmentReader())
            let token = generateToken()
            let id = UUID()
            let expiresAt = event.occurredAt.addingTimeInterval(settings.linkLifetime)
            let rows = try await connection.query(
                """
                INSERT INTO tickets.csat_surveys (id, ticket_id, customer_id, token_hash, sent_at, expires_at)
                SELECT \(id), t.id, t.customer_id, \(hash(token)), \(event.occurredAt), \(expiresAt)
                FROM tickets.tickets t WHERE t.id = \(ticket.ticketID)
                ON CONFLICT (ticket_id) DO NOTHING
                RETURNING customer_id
                """, logger: logger)
            var customerID: UUID?
            for try await value in rows.decode(UUID.self) { customerID = value }
            guard let customerID else { return }  // a survey exists already (a re-solve), or the ticket is gone
            let requested = CSATRequested(
                surveyID: id, ticketID: ticket.ticketID, ticketNumber: ticket.number, subject: ticket.subject,
                customerID: customerID, channel: ticket.channel, token: token, expiresAt: expiresAt)
            _ = try await EventStore(source: TicketsService.schema).append(
                try NewEvent(
                    type: EventType.csatRequested, aggregateType: "csat_survey", aggregateID: id.uuidString,
                    payload: requested),
                traceparent: event.traceparent, on: connection, logger: logger)
        }
        handlers.on(EventType.customerErased) { event, connection, logger in
            let payload = try event.decode(CustomerErased.self)
            for table in ["csat_surveys", "nps_surveys"] {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE tickets.\(table) SET comment = NULL WHERE customer_id = $1",
                        binds: try PostgresBindings.values(payload.customerID)),
                    logger: logger)
            }
        }
        handlers.on(EventType.customerMerged) { event, connection, logger in
            let payload = try event.decode(CustomerMerged.self)
            for table in ["csat_surveys", "nps_surveys"] {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE tickets.\(table) SET customer_id = $1 WHERE customer_id = $2",
                        binds: try PostgresBindings.values(payload.targetCustomerID, payload.sourceCustomerID)),
                    logger: logger)
            }
        }
        return handlers
    }

    /// Registers the survey operations.
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(
            Operation.Tickets.requestNPS, RequestNPS.self,
            check: { input, context in
                try context.requireStaff()
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            }
        ) { input, context, connection in
            try context.requireStaff()
            return try await requestNPS(input.customerID, context: context, on: connection)
        }

        router.query(Operation.Tickets.getCSAT, FeedbackLink.self) { input, context in
            try await database.withConnection { connection in
                try await csatSurvey(token: input.token, now: Date(), on: connection, logger: context.logger)
                    .view
            }
        }
        router.command(Operation.Tickets.answerCSAT, AnswerCSAT.self, status: 200) { input, context, connection in
            try await answerCSAT(input, context: context, on: connection)
        }
        router.query(Operation.Tickets.getNPS, FeedbackLink.self) { input, context in
            try await database.withConnection { connection in
                try await npsSurvey(
                    token: input.token, now: Date(), lock: false, on: connection, logger: context.logger
                )
                .view
            }
        }
        router.command(Operation.Tickets.answerNPS, AnswerNPS.self, status: 200) { input, context, connection in
            try await answerNPS(input, context: context, on: connection)
        }
    }

    // MARK: Tokens

    /// 32 random bytes as unpadded base64url (43 characters).
    static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> Data { Data(SHA256.hash(data: Array(token.utf8))) }

    static func expired(_ expiresAt: Date) -> Problem {
        Problem(
            status: 410, code: "survey_expired", title: "Gone",
            detail: "this survey link expired at \(Timestamp.format(expiresAt))")
    }

    static let unknownLink = Problem.notFound("no survey for this link")

    /// Until when an answer given at `answeredAt` may change.
    static func changeableUntil(answeredAt: Date?, expiresAt: Date) -> Date? {
        answeredAt.map { min($0.addingTimeInterval(changeWindow), expiresAt) }
    }

    // MARK: CSAT

    struct CSATRow: Sendable {
        var id: UUID
        var ticketID: UUID
        var customerID: UUID
        var rating: Int?
        var comment: String?
        var sentAt: Date
        var expiresAt: Date
        var answeredAt: Date?
        var number: Int64
        var subject: String
        var assigneeID: UUID?
        var group: String?
        var channel: String

        var view: CSATSurvey {
            CSATSurvey(
                ticketNumber: number, subject: subject, answered: answeredAt != nil, rating: rating, comment: comment,
                sentAt: sentAt, expiresAt: expiresAt, answeredAt: answeredAt,
                changeableUntil: TicketFeedback.changeableUntil(answeredAt: answeredAt, expiresAt: expiresAt))
        }
    }

    /// The survey behind `token` (404 unknown, 410 expired), optionally locked for an answer.
    static func csatSurvey(
        token: String, now: Date, lock: Bool = false, on connection: PostgresConnection, logger: Logger
    ) async throws -> CSATRow {
        guard FeedbackToken.isWellFormed(token) else { throw unknownLink }
        let rows = try await connection.query(
            """
            SELECT s.id, s.ticket_id, s.customer_id, s.rating::int, s.comment, s.sent_at, s.expires_at, s.answered_at,
                   t.number, t.subject, t.assignee_id, t.group_name, t.channel
            FROM tickets.csat_surveys s JOIN tickets.tickets t ON t.id = s.ticket_id
            WHERE s.token_hash = \(hash(token))
            \(unescaped: lock ? "FOR UPDATE OF s" : "")
            """, logger: logger)
        for try await row in rows.decode(
            (UUID, UUID, UUID, Int?, String?, Date, Date, Date?, Int64, String, UUID?, String?, String).self)
        {
            let survey = CSATRow(
                id: row.0, ticketID: row.1, customerID: row.2, rating: row.3, comment: row.4, sentAt: row.5,
                expiresAt: row.6, answeredAt: row.7, number: row.8, subject: row.9, assigneeID: row.10,
                group: row.11, channel: row.12)
            guard now < survey.expiresAt else { throw expired(survey.expiresAt) }
            return survey
        }
        throw unknownLink
    }

    static func answerCSAT(_ input: AnswerCSAT, context: OperationContext, on connection: PostgresConnection)
        async throws -> CSATSurvey
    {
        let now = Date()
        var survey = try await csatSurvey(
            token: input.token, now: now, lock: true, on: connection, logger: context.logger)
        let previous = survey.rating
        if let answeredAt = survey.answeredAt {
            guard now < answeredAt.addingTimeInterval(changeWindow) else {
                throw Problem.conflict(
                    "this survey was answered at \(Timestamp.format(answeredAt)); answers may change for 7 days only",
                    code: "survey_answered")
            }
            if previous == input.rating && survey.comment == input.comment { return survey.view }
        }
        try await connection.query(
            """
            UPDATE tickets.csat_surveys
            SET rating = \(input.rating), comment = \(input.comment),
                answered_at = coalesce(answered_at, \(now)), changed_at = CASE WHEN answered_at IS NULL THEN NULL ELSE \(now) END
            WHERE id = \(survey.id)
            """, logger: context.logger)
        survey.rating = input.rating
        survey.comment = input.comment
        survey.answeredAt = survey.answeredAt ?? now
        let received = CSATReceived(
            surveyID: survey.id, ticketID: survey.ticketID, ticketNumber: survey.number, customerID: survey.customerID,
            assigneeID: survey.assigneeID, group: survey.group,
            channel: ContactChannel(rawValue: survey.channel) ?? .api, rating: input.rating, comment: input.comment,
            previousRating: previous)
        try await context.record(
            try NewEvent(
                type: EventType.csatReceived, aggregateType: "csat_survey", aggregateID: survey.id.uuidString,
                payload: received),
            on: connection)
        return survey.view
    }

    // MARK: NPS

    struct NPSRow: Sendable {
        var id: UUID
        var customerID: UUID
        var score: Int?
        var comment: String?
        var sentAt: Date
        var expiresAt: Date
        var answeredAt: Date?

        var view: NPSSurvey {
            NPSSurvey(
                answered: answeredAt != nil, score: score, comment: comment, sentAt: sentAt, expiresAt: expiresAt,
                answeredAt: answeredAt,
                changeableUntil: TicketFeedback.changeableUntil(answeredAt: answeredAt, expiresAt: expiresAt))
        }
    }

    static func npsSurvey(
        token: String, now: Date, lock: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> NPSRow {
        guard FeedbackToken.isWellFormed(token) else { throw unknownLink }
        let rows = try await connection.query(
            """
            SELECT id, customer_id, score::int, comment, sent_at, expires_at, answered_at
            FROM tickets.nps_surveys WHERE token_hash = \(hash(token))
            \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, Int?, String?, Date, Date, Date?).self) {
            let survey = NPSRow(
                id: row.0, customerID: row.1, score: row.2, comment: row.3, sentAt: row.4, expiresAt: row.5,
                answeredAt: row.6)
            guard now < survey.expiresAt else { throw expired(survey.expiresAt) }
            return survey
        }
        throw unknownLink
    }

    static func answerNPS(_ input: AnswerNPS, context: OperationContext, on connection: PostgresConnection)
        async throws -> NPSSurvey
    {
        let now = Date()
        var survey = try await npsSurvey(
            token: input.token, now: now, lock: true, on: connection, logger: context.logger)
        let previous = survey.score
        if let answeredAt = survey.answeredAt {
            guard now < answeredAt.addingTimeInterval(changeWindow) else {
                throw Problem.conflict(
                    "this survey was answered at \(Timestamp.format(answeredAt)); answers may change for 7 days only",
                    code: "survey_answered")
            }
            if previous == input.score && survey.comment == input.comment { return survey.view }
        }
        try await connection.query(
            """
            UPDATE tickets.nps_surveys
            SET score = \(input.score), comment = \(input.comment),
                answered_at = coalesce(answered_at, \(now)), changed_at = CASE WHEN answered_at IS NULL THEN NULL ELSE \(now) END
            WHERE id = \(survey.id)
            """, logger: context.logger)
        survey.score = input.score
        survey.comment = input.comment
        survey.answeredAt = survey.answeredAt ?? now
        try await context.record(
            try NewEvent(
                type: EventType.npsReceived, aggregateType: "nps_survey", aggregateID: survey.id.uuidString,
                payload: NPSReceived(
                    surveyID: survey.id, customerID: survey.customerID, score: input.score, comment: input.comment,
                    previousScore: previous)),
            on: connection)
        return survey.view
    }

    /// Creates an NPS survey for `customerID` unless one was sent within the cooldown (409 `nps_cooldown`, with the
    /// next allowed instant in the detail and in `current.next_allowed_at`).
    static func requestNPS(_ customerID: UUID, context: OperationContext, on connection: PostgresConnection)
        async throws -> NPSRequest
    {
        let settings = try FeedbackSettings(EnvironmentReader())
        // Two requests for one customer queue here, so the second sees the first's survey.
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtextextended('tickets.nps:' || \(customerID.uuidString), 0))",
            logger: context.logger)
        let rows = try await connection.query(
            "SELECT max(sent_at), now() FROM tickets.nps_surveys WHERE customer_id = \(customerID)",
            logger: context.logger)
        var last: Date?
        var now = Date()
        for try await (sentAt, current) in rows.decode((Date?, Date).self) {
            last = sentAt
            now = current
        }
        if let last {
            let next = last.addingTimeInterval(settings.npsCooldown)
            if now < next {
                var problem = Problem.conflict(
                    "an NPS survey was sent to this customer at \(Timestamp.format(last)); the next one is allowed from \(Timestamp.format(next))",
                    code: "nps_cooldown")
                problem.current = .object([
                    "last_sent_at": .string(Timestamp.format(last)),
                    "next_allowed_at": .string(Timestamp.format(next)),
                ])
                throw problem
            }
        }
        let id = UUID()
        let token = generateToken()
        let expiresAt = now.addingTimeInterval(settings.linkLifetime)
        try await connection.query(
            """
            INSERT INTO tickets.nps_surveys (id, customer_id, token_hash, sent_at, expires_at)
            VALUES (\(id), \(customerID), \(hash(token)), \(now), \(expiresAt))
            """, logger: context.logger)
        try await context.record(
            try NewEvent(
                type: EventType.npsRequested, aggregateType: "nps_survey", aggregateID: id.uuidString,
                payload: NPSRequested(surveyID: id, customerID: customerID, token: token, expiresAt: expiresAt)),
            on: connection)
        return NPSRequest(surveyID: id, customerID: customerID, sentAt: now, expiresAt: expiresAt)
    }
}

/// The feedback settings (docs/configuration.md).
struct FeedbackSettings: Sendable {
    /// Least time between two NPS surveys of one customer (`CONCIERGE_NPS_COOLDOWN_DAYS`, default 90).
    var npsCooldown: TimeInterval
    /// How long a survey link stays valid (`CONCIERGE_FEEDBACK_LINK_DAYS`, default 30).
    var linkLifetime: TimeInterval

    init(_ environment: EnvironmentReader) throws {
        npsCooldown = 86400 * Double(try environment.int("CONCIERGE_NPS_COOLDOWN_DAYS", default: 90, range: 0...3650))
        linkLifetime = 86400 * Double(try environment.int("CONCIERGE_FEEDBACK_LINK_DAYS", default: 30, range: 1...365))
    }
}

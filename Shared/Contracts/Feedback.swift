import Foundation

// Customer feedback (CSAT after a solve, NPS per customer) and the helpdesk KPIs; rules in docs/kpis.md and
// docs/protocol.md.

/// How a survey link's token looks: 43 characters of base64url (32 random bytes).
public enum FeedbackToken {
    public static let length = 43

    /// Whether `text` can be a token at all (anything else is answered as an unknown link).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == length
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}

/// `tickets.get_csat` and `tickets.get_nps`: the survey behind a link.
public struct FeedbackLink: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["token"]
    public var token: String

    public init(token: String) { self.token = token }
}

/// `tickets.answer_csat`: a rating of 1 to 5 and an optional comment.
public struct AnswerCSAT: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["token", "rating", "comment"]
    public var token: String
    public var rating: Int
    public var comment: String?

    public init(token: String, rating: Int, comment: String? = nil) {
        self.token = token
        self.rating = rating
        self.comment = comment
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !(1...5).contains(rating) { issues.append(FieldIssue("rating", "must be between 1 and 5")) }
        issues += Validate.optionalText(comment, field: "comment", max: 2000)
        return issues
    }
}

/// `tickets.answer_nps`: a score of 0 to 10 and an optional comment.
public struct AnswerNPS: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["token", "score", "comment"]
    public var token: String
    public var score: Int
    public var comment: String?

    public init(token: String, score: Int, comment: String? = nil) {
        self.token = token
        self.score = score
        self.comment = comment
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !(0...10).contains(score) { issues.append(FieldIssue("score", "must be between 0 and 10")) }
        issues += Validate.optionalText(comment, field: "comment", max: 2000)
        return issues
    }
}

/// `tickets.request_nps`: ask a customer how likely they are to recommend the store.
public struct RequestNPS: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id"]
    public var customerID: UUID

    public init(customerID: UUID) { self.customerID = customerID }

    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

/// A CSAT survey as its link shows it (`GET /feedback/csat/{token}`): what it is about and whether it was answered.
public struct CSATSurvey: Codable, Sendable, Equatable {
    public var ticketNumber: Int64
    public var subject: String
    public var answered: Bool
    public var rating: Int?
    public var comment: String?
    public var sentAt: Date
    public var expiresAt: Date
    public var answeredAt: Date?
    /// Until when an answer may still be changed (7 days after the first answer, never past `expires_at`).
    public var changeableUntil: Date?

    public init(
        ticketNumber: Int64, subject: String, answered: Bool, rating: Int?, comment: String?, sentAt: Date,
        expiresAt: Date, answeredAt: Date?, changeableUntil: Date?
    ) {
        self.ticketNumber = ticketNumber
        self.subject = subject
        self.answered = answered
        self.rating = rating
        self.comment = comment
        self.sentAt = sentAt
        self.expiresAt = expiresAt
        self.answeredAt = answeredAt
        self.changeableUntil = changeableUntil
    }

    enum CodingKeys: String, CodingKey {
        case subject, answered, rating, comment
        case ticketNumber = "ticket_number"
        case sentAt = "sent_at"
        case expiresAt = "expires_at"
        case answeredAt = "answered_at"
        case changeableUntil = "changeable_until"
    }
}

/// An NPS survey as its link shows it (`GET /feedback/nps/{token}`).
public struct NPSSurvey: Codable, Sendable, Equatable {
    public var answered: Bool
    public var score: Int?
    public var comment: String?
    public var sentAt: Date
    public var expiresAt: Date
    public var answeredAt: Date?
    public var changeableUntil: Date?

    public init(
        answered: Bool, score: Int?, comment: String?, sentAt: Date, expiresAt: Date, answeredAt: Date?,
        changeableUntil: Date?
    ) {
        self.answered = answered
        self.score = score
        self.comment = comment
        self.sentAt = sentAt
        self.expiresAt = expiresAt
        self.answeredAt = answeredAt
        self.changeableUntil = changeableUntil
    }

    enum CodingKeys: String, CodingKey {
        case answered, score, comment
        case sentAt = "sent_at"
        case expiresAt = "expires_at"
        case answeredAt = "answered_at"
        case changeableUntil = "changeable_until"
    }
}

/// `tickets.request_nps`'s reply: the survey that was created (its token travels only in `feedback.nps_requested`).
public struct NPSRequest: Codable, Sendable, Equatable {
    public var surveyID: UUID
    public var customerID: UUID
    public var sentAt: Date
    public var expiresAt: Date

    public init(surveyID: UUID, customerID: UUID, sentAt: Date, expiresAt: Date) {
        self.surveyID = surveyID
        self.customerID = customerID
        self.sentAt = sentAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case surveyID = "survey_id"
        case customerID = "customer_id"
        case sentAt = "sent_at"
        case expiresAt = "expires_at"
    }
}

// MARK: Events

/// `feedback.csat_requested` (aggregate `csat_survey`): everything a mailer needs to send the survey.
public struct CSATRequested: Codable, Sendable, Equatable {
    public var surveyID: UUID
    public var ticketID: UUID
    public var ticketNumber: Int64
    public var subject: String
    public var customerID: UUID
    public var channel: ContactChannel
    /// The secret of the link; only its SHA-256 is stored.
    public var token: String
    /// `/feedback/csat/<token>`, to be put behind the gateway's public URL.
    public var linkPath: String
    public var expiresAt: Date

    public init(
        surveyID: UUID, ticketID: UUID, ticketNumber: Int64, subject: String, customerID: UUID,
        channel: ContactChannel, token: String, expiresAt: Date
    ) {
        self.surveyID = surveyID
        self.ticketID = ticketID
        self.ticketNumber = ticketNumber
        self.subject = subject
        self.customerID = customerID
        self.channel = channel
        self.token = token
        self.linkPath = "/feedback/csat/\(token)"
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case subject, channel, token
        case surveyID = "survey_id"
        case ticketID = "ticket_id"
        case ticketNumber = "ticket_number"
        case customerID = "customer_id"
        case linkPath = "link_path"
        case expiresAt = "expires_at"
    }
}

/// `feedback.csat_received` (aggregate `csat_survey`): an answer, or a changed one (`previous_rating`).
public struct CSATReceived: Codable, Sendable, Equatable {
    public var surveyID: UUID
    public var ticketID: UUID
    public var ticketNumber: Int64
    public var customerID: UUID
    public var assigneeID: UUID?
    public var group: String?
    public var channel: ContactChannel
    public var rating: Int
    public var comment: String?
    /// Set when the customer changed an earlier answer.
    public var previousRating: Int?

    public init(
        surveyID: UUID, ticketID: UUID, ticketNumber: Int64, customerID: UUID, assigneeID: UUID?, group: String?,
        channel: ContactChannel, rating: Int, comment: String?, previousRating: Int?
    ) {
        self.surveyID = surveyID
        self.ticketID = ticketID
        self.ticketNumber = ticketNumber
        self.customerID = customerID
        self.assigneeID = assigneeID
        self.group = group
        self.channel = channel
        self.rating = rating
        self.comment = comment
        self.previousRating = previousRating
    }

    enum CodingKeys: String, CodingKey {
        case group, channel, rating, comment
        case surveyID = "survey_id"
        case ticketID = "ticket_id"
        case ticketNumber = "ticket_number"
        case customerID = "customer_id"
        case assigneeID = "assignee_id"
        case previousRating = "previous_rating"
    }
}

/// `feedback.nps_requested` (aggregate `nps_survey`): everything a mailer needs to send the survey.
public struct NPSRequested: Codable, Sendable, Equatable {
    public var surveyID: UUID
    public var customerID: UUID
    public var token: String
    /// `/feedback/nps/<token>`.
    public var linkPath: String
    public var expiresAt: Date

    public init(surveyID: UUID, customerID: UUID, token: String, expiresAt: Date) {
        self.surveyID = surveyID
        self.customerID = customerID
        self.token = token
        self.linkPath = "/feedback/nps/\(token)"
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case token
        case surveyID = "survey_id"
        case customerID = "customer_id"
        case linkPath = "link_path"
        case expiresAt = "expires_at"
    }
}

/// `feedback.nps_received` (aggregate `nps_survey`).
public struct NPSReceived: Codable, Sendable, Equatable {
    public var surveyID: UUID
    public var customerID: UUID
    public var score: Int
    /// `promoter` (9–10), `passive` (7–8) or `detractor` (0–6).
    public var category: String
    public var comment: String?
    public var previousScore: Int?

    public init(surveyID: UUID, customerID: UUID, score: Int, comment: String?, previousScore: Int?) {
        self.surveyID = surveyID
        self.customerID = customerID
        self.score = score
        self.category = score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor"
        self.comment = comment
        self.previousScore = previousScore
    }

    enum CodingKeys: String, CodingKey {
        case score, category, comment
        case surveyID = "survey_id"
        case customerID = "customer_id"
        case previousScore = "previous_score"
    }
}

// MARK: KPIs

/// What `tickets.kpis` groups by.
public enum KPIGrouping: String, Codable, Sendable, CaseIterable {
    case agent, group, channel
}

/// Mean, median and 90th percentile of a set of durations, in seconds (absent when `count` is 0).
public struct DurationStats: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double?
    public var median: Double?
    public var p90: Double?

    public init(count: Int, mean: Double?, median: Double?, p90: Double?) {
        self.count = count
        self.mean = mean
        self.median = median
        self.p90 = p90
    }
}

/// A duration KPI in calendar seconds and in business seconds.
public struct DurationKPI: Codable, Sendable, Equatable {
    public var calendar: DurationStats
    public var business: DurationStats

    public init(calendar: DurationStats, business: DurationStats) {
        self.calendar = calendar
        self.business = business
    }
}

/// `count` of `total`, and `rate = count / total` (absent when `total` is 0).
public struct RateKPI: Codable, Sendable, Equatable {
    public var count: Int
    public var total: Int
    public var rate: Double?

    public init(count: Int, total: Int) {
        self.count = count
        self.total = total
        self.rate = total == 0 ? nil : Double(count) / Double(total)
    }
}

/// SLA targets decided for the tickets first solved in the period.
public struct SLAAttainment: Codable, Sendable, Equatable {
    public var decided: Int
    public var met: Int
    public var breached: Int
    /// `met / decided`.
    public var rate: Double?

    public init(met: Int, breached: Int) {
        self.decided = met + breached
        self.met = met
        self.breached = breached
        self.rate = decided == 0 ? nil : Double(met) / Double(decided)
    }
}

/// CSAT over the surveys sent in the period.
public struct CSATKPI: Codable, Sendable, Equatable {
    public var sent: Int
    public var answered: Int
    /// Answers rated 4 or 5.
    public var satisfied: Int
    /// `satisfied / answered`.
    public var score: Double?
    /// `answered / sent`.
    public var responseRate: Double?

    public init(sent: Int, answered: Int, satisfied: Int) {
        self.sent = sent
        self.answered = answered
        self.satisfied = satisfied
        self.score = answered == 0 ? nil : Double(satisfied) / Double(answered)
        self.responseRate = sent == 0 ? nil : Double(answered) / Double(sent)
    }

    enum CodingKeys: String, CodingKey {
        case sent, answered, satisfied, score
        case responseRate = "response_rate"
    }
}

/// NPS over the surveys sent in the period: `score = 100 × (promoters − detractors) / answered`.
public struct NPSKPI: Codable, Sendable, Equatable {
    public var sent: Int
    public var answered: Int
    public var promoters: Int
    public var passives: Int
    public var detractors: Int
    public var score: Double?
    public var responseRate: Double?

    public init(sent: Int, promoters: Int, passives: Int, detractors: Int) {
        self.sent = sent
        self.answered = promoters + passives + detractors
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
        self.score = answered == 0 ? nil : 100 * Double(promoters - detractors) / Double(answered)
        self.responseRate = sent == 0 ? nil : Double(answered) / Double(sent)
    }

    enum CodingKeys: String, CodingKey {
        case sent, answered, promoters, passives, detractors, score
        case responseRate = "response_rate"
    }
}

/// One set of KPIs (the whole period, or one agent, group or channel).
public struct KPISet: Codable, Sendable, Equatable {
    public var firstResponseTime: DurationKPI
    public var nextReplyTime: DurationKPI
    public var fullResolutionTime: DurationKPI
    /// Tickets first solved in the period: the population of the three rates below.
    public var solvedTickets: Int
    public var firstContactResolution: RateKPI
    public var oneTouchResolution: RateKPI
    public var reopenRate: RateKPI
    /// Unsolved tickets at `to`.
    public var backlog: Int
    public var slaAttainment: SLAAttainment?
    public var csat: CSATKPI
    /// Per customer, so reported for the whole period only.
    public var nps: NPSKPI?

    public init(
        firstResponseTime: DurationKPI, nextReplyTime: DurationKPI, fullResolutionTime: DurationKPI,
        solvedTickets: Int, firstContactResolution: RateKPI, oneTouchResolution: RateKPI, reopenRate: RateKPI,
        backlog: Int, slaAttainment: SLAAttainment?, csat: CSATKPI, nps: NPSKPI?
    ) {
        self.firstResponseTime = firstResponseTime
        self.nextReplyTime = nextReplyTime
        self.fullResolutionTime = fullResolutionTime
        self.solvedTickets = solvedTickets
        self.firstContactResolution = firstContactResolution
        self.oneTouchResolution = oneTouchResolution
        self.reopenRate = reopenRate
        self.backlog = backlog
        self.slaAttainment = slaAttainment
        self.csat = csat
        self.nps = nps
    }

    enum CodingKeys: String, CodingKey {
        case backlog, csat, nps
        case firstResponseTime = "first_response_time"
        case nextReplyTime = "next_reply_time"
        case fullResolutionTime = "full_resolution_time"
        case solvedTickets = "solved_tickets"
        case firstContactResolution = "first_contact_resolution"
        case oneTouchResolution = "one_touch_resolution"
        case reopenRate = "reopen_rate"
        case slaAttainment = "sla_attainment"
    }
}

/// The KPIs of one agent (`key` is the agent id), group or channel; `key` is absent for the tickets without one.
public struct KPIGroup: Codable, Sendable, Equatable {
    public var key: String?
    public var kpis: KPISet

    public init(key: String?, kpis: KPISet) {
        self.key = key
        self.kpis = kpis
    }
}

/// `tickets.kpis`'s reply (`GET /v1/kpis`).
public struct KPIReport: Codable, Sendable, Equatable {
    public var from: Date
    public var to: Date
    public var groupBy: KPIGrouping?
    /// The business calendar's time zone.
    public var timeZone: String
    public var overall: KPISet
    /// One entry per key, ordered by key (the entry without a key last); empty without `group_by`.
    public var groups: [KPIGroup]
    /// Why a KPI is missing, for example `sla_attainment` before any SLA is defined.
    public var notes: [String]

    public init(
        from: Date, to: Date, groupBy: KPIGrouping?, timeZone: String, overall: KPISet, groups: [KPIGroup],
        notes: [String]
    ) {
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.timeZone = timeZone
        self.overall = overall
        self.groups = groups
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case from, to, overall, groups, notes
        case groupBy = "group_by"
        case timeZone = "time_zone"
    }
}

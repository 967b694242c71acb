import Foundation

/// One entry of a customer's timeline: something that happened to them in any service.
public struct TimelineEntry: Codable, Sendable, Equatable {
    /// The id of the event it came from.
    public var eventID: UUID
    public var type: String
    public var source: String
    public var occurredAt: Date
    /// What the entry refers to (`ticket`, `return`, ...) and its id.
    public var subjectType: String
    public var subjectID: String
    /// A short human-readable line, for example `Ticket #1042 opened: Late parcel`.
    public var summary: String

    public init(
        eventID: UUID, type: String, source: String, occurredAt: Date, subjectType: String, subjectID: String,
        summary: String
    ) {
        self.eventID = eventID
        self.type = type
        self.source = source
        self.occurredAt = occurredAt
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case type, source, summary
        case eventID = "event_id"
        case occurredAt = "occurred_at"
        case subjectType = "subject_type"
        case subjectID = "subject_id"
    }
}

/// `customers.timeline`: a customer's history across services, newest first, keyset-paginated.
public typealias ListTimeline = CustomerPageRequest

/// `tickets.solve`: marks a ticket solved (the full lifecycle rules arrive with the helpdesk issue).
public struct SolveTicket: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id"]
    public var ticketID: UUID
    public init(ticketID: UUID) { self.ticketID = ticketID }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id" }
}

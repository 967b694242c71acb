import Foundation

/// The facts of one ticket that the SLA clock needs, in any order (the clock sorts them by time, keeping the given
/// order for facts at the same instant).
public struct TicketTimeline: Sendable, Equatable {
    /// When the ticket was created; the resolution clock starts here.
    public var createdAt: Date
    /// The status the ticket was created with (usually `new`).
    public var initialStatus: SLATicketStatus
    /// Status changes, public agent replies and customer messages. Facts dated before `createdAt` count as at
    /// `createdAt`.
    public var facts: [TicketFact]

    /// A timeline; facts may also be appended to ``facts`` later.
    public init(createdAt: Date, initialStatus: SLATicketStatus = .new, facts: [TicketFact] = []) {
        self.createdAt = createdAt
        self.initialStatus = initialStatus
        self.facts = facts
    }
}

/// One dated fact of a ticket's life.
public struct TicketFact: Sendable, Equatable {
    /// What happened.
    public var kind: Kind
    /// When it happened.
    public var at: Date

    /// A fact.
    public init(_ kind: Kind, at: Date) {
        self.kind = kind
        self.at = at
    }

    /// The kinds of fact.
    public enum Kind: Sendable, Equatable {
        /// The ticket moved to a status.
        case status(SLATicketStatus)
        /// An agent wrote a public reply (internal notes are not facts for the clock).
        case agentReply
        /// The customer wrote (on any channel), including the message that opened the ticket.
        case customerMessage
    }

    /// The ticket moved to `status` at `at`.
    public static func status(_ status: SLATicketStatus, at: Date) -> TicketFact { TicketFact(.status(status), at: at) }
    /// A public agent reply at `at`.
    public static func agentReply(at: Date) -> TicketFact { TicketFact(.agentReply, at: at) }
    /// A customer message at `at`.
    public static func customerMessage(at: Date) -> TicketFact { TicketFact(.customerMessage, at: at) }
}

/// A ticket's status as far as the SLA clock is concerned (the helpdesk's `merged` counts as `closed`).
public enum SLATicketStatus: String, Codable, Sendable, CaseIterable {
    /// Just created, nobody has worked on it yet (the clock runs).
    case new
    /// Being worked on (the clock runs).
    case open
    /// Waiting for the customer (the clock pauses).
    case pending
    /// Waiting for a third party (the clock pauses).
    case onHold = "on_hold"
    /// Solved; may still be reopened (the clock stops).
    case solved
    /// Closed for good (the clock stops).
    case closed

    /// What the status does to the clock.
    public var clock: SLAClockEffect {
        switch self {
        case .new, .open: .runs
        case .pending, .onHold: .pauses
        case .solved, .closed: .stops
        }
    }
}

/// What a ticket status does to the SLA clock.
public enum SLAClockEffect: String, Sendable {
    /// `new`, `open`: business time counts.
    case runs
    /// `pending`, `on_hold`: nothing counts; the due instants move.
    case pauses
    /// `solved`, `closed`: nothing counts; resolution is achieved.
    case stops
}

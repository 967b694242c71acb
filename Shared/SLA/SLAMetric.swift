/// What an SLA target measures.
public enum SLAMetric: String, Codable, Sendable, CaseIterable {
    /// From the customer's first message to the first public agent reply.
    case firstReply = "first_reply"
    /// From a customer message that follows an agent reply to the next public agent reply (one target per cycle).
    case nextReply = "next_reply"
    /// From the ticket's creation to its solve.
    case resolution
}

import Foundation

/// The reply cycles of a ticket: each starts with a customer message while no cycle is open and ends with the next
/// public agent reply.
struct ReplyCycle: Equatable {
    /// First reply (the customer wrote before any agent reply) or next reply.
    var metric: SLAMetric
    /// The customer message that opened the cycle.
    var start: Date
    /// The agent reply that answered it; nil while unanswered.
    var end: Date?

    /// The cycles of `facts` (sorted, up to `now`). Further customer messages inside an open cycle do not restart
    /// it; agent replies outside a cycle answer nothing.
    static func cycles(in facts: [TicketFact]) -> [ReplyCycle] {
        var cycles: [ReplyCycle] = []
        var agentHasReplied = false
        for fact in facts {
            switch fact.kind {
            case .customerMessage:
                if cycles.last.map({ $0.end != nil }) ?? true {
                    let metric: SLAMetric = cycles.isEmpty && !agentHasReplied ? .firstReply : .nextReply
                    cycles.append(ReplyCycle(metric: metric, start: fact.at, end: nil))
                }
            case .agentReply:
                agentHasReplied = true
                if let last = cycles.last, last.end == nil { cycles[cycles.count - 1].end = fact.at }
            case .status:
                break
            }
        }
        return cycles
    }
}

import Foundation

/// Every SLA target of one ticket under one policy, evaluated at ``evaluatedAt``.
public struct SLAReport: Sendable, Equatable {
    /// The policy whose targets these are.
    public var policyID: String
    /// The instant the report describes; facts after it were ignored.
    public var evaluatedAt: Date
    /// The first-reply target; nil when the policy has none or the customer has not written before an agent did.
    public var firstReply: SLAMetricState?
    /// One next-reply target per cycle, oldest first; empty when the policy has none or no cycle has started.
    public var nextReplies: [SLAMetricState]
    /// The resolution target; nil when the policy has none.
    public var resolution: SLAMetricState?

    /// A report; the clock builds these.
    public init(
        policyID: String, evaluatedAt: Date, firstReply: SLAMetricState?, nextReplies: [SLAMetricState],
        resolution: SLAMetricState?
    ) {
        self.policyID = policyID
        self.evaluatedAt = evaluatedAt
        self.firstReply = firstReply
        self.nextReplies = nextReplies
        self.resolution = resolution
    }

    /// The current (latest) next-reply cycle.
    public var nextReply: SLAMetricState? { nextReplies.last }

    /// Every target: first reply, the next-reply cycles, resolution.
    public var metrics: [SLAMetricState] {
        [firstReply].compactMap { $0 } + nextReplies + [resolution].compactMap { $0 }
    }

    /// Whether some target is breached and not yet achieved (the "breached" queue).
    public var hasActiveBreach: Bool { metrics.contains(where: \.isActiveBreach) }

    /// Whether some target is near breach (the "about to breach" queue).
    public var isNearBreach: Bool { metrics.contains(where: \.isNearBreach) }

    /// The earliest instant after ``evaluatedAt`` at which a running target becomes near breach or breached if no
    /// new fact arrives: when to evaluate the ticket again to raise the next event. Nil when nothing is pending.
    public var nextCheckAt: Date? {
        metrics.filter { $0.phase == .running }
            .flatMap { [$0.nearBreachAt, $0.dueAt] }
            .compactMap { $0 }
            .filter { $0 > evaluatedAt }
            .min()
    }
}

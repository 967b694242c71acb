import Foundation

/// Where one target stands at the instant the clock was evaluated.
public enum SLAPhase: String, Codable, Sendable {
    /// The ticket is `new` or `open`: business time counts (outside business hours it simply does not grow).
    case running
    /// The ticket is `pending` or `on_hold`: nothing counts and there is no due instant until it runs again.
    case paused
    /// The ticket is `solved` or `closed` but this reply target was never answered: nothing counts; a reopen resumes
    /// it. (Resolution is never stopped: a solve achieves it.)
    case stopped
    /// The target ended: answered by an agent reply (reply targets) or the ticket solved (resolution).
    case achieved
}

/// One SLA target of one ticket, evaluated at an instant (`now`). All durations are business seconds.
public struct SLAMetricState: Sendable, Equatable {
    /// What the target measures.
    public var metric: SLAMetric
    /// The target, in business seconds.
    public var target: Int
    /// When the target's clock started (the customer message, or the ticket's creation for resolution).
    public var startedAt: Date
    /// Running, paused, stopped or achieved.
    public var phase: SLAPhase
    /// When the target was achieved (the agent reply, or the solve); nil until then.
    public var achievedAt: Date?
    /// The instant the target's business time ran out without it being achieved; nil when it has not (yet).
    /// A breach stands even if the target is achieved later.
    public var breachedAt: Date?
    /// When the target's business time runs out: the breach instant once breached; while running, the projected
    /// instant (assuming the ticket stays `new`/`open`); nil when paused or stopped before running out, or achieved
    /// in time.
    public var dueAt: Date?
    /// When the remaining business time reaches the near-breach threshold: in the past once reached, projected while
    /// running; nil when it was not reached before the target was achieved, paused or stopped.
    public var nearBreachAt: Date?
    /// Business time counted so far (up to the achievement, or up to `now`).
    public var elapsed: TimeInterval
    /// `target - elapsed`; negative when the target is overdue by that much.
    public var remaining: TimeInterval
    /// Not achieved, not breached, and `remaining` at or below the policy's near-breach threshold (paused and
    /// stopped targets included).
    public var isNearBreach: Bool

    /// Whether the target has been achieved (on time or late).
    public var isAchieved: Bool { phase == .achieved }
    /// Whether the target's time ran out before it was achieved.
    public var isBreached: Bool { breachedAt != nil }
    /// Whether the target is paused by a `pending` or `on_hold` status.
    public var isPaused: Bool { phase == .paused }
    /// Breached and not yet achieved: the ticket belongs in the "breached" queue.
    public var isActiveBreach: Bool { isBreached && !isAchieved }

    /// A state; the clock builds these, tests may too.
    public init(
        metric: SLAMetric, target: Int, startedAt: Date, phase: SLAPhase, achievedAt: Date?, breachedAt: Date?,
        dueAt: Date?, nearBreachAt: Date?, elapsed: TimeInterval, remaining: TimeInterval, isNearBreach: Bool
    ) {
        self.metric = metric
        self.target = target
        self.startedAt = startedAt
        self.phase = phase
        self.achievedAt = achievedAt
        self.breachedAt = breachedAt
        self.dueAt = dueAt
        self.nearBreachAt = nearBreachAt
        self.elapsed = elapsed
        self.remaining = remaining
        self.isNearBreach = isNearBreach
    }
}

/// The targets that apply to tickets of one priority, optionally only for one customer segment and/or one channel.
///
/// ```json
/// {"id": "vip-urgent-chat", "priority": "urgent", "segment": "vip", "channel": "chat",
///  "targets": {"first_reply": 600, "next_reply": 900, "resolution": 14400},
///  "near_breach": {"fraction": 0.2}}
/// ```
public struct SLAPolicy: Codable, Sendable, Equatable {
    /// A stable name for the policy, unique within its ``SLAPolicySet``.
    public var id: String
    /// The priority the policy applies to.
    public var priority: SLAPriority
    /// When set, the policy applies only to customers in this segment (a segment slug such as `vip`).
    public var segment: String?
    /// When set, the policy applies only to tickets on this channel (`email`, `chat`, …).
    public var channel: String?
    /// The targets, in business seconds.
    public var targets: SLATargets
    /// When a target counts as near breach; 20 % of the target when absent.
    public var nearBreach: NearBreachThreshold?

    /// A policy; see the type's documentation.
    public init(
        id: String, priority: SLAPriority, segment: String? = nil, channel: String? = nil, targets: SLATargets,
        nearBreach: NearBreachThreshold? = nil
    ) {
        self.id = id
        self.priority = priority
        self.segment = segment
        self.channel = channel
        self.targets = targets
        self.nearBreach = nearBreach
    }

    enum CodingKeys: String, CodingKey {
        case id, priority, segment, channel, targets
        case nearBreach = "near_breach"
    }

    /// The threshold in force (``NearBreachThreshold/standard`` when none is set).
    public var nearBreachThreshold: NearBreachThreshold { nearBreach ?? .standard }

    /// How specific the policy is: 2 for a segment, plus 1 for a channel (so segment + channel = 3 beats segment = 2
    /// beats channel = 1 beats neither = 0).
    public var specificity: Int { (segment == nil ? 0 : 2) + (channel == nil ? 0 : 1) }

    /// Whether the policy applies to a ticket of `priority` on `channel` whose customer is in `segments`.
    public func matches(priority: SLAPriority, segments: Set<String>, channel: String?) -> Bool {
        guard priority == self.priority else { return false }
        if let segment, !segments.contains(segment) { return false }
        if let required = self.channel, required != channel { return false }
        return true
    }

    /// Everything wrong with the policy, named by JSON path; empty when it is valid.
    public func validate() -> [SLAFieldIssue] {
        var issues: [SLAFieldIssue] = []
        if id.isEmpty { issues.append(SLAFieldIssue("id", "must not be empty")) }
        if segment?.isEmpty == true { issues.append(SLAFieldIssue("segment", "must not be empty when given")) }
        if channel?.isEmpty == true { issues.append(SLAFieldIssue("channel", "must not be empty when given")) }
        issues += targets.validate().map {
            $0.field.isEmpty ? SLAFieldIssue("targets", $0.message) : $0.nested(under: "targets")
        }
        issues += (nearBreach?.validate() ?? []).map { $0.nested(under: "near_breach") }
        return issues
    }
}

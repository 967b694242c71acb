/// All SLA policies of a helpdesk, in the order an administrator ranked them, and the rule that picks one.
///
/// Selection: among the policies that match the ticket (same priority; segment absent or one of the customer's
/// segments; channel absent or the ticket's channel), the most specific wins (``SLAPolicy/specificity``: segment
/// and channel, then segment, then channel, then neither). Ties (possible when the customer is in several segments
/// that each have a policy) go to the policy that comes first in ``policies``.
public struct SLAPolicySet: Codable, Sendable, Equatable {
    /// The policies, highest-ranked first.
    public var policies: [SLAPolicy]

    /// A set of policies, highest-ranked first.
    public init(_ policies: [SLAPolicy]) {
        self.policies = policies
    }

    /// Decodes a JSON array of policies.
    public init(from decoder: any Decoder) throws {
        policies = try [SLAPolicy](from: decoder)
    }

    /// Encodes a JSON array of policies.
    public func encode(to encoder: any Encoder) throws {
        try policies.encode(to: encoder)
    }

    /// The policy for a ticket of `priority` on `channel` whose customer is in `segments`, or nil when none matches.
    public func policy(priority: SLAPriority, segments: Set<String> = [], channel: String? = nil) -> SLAPolicy? {
        var best: SLAPolicy?
        for policy in policies where policy.matches(priority: priority, segments: segments, channel: channel) {
            if policy.specificity > (best?.specificity ?? -1) { best = policy }
        }
        return best
    }

    /// Every policy's issues (under `[i]`), plus duplicate ids and two policies with the same priority, segment
    /// and channel (the second could never be chosen).
    public func validate() -> [SLAFieldIssue] {
        var issues: [SLAFieldIssue] = []
        var ids: [String: Int] = [:]
        var scopes: [[String?]: Int] = [:]
        for (index, policy) in policies.enumerated() {
            issues += policy.validate().map { $0.nested(under: "[\(index)]") }
            if let first = ids[policy.id] {
                issues.append(SLAFieldIssue("[\(index)].id", "duplicates the id of [\(first)]"))
            } else {
                ids[policy.id] = index
            }
            let scope: [String?] = [policy.priority.rawValue, policy.segment, policy.channel]
            if let first = scopes[scope] {
                issues.append(
                    SLAFieldIssue(
                        "[\(index)]", "has the same priority, segment and channel as [\(first)] and could never apply"
                    ))
            } else {
                scopes[scope] = index
            }
        }
        return issues
    }
}

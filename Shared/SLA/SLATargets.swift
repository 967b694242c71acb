/// The targets of one policy, in seconds of business time; a missing target means that metric is not measured.
public struct SLATargets: Codable, Sendable, Equatable {
    /// First reply time, in business seconds.
    public var firstReply: Int?
    /// Next reply time, in business seconds (applies to every next-reply cycle).
    public var nextReply: Int?
    /// Resolution time, in business seconds.
    public var resolution: Int?

    /// Targets in business seconds; omit the ones that are not measured.
    public init(firstReply: Int? = nil, nextReply: Int? = nil, resolution: Int? = nil) {
        self.firstReply = firstReply
        self.nextReply = nextReply
        self.resolution = resolution
    }

    enum CodingKeys: String, CodingKey {
        case firstReply = "first_reply"
        case nextReply = "next_reply"
        case resolution
    }

    /// The target for `metric`, in business seconds, if there is one.
    public func seconds(for metric: SLAMetric) -> Int? {
        switch metric {
        case .firstReply: firstReply
        case .nextReply: nextReply
        case .resolution: resolution
        }
    }

    /// Every given target must be positive, and at least one must be given.
    public func validate() -> [SLAFieldIssue] {
        var issues: [SLAFieldIssue] = []
        for metric in SLAMetric.allCases {
            if let seconds = seconds(for: metric), seconds <= 0 {
                issues.append(SLAFieldIssue(metric.rawValue, "must be a positive number of business seconds"))
            }
        }
        if SLAMetric.allCases.allSatisfy({ seconds(for: $0) == nil }) {
            issues.append(SLAFieldIssue("", "must set at least one of first_reply, next_reply, resolution"))
        }
        return issues
    }
}

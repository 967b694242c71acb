/// How close to its due instant a target counts as "near breach": when its remaining business time is at or below
/// the threshold. JSON: `{"fraction": 0.2}` (20 % of the target) or `{"seconds": 900}` (a fixed 15 minutes).
public enum NearBreachThreshold: Sendable, Equatable, Codable {
    /// A fraction of the target, strictly between 0 and 1.
    case fraction(Double)
    /// A fixed amount of business seconds, positive. When it is not below the target, the target is near breach
    /// from its start.
    case seconds(Int)

    /// 20 % of the target.
    public static let standard = NearBreachThreshold.fraction(0.2)

    /// The threshold, in business seconds, for a target of `target` business seconds.
    public func seconds(forTarget target: Int) -> Double {
        switch self {
        case .fraction(let fraction): fraction * Double(target)
        case .seconds(let seconds): Double(seconds)
        }
    }

    /// The fraction must be strictly between 0 and 1; the seconds must be positive.
    public func validate() -> [SLAFieldIssue] {
        switch self {
        case .fraction(let fraction) where !(fraction > 0 && fraction < 1):
            [SLAFieldIssue("fraction", "must be between 0 and 1 (exclusive)")]
        case .seconds(let seconds) where seconds <= 0:
            [SLAFieldIssue("seconds", "must be a positive number of business seconds")]
        default: []
        }
    }

    enum CodingKeys: String, CodingKey {
        case fraction, seconds
    }

    /// Decodes `{"fraction": …}` or `{"seconds": …}`; exactly one of the two.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fraction = try container.decodeIfPresent(Double.self, forKey: .fraction)
        let seconds = try container.decodeIfPresent(Int.self, forKey: .seconds)
        switch (fraction, seconds) {
        case (let fraction?, nil): self = .fraction(fraction)
        case (nil, let seconds?): self = .seconds(seconds)
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "must have exactly one of fraction, seconds"))
        }
    }

    /// Encodes `{"fraction": …}` or `{"seconds": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fraction(let fraction): try container.encode(fraction, forKey: .fraction)
        case .seconds(let seconds): try container.encode(seconds, forKey: .seconds)
        }
    }
}

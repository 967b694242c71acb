/// A message that does not follow the Concierge envelope.
public enum WireError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed message: \(why)"
        }
    }
}

import ZeroMQ

/// Errors of the Majordomo client and services.
public enum MajordomoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No reply arrived within the request's timeout.
    case timeout
    /// The component is stopped or stopping.
    case stopped
    /// A request with this correlation id is already in flight on this client.
    case duplicateCorrelationID(String)
    /// The service name is empty or otherwise unusable.
    case invalidServiceName(String)
    /// A ZeroMQ call failed.
    case socket(ZMQError)

    public var description: String {
        switch self {
        case .timeout: "request timed out"
        case .stopped: "majordomo component is stopped"
        case .duplicateCorrelationID(let id): "a request with correlation id '\(id)' is already in flight"
        case .invalidServiceName(let name): "invalid service name '\(name)'"
        case .socket(let error): "socket error: \(error)"
        }
    }
}

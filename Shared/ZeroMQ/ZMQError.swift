import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed libzmq call: the `errno` it reported, libzmq's text for it and the operation that failed.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value (`zmq_errno()` at the time of the failure).
    public let code: Int32
    /// `zmq_strerror(code)`.
    public let message: String
    /// The call that failed, for example `zmq_bind(tcp://127.0.0.1:5555)`.
    public let operation: String

    /// Creates an error from an explicit errno value.
    public init(code: Int32, operation: String) {
        self.code = code
        self.message = String(cString: zmq_strerror(code))
        self.operation = operation
    }

    /// The error for the last failed libzmq call on this thread.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    /// The call would have blocked (`EAGAIN`).
    public var wouldBlock: Bool { code == EAGAIN }
    /// The call was interrupted by a signal (`EINTR`).
    public var interrupted: Bool { code == EINTR }
    /// The context was terminated (`ETERM`).
    public var terminated: Bool { code == ETERM }
    /// A ROUTER with `ROUTER_MANDATORY` could not route the message (`EHOSTUNREACH`).
    public var unroutable: Bool { code == EHOSTUNREACH }

    public var description: String { "\(operation) failed: \(message) (errno \(code))" }

    /// The error a `SocketThread` reports once it has stopped accepting work.
    public static let threadStopped = ZMQError(code: ETERM, operation: "SocketThread.submit")
}

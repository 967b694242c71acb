import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A libzmq context.
///
/// `@unchecked Sendable`: libzmq contexts are documented as thread-safe; the only mutable state here is the raw
/// pointer, which is written once in `init` and cleared by `terminate()`, which the owner calls exactly once, after
/// every socket made from the context has been closed (the `SocketThread` does this on its own thread).
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var terminated = false

    /// Creates a new context.
    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Terminates the context: blocks until every socket is closed and its LINGER period has passed.
    /// Retries on `EINTR`. Calling it twice is harmless.
    public func terminate() {
        guard !terminated else { return }
        terminated = true
        while zmq_ctx_term(handle) != 0 {
            if zmq_errno() != EINTR { break }
        }
    }

    /// The libzmq version as `(major, minor, patch)`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }
}

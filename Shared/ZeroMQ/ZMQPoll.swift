import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Events to poll for, or that occurred.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// A message (or bytes, for a file descriptor) can be read.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (file descriptors only).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Something `zmqPoll` can wait on.
public enum PollTarget {
    case socket(ZMQSocket)
    case fileDescriptor(Int32)
}

/// Waits until one of `targets` has one of the requested events, or `timeout` passes (`nil` waits forever).
///
/// Returns the events that occurred, one entry per target, in order. An `EINTR` returns no events (the caller's loop
/// simply polls again). Closed sockets are never reported.
public func zmqPoll(_ targets: [(PollTarget, PollEvents)], timeout: Duration?) throws -> [PollEvents] {
    var items: [zmq_pollitem_t] = targets.map { target, events in
        var item = zmq_pollitem_t()
        switch target {
        case .socket(let socket):
            item.socket = socket.rawHandle
            if socket.rawHandle == nil { item.fd = -1 }  // a closed socket: poll ignores negative descriptors
        case .fileDescriptor(let fd):
            item.fd = fd
        }
        item.events = events.rawValue
        return item
    }
    let timeoutMillis = timeout.map { Int($0.clampedMilliseconds) } ?? -1
    let rc = items.withUnsafeMutableBufferPointer { buffer in
        zmq_poll(buffer.baseAddress, Int32(buffer.count), timeoutMillis)
    }
    if rc < 0 {
        let error = ZMQError.last("zmq_poll")
        if error.interrupted { return Array(repeating: [], count: targets.count) }
        throw error
    }
    return items.map { PollEvents(rawValue: $0.revents) }
}

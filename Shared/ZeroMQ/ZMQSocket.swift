import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ZeroMQ socket.
///
/// Not `Sendable`: a ZeroMQ socket must only be used from one thread. In this project every socket lives on a
/// `SocketThread` and is only touched from closures that thread runs.
public final class ZMQSocket {
    /// The socket's type.
    public let type: SocketType
    private var handle: UnsafeMutableRawPointer?

    /// Creates a socket of `type` in `context`.
    public init(context: ZMQContext, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.type = type
        self.handle = handle
    }

    deinit { close() }

    /// Whether `close()` has been called.
    public var isClosed: Bool { handle == nil }

    var rawHandle: UnsafeMutableRawPointer? { handle }

    private func live(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation) }
        return handle
    }

    /// Closes the socket. Pending outgoing messages are kept for the LINGER period by the context.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, for example `tcp://127.0.0.1:*`. Use `lastEndpoint()` to learn a wildcard port.
    public func bind(_ endpoint: String) throws {
        let handle = try live("zmq_bind")
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// Connects to `endpoint`.
    public func connect(_ endpoint: String) throws {
        let handle = try live("zmq_connect")
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    /// Stops listening on `endpoint` (as returned by `lastEndpoint()` for wildcard binds).
    public func unbind(_ endpoint: String) throws {
        let handle = try live("zmq_unbind")
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    /// Disconnects from `endpoint`.
    public func disconnect(_ endpoint: String) throws {
        let handle = try live("zmq_disconnect")
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    /// `ZMQ_LAST_ENDPOINT`: the endpoint of the last bind or connect, with wildcard ports resolved.
    public func lastEndpoint() throws -> String {
        let handle = try live("zmq_getsockopt")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        }
        let bytes = buffer.prefix(max(0, size - 1)).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Options

    /// Sets a socket option.
    public func set(_ option: SocketOption) throws {
        switch option {
        case .linger(let value): try setInt(ZMQ_LINGER, value.map { $0.clampedMilliseconds } ?? -1, "ZMQ_LINGER")
        case .sendHighWaterMark(let value): try setInt(ZMQ_SNDHWM, value, "ZMQ_SNDHWM")
        case .receiveHighWaterMark(let value): try setInt(ZMQ_RCVHWM, value, "ZMQ_RCVHWM")
        case .routerMandatory(let on): try setInt(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
        case .immediate(let on): try setInt(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
        case .reconnectInterval(let value):
            try setInt(ZMQ_RECONNECT_IVL, value.clampedMilliseconds, "ZMQ_RECONNECT_IVL")
        case .reconnectIntervalMax(let value):
            try setInt(ZMQ_RECONNECT_IVL_MAX, value.clampedMilliseconds, "ZMQ_RECONNECT_IVL_MAX")
        case .routingID(let bytes): try setBytes(ZMQ_ROUTING_ID, bytes, "ZMQ_ROUTING_ID")
        case .subscribe(let bytes): try setBytes(ZMQ_SUBSCRIBE, bytes, "ZMQ_SUBSCRIBE")
        case .unsubscribe(let bytes): try setBytes(ZMQ_UNSUBSCRIBE, bytes, "ZMQ_UNSUBSCRIBE")
        case .receiveTimeout(let value):
            try setInt(ZMQ_RCVTIMEO, value.map { $0.clampedMilliseconds } ?? -1, "ZMQ_RCVTIMEO")
        case .sendTimeout(let value):
            try setInt(ZMQ_SNDTIMEO, value.map { $0.clampedMilliseconds } ?? -1, "ZMQ_SNDTIMEO")
        }
    }

    /// Reads an integer socket option (for example `ZMQ_LINGER`, `ZMQ_SNDHWM`).
    public func integerOption(_ name: Int32) throws -> Int32 {
        let handle = try live("zmq_getsockopt")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, name, &value, &size) == 0 else { throw ZMQError.last("zmq_getsockopt(\(name))") }
        return value
    }

    private func setInt(_ name: Int32, _ value: Int32, _ label: String) throws {
        let handle = try live("zmq_setsockopt")
        var value = value
        guard zmq_setsockopt(handle, name, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(label))")
        }
    }

    private func setBytes(_ name: Int32, _ bytes: [UInt8], _ label: String) throws {
        let handle = try live("zmq_setsockopt")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, name, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("zmq_setsockopt(\(label))") }
    }

    // MARK: Messages

    /// Sends a multipart message. With `dontWait` (the default) returns `false` instead of blocking when the
    /// message cannot be queued (`EAGAIN`); ZeroMQ then accepts none of the parts. Retries on `EINTR`.
    /// An empty `frames` array sends nothing.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = true) throws -> Bool {
        let handle = try live("zmq_send")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("zmq_send")
                if error.interrupted { continue }
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    // MARK: Zero-copy parts

    /// Sends one part of a multipart message from raw bytes (libzmq copies them; small frames stay inline).
    /// Returns `false` when the part cannot be queued without blocking (`EAGAIN` with `dontWait`; only the first part
    /// of a message can hit that). Retries on `EINTR`.
    @inline(__always)
    @discardableResult
    public func sendPart(_ bytes: UnsafeRawBufferPointer, more: Bool, dontWait: Bool = true) throws -> Bool {
        let handle = try live("zmq_send")
        let flags: Int32 = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        while true {
            if zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 { return true }
            let error = ZMQError.last("zmq_send")
            if error.interrupted { continue }
            if error.wouldBlock { return false }
            throw error
        }
    }

    /// Sends one part from `bytes`. See `sendPart(_:more:dontWait:)`.
    @inline(__always)
    @discardableResult
    public func sendPart(_ bytes: [UInt8], more: Bool, dontWait: Bool = true) throws -> Bool {
        try bytes.withUnsafeBytes { try sendPart($0, more: more, dontWait: dontWait) }
    }

    /// Sends frame `index` of a received message without copying it; on success the frame is empty afterwards.
    @discardableResult
    public func sendPart(moving message: ZMQMessage, _ index: Int, more: Bool, dontWait: Bool = true) throws -> Bool {
        try sendMessage(message.frame(index), more: more, dontWait: dontWait)
    }

    /// Sends frame `index` of `frames`, keeping it: large frames share their reference-counted content.
    @discardableResult
    public func sendPart(copying frames: ZMQFrames, _ index: Int, more: Bool, dontWait: Bool = true) throws -> Bool {
        var copy = zmq_msg_t()
        zmq_msg_init(&copy)
        defer { zmq_msg_close(&copy) }
        guard zmq_msg_copy(&copy, frames.frame(index)) == 0 else { throw ZMQError.last("zmq_msg_copy") }
        return try sendMessage(&copy, more: more, dontWait: dontWait)
    }

    private func sendMessage(_ message: UnsafeMutablePointer<zmq_msg_t>, more: Bool, dontWait: Bool) throws -> Bool {
        let handle = try live("zmq_msg_send")
        let flags: Int32 = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        while true {
            if zmq_msg_send(message, handle, flags) >= 0 { return true }
            let error = ZMQError.last("zmq_msg_send")
            if error.interrupted { continue }
            if error.wouldBlock { return false }
            throw error
        }
    }

    /// Receives one whole multipart message into `message` without copying frames. Returns `false` when none is
    /// waiting (`dontWait`). Retries on `EINTR`.
    public func receive(into message: ZMQMessage, dontWait: Bool = true) throws -> Bool {
        try message.receive(from: try live("zmq_msg_recv"), dontWait: dontWait)
    }

    /// Receives one whole multipart message through `zmq_msg_t` (frames are never truncated).
    /// With `dontWait` (the default) returns `nil` when no message is waiting. Retries on `EINTR`.
    public func receive(dontWait: Bool = true) throws -> [[UInt8]]? {
        let handle = try live("zmq_msg_recv")
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        while true {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            // Only the first part can be missing; the rest of a multipart message arrives atomically with it.
            let flags: Int32 = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(&message, handle, flags)
            if rc < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.interrupted { continue }
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else if let data = zmq_msg_data(&message) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}

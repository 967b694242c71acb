import CZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One received multipart message held as libzmq `zmq_msg_t` frames, without copying the bytes into Swift arrays.
///
/// An `IOLoop` owns one and reuses it for every message of a `watchMessages` socket: the handler may look at frames
/// (`size`, `withBytes`, `equals`), forward them without copying (`ZMQSocket.sendPart(moving:)`) or keep some
/// (`take(from:)`, which moves them into a `ZMQFrames`). Frames left over are closed before the next receive.
///
/// Not `Sendable`, and only valid during the handler call that received it.
public final class ZMQMessage {
    /// Most frames kept from one message; the rest of a longer message is received and dropped (`truncated`).
    public static let maxFrames = 1024

    let frames: UnsafeMutablePointer<zmq_msg_t>
    /// Number of frames received.
    public private(set) var count = 0
    /// Whether the message had more than `maxFrames` frames (the extra ones were discarded).
    public private(set) var truncated = false

    public init() {
        frames = .allocate(capacity: Self.maxFrames)
        for index in 0..<Self.maxFrames { zmq_msg_init(frames + index) }
    }

    deinit {
        for index in 0..<Self.maxFrames { zmq_msg_close(frames + index) }
        frames.deallocate()
    }

    /// Closes every frame (releasing content) and empties the message.
    public func reset() {
        for index in 0..<count {
            zmq_msg_close(frames + index)
            zmq_msg_init(frames + index)
        }
        count = 0
        truncated = false
    }

    /// Receives one whole multipart message from `handle`. Returns `false` when none is waiting (`dontWait`).
    func receive(from handle: UnsafeMutableRawPointer, dontWait: Bool) throws -> Bool {
        reset()
        var scratch = zmq_msg_t()
        zmq_msg_init(&scratch)
        defer { zmq_msg_close(&scratch) }
        while true {
            // Only the first part can be missing; the rest of a multipart message arrives atomically with it.
            let flags: Int32 = dontWait && count == 0 ? ZMQ_DONTWAIT : 0
            var more = false
            let rc: Int32
            if count < Self.maxFrames {
                rc = zmq_msg_recv(frames + count, handle, flags)
                if rc >= 0 {
                    more = zmq_msg_more(frames + count) != 0
                    count += 1
                }
            } else {
                rc = zmq_msg_recv(&scratch, handle, flags)
                if rc >= 0 {
                    more = zmq_msg_more(&scratch) != 0
                    truncated = true
                }
            }
            if rc < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.interrupted { continue }
                if error.wouldBlock && count == 0 { return false }
                throw error
            }
            if !more { return true }
        }
    }

    /// Size in bytes of frame `index`.
    @inline(__always)
    public func size(_ index: Int) -> Int {
        precondition(index >= 0 && index < count, "frame index out of range")
        return zmq_msg_size(frames + index)
    }

    /// Calls `body` with the bytes of frame `index` (valid only inside `body`).
    @inline(__always)
    public func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "frame index out of range")
        let frame = frames + index
        return try body(UnsafeRawBufferPointer(start: zmq_msg_data(frame), count: zmq_msg_size(frame)))
    }

    /// Whether frame `index` holds exactly `bytes`.
    @inline(__always)
    public func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        withBytes(index) { frame in
            frame.count == bytes.count && sameBytes(frame, bytes)
        }
    }

    /// Whether frame `index` holds exactly `bytes`.
    @inline(__always)
    public func equals(_ index: Int, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { equals(index, $0) }
    }

    /// A copy of frame `index` as an array.
    public func bytes(_ index: Int) -> [UInt8] {
        withBytes(index) { Array($0) }
    }

    /// Copies of frames `range` as arrays.
    public func arrays(_ range: Range<Int>? = nil) -> [[UInt8]] {
        (range ?? 0..<count).map { bytes($0) }
    }

    /// Moves frames `start..<count` into a new `ZMQFrames` (no byte is copied); they are empty here afterwards.
    public func take(from start: Int) -> ZMQFrames {
        let start = min(max(start, 0), count)
        let taken = ZMQFrames.make(count: count - start)
        taken.withFrames { destination in
            for index in start..<count {
                zmq_msg_move(destination + (index - start), frames + index)
            }
        }
        return taken
    }

    func frame(_ index: Int) -> UnsafeMutablePointer<zmq_msg_t> {
        precondition(index >= 0 && index < count, "frame index out of range")
        return frames + index
    }
}

/// Frames kept beyond a handler call, still as `zmq_msg_t` (large frames share their reference-counted content with
/// what was received, so keeping and re-sending them copies no bytes). The frames are closed when this is released.
///
/// Not `Sendable`: use it on the socket thread that made it.
public final class ZMQFrames {
    private let storage: UnsafeMutablePointer<zmq_msg_t>
    /// Number of frames.
    public let count: Int

    private init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        for index in 0..<count { zmq_msg_init(storage + index) }
    }

    static func make(count: Int) -> ZMQFrames { ZMQFrames(count: count) }

    /// Frames holding copies of `arrays`.
    public convenience init(_ arrays: [[UInt8]]) {
        self.init(count: arrays.count)
        for (index, bytes) in arrays.enumerated() {
            let frame = storage + index
            zmq_msg_close(frame)
            zmq_msg_init_size(frame, bytes.count)
            if !bytes.isEmpty {
                bytes.withUnsafeBytes { source in
                    if let base = source.baseAddress { _ = memcpy(zmq_msg_data(frame), base, source.count) }
                }
            }
        }
    }

    deinit {
        for index in 0..<count { zmq_msg_close(storage + index) }
        storage.deallocate()
    }

    func withFrames<R>(_ body: (UnsafeMutablePointer<zmq_msg_t>) throws -> R) rethrows -> R {
        try body(storage)
    }

    func frame(_ index: Int) -> UnsafeMutablePointer<zmq_msg_t> {
        precondition(index >= 0 && index < count, "frame index out of range")
        return storage + index
    }

    /// Size in bytes of frame `index`.
    public func size(_ index: Int) -> Int { zmq_msg_size(frame(index)) }

    /// Calls `body` with the bytes of frame `index`.
    public func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let frame = frame(index)
        return try body(UnsafeRawBufferPointer(start: zmq_msg_data(frame), count: zmq_msg_size(frame)))
    }

    /// Copies of every frame as arrays.
    public var arrays: [[UInt8]] {
        (0..<count).map { index in withBytes(index) { Array($0) } }
    }
}

/// Whether two equally long buffers hold the same bytes (`memcmp`, without unwrapping empty buffers' addresses).
@inline(__always)
public func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard let left = a.baseAddress, let right = b.baseAddress else { return true }
    return memcmp(left, right, a.count) == 0
}

import Logging
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The broker's state machine. It runs on the broker's `SocketThread` only.
///
/// Hot path: messages arrive as `zmq_msg_t` frames (`IOLoop.watchMessages`); only the header frames are inspected
/// (compared in place, without allocating), and the body frames are forwarded without copying their bytes: a request
/// body is moved into a `ZMQFrames` kept with the request (so that it can be re-queued or quoted in an error reply)
/// and sent to the worker as a reference-counted copy; a reply body is moved straight to the client. Peers and
/// services are keyed by `FrameKey`, a small inline value, so no `String` or array is built per message.
///
/// `@unchecked Sendable`: it is created on an async task and handed to closures the socket thread runs; every
/// method and property is only used on that thread (after `start(loop:)`), so no state is ever shared.
final class BrokerCore: @unchecked Sendable {
    private struct Request {
        var client: FrameKey
        var body: ZMQFrames
        var enqueued: ContinuousClock.Instant
    }

    private final class Worker {
        let identity: FrameKey
        let service: Service
        var expiry: ContinuousClock.Instant
        var busy: Request?
        /// Cleared when the broker forgets the worker (a stale entry in a waiting list is then skipped).
        var registered = true

        init(identity: FrameKey, service: Service, expiry: ContinuousClock.Instant) {
            self.identity = identity
            self.service = service
            self.expiry = expiry
        }
    }

    private final class Service {
        let name: String
        let nameBytes: [UInt8]
        let metrics: ServiceMetrics
        var requests = FIFO<Request>()
        /// Idle workers, least recently used first.
        var waiting = FIFO<Worker>()
        var workerCount = 0

        init(name: String) {
            self.name = name
            self.nameBytes = Array(name.utf8)
            self.metrics = ServiceMetrics(service: name)
        }

        var queueDepth: Int { requests.count }
    }

    private let configuration: MajordomoBrokerConfiguration
    private let expiry: Duration
    private var logger: Logger
    private var loop: IOLoop?
    private var socket: ZMQSocket?
    private var services: [FrameKey: Service] = [:]
    private var workers: [FrameKey: Worker] = [:]
    private var metrics = BrokerMetrics()

    init(configuration: MajordomoBrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.expiry = configuration.timing.expiry
        self.logger = logger
    }

    private var timing: MajordomoConfiguration { configuration.timing }

    // MARK: Lifecycle

    /// Creates and binds the ROUTER socket, starts the heartbeat timer. Returns the bound endpoints.
    func start(loop: IOLoop) throws -> [String] {
        self.loop = loop
        let socket = try loop.makeSocket(.router, linger: timing.linger)
        try socket.set(.routerMandatory(true))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        var bound: [String] = []
        for endpoint in configuration.endpoints {
            try socket.bind(endpoint)
            bound.append(try socket.lastEndpoint())
        }
        self.socket = socket
        loop.watchMessages(socket) { [unowned self] message in self.handle(message) }
        loop.repeating(every: timing.heartbeatInterval) { [unowned self] in self.tick() }
        logger.info("broker bound", metadata: ["endpoints": "\(bound)"])
        return bound
    }

    // MARK: Incoming

    // Frame positions of a message on the ROUTER: [sender, "", header, ...].
    private static let headerIndex = 2
    private static let clientHeaderBytes = MDP.clientHeader
    private static let workerHeaderBytes = MDP.workerHeader

    private func handle(_ message: ZMQMessage) {
        guard !message.truncated else {
            malformed("more than \(ZMQMessage.maxFrames) frames", message)
            return
        }
        guard message.count >= 3, message.size(1) == 0 else {
            malformed("fewer than 3 frames or no empty delimiter", message)
            return
        }
        let sender = message.withBytes(0) { FrameKey($0) }
        if message.equals(2, Self.clientHeaderBytes) {
            handleClient(sender, message)
        } else if message.equals(2, Self.workerHeaderBytes) {
            handleWorker(sender, message)
        } else {
            malformed("unknown protocol header", message)
        }
    }

    private func malformed(_ why: String, _ message: ZMQMessage) {
        malformed(why, frameCount: message.count, sender: message.count > 0 ? message.bytes(0) : [])
    }

    private func malformed(_ why: String, frameCount: Int, sender: [UInt8]) {
        metrics.malformedMessage()
        logger.warning(
            "dropping malformed message",
            metadata: ["reason": "\(why)", "frames": "\(frameCount)", "sender": "\(sender.logDescription)"]
        )
    }

    /// `[client, "", MDPC01, service, body...]`
    private func handleClient(_ client: FrameKey, _ message: ZMQMessage) {
        guard message.count >= 4 else {
            malformed("client request without a valid service name", frameCount: 1, sender: client.bytes)
            return
        }
        let record: Service
        if let known = message.withBytes(3, { services[FrameKey($0)] }) {
            record = known
        } else {
            guard let service = String(validating: message.bytes(3), as: UTF8.self), !service.isEmpty else {
                malformed("client request without a valid service name", frameCount: 1, sender: client.bytes)
                return
            }
            if service.hasPrefix(MDP.mmiPrefix) {
                handleMMI(client, service, message.arrays(4..<message.count))
                return
            }
            record = self.service(named: service)
        }
        record.metrics.requests.increment()
        record.requests.pushBack(Request(client: client, body: message.take(from: 4), enqueued: .now))
        dispatch(record)
    }

    private func handleMMI(_ client: FrameKey, _ service: String, _ body: [[UInt8]]) {
        let status: String
        if service == "mmi.service" {
            let name = body.first.flatMap { String(validating: $0, as: UTF8.self) } ?? ""
            status = liveWorkerCount(name) > 0 ? "200" : "404"
        } else {
            status = "501"
        }
        sendToClient(client, service: Array(service.utf8), body: [Array(status.utf8)])
    }

    private func liveWorkerCount(_ service: String) -> Int {
        let now = ContinuousClock.now
        return workers.values.reduce(0) { $0 + ($1.service.name == service && $1.expiry > now ? 1 : 0) }
    }

    /// `[worker, "", MDPW01, command, ...]`
    private func handleWorker(_ identity: FrameKey, _ message: ZMQMessage) {
        guard message.count >= 4, message.size(3) == 1,
            let command = message.withBytes(3, { MDP.Command(rawValue: $0[0]) })
        else {
            violation(identity, "unknown worker command")
            return
        }
        let worker = workers[identity]
        switch command {
        case .reply:
            // [worker, "", MDPW01, 0x03, client, "", body...]
            guard let worker, let request = worker.busy else {
                violation(
                    identity, worker != nil ? "REPLY from a worker that is not busy" : "REPLY from an unknown worker")
                return
            }
            guard message.count >= 6, message.withBytes(4, { request.client == $0 }), message.size(5) == 0 else {
                violation(identity, "REPLY with a wrong client address or envelope")
                return
            }
            worker.busy = nil
            worker.expiry = .now + expiry
            let record = worker.service
            record.metrics.replies.increment()
            forwardReply(message, client: request.client, service: record.nameBytes)
            record.waiting.pushBack(worker)
            dispatch(record)
        case .ready:
            guard worker == nil else {
                violation(identity, "READY from an already registered worker")
                return
            }
            guard message.count >= 5, let service = String(validating: message.bytes(4), as: UTF8.self),
                !service.isEmpty, !service.hasPrefix(MDP.mmiPrefix)
            else {
                violation(identity, "READY without a valid service name")
                return
            }
            let record = self.service(named: service)
            let worker = Worker(identity: identity, service: record, expiry: .now + expiry)
            workers[identity] = worker
            record.workerCount += 1
            record.metrics.workers(record.workerCount)
            logger.info(
                "worker ready", metadata: ["service": "\(service)", "worker": "\(identity.bytes.logDescription)"])
            record.waiting.pushBack(worker)
            dispatch(record)
        case .heartbeat:
            guard let worker else {
                violation(identity, "HEARTBEAT from an unknown worker")
                return
            }
            worker.expiry = .now + expiry
        case .disconnect:
            logger.info("worker disconnected", metadata: ["worker": "\(identity.bytes.logDescription)"])
            if let worker { removeWorker(worker, requeue: true) }
        case .request:
            violation(identity, "REQUEST sent by a worker")
        }
    }

    /// Tells a misbehaving peer to go away and forgets it.
    private func violation(_ identity: FrameKey, _ why: String) {
        metrics.disconnect()
        logger.warning(
            "protocol violation, disconnecting worker",
            metadata: ["reason": "\(why)", "worker": "\(identity.bytes.logDescription)"])
        sendCommand(identity, .disconnect)
        if let worker = workers[identity] { removeWorker(worker, requeue: true) }
    }

    // MARK: Dispatch

    private func service(named name: String) -> Service {
        let key = FrameKey(Array(name.utf8))
        if let record = services[key] { return record }
        let record = Service(name: name)
        services[key] = record
        return record
    }

    /// Hands queued requests to waiting workers, least recently used first.
    private func dispatch(_ record: Service) {
        while record.queueDepth > 0, let worker = record.waiting.popFront() {
            guard worker.registered, worker.busy == nil else { continue }
            guard let request = record.requests.popFront() else { break }
            worker.busy = request
            if !sendRequest(to: worker.identity, request) {
                // The worker is gone: put the request back and forget the worker.
                worker.busy = nil
                record.requests.pushFront(request)
                removeWorker(worker, requeue: false)
            }
        }
        record.metrics.queueDepth(record.queueDepth)
    }

    /// Forgets a worker. Its in-flight request is re-queued (`requeue`) or answered with `worker_lost`.
    private func removeWorker(_ worker: Worker, requeue: Bool) {
        guard workers[worker.identity] === worker else { return }
        workers[worker.identity] = nil
        worker.registered = false
        let record = worker.service
        record.waiting.removeAll { $0 === worker }
        record.workerCount -= 1
        record.metrics.workers(record.workerCount)
        if let request = worker.busy {
            worker.busy = nil
            if requeue {
                record.requests.pushFront(request)
            } else {
                metrics.expired(record.name, reason: .workerLost)
                fail(request, record, .workerLost, "the worker handling the request stopped responding")
            }
        }
        dispatch(record)
    }

    // MARK: Heartbeats and expiry

    private func tick() {
        let now = ContinuousClock.now
        for worker in workers.values where worker.expiry <= now {
            logger.warning(
                "worker expired",
                metadata: [
                    "service": "\(worker.service.name)", "worker": "\(worker.identity.bytes.logDescription)",
                    "busy": "\(worker.busy != nil)",
                ])
            removeWorker(worker, requeue: false)
        }
        for identity in workers.keys {
            sendCommand(identity, .heartbeat)
        }
        for record in services.values where record.queueDepth > 0 {
            let hasWorkers = record.workerCount > 0
            let expired = record.requests.removeAll { request in
                let waited = now - request.enqueued
                return (!hasWorkers && waited >= configuration.requestExpiry) || waited >= configuration.maxQueueWait
            }
            for request in expired {
                metrics.expired(record.name, reason: .serviceUnavailable)
                fail(
                    request, record, .serviceUnavailable,
                    "no worker for service '\(record.name)' took the request in time")
            }
            if !expired.isEmpty { record.metrics.queueDepth(record.queueDepth) }
        }
    }

    private func fail(_ request: Request, _ record: Service, _ kind: BrokerFailureKind, _ detail: String) {
        logger.info(
            "answering request with an error",
            metadata: ["service": "\(record.name)", "problem": "\(kind.rawValue)"])
        let failure = BrokerFailure(
            kind: kind, service: record.name, requestBody: request.body.arrays, detail: detail)
        sendToClient(request.client, service: record.nameBytes, body: configuration.errorReply(failure))
    }

    // MARK: Outgoing

    private static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    /// `[worker, "", MDPW01, 0x02, client, "", body...]`, the body sent as reference-counted copies (kept in
    /// `request`). Returns `false` when the worker is gone or its queue is full.
    private func sendRequest(to worker: FrameKey, _ request: Request) -> Bool {
        guard let socket else { return false }
        return attempt(peer: worker) {
            guard try worker.withBytes({ try socket.sendPart($0, more: true) }) else { return false }
            try socket.sendPart(Self.empty, more: true)
            try socket.sendPart(Self.workerHeaderBytes, more: true)
            try withUnsafeBytes(of: MDP.Command.request.rawValue) { _ = try socket.sendPart($0, more: true) }
            try request.client.withBytes { _ = try socket.sendPart($0, more: true) }
            let body = request.body
            try socket.sendPart(Self.empty, more: body.count > 0)
            for index in 0..<body.count {
                try socket.sendPart(copying: body, index, more: index < body.count - 1)
            }
            return true
        }
    }

    /// Sends a worker's REPLY `[worker, "", MDPW01, 0x03, client, "", body...]` on to the client as
    /// `[client, "", MDPC01, service, body...]`, moving the client address and body frames (no copy).
    private func forwardReply(_ message: ZMQMessage, client: FrameKey, service: [UInt8]) {
        guard let socket else { return }
        attempt(peer: client) {
            guard try socket.sendPart(moving: message, 4, more: true) else { return false }
            try socket.sendPart(Self.empty, more: true)
            try socket.sendPart(Self.clientHeaderBytes, more: true)
            try socket.sendPart(service, more: message.count > 6)
            for index in 6..<message.count {
                try socket.sendPart(moving: message, index, more: index < message.count - 1)
            }
            return true
        }
    }

    /// `[worker, "", MDPW01, command]`
    private func sendCommand(_ worker: FrameKey, _ command: MDP.Command) {
        guard let socket else { return }
        attempt(peer: worker) {
            guard try worker.withBytes({ try socket.sendPart($0, more: true) }) else { return false }
            try socket.sendPart(Self.empty, more: true)
            try socket.sendPart(Self.workerHeaderBytes, more: true)
            try withUnsafeBytes(of: command.rawValue) { _ = try socket.sendPart($0, more: false) }
            return true
        }
    }

    private func sendToClient(_ client: FrameKey, service: [UInt8], body: [[UInt8]]) {
        guard let socket else { return }
        attempt(peer: client) {
            guard try client.withBytes({ try socket.sendPart($0, more: true) }) else { return false }
            try socket.sendPart(Self.empty, more: true)
            try socket.sendPart(Self.clientHeaderBytes, more: true)
            try socket.sendPart(service, more: !body.isEmpty)
            for (index, frame) in body.enumerated() {
                try socket.sendPart(frame, more: index < body.count - 1)
            }
            return true
        }
    }

    /// Runs one multipart send on the ROUTER (`body` returns `false` when the first part could not be queued);
    /// returns `false` when the peer is gone or the message could not be queued.
    @discardableResult
    private func attempt(peer: @autoclosure () -> FrameKey, _ body: () throws -> Bool) -> Bool {
        do {
            let queued = try body()
            if !queued { logger.warning("peer queue full, message dropped") }
            return queued
        } catch let error as ZMQError where error.unroutable {
            logger.debug("peer gone, message dropped", metadata: ["peer": "\(peer().bytes.logDescription)"])
            return false
        } catch {
            logger.warning("send failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}

/// The bytes of a frame as a small hashable value: up to 24 bytes are held inline (ROUTER identities are 5 bytes,
/// service names are short), longer ones spill into an array. Used as the key of peers and services.
struct FrameKey: Hashable {
    private let count: Int
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt64
    private let spill: [UInt8]?

    private static let inlineCapacity = 24

    init(_ bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        if bytes.count <= Self.inlineCapacity {
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            if let base = bytes.baseAddress, bytes.count > 0 {
                withUnsafeMutableBytes(of: &words) { target in
                    if let destination = target.baseAddress { _ = memcpy(destination, base, bytes.count) }
                }
            }
            (w0, w1, w2) = words
            spill = nil
        } else {
            (w0, w1, w2) = (0, 0, 0)
            spill = Array(bytes)
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { FrameKey($0) }
    }

    /// Calls `body` with the bytes.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let spill { return try spill.withUnsafeBytes(body) }
        var words = (w0, w1, w2)
        return try withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// The bytes as an array (for logs and error paths).
    var bytes: [UInt8] { withBytes { Array($0) } }

    /// Whether `other` holds the same bytes.
    static func == (key: FrameKey, other: UnsafeRawBufferPointer) -> Bool {
        key.withBytes { mine in
            sameBytes(mine, other)
        }
    }
}

/// A first-in first-out queue over an array with a moving head (amortised O(1) at both ends used here). Popped slots
/// are cleared at once, so nothing is kept alive by the queue after it left.
struct FIFO<Element> {
    private var storage: [Element?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func pushBack(_ element: Element) { storage.append(element) }

    mutating func pushFront(_ element: Element) {
        if head > 0 {
            head -= 1
            storage[head] = element
        } else {
            storage.insert(element, at: 0)
        }
    }

    mutating func popFront() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head].take()
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes the elements matching `predicate`, returning them in order.
    @discardableResult
    mutating func removeAll(where predicate: (Element) -> Bool) -> [Element] {
        let live = storage[head...].compactMap { $0 }
        let removed = live.filter(predicate)
        guard !removed.isEmpty else { return [] }
        storage = live.filter { !predicate($0) }
        head = 0
        return removed
    }
}

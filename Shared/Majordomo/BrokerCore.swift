import Logging
import ZeroMQ

/// The broker's state machine. It runs on the broker's `SocketThread` only.
///
/// `@unchecked Sendable`: it is created on an async task and handed to closures the socket thread runs; every
/// method and property is only used on that thread (after `start(loop:)`), so no state is ever shared.
final class BrokerCore: @unchecked Sendable {
    private struct Request {
        var client: [UInt8]
        var service: String
        var body: [[UInt8]]
        var enqueued: ContinuousClock.Instant
    }

    private struct Worker {
        var identity: [UInt8]
        var service: String
        var expiry: ContinuousClock.Instant
        var busy: Request?
    }

    private final class Service {
        let name: String
        var requests: [Request] = []
        var head = 0
        var waiting: [[UInt8]] = []
        var workerCount = 0

        init(name: String) { self.name = name }

        var queueDepth: Int { requests.count - head }

        func pushBack(_ request: Request) { requests.append(request) }

        func pushFront(_ request: Request) {
            if head > 0 {
                head -= 1
                requests[head] = request
            } else {
                requests.insert(request, at: 0)
            }
        }

        func popFront() -> Request? {
            guard head < requests.count else { return nil }
            let request = requests[head]
            head += 1
            if head > 64 && head * 2 > requests.count {
                requests.removeFirst(head)
                head = 0
            }
            return request
        }

        /// Removes queued requests matching `predicate`, returning them.
        func removeAll(where predicate: (Request) -> Bool) -> [Request] {
            let live = requests[head...]
            let removed = live.filter(predicate)
            guard !removed.isEmpty else { return [] }
            requests = live.filter { !predicate($0) }
            head = 0
            return removed
        }
    }

    private let configuration: MajordomoBrokerConfiguration
    private var logger: Logger
    private var loop: IOLoop?
    private var socket: ZMQSocket?
    private var services: [String: Service] = [:]
    private var workers: [[UInt8]: Worker] = [:]
    private var metrics = BrokerMetrics()

    init(configuration: MajordomoBrokerConfiguration, logger: Logger) {
        self.configuration = configuration
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
        loop.watch(socket) { [unowned self] frames in self.handle(frames) }
        loop.repeating(every: timing.heartbeatInterval) { [unowned self] in self.tick() }
        logger.info("broker bound", metadata: ["endpoints": "\(bound)"])
        return bound
    }

    // MARK: Incoming

    private func handle(_ frames: [[UInt8]]) {
        guard frames.count >= 3, frames[1].isEmpty else {
            malformed("fewer than 3 frames or no empty delimiter", frames)
            return
        }
        let sender = frames[0]
        if frames[2] == MDP.clientHeader {
            handleClient(sender, Array(frames[3...]))
        } else if frames[2] == MDP.workerHeader {
            handleWorker(sender, Array(frames[3...]))
        } else {
            malformed("unknown protocol header", frames)
        }
    }

    private func malformed(_ why: String, _ frames: [[UInt8]]) {
        metrics.malformedMessage()
        logger.warning(
            "dropping malformed message",
            metadata: [
                "reason": "\(why)", "frames": "\(frames.count)", "sender": "\(frames.first?.logDescription ?? "")",
            ]
        )
    }

    private func handleClient(_ client: [UInt8], _ frames: [[UInt8]]) {
        guard let serviceFrame = frames.first, let service = String(validating: serviceFrame, as: UTF8.self),
            !service.isEmpty
        else {
            malformed("client request without a valid service name", [client])
            return
        }
        let body = Array(frames.dropFirst())
        if service.hasPrefix(MDP.mmiPrefix) {
            handleMMI(client, service, body)
            return
        }
        metrics.request(service)
        let record = self.service(named: service)
        record.pushBack(Request(client: client, service: service, body: body, enqueued: .now))
        dispatch(record)
    }

    private func handleMMI(_ client: [UInt8], _ service: String, _ body: [[UInt8]]) {
        let status: String
        if service == "mmi.service" {
            let name = body.first.flatMap { String(validating: $0, as: UTF8.self) } ?? ""
            status = liveWorkerCount(name) > 0 ? "200" : "404"
        } else {
            status = "501"
        }
        sendToClient(client, service: service, body: [Array(status.utf8)])
    }

    private func liveWorkerCount(_ service: String) -> Int {
        let now = ContinuousClock.now
        return workers.values.reduce(0) { $0 + ($1.service == service && $1.expiry > now ? 1 : 0) }
    }

    private func handleWorker(_ identity: [UInt8], _ frames: [[UInt8]]) {
        guard let commandFrame = frames.first, let command = MDP.Command(frame: commandFrame) else {
            violation(identity, "unknown worker command")
            return
        }
        let known = workers[identity] != nil
        switch command {
        case .ready:
            guard !known else {
                violation(identity, "READY from an already registered worker")
                return
            }
            guard frames.count >= 2, let service = String(validating: frames[1], as: UTF8.self), !service.isEmpty,
                !service.hasPrefix(MDP.mmiPrefix)
            else {
                violation(identity, "READY without a valid service name")
                return
            }
            workers[identity] = Worker(identity: identity, service: service, expiry: .now + timing.expiry, busy: nil)
            let record = self.service(named: service)
            record.workerCount += 1
            metrics.workers(service, record.workerCount)
            logger.info("worker ready", metadata: ["service": "\(service)", "worker": "\(identity.logDescription)"])
            record.waiting.append(identity)
            dispatch(record)
        case .reply:
            guard var worker = workers[identity], let request = worker.busy else {
                violation(identity, known ? "REPLY from a worker that is not busy" : "REPLY from an unknown worker")
                return
            }
            guard frames.count >= 3, frames[1] == request.client, frames[2].isEmpty else {
                violation(identity, "REPLY with a wrong client address or envelope")
                return
            }
            worker.busy = nil
            worker.expiry = .now + timing.expiry
            workers[identity] = worker
            metrics.reply(request.service)
            sendToClient(request.client, service: request.service, body: Array(frames[3...]))
            let record = self.service(named: worker.service)
            record.waiting.append(identity)
            dispatch(record)
        case .heartbeat:
            guard known else {
                violation(identity, "HEARTBEAT from an unknown worker")
                return
            }
            workers[identity]?.expiry = .now + timing.expiry
        case .disconnect:
            logger.info("worker disconnected", metadata: ["worker": "\(identity.logDescription)"])
            removeWorker(identity, requeue: true)
        case .request:
            violation(identity, "REQUEST sent by a worker")
        }
    }

    /// Tells a misbehaving peer to go away and forgets it.
    private func violation(_ identity: [UInt8], _ why: String) {
        metrics.disconnect()
        logger.warning(
            "protocol violation, disconnecting worker",
            metadata: ["reason": "\(why)", "worker": "\(identity.logDescription)"])
        send([identity] + MDP.workerCommand(.disconnect))
        removeWorker(identity, requeue: true)
    }

    // MARK: Dispatch

    private func service(named name: String) -> Service {
        if let record = services[name] { return record }
        let record = Service(name: name)
        services[name] = record
        return record
    }

    /// Hands queued requests to waiting workers, least recently used first.
    private func dispatch(_ record: Service) {
        while !record.waiting.isEmpty, record.queueDepth > 0 {
            let identity = record.waiting.removeFirst()
            guard var worker = workers[identity], worker.busy == nil else { continue }
            guard let request = record.popFront() else {
                record.waiting.insert(identity, at: 0)
                break
            }
            worker.busy = request
            workers[identity] = worker
            let sent = send([identity] + MDP.workerCommand(.request, [request.client, []] + request.body))
            if !sent {
                // The worker is gone: put the request back and forget the worker.
                worker.busy = nil
                workers[identity] = worker
                record.pushFront(request)
                removeWorker(identity, requeue: false)
            }
        }
        metrics.queueDepth(record.name, record.queueDepth)
    }

    /// Forgets a worker. Its in-flight request is re-queued (`requeue`) or answered with `worker_lost`.
    private func removeWorker(_ identity: [UInt8], requeue: Bool) {
        guard let worker = workers.removeValue(forKey: identity) else { return }
        let record = self.service(named: worker.service)
        record.waiting.removeAll { $0 == identity }
        record.workerCount -= 1
        metrics.workers(worker.service, record.workerCount)
        if let request = worker.busy {
            if requeue {
                record.pushFront(request)
            } else {
                metrics.expired(request.service, reason: .workerLost)
                fail(request, .workerLost, "the worker handling the request stopped responding")
            }
        }
        dispatch(record)
    }

    // MARK: Heartbeats and expiry

    private func tick() {
        let now = ContinuousClock.now
        for (identity, worker) in workers where worker.expiry <= now {
            logger.warning(
                "worker expired",
                metadata: [
                    "service": "\(worker.service)", "worker": "\(identity.logDescription)",
                    "busy": "\(worker.busy != nil)",
                ])
            removeWorker(identity, requeue: false)
        }
        for identity in workers.keys {
            send([identity] + MDP.workerCommand(.heartbeat))
        }
        for record in services.values where record.queueDepth > 0 {
            let hasWorkers = record.workerCount > 0
            let expired = record.removeAll { request in
                let waited = now - request.enqueued
                return (!hasWorkers && waited >= configuration.requestExpiry) || waited >= configuration.maxQueueWait
            }
            for request in expired {
                metrics.expired(request.service, reason: .serviceUnavailable)
                fail(
                    request, .serviceUnavailable, "no worker for service '\(request.service)' took the request in time")
            }
            if !expired.isEmpty { metrics.queueDepth(record.name, record.queueDepth) }
        }
    }

    private func fail(_ request: Request, _ kind: BrokerFailureKind, _ detail: String) {
        logger.info(
            "answering request with an error",
            metadata: ["service": "\(request.service)", "problem": "\(kind.rawValue)"])
        let failure = BrokerFailure(kind: kind, service: request.service, requestBody: request.body, detail: detail)
        sendToClient(request.client, service: request.service, body: configuration.errorReply(failure))
    }

    // MARK: Outgoing

    private func sendToClient(_ client: [UInt8], service: String, body: [[UInt8]]) {
        send([client, [], MDP.clientHeader, Array(service.utf8)] + body)
    }

    /// Sends on the ROUTER; returns `false` when the peer is gone or the message could not be queued.
    @discardableResult
    private func send(_ frames: [[UInt8]]) -> Bool {
        guard let socket else { return false }
        do {
            let queued = try socket.send(frames)
            if !queued { logger.warning("peer queue full, message dropped") }
            return queued
        } catch let error as ZMQError where error.unroutable {
            logger.debug("peer gone, message dropped", metadata: ["peer": "\(frames.first?.logDescription ?? "")"])
            return false
        } catch {
            logger.warning("send failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}

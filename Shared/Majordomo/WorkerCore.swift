import Logging
import ZeroMQ

/// The worker's state machine: `concurrency` independent MDP worker connections. Runs on the worker's socket thread.
///
/// `@unchecked Sendable`: created on an async task, then used only from closures the socket thread runs (handler
/// tasks hand their results back with `thread.execute`), so its mutable state is confined to that thread. `stopped`
/// is a thread-safe latch.
final class WorkerCore: @unchecked Sendable {
    typealias Handler = @Sendable ([[UInt8]]) async -> [[UInt8]]

    private struct Slot {
        var socket: ZMQSocket?
        var generation = 0
        var busy = false
        var lastHeard = ContinuousClock.now
        var reconnectDelay: Duration
        var closed = false
    }

    let stopped = Latch<Bool>()
    private let endpoint: String
    private let service: String
    private let timing: MajordomoConfiguration
    private let logger: Logger
    private let handler: Handler
    private let thread: SocketThread
    private var loop: IOLoop?
    private var slots: [Slot]
    private var stopping = false

    init(
        endpoint: String, service: String, concurrency: Int, timing: MajordomoConfiguration, logger: Logger,
        handler: @escaping Handler, thread: SocketThread
    ) {
        self.endpoint = endpoint
        self.service = service
        self.timing = timing
        self.logger = logger
        self.handler = handler
        self.thread = thread
        self.slots = Array(repeating: Slot(reconnectDelay: timing.reconnectInitial), count: max(1, concurrency))
    }

    func start(loop: IOLoop) throws {
        self.loop = loop
        for index in slots.indices { try connect(index) }
        loop.repeating(every: timing.heartbeatInterval) { [unowned self] in self.tick() }
        loop.onShutdown { [unowned self] in
            for index in self.slots.indices where !self.slots[index].closed { self.disconnectAndClose(index) }
        }
    }

    // MARK: Connections

    private func connect(_ index: Int) throws {
        guard let loop else { return }
        let socket = try loop.makeSocket(.dealer, linger: timing.linger)
        try socket.set(.reconnectInterval(timing.reconnectInitial))
        try socket.set(.reconnectIntervalMax(timing.reconnectMax))
        try socket.connect(endpoint)
        slots[index].generation += 1
        slots[index].socket = socket
        slots[index].busy = false
        slots[index].lastHeard = .now
        let generation = slots[index].generation
        loop.watch(socket) { [unowned self] frames in self.handle(index, generation, frames) }
        send(index, MDP.ready(service: service))
        logger.debug("worker connection ready", metadata: ["service": "\(service)", "slot": "\(index)"])
    }

    private func closeSocket(_ index: Int) {
        if let socket = slots[index].socket { loop?.close(socket) }
        slots[index].socket = nil
        slots[index].busy = false
    }

    /// Drops the connection and connects again after the current back-off delay, which then doubles.
    private func reconnectLater(_ index: Int, reason: String) {
        closeSocket(index)
        let delay = slots[index].reconnectDelay
        slots[index].reconnectDelay = min(delay * 2, timing.reconnectMax)
        logger.warning(
            "worker reconnecting", metadata: ["service": "\(service)", "reason": "\(reason)", "delay": "\(delay)"])
        let generation = slots[index].generation
        loop?.schedule(after: delay) { [unowned self] in
            guard !self.stopping, self.slots[index].socket == nil, self.slots[index].generation == generation else {
                return
            }
            self.connectOrRetry(index)
        }
    }

    private func connectOrRetry(_ index: Int) {
        do {
            try connect(index)
        } catch {
            reconnectLater(index, reason: "connect failed: \(error)")
        }
    }

    private func disconnectAndClose(_ index: Int) {
        if slots[index].socket != nil { send(index, MDP.workerCommand(.disconnect)) }
        closeSocket(index)
        slots[index].closed = true
    }

    // MARK: Incoming

    private func handle(_ index: Int, _ generation: Int, _ frames: [[UInt8]]) {
        guard slots[index].generation == generation, slots[index].socket != nil else { return }
        guard frames.count >= 3, frames[0].isEmpty, frames[1] == MDP.workerHeader,
            let command = MDP.Command(frame: frames[2])
        else {
            logger.warning("worker dropping malformed message", metadata: ["frames": "\(frames.count)"])
            return
        }
        slots[index].lastHeard = .now
        slots[index].reconnectDelay = timing.reconnectInitial
        switch command {
        case .request:
            guard frames.count >= 5, frames[4].isEmpty else {
                logger.warning("worker dropping malformed REQUEST")
                return
            }
            guard !stopping, !slots[index].busy else {
                logger.warning("worker ignoring REQUEST", metadata: ["stopping": "\(stopping)"])
                return
            }
            slots[index].busy = true
            let client = frames[3]
            let body = Array(frames[5...])
            let handler = self.handler
            let thread = self.thread
            Task { [self] in
                let reply = await handler(body)
                thread.execute { _ in self.complete(index, generation, client, reply) }
            }
        case .heartbeat:
            break
        case .disconnect:
            if stopping {
                closeSocket(index)
                slots[index].closed = true
                checkStopped()
            } else {
                logger.info("broker disconnected worker, registering again", metadata: ["service": "\(service)"])
                closeSocket(index)
                connectOrRetry(index)
            }
        case .ready, .reply:
            logger.warning("worker received unexpected command", metadata: ["command": "\(command)"])
        }
    }

    private func complete(_ index: Int, _ generation: Int, _ client: [UInt8], _ reply: [[UInt8]]) {
        guard slots[index].generation == generation, slots[index].socket != nil, slots[index].busy else {
            logger.info("dropping reply: the connection it came from is gone", metadata: ["service": "\(service)"])
            checkStopped()
            return
        }
        send(index, MDP.reply(client: client, body: reply))
        slots[index].busy = false
        if stopping {
            disconnectAndClose(index)
            checkStopped()
        }
    }

    // MARK: Heartbeats and stopping

    private func tick() {
        let now = ContinuousClock.now
        for index in slots.indices where slots[index].socket != nil {
            if now - slots[index].lastHeard > timing.expiry {
                if stopping {
                    closeSocket(index)
                    slots[index].closed = true
                } else {
                    reconnectLater(index, reason: "broker silent")
                }
            } else {
                send(index, MDP.workerCommand(.heartbeat))
            }
        }
        checkStopped()
    }

    /// Stops taking work: idle connections say DISCONNECT and close now, busy ones after their reply.
    func beginStop() {
        guard !stopping else { return }
        stopping = true
        for index in slots.indices where !slots[index].busy { disconnectAndClose(index) }
        checkStopped()
    }

    private func checkStopped() {
        guard stopping else { return }
        for index in slots.indices where !slots[index].closed {
            if slots[index].socket == nil { slots[index].closed = true }
        }
        if slots.allSatisfy(\.closed) { stopped.fulfill(true) }
    }

    private func send(_ index: Int, _ frames: [[UInt8]]) {
        guard let socket = slots[index].socket else { return }
        do {
            if try !socket.send(frames) { logger.warning("worker send queue full, message dropped") }
        } catch {
            logger.warning("worker send failed", metadata: ["error": "\(error)"])
        }
    }
}

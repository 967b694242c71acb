import Logging

/// The state of a `SocketThread`'s event loop: its sockets, what to do when they are readable, and its timers.
///
/// Not `Sendable`: an `IOLoop` exists only on its `SocketThread` and is only handed to closures that thread runs.
public final class IOLoop {
    /// Identifies a timer so that it can be cancelled.
    public struct TimerID: Hashable, Sendable {
        let value: UInt64
    }

    private struct Timer {
        var deadline: ContinuousClock.Instant
        var interval: Duration?
        var body: () -> Void
    }

    private struct Watch {
        var socket: ZMQSocket
        var onMessage: ([[UInt8]]) -> Void
    }

    /// The context every socket of this loop is made from.
    public let context: ZMQContext
    /// The loop's logger.
    public let logger: Logger
    /// Most messages handled from one socket before the loop services the others and its timers.
    public var batchLimit = 256

    private var sockets: [ObjectIdentifier: ZMQSocket] = [:]
    private var watches: [ObjectIdentifier: Watch] = [:]
    private var watchOrder: [ObjectIdentifier] = []
    private var timers: [UInt64: Timer] = [:]
    private var nextTimerID: UInt64 = 0
    private var shutdownHooks: [() -> Void] = []
    private(set) var stopRequested = false

    init(context: ZMQContext, logger: Logger) {
        self.context = context
        self.logger = logger
    }

    /// The current time on the loop's clock.
    public var now: ContinuousClock.Instant { .now }

    // MARK: Sockets

    /// Creates a socket owned by this loop; the loop closes it at shutdown if nobody did before.
    /// `linger` is set right away so that closing never blocks for long.
    public func makeSocket(_ type: SocketType, linger: Duration) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: type)
        try socket.set(.linger(linger))
        sockets[ObjectIdentifier(socket)] = socket
        return socket
    }

    /// Calls `onMessage` with each whole multipart message `socket` receives, on this thread.
    public func watch(_ socket: ZMQSocket, onMessage: @escaping ([[UInt8]]) -> Void) {
        let id = ObjectIdentifier(socket)
        if watches[id] == nil { watchOrder.append(id) }
        watches[id] = Watch(socket: socket, onMessage: onMessage)
        sockets[id] = socket
    }

    /// Stops watching `socket`.
    public func unwatch(_ socket: ZMQSocket) {
        let id = ObjectIdentifier(socket)
        watches[id] = nil
        watchOrder.removeAll { $0 == id }
    }

    /// Unwatches and closes `socket`.
    public func close(_ socket: ZMQSocket) {
        unwatch(socket)
        sockets[ObjectIdentifier(socket)] = nil
        socket.close()
    }

    // MARK: Timers

    /// Runs `body` once after `delay`.
    @discardableResult
    public func schedule(after delay: Duration, _ body: @escaping () -> Void) -> TimerID {
        addTimer(Timer(deadline: now + delay, interval: nil, body: body))
    }

    /// Runs `body` every `interval`, first after one interval.
    @discardableResult
    public func repeating(every interval: Duration, _ body: @escaping () -> Void) -> TimerID {
        addTimer(Timer(deadline: now + interval, interval: interval, body: body))
    }

    /// Cancels a timer; unknown or fired ids are ignored.
    public func cancel(_ id: TimerID) {
        timers[id.value] = nil
    }

    private func addTimer(_ timer: Timer) -> TimerID {
        nextTimerID += 1
        timers[nextTimerID] = timer
        return TimerID(value: nextTimerID)
    }

    // MARK: Lifecycle

    /// Runs `body` when the loop stops, before it closes its sockets (for example to send DISCONNECT).
    public func onShutdown(_ body: @escaping () -> Void) {
        shutdownHooks.append(body)
    }

    /// Asks the loop to stop after the current iteration.
    public func stop() {
        stopRequested = true
    }

    // MARK: Running (called by SocketThread)

    /// Time until the next timer is due, `nil` when there is none.
    func nextTimeout() -> Duration? {
        guard let earliest = timers.values.lazy.map(\.deadline).min() else { return nil }
        let remaining = earliest - now
        return remaining < .zero ? .zero : remaining
    }

    /// The watched sockets, in a stable order, for polling.
    func pollSockets() -> [ZMQSocket] {
        watchOrder.compactMap { watches[$0]?.socket }.filter { !$0.isClosed }
    }

    /// Receives and dispatches up to `batchLimit` messages from a readable socket.
    func service(_ socket: ZMQSocket) {
        var handled = 0
        while handled < batchLimit {
            // Re-check each time: a handler may unwatch or close the socket.
            guard let watch = watches[ObjectIdentifier(socket)], !socket.isClosed else { return }
            do {
                guard let frames = try socket.receive() else { return }
                handled += 1
                watch.onMessage(frames)
            } catch {
                logger.warning("receive failed", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Fires every timer that is due.
    func fireTimers() {
        let current = now
        guard timers.values.contains(where: { $0.deadline <= current }) else { return }
        let due = timers.filter { $0.value.deadline <= current }.sorted { $0.value.deadline < $1.value.deadline }
        for (id, timer) in due {
            guard timers[id] != nil else { continue }  // cancelled by an earlier timer
            if let interval = timer.interval {
                var next = timer
                next.deadline = max(timer.deadline + interval, current)
                timers[id] = next
            } else {
                timers[id] = nil
            }
            timer.body()
        }
    }

    /// Runs shutdown hooks, then closes every socket.
    func finish() {
        let hooks = shutdownHooks
        shutdownHooks = []
        for hook in hooks { hook() }
        timers = [:]
        watches = [:]
        watchOrder = []
        for socket in sockets.values { socket.close() }
        sockets = [:]
    }
}

import CZeroMQ
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

    private enum Handler {
        case arrays(([[UInt8]]) -> Void)
        case message((ZMQMessage) -> Void)
    }

    private struct Watch {
        var socket: ZMQSocket
        var handler: Handler
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
    /// Earliest deadline of `timers` (`nil`: none, or not known yet and recomputed on demand).
    private var earliestDeadline: ContinuousClock.Instant?
    private var earliestKnown = true
    /// Bumped whenever the watched set changes, so that `SocketThread` rebuilds its poll items only then.
    private(set) var watchVersion: UInt64 = 0
    /// Reused for every message of `watchMessages` sockets.
    private let scratch = ZMQMessage()
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
        addWatch(socket, .arrays(onMessage))
    }

    /// Calls `onMessage` with each whole multipart message `socket` receives, on this thread, as `zmq_msg_t` frames
    /// that are not copied. The `ZMQMessage` is reused: it is only valid during the call.
    public func watchMessages(_ socket: ZMQSocket, onMessage: @escaping (ZMQMessage) -> Void) {
        addWatch(socket, .message(onMessage))
    }

    private func addWatch(_ socket: ZMQSocket, _ handler: Handler) {
        let id = ObjectIdentifier(socket)
        if watches[id] == nil { watchOrder.append(id) }
        watches[id] = Watch(socket: socket, handler: handler)
        sockets[id] = socket
        watchVersion &+= 1
    }

    /// Stops watching `socket`.
    public func unwatch(_ socket: ZMQSocket) {
        let id = ObjectIdentifier(socket)
        watches[id] = nil
        watchOrder.removeAll { $0 == id }
        watchVersion &+= 1
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
        if let removed = timers.removeValue(forKey: id.value), removed.deadline == earliestDeadline {
            earliestKnown = false
        }
    }

    private func addTimer(_ timer: Timer) -> TimerID {
        nextTimerID += 1
        timers[nextTimerID] = timer
        if earliestKnown, earliestDeadline.map({ timer.deadline < $0 }) ?? true { earliestDeadline = timer.deadline }
        return TimerID(value: nextTimerID)
    }

    private var earliest: ContinuousClock.Instant? {
        if !earliestKnown {
            earliestDeadline = timers.values.lazy.map(\.deadline).min()
            earliestKnown = true
        }
        return earliestDeadline
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
        guard let earliest else { return nil }
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
                switch watch.handler {
                case .arrays(let onMessage):
                    guard let frames = try socket.receive() else { return }
                    handled += 1
                    onMessage(frames)
                case .message(let onMessage):
                    guard try socket.receive(into: scratch) else { return }
                    handled += 1
                    onMessage(scratch)
                    scratch.reset()
                }
            } catch {
                logger.warning("receive failed", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Fires every timer that is due.
    func fireTimers() {
        let current = now
        guard let earliest, earliest <= current else { return }
        earliestKnown = false
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
        earliestDeadline = nil
        earliestKnown = true
        watches = [:]
        watchOrder = []
        watchVersion &+= 1
        for socket in sockets.values { socket.close() }
        sockets = [:]
    }
}

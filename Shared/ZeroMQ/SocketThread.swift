import CZeroMQ
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One dedicated OS thread that owns all of a component's ZeroMQ sockets.
///
/// The thread polls its sockets with the next timer deadline as the timeout and also polls the read end of a pipe:
/// async code hands it work with `execute(_:)` / `run(_:)`, which queue a closure under a lock and write one byte to
/// the pipe to wake the poll. Results travel back through continuations. Sockets are therefore only ever touched on
/// this thread, and no blocking receive ever runs on the Swift cooperative pool.
///
/// `@unchecked Sendable`: the mutable state shared between threads (`queue`, `state`, `exitWaiters`) is only read or
/// written while holding `lock`; the pipe descriptors are immutable after `init`; `loop` is created in `init` but only
/// used on the owned thread once it has started (or, if it never started, by `shutdown()` after the state change).
public final class SocketThread: @unchecked Sendable {
    private enum State { case idle, running, stopping, stopped }

    /// The context this thread's sockets are made from; terminated when the thread exits.
    public let context: ZMQContext
    private let name: String
    private let logger: Logger
    private let lock = NSLock()
    private var state = State.idle
    private var queue: [@Sendable (IOLoop) -> Void] = []
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let loop: IOLoop

    /// Creates a socket thread with its own context. Call `start()` before submitting work.
    public init(name: String, logger: Logger) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(code: errno, operation: "pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        self.context = try ZMQContext()
        self.name = name
        self.logger = logger
        self.loop = IOLoop(context: context, logger: logger)
    }

    /// Starts the thread. Calling it again, or after shutdown, does nothing.
    public func start() {
        let shouldStart = lock.withLock {
            guard state == .idle else { return false }
            state = .running
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in self.main() }
        thread.name = name
        thread.start()
    }

    /// Whether the thread accepts work.
    public var isRunning: Bool { lock.withLock { state == .running } }

    /// Queues `body` to run on the thread. Returns `false` (and drops `body`) when the thread is stopping or stopped.
    @discardableResult
    public func execute(_ body: @escaping @Sendable (IOLoop) -> Void) -> Bool {
        let (accepted, wake) = lock.withLock { () -> (Bool, Bool) in
            guard state == .running || state == .idle else { return (false, false) }
            queue.append(body)
            return (true, queue.count == 1)
        }
        if wake { signal() }
        return accepted
    }

    /// Runs `body` on the thread and returns its result. Throws `ZMQError.threadStopped` if the thread is stopping.
    public func run<T: Sendable>(_ body: @escaping @Sendable (IOLoop) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = execute { loop in
                continuation.resume(with: Result { try body(loop) })
            }
            if !accepted { continuation.resume(throwing: ZMQError.threadStopped) }
        }
    }

    /// Stops the loop, runs its shutdown hooks, closes every socket (bounded by their LINGER), terminates the context
    /// and waits for the thread to exit. Work already queued still runs first. Safe to call more than once.
    public func shutdown() async {
        let action: Int = lock.withLock {
            switch state {
            case .idle:
                state = .stopped
                return 0
            case .running:
                queue.append { loop in loop.stop() }
                state = .stopping
                return queue.count == 1 ? 2 : 1
            case .stopping: return 1
            case .stopped: return 3
            }
        }
        switch action {
        case 0:
            loop.finish()
            context.terminate()
            closePipe()
            return
        case 2: signal()
        case 3: return
        default: break
        }
        await withCheckedContinuation { continuation in
            let alreadyStopped = lock.withLock { () -> Bool in
                if state == .stopped { return true }
                exitWaiters.append(continuation)
                return false
            }
            if alreadyStopped { continuation.resume() }
        }
    }

    // MARK: The thread

    private func signal() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainPipe() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            while read(wakeRead, buffer.baseAddress, buffer.count) > 0 {}
        }
    }

    private func runQueued() {
        let work = lock.withLock { () -> [@Sendable (IOLoop) -> Void] in
            let work = queue
            queue = []
            return work
        }
        for body in work { body(loop) }
    }

    private func main() {
        logger.debug("socket thread started", metadata: ["thread": "\(name)"])
        // The poll items are rebuilt only when the watched set changes (or a watched socket was closed).
        var sockets: [ZMQSocket] = []
        var items: [zmq_pollitem_t] = []
        var builtVersion: UInt64 = .max
        while !loop.stopRequested {
            runQueued()
            if loop.stopRequested { break }
            if builtVersion != loop.watchVersion || sockets.contains(where: { $0.isClosed }) {
                sockets = loop.pollSockets()
                items = [zmq_pollitem_t(socket: nil, fd: wakeRead, events: Int16(ZMQ_POLLIN), revents: 0)]
                for socket in sockets {
                    items.append(zmq_pollitem_t(socket: socket.rawHandle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
                }
                builtVersion = loop.watchVersion
            }
            let timeoutMillis = loop.nextTimeout().map { Int($0.clampedMilliseconds) } ?? -1
            let rc = items.withUnsafeMutableBufferPointer { buffer in
                zmq_poll(buffer.baseAddress, Int32(buffer.count), timeoutMillis)
            }
            if rc < 0 {
                let error = ZMQError.last("zmq_poll")
                if !error.interrupted {
                    logger.error("zmq_poll failed", metadata: ["error": "\(error)"])
                    usleep(10_000)
                }
            } else if rc > 0 {
                if items[0].revents & Int16(ZMQ_POLLIN) != 0 { drainPipe() }
                for index in sockets.indices where items[index + 1].revents & Int16(ZMQ_POLLIN) != 0 {
                    loop.service(sockets[index])
                }
            }
            loop.fireTimers()
        }
        // Refuse new work, run what was queued so that every continuation is resumed, then close everything.
        lock.withLock { state = .stopping }
        while lock.withLock({ !queue.isEmpty }) { runQueued() }
        loop.finish()
        context.terminate()
        closePipe()
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            state = .stopped
            let waiters = exitWaiters
            exitWaiters = []
            return waiters
        }
        logger.debug("socket thread stopped", metadata: ["thread": "\(name)"])
        for waiter in waiters { waiter.resume() }
    }

    private func closePipe() {
        for fd in [wakeRead, wakeWrite] {
            #if canImport(Glibc)
                _ = Glibc.close(fd)
            #elseif canImport(Darwin)
                _ = Darwin.close(fd)
            #endif
        }
    }
}

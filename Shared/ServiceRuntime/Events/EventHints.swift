import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// Wakes a consumer when the fan-out announces an event it cares about, so it reads the log within milliseconds
/// instead of at its next poll. Only a hint: the consumer always reads the log itself.
final class EventHints: Sendable {
    let signal = HintSignal()
    private let endpoint: String?
    private let prefixes: [String]
    private let logger: Logger

    init(endpoint: String?, types: [String]?, logger: Logger) {
        self.endpoint = endpoint
        self.prefixes = types ?? [""]
        self.logger = logger
    }

    /// Listens until the surrounding task is cancelled or shut down gracefully.
    func run() async {
        guard let endpoint, let thread = try? SocketThread(name: "event-sub", logger: logger) else { return }
        thread.start()
        let prefixes = self.prefixes
        let signal = self.signal
        do {
            try await thread.run { loop in
                let sub = try loop.makeSocket(.sub, linger: .zero)
                try sub.set(.receiveHighWaterMark(100_000))
                for prefix in prefixes { try sub.set(.subscribe(Array(prefix.utf8))) }
                try sub.connect(endpoint)
                loop.watch(sub) { _ in signal.fire() }
            }
        } catch {
            logger.warning("event hints unavailable; relying on polling", metadata: ["error": "\(error)"])
        }
        await withTaskCancellationHandler {
            try? await gracefulShutdown()
        } onCancel: {
        }
        await thread.shutdown()
    }
}

/// A one-slot wake-up: `fire()` from any thread; `wait(timeout:)` returns at the first fire since the last wait, or
/// at the timeout.
final class HintSignal: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var waitCancelled = false

    func fire() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            if let waiter {
                self.waiter = nil
                return waiter
            }
            pending = true
            return nil
        }
        continuation?.resume()
    }

    func wait(timeout: Duration) async {
        if lock.withLock({ () -> Bool in
            defer { pending = false }
            return pending
        }) {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForFire() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForFire() async {
        lock.withLock { waitCancelled = false }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = lock.withLock {
                    if pending || waitCancelled {
                        pending = false
                        return true
                    }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
                waitCancelled = true
                defer { waiter = nil }
                return waiter
            }
            continuation?.resume()
        }
    }
}

import Foundation

/// A one-shot value that async code can wait for; set once from any thread.
///
/// `@unchecked Sendable`: `value` and `waiters` are only accessed while holding `lock`.
final class Latch<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var waiters: [CheckedContinuation<Value, Never>] = []

    init() {}

    /// Sets the value (the first call wins) and wakes every waiter.
    func fulfill(_ newValue: Value) {
        let toWake = lock.withLock { () -> [CheckedContinuation<Value, Never>] in
            guard value == nil else { return [] }
            value = newValue
            let toWake = waiters
            waiters = []
            return toWake
        }
        for waiter in toWake { waiter.resume(returning: newValue) }
    }

    /// The value, if it has been set.
    var current: Value? { lock.withLock { value } }

    /// Waits for the value.
    func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { () -> Value? in
                if let value { return value }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

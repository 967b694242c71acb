import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Foundation's `Process` crashed here under load (inside `Process.run()` while other threads worked) and missed the
/// exit of some children, so the CLI and the end-to-end tests start processes through this instead.
public final class ChildProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    // Guarded by `lock`: the exit status once reaped.
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` (a path, or a name looked up on `PATH`) with `arguments` and `environment` (nil: this
    /// process's). Standard input is `/dev/null`; standard output and error go to `outputFD` (nil: inherited).
    public init(
        executable: String, arguments: [String] = [], environment: [String: String]? = nil, outputFD: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputFD {
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] =
            (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw ChildProcessError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
    }

    /// Reaps the child if it has exited; never blocks.
    private func poll() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            let result = waitpid(processIdentifier, &raw, WNOHANG)
            guard result == processIdentifier else { return nil }
            let signal = raw & 0x7f
            status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            return status
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// The exit status once the child has exited: its exit code, or 128 + the signal that ended it.
    public var exitStatus: Int32? { poll() }

    /// Sends `signal` (nothing once the child has been reaped).
    public func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Blocks the calling thread until the child exits and returns its status. For command-line use only.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while true {
            if let status = poll() { return status }
            usleep(5_000)
        }
    }

    /// Waits without blocking a thread until the child exits or `timeout` passes; nil on timeout.
    public func exit(within timeout: Duration) async -> Int32? {
        let giveUp = ContinuousClock.now + timeout
        while ContinuousClock.now < giveUp {
            if let status = poll() { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return poll()
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
}

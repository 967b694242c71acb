import Foundation
import ServiceRuntime

/// Starts the suite's executables as child processes, prefixes their output with their name, and stops them.
final class Supervisor: @unchecked Sendable {
    // Mutated only from the command's task before and after the wait; the lock guards reads from handlers.
    private let lock = NSLock()
    private var children: [(label: String, process: ChildProcess)] = []
    let binaries: URL
    let environment: [String: String]

    init(binaries: URL, environment: [String: String]) {
        self.binaries = binaries
        self.environment = environment
    }

    func start(_ executable: String, label: String? = nil, overrides: [String: String] = [:]) throws {
        let label = label ?? executable
        let pipe = Pipe()
        let prefix = "[\(label)]".padding(toLength: 13, withPad: " ", startingAt: 0) + " "
        let buffer = LineBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            for line in buffer.append(data) {
                FileHandle.standardOutput.write(Data((prefix + line + "\n").utf8))
            }
        }
        let process = try ChildProcess(
            executable: binaries.appendingPathComponent(executable).path,
            environment: environment.merging(overrides) { $1 }, outputFD: pipe.fileHandleForWriting.fileDescriptor)
        try pipe.fileHandleForWriting.close()
        lock.withLock { children.append((label, process)) }
    }

    var allRunning: Bool { lock.withLock { children.allSatisfy { $0.process.isRunning } } }

    /// The processes that have exited, with their status (exit code, or 128 + signal).
    var exited: [(label: String, status: Int32)] {
        lock.withLock { children.compactMap { child in child.process.exitStatus.map { (child.label, $0) } } }
    }

    /// SIGTERM to everyone (gateway first, broker last), then SIGKILL to anyone still running after `grace`.
    func stopAll(grace: Duration) {
        let list = lock.withLock { children.reversed() }
        for child in list where child.process.isRunning { child.process.send(SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while list.contains(where: { $0.process.isRunning }), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for child in list where child.process.isRunning { child.process.send(SIGKILL) }
    }
}

/// Splits a byte stream into lines.
final class LineBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()

    func append(_ data: Data) -> [String] {
        lock.withLock {
            pending.append(data)
            var lines: [String] = []
            while let index = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: pending[pending.startIndex..<index], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...index)
            }
            return lines
        }
    }
}

/// Notices SIGINT and SIGTERM without killing the process, so `up` can stop its children first.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.flag = true } }
            source.resume()
            sources.append(source)
        }
    }

    var received: Bool { lock.withLock { flag } }

    func wait(orUntil stop: () -> Bool) async {
        while !received, !stop() { try? await Task.sleep(for: .milliseconds(100)) }
    }
}

import Foundation

/// Starts the suite's executables as child processes, prefixes their output with their name, and stops them.
final class Supervisor: @unchecked Sendable {
    // Mutated only from the command's task before and after the wait; the lock guards reads from handlers.
    private let lock = NSLock()
    private var children: [(label: String, process: Process)] = []
    let binaries: URL
    let environment: [String: String]

    init(binaries: URL, environment: [String: String]) {
        self.binaries = binaries
        self.environment = environment
    }

    func start(_ executable: String, label: String? = nil, overrides: [String: String] = [:]) throws {
        let label = label ?? executable
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(executable)
        process.environment = environment.merging(overrides) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
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
        try process.run()
        lock.withLock { children.append((label, process)) }
    }

    var allRunning: Bool { lock.withLock { children.allSatisfy { $0.process.isRunning } } }

    /// SIGTERM to everyone (gateway first, broker last), then SIGKILL to anyone still running after `grace`.
    func stopAll(grace: Duration) {
        let list = lock.withLock { children.reversed() }
        for child in list where child.process.isRunning { child.process.terminate() }
        let deadline = ContinuousClock.now + grace
        while list.contains(where: { $0.process.isRunning }), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for child in list where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
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

import Foundation
import ServiceRuntime
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real executables (broker, domain services, gateway) running as child processes for one test, on free ports
/// and one fresh database.
///
/// Every child is killed when the suite is stopped or deallocated, whatever way the test ends. Each child writes its
/// standard output and error to a log file under `logDirectory`; `printLogTails()` shows the end of each.
final class SuiteProcesses: @unchecked Sendable {
    /// The domain services, in start order.
    static let allServices = ["customers", "tickets", "returns", "loyalty"]

    let databaseURL: String
    let brokerEndpoint: String
    let httpPort: Int
    let adminKey: String
    let logDirectory: URL
    let binDirectory: URL
    let http: HTTPClient
    /// Settings every child gets (after the defaults, before per-process extras).
    private let common: [String: String]

    private struct Child {
        var executable: String
        var arguments: [String]
        var environment: [String: String]
        var process: ChildProcess
        var log: URL
    }

    private let lock = NSLock()
    private var children: [String: Child] = [:]
    private var order: [String] = []

    private init(databaseURL: String, environment: [String: String]) throws {
        self.databaseURL = databaseURL
        let brokerPort = try FreePort.next()
        brokerEndpoint = "tcp://127.0.0.1:\(brokerPort)"
        httpPort = try FreePort.next()
        let eventsPublish = "tcp://127.0.0.1:\(try FreePort.next())"
        let eventsSubscribe = "tcp://127.0.0.1:\(try FreePort.next())"
        adminKey = "e2e-admin-\(UUID().uuidString.lowercased())"
        logDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("concierge-e2e-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        binDirectory = Self.binaryDirectory()
        http = HTTPClient(baseURL: "http://127.0.0.1:\(httpPort)")
        var common: [String: String] = [
            "CONCIERGE_DATABASE_URL": databaseURL,
            "CONCIERGE_BROKER_BIND": brokerEndpoint,
            "CONCIERGE_BROKER_ENDPOINT": brokerEndpoint,
            "CONCIERGE_EVENTS_PUBLISH_BIND": eventsPublish,
            "CONCIERGE_EVENTS_PUBLISH_ENDPOINT": eventsPublish,
            "CONCIERGE_EVENTS_SUBSCRIBE_BIND": eventsSubscribe,
            "CONCIERGE_EVENTS_SUBSCRIBE_ENDPOINT": eventsSubscribe,
            "CONCIERGE_METRICS_PORT": "0",
            "CONCIERGE_DB_POOL_SIZE": "4",
            "CONCIERGE_WORKER_CONCURRENCY": "4",
            "CONCIERGE_LOG_LEVEL": "info",
        ]
        common.merge(environment) { _, new in new }
        self.common = common
    }

    deinit { killAll() }

    // MARK: Starting

    /// Starts broker, `services` (each with `replicas` instances) and the gateway, then waits until `/readyz`
    /// answers 200 (or, when some services are left out, until every started one is "ok").
    ///
    /// - Parameters:
    ///   - environment: settings for every process.
    ///   - gatewayEnvironment: extra settings for the gateway only.
    static func launch(
        services: [String] = allServices, replicas: Int = 1, environment: [String: String] = [:],
        gatewayEnvironment: [String: String] = [:]
    ) async throws -> SuiteProcesses {
        let databaseURL = try await TestDatabase.create(prefix: "e2e")
        let suite = try SuiteProcesses(databaseURL: databaseURL, environment: environment)
        do {
            try suite.start("broker")
            for service in services {
                for replica in 1...replicas {
                    try suite.start(replicas == 1 ? service : "\(service)-\(replica)", executable: service)
                }
            }
            try suite.start(
                "gateway",
                environment: gatewayEnvironment.merging([
                    "CONCIERGE_HTTP_HOST": "127.0.0.1", "CONCIERGE_HTTP_PORT": "\(suite.httpPort)",
                    "CONCIERGE_BOOTSTRAP_ADMIN_KEY": suite.adminKey,
                ]) { _, new in new })
            let expected = Set(services)
            try await suite.waitForReadiness { _, readiness in
                guard let readiness, readiness["database"] as? String == "ok",
                    let states = readiness["services"] as? [String: String]
                else { return false }
                return expected.allSatisfy { states[$0] == "ok" }
            }
            return suite
        } catch {
            suite.printLogTails()
            suite.killAll()
            throw error
        }
    }

    /// Launches a suite, runs `body`, and kills every process afterwards; when anything throws, prints the tail of
    /// every log first.
    static func run<T>(
        services: [String] = allServices, replicas: Int = 1, environment: [String: String] = [:],
        gatewayEnvironment: [String: String] = [:], _ body: (SuiteProcesses) async throws -> T
    ) async throws -> T {
        let suite = try await launch(
            services: services, replicas: replicas, environment: environment, gatewayEnvironment: gatewayEnvironment)
        defer { suite.killAll() }
        do {
            let result = try await body(suite)
            suite.killAll()
            try? FileManager.default.removeItem(at: suite.logDirectory)
            return result
        } catch {
            print("end-to-end test failed: \(error)")
            suite.printLogTails()
            throw error
        }
    }

    /// Starts (or restarts, with the same settings) the process `name`, running `executable` (default: `name`) from
    /// the binary directory, or from anywhere when `executable` is an absolute path.
    func start(
        _ name: String, executable: String? = nil, arguments: [String] = [], environment extra: [String: String] = [:]
    ) throws {
        let existing = lock.withLock { children[name] }
        if let existing, existing.process.isRunning {
            throw TestSetupError("\(name) is already running")
        }
        let executable = executable ?? existing?.executable ?? name
        let arguments = existing?.arguments ?? arguments
        let settings = existing?.environment ?? common.merging(extra) { _, new in new }
        let log = existing?.log ?? logDirectory.appendingPathComponent("\(name).log")
        let path =
            executable.hasPrefix("/")
            ? URL(fileURLWithPath: executable) : binDirectory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: path.path) else {
            throw TestSetupError("no executable at \(path.path); build first (swift build) or set CONCIERGE_BIN_DIR")
        }
        if !FileManager.default.fileExists(atPath: log.path) {
            FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data("--- \(Date()) starting \(name) (\(executable))\n".utf8))

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONCIERGE_") }
        environment.merge(settings) { _, new in new }
        let process = try ChildProcess(
            executable: path.path, arguments: arguments, environment: environment, outputFD: handle.fileDescriptor)
        try? handle.close()
        lock.withLock {
            if children[name] == nil { order.append(name) }
            children[name] = Child(
                executable: executable, arguments: arguments, environment: settings, process: process, log: log)
        }
    }

    // MARK: Stopping

    /// Whether `name` is running.
    func isRunning(_ name: String) -> Bool {
        lock.withLock { children[name]?.process.isRunning ?? false }
    }

    /// The names of every process started so far.
    var names: [String] { lock.withLock { order } }

    /// Sends `signal` to `name`.
    func send(_ signal: Int32, to name: String) throws {
        guard let process = lock.withLock({ children[name]?.process }) else {
            throw TestSetupError("no process \(name)")
        }
        guard process.isRunning else { throw TestSetupError("\(name) is not running") }
        process.send(signal)
    }

    /// SIGKILLs `name` and waits until it is gone.
    func kill9(_ name: String) async throws {
        try send(SIGKILL, to: name)
        _ = try await waitForExit(name, timeout: .seconds(10))
    }

    /// Waits until `name` exits; returns its exit status (or `128 + signal` when a signal ended it).
    func waitForExit(_ name: String, timeout: Duration) async throws -> Int32 {
        guard let process = lock.withLock({ children[name]?.process }) else {
            throw TestSetupError("no process \(name)")
        }
        guard let status = await process.exit(within: timeout) else {
            throw TestSetupError("\(name) did not exit within \(timeout)")
        }
        return status
    }

    /// SIGKILLs every process still running. Safe to call more than once.
    func killAll() {
        let processes = lock.withLock { children.values.map(\.process) }
        for process in processes where process.isRunning {
            process.send(SIGKILL)
        }
        for process in processes {
            let giveUp = Date().addingTimeInterval(5)
            while process.isRunning, Date() < giveUp { usleep(10_000) }
        }
    }

    // MARK: Observing

    /// Polls `/readyz` until `condition(status, body)` holds.
    func waitForReadiness(
        timeout: Duration = .seconds(90), _ condition: (Int, [String: Any]?) -> Bool
    ) async throws {
        let giveUp = ContinuousClock.now + timeout
        var last = "no answer"
        while true {
            if let response = try? await http.request("GET", "/readyz", timeout: 10) {
                if condition(response.status, response.object) { return }
                last = "\(response.status) \(response.text)"
            }
            for (name, child) in lock.withLock({ children }) where !child.process.isRunning {
                throw TestSetupError(
                    "\(name) exited (status \(child.process.exitStatus ?? -1)) before the suite was ready")
            }
            guard ContinuousClock.now < giveUp else {
                throw TestSetupError("the suite did not become ready within \(timeout); last /readyz: \(last)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The whole log of `name`.
    func log(_ name: String) -> String {
        guard let url = lock.withLock({ children[name]?.log }), let data = try? Data(contentsOf: url) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// How many lines of `name`'s log contain every one of `fragments`.
    func logLines(_ name: String, containing fragments: String...) -> Int {
        log(name).split(separator: "\n").filter { line in fragments.allSatisfy { line.contains($0) } }.count
    }

    /// Polls until `condition` holds; a bounded guard against hanging, never a speed assertion.
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
    ) async throws {
        let giveUp = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < giveUp else {
                throw TestSetupError("gave up waiting for \(what) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Prints the last `lines` lines of every process's log, for diagnosing a failure.
    func printLogTails(lines: Int = 40) {
        var output = "logs in \(logDirectory.path)\n"
        for name in names {
            let tail = log(name).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            output += "===== \(name) (last \(tail.count) lines) =====\n" + tail.joined(separator: "\n") + "\n"
        }
        print(output)
    }

    // MARK: Environment

    /// `CONCIERGE_BIN_DIR`, or `.build/debug` under the package root.
    static func binaryDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["CONCIERGE_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        // This file is <root>/Tests/EndToEndTests/Harness/SuiteProcesses.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug", isDirectory: true)
    }
}

/// Free TCP ports on 127.0.0.1, found by binding port 0.
enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut: Set<Int> = []

    static func next() throws -> Int {
        for _ in 0..<20 {
            let port = try probe()
            let fresh = lock.withLock { handedOut.insert(port).inserted }
            if fresh { return port }
        }
        throw TestSetupError("no free port found")
    }

    private static func probe() throws -> Int {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestSetupError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestSetupError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

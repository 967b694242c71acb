import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `concierge up`: the whole suite on one machine, with prefixed logs, until Ctrl-C.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract:
            "Start PostgreSQL (embedded unless CONCIERGE_DATABASE_URL is set), the broker, every service and the gateway."
    )

    @Option(help: "Data folder for the embedded PostgreSQL cluster and the local admin key (CONCIERGE_DATA_DIR).")
    var dataDir: String?

    @Option(help: "Port of the embedded PostgreSQL cluster.")
    var postgresPort: Int = 54329

    @Option(help: "Instances of each domain service to start.")
    var replicas: Int = 1

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let data = URL(fileURLWithPath: dataDir ?? environment["CONCIERGE_DATA_DIR"] ?? ".concierge", isDirectory: true)
            .standardizedFileURL
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)

        var embedded: EmbeddedPostgres?
        let databaseURL: String
        if let given = environment["CONCIERGE_DATABASE_URL"], !given.isEmpty {
            databaseURL = given
        } else {
            let postgres = EmbeddedPostgres(directory: data.appendingPathComponent("postgres"), port: postgresPort)
            say("[concierge] starting embedded PostgreSQL in \(postgres.directory.path)")
            try postgres.start()
            embedded = postgres
            databaseURL = postgres.databaseURL
        }

        let adminKey = try LocalAdminKey.load(or: data.appendingPathComponent("admin-key"))
        let host = environment["CONCIERGE_HTTP_HOST"] ?? "127.0.0.1"
        let port = environment["CONCIERGE_HTTP_PORT"] ?? "8080"
        var childEnvironment = environment
        childEnvironment["CONCIERGE_DATABASE_URL"] = databaseURL
        childEnvironment["CONCIERGE_BOOTSTRAP_ADMIN_KEY"] = adminKey

        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let supervisor = Supervisor(binaries: binaries, environment: childEnvironment)
        let started = ContinuousClock.now
        try supervisor.start("broker")
        for name in ["customers", "tickets", "returns", "loyalty"] {
            for replica in 0..<max(1, replicas) {
                // Replicas share the broker; only the first keeps the default metrics port.
                var overrides: [String: String] = [:]
                if replica > 0 { overrides["CONCIERGE_METRICS_PORT"] = "0" }
                try supervisor.start(name, label: replicas > 1 ? "\(name).\(replica + 1)" : name, overrides: overrides)
            }
        }
        try supervisor.start("gateway")

        let signals = SignalWatcher()
        let url = "http://\(host):\(port)"
        if await Readiness.wait(
            url: "\(url)/readyz", timeout: .seconds(60), while: { !signals.received && supervisor.allRunning })
        {
            let elapsed = ContinuousClock.now - started
            say(
                """
                [concierge] ready in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow)))
                [concierge] gateway:   \(url)
                [concierge] admin key: \(adminKey)
                [concierge] try:       curl -H 'Authorization: Bearer \(adminKey)' \(url)/readyz
                [concierge] Ctrl-C stops everything.
                """)
        } else if !signals.received {
            say("[concierge] the suite did not become ready; see the logs above")
        }
        await signals.wait(orUntil: { !supervisor.allRunning })
        // Ctrl-C in a terminal reaches the children too, so exits after a signal are expected.
        if !signals.received {
            for (label, status) in supervisor.exited {
                say("[concierge] \(label) exited with status \(status); stopping the rest")
            }
        }
        say("[concierge] stopping")
        supervisor.stopAll(grace: .seconds(10))
        embedded?.stop()
        say("[concierge] stopped")
    }
}

/// The admin key of a local run: made once, kept in the data folder (mode 600) so that re-runs print the same one.
enum LocalAdminKey {
    static func load(or file: URL) throws -> String {
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if key.count >= 24 { return key }
        }
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        let key = "ck_" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
        try Data((key + "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return key
    }
}

/// Polls a readiness URL.
enum Readiness {
    static func wait(url: String, timeout: Duration, while keepGoing: () -> Bool) async -> Bool {
        guard let target = URL(string: url) else { return false }
        let giveUp = ContinuousClock.now + timeout
        while ContinuousClock.now < giveUp, keepGoing() {
            if let (_, response) = try? await URLSession.shared.data(from: target),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// Writes a line to standard output unbuffered, so it interleaves correctly with the children's prefixed lines.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

import Foundation
import ServiceRuntime

/// A private PostgreSQL cluster under the project's data folder, for running the suite on one machine.
///
/// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user and every
/// server command runs through `runuser`.
struct EmbeddedPostgres {
    let directory: URL
    let port: Int

    var databaseURL: String { "postgres://concierge@127.0.0.1:\(port)/concierge" }

    /// Creates the cluster on first use, starts it, and makes sure the `concierge` database exists.
    func start() throws {
        let bin = try Self.binDirectory()
        let data = directory.path
        let fresh = !FileManager.default.fileExists(atPath: directory.appendingPathComponent("PG_VERSION").path)
        if fresh {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try chownForPostgres(data)
            try run(["\(bin)/initdb", "-D", data, "-U", "concierge", "--auth=trust", "-E", "UTF8", "--no-instructions"])
        }
        try chownForPostgres(data)
        try run([
            "\(bin)/pg_ctl", "-D", data, "-l", "\(data)/server.log", "-w", "-t", "60",
            "-o", "-p \(port) -k \(data) -c listen_addresses=127.0.0.1 -c max_connections=200",
            "start",
        ])
        let exists = try output([
            "\(bin)/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "concierge", "-d", "postgres",
            "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'concierge'",
        ])
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try run(["\(bin)/createdb", "-h", "127.0.0.1", "-p", "\(port)", "-U", "concierge", "concierge"])
        }
    }

    /// Stops the server (fast shutdown: open transactions roll back, data stays).
    func stop() {
        guard let bin = try? Self.binDirectory() else { return }
        try? run(["\(bin)/pg_ctl", "-D", directory.path, "-m", "fast", "-w", "stop"])
    }

    static func binDirectory() throws -> String {
        if let configured = try? Self.capture(["pg_config", "--bindir"]).trimmingCharacters(
            in: .whitespacesAndNewlines),
            FileManager.default.fileExists(atPath: "\(configured)/initdb")
        {
            return configured
        }
        let root = "/usr/lib/postgresql"
        let versions =
            (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted {
                $0.localizedStandardCompare($1) == .orderedDescending
            } ?? []
        for version in versions where FileManager.default.fileExists(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        throw CLIError("PostgreSQL server binaries not found; install the postgresql package (make run does)")
    }

    private var asRoot: Bool { getuid() == 0 }

    private func chownForPostgres(_ path: String) throws {
        guard asRoot else { return }
        try Self.capture(["chown", "-R", "postgres:postgres", path])
        try Self.capture(["chmod", "700", path])
    }

    private func run(_ arguments: [String]) throws {
        _ = try output(arguments)
    }

    private func output(_ arguments: [String]) throws -> String {
        try Self.capture(asRoot ? ["runuser", "-u", "postgres", "--"] + arguments : arguments)
    }

    /// Runs a command and returns its combined output. Output goes through a temporary file, not a pipe: the
    /// server that `pg_ctl start` leaves running inherits the descriptors and would hold a pipe open forever.
    @discardableResult
    static func capture(_ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("concierge-\(UUID().uuidString).out").path
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot create \(outputPath)") }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable: arguments[0], arguments: Array(arguments.dropFirst()), outputFD: fd)
        } catch {
            close(fd)
            throw CLIError("\(error)")
        }
        close(fd)
        let status = child.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw CLIError("\(arguments.joined(separator: " ")) failed:\n\(text)") }
        return text
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

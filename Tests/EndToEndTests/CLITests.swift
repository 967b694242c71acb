import Foundation
import ServiceRuntime
import TestSupport
import Testing

extension EndToEnd {
    /// The `concierge` command-line tool against a running suite's database.
    @Suite struct CLI {
        @Test func keysCreatePrintsAWorkingSecret() async throws {
            try await SuiteProcesses.run { suite in
                let output = try await Self.concierge(
                    ["keys", "create", "--role", "agent", "--name", "cli test", "--database-url", suite.databaseURL],
                    binaries: suite.binDirectory)
                // The secret is the last line (log lines, if any, come first on the shared output).
                let secret = output.split(separator: "\n").last.map(String.init) ?? ""
                #expect(secret.hasPrefix("ck_"), "printed: \(output)")
                #expect(secret.count == 43)
                let response = try await suite.http.post(
                    "/v1/customers", key: secret, json: ["email": "cli-\(UUID().uuidString.prefix(8))@example.com"])
                #expect(response.status == 201, "\(response)")
            }
        }

        @Test func migrateReportsEverySchemaUpToDate() async throws {
            try await SuiteProcesses.run { suite in
                let output = try await Self.concierge(
                    ["migrate", "--database-url", suite.databaseURL], binaries: suite.binDirectory)
                for schema in ["events", "customers", "tickets", "returns", "loyalty", "gateway"] {
                    #expect(output.contains("\(schema): up to date"), "\(output)")
                }
            }
        }

        /// Runs `concierge` with `arguments` and returns its standard output; fails on a non-zero exit.
        static func concierge(_ arguments: [String], binaries: URL) async throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).out")
            FileManager.default.createFile(atPath: path.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: path) }
            let handle = try FileHandle(forWritingTo: path)
            let child = try ChildProcess(
                executable: binaries.appendingPathComponent("concierge").path, arguments: arguments,
                outputFD: handle.fileDescriptor)
            try handle.close()
            let status = await child.exit(within: .seconds(60))
            let output = (try? String(contentsOf: path, encoding: .utf8)) ?? ""
            try #require(
                status == 0,
                "concierge \(arguments.joined(separator: " ")) exited \(String(describing: status)): \(output)")
            return output
        }
    }
}

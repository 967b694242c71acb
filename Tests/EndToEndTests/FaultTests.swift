import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension EndToEnd {
    /// Faults: a worker dying mid-request, the broker restarting, a service without any worker.
    @Suite struct Faults {
        /// Tickets instance A takes a create and blocks on a table lock; B joins; A is SIGKILLed; the lock ends.
        /// The client still gets its 201, exactly one ticket exists, and replaying the key returns that ticket.
        @Test func workerKilledMidRequest() async throws {
            try await SuiteProcesses.run(
                services: ["customers", "returns", "loyalty"],
                environment: ["CONCIERGE_WORKER_CONCURRENCY": "2"],
                gatewayEnvironment: ["CONCIERGE_REQUEST_DEADLINE_MS": "60000"]
            ) { suite in
                try suite.start("tickets-a", executable: "tickets")
                try await suite.waitForReadiness { status, _ in status == 200 }
                let customerID = try await suite.createCustomer()
                let url = suite.databaseURL

                // A second connection holds a lock that makes every INSERT into tickets.tickets wait.
                try suite.start(
                    "psql-lock", executable: "/usr/bin/env",
                    arguments: [
                        "psql", url, "-v", "ON_ERROR_STOP=1", "-c",
                        "BEGIN; LOCK TABLE tickets.tickets IN EXCLUSIVE MODE; SELECT pg_sleep(120);",
                    ],
                    environment: ["PGAPPNAME": "e2e-lock-holder"])
                func endLock() async throws {
                    _ = try await TestDatabase.scalar(
                        url: url,
                        """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'e2e-lock-holder'
                        """)
                    if suite.isRunning("psql-lock") { try? suite.send(SIGKILL, to: "psql-lock") }
                }
                try await suite.waitUntil("the lock to be held") {
                    try await TestDatabase.scalar(
                        url: url,
                        """
                        SELECT count(*) FROM pg_locks WHERE relation = 'tickets.tickets'::regclass
                        AND mode = 'ExclusiveLock' AND granted
                        """) == 1
                }

                let http = suite.http
                let key = suite.adminKey
                let body = [
                    "customer_id": customerID, "subject": "Killed mid-request", "message": "Hello?",
                    "channel": "chat",
                ]
                let idempotencyKey = "e2e-killed-\(UUID().uuidString)"
                let pending = Task {
                    try await http.post(
                        "/v1/tickets", key: key, json: body, idempotencyKey: idempotencyKey, timeout: 120)
                }
                defer { pending.cancel() }

                do {
                    // A's INSERT is now waiting for the lock.
                    try await suite.waitUntil("tickets-a's INSERT to wait for the lock") {
                        try await TestDatabase.scalar(
                            url: url,
                            """
                            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                            AND wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO tickets.tickets%'
                            """) >= 1
                    }

                    // Instance B registers (every slot of it) with the broker.
                    let readyBefore = suite.logLines("broker", containing: "worker ready", "tickets")
                    try suite.start("tickets-b", executable: "tickets")
                    try await suite.waitUntil("tickets-b to register") {
                        suite.logLines("tickets-b", containing: "worker started") >= 1
                            && suite.logLines("broker", containing: "worker ready", "tickets") >= readyBefore + 2
                    }

                    try await suite.kill9("tickets-a")
                    try await endLock()
                } catch {
                    try? await endLock()
                    throw error
                }

                let response = try await pending.value
                try #require(response.status == 201, "\(response)")
                let ticketID = try #require(response.string("id"))
                #expect(try await suite.count("tickets.tickets") == 1)
                #expect(try await suite.count("tickets.messages") == 1)

                let replay = try await http.post(
                    "/v1/tickets", key: key, json: body, idempotencyKey: idempotencyKey)
                #expect(replay.status == 201, "\(replay)")
                #expect(replay.string("id") == ticketID, "\(replay)")
                #expect(try await suite.count("tickets.tickets") == 1)
            }
        }

        /// The broker dies and a new one starts on the same endpoint: workers and the gateway find it by themselves.
        @Test func brokerKilledAndRestarted() async throws {
            try await SuiteProcesses.run(gatewayEnvironment: ["CONCIERGE_REQUEST_DEADLINE_MS": "5000"]) { suite in
                let before = try await suite.createCustomer()
                try await suite.kill9("broker")
                try suite.start("broker")

                let restarted = ContinuousClock.now
                var last: HTTPResponse?
                var customerID: String?
                while customerID == nil, ContinuousClock.now - restarted < .seconds(15) {
                    let response = try await suite.http.post(
                        "/v1/customers", key: suite.adminKey,
                        json: ["email": "after-restart-\(UUID().uuidString.prefix(8).lowercased())@example.com"])
                    if response.status == 201 {
                        customerID = response.string("id")
                    } else {
                        last = response
                        try await Task.sleep(for: .milliseconds(250))
                    }
                }
                let after = try #require(
                    customerID, "no customer created after the broker restart; last: \(String(describing: last))")
                #expect(after != before)

                // Every service finds the new broker, not only customers.
                try await suite.waitForReadiness(timeout: .seconds(30)) { status, _ in status == 200 }
                _ = try await suite.openTicket(customerID: after)
                for name in ["customers", "tickets", "returns", "loyalty", "gateway"] {
                    #expect(suite.isRunning(name), "\(name) should have kept running")
                }
            }
        }

        /// No returns worker at all: the request is answered with a clear 503 within the gateway's deadline.
        @Test func serviceWithNoLiveWorker() async throws {
            try await SuiteProcesses.run(
                services: ["customers", "tickets", "loyalty"],
                gatewayEnvironment: ["CONCIERGE_REQUEST_DEADLINE_MS": "4000"]
            ) { suite in
                let customerID = try await suite.createCustomer()
                let started = ContinuousClock.now
                let response = try await suite.http.post(
                    "/v1/returns", key: suite.adminKey,
                    json: [
                        "customer_id": customerID, "order_reference": "1001", "reason": "too small",
                        "lines": [["sku": "TEE-S", "quantity": 1]],
                    ])
                let elapsed = ContinuousClock.now - started
                try #require(response.status == 503, "\(response)")
                #expect(response.isProblem, "\(response.headers)")
                #expect(response.code == "service_unavailable", "\(response)")
                #expect(response.header("Retry-After") != nil)
                // A guard against hanging, not a speed assertion.
                #expect(elapsed < .seconds(15))

                let ready = try await suite.http.get("/readyz", key: nil)
                #expect(ready.status == 503, "\(ready)")
                #expect(ready.string("status") == "not ready", "\(ready)")
                let services = ready.object?["services"] as? [String: String]
                #expect(services?["returns"] == "no live worker", "\(ready)")
                #expect(services?["customers"] == "ok", "\(ready)")
                #expect(ready.string("database") == "ok", "\(ready)")
            }
        }
    }
}

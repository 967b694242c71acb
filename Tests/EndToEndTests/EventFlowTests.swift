import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// Events between the real services: written with each change, applied by the other services' consumers.
    @Suite struct EventFlow {
        /// `customer.created` opens the loyalty account (checked in the database, since reading the account over
        /// HTTP would open it lazily anyway).
        @Test func aNewCustomerGetsALoyaltyAccount() async throws {
            try await SuiteProcesses.run { suite in
                let customerID = try await suite.createCustomer()
                try await suite.waitUntil("the loyalty account of \(customerID)", timeout: .seconds(15)) {
                    try await suite.loyaltyAccounts(customerID) == 1
                }
                #expect(
                    try await TestDatabase.scalar(
                        url: suite.databaseURL,
                        """
                        SELECT count(*) FROM loyalty.applied_events a JOIN events.log l ON l.id = a.event_id
                        WHERE a.consumer = 'loyalty.accounts' AND l.type = 'customer.created'
                          AND lower(l.aggregate_id) = lower('\(customerID)')
                        """) == 1)
            }
        }

        @Test func theTimelineListsEveryServicesEventsNewestFirst() async throws {
            try await SuiteProcesses.run { suite in
                let customerID = try await suite.createCustomer()
                let returned = try await suite.http.post(
                    "/v1/returns", key: suite.adminKey,
                    json: [
                        "customer_id": customerID, "order_reference": "1001", "reason": "too small",
                        "lines": [["sku": "TEE-S", "quantity": 2]],
                    ], idempotencyKey: "e2e-return-\(UUID().uuidString)")
                try #require(returned.status == 201, "\(returned)")
                let ticketID = try await suite.openTicket(customerID: customerID)
                // A ticket is solved by its assignee.
                let agent = try await suite.http.post(
                    "/v1/agents", key: suite.adminKey,
                    json: ["name": "Grace", "email": "grace-\(UUID().uuidString.prefix(8))@shop.example"])
                try #require(agent.status == 201, "\(agent)")
                let assigned = try await suite.http.request(
                    "PATCH", "/v1/tickets/\(ticketID)", key: suite.adminKey,
                    json: ["assignee_id": try #require(agent.string("id"))])
                try #require(assigned.status == 200, "\(assigned)")
                let solved = try await suite.http.post(
                    "/v1/tickets/\(ticketID)/solve", key: suite.adminKey, json: [String: Any](),
                    idempotencyKey: "e2e-solve-\(UUID().uuidString)")
                try #require(solved.status == 200, "\(solved)")

                var types: [String] = []
                // The return opened a ticket of its own before `return.requested`.
                try await suite.waitUntil("five timeline entries", timeout: .seconds(15)) {
                    types = try await suite.timelineTypes(customerID)
                    return types.count >= 5
                }
                #expect(
                    types == [
                        "ticket.solved", "ticket.created", "return.requested", "ticket.created", "customer.created",
                    ])
                let timeline = try await suite.http.get("/v1/customers/\(customerID)/timeline", key: suite.adminKey)
                let items = try #require(timeline.object?["items"] as? [[String: Any]], "\(timeline)")
                #expect(items.first?["subject_id"] as? String == ticketID, "\(timeline)")
                #expect((items.first?["summary"] as? String)?.contains("solved") == true, "\(timeline)")
                #expect(items.last?["source"] as? String == "customers", "\(timeline)")
            }
        }

        /// The broker (and with it the event fan-out) is down while events are written: consumers read the log by
        /// themselves and still apply every event.
        @Test func eventsWrittenWhileTheBrokerIsDownAreStillApplied() async throws {
            try await SuiteProcesses.run { suite in
                let customerID = try await suite.createCustomer()
                try await suite.waitUntil("customer.created in the timeline", timeout: .seconds(15)) {
                    try await suite.timelineRows(customerID) == 1
                }
                try await suite.kill9("broker")

                // As the returns service would: one transaction per event, appended to the log.
                for n in 1...3 {
                    let returnID = UUID().uuidString.lowercased()
                    let payload =
                        """
                        {"return_id": "\(returnID)", "customer_id": "\(customerID.lowercased())",
                         "order_reference": "BD-\(n)", "reason": "written while the broker was down",
                         "lines": [{"sku": "SKU-\(n)", "quantity": \(n)}]}
                        """
                    _ = try await TestDatabase.scalar(
                        url: suite.databaseURL,
                        """
                        WITH appended AS (
                            INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version,
                                                    schema_version, payload)
                            VALUES (gen_random_uuid(), 'return.requested', 'returns', 'return', '\(returnID)', 1, 1,
                                    '\(payload)'::jsonb)
                            RETURNING 1)
                        SELECT count(*) FROM appended
                        """)
                }
                try await suite.waitUntil("3 returns in the timeline with the broker down", timeout: .seconds(15)) {
                    try await suite.timelineRows(customerID) == 4
                }
                #expect(!suite.isRunning("broker"))

                try suite.start("broker")
                try await suite.waitForReadiness(timeout: .seconds(30)) { status, _ in status == 200 }
                var types: [String] = []
                try await suite.waitUntil("the timeline over HTTP", timeout: .seconds(15)) {
                    types = try await suite.timelineTypes(customerID)
                    return types.count >= 4
                }
                #expect(types.filter { $0 == "return.requested" }.count == 3, "\(types)")
                #expect(types.last == "customer.created", "\(types)")
                for name in ["customers", "tickets", "returns", "loyalty", "gateway"] {
                    #expect(suite.isRunning(name), "\(name) should have kept running")
                }
            }
        }
    }
}

extension SuiteProcesses {
    fileprivate func loyaltyAccounts(_ customerID: String) async throws -> Int {
        try await TestDatabase.scalar(
            url: databaseURL, "SELECT count(*) FROM loyalty.accounts WHERE customer_id = '\(customerID)'")
    }

    fileprivate func timelineRows(_ customerID: String) async throws -> Int {
        try await TestDatabase.scalar(
            url: databaseURL, "SELECT count(*) FROM customers.timeline WHERE customer_id = '\(customerID)'")
    }

    /// The event types of the customer's timeline over HTTP, as listed (newest first); empty while it fails.
    fileprivate func timelineTypes(_ customerID: String) async throws -> [String] {
        let response = try await http.get("/v1/customers/\(customerID)/timeline", key: adminKey)
        guard response.status == 200, let items = response.object?["items"] as? [[String: Any]] else { return [] }
        return items.compactMap { $0["type"] as? String }
    }
}

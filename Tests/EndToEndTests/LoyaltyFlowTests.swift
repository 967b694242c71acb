import Foundation
import StorePlatforms
import TestSupport
import Testing

extension EndToEnd {
    /// The loyalty story through the real executables: a Shopify order webhook earns pending points, the
    /// fulfilment starts the return window (the fixture's fulfilment is years old, so the window has closed) and the
    /// release job makes them available, the customer redeems a reward with their own key, a partial refund from the
    /// platform reverses that line's share, and a poor CSAT answer grants goodwill exactly once.
    @Suite struct LoyaltyFlow {
        static func body(_ name: String, _ change: (inout [String: Any]) -> Void) throws -> Data {
            var object = try #require(
                try JSONSerialization.jsonObject(with: try StorePlatform.fixture(name)) as? [String: Any])
            change(&object)
            return try JSONSerialization.data(withJSONObject: object)
        }

        @Test func orderEarnsReleasesRedeemsReversesAndAPoorRatingGrantsGoodwillOnce() async throws {
            try await SuiteProcesses.run(
                environment: ["CONCIERGE_LOYALTY_RELEASE_INTERVAL_S": "1", "CONCIERGE_LOYALTY_WINDOW_RECHECK_S": "1"]
            ) { suite in
                let http = suite.http
                let admin = suite.adminKey
                // 1. The paid order (two lines of 199.00 USD: 199 points each at the default 1 point per unit).
                let customerID = try await suite.payShopifyOrder9999()
                func account() async throws -> [String: Any] {
                    try #require(try await http.get("/v1/customers/\(customerID)/loyalty", key: admin).object)
                }
                try await suite.waitUntil("pending points", timeout: .seconds(60)) {
                    (try await account()["pending"] as? Int ?? 0) > 0
                }
                let earned = try await account()
                #expect(earned["pending"] as? Int == 398, "\(earned)")
                #expect(earned["available"] as? Int == 0, "\(earned)")

                // 2. Not fulfilled yet: the window has not started, the points stay pending. The fulfilment
                //    (2021) starts it, and it closed long ago: the release job makes them available.
                let shipped = try await StorePlatform.deliver(
                    http, topic: "fulfillments/create", body: try StorePlatform.fixture("fulfillments_create"))
                try #require(shipped.status == 200, "\(shipped)")
                try await suite.waitUntil("available points", timeout: .seconds(60)) {
                    try await account()["available"] as? Int == 398
                }
                #expect(try await account()["pending"] as? Int == 0)

                // 3. The customer redeems a 100-point reward with their own key.
                let reward = try await http.post(
                    "/v1/loyalty/rewards", key: admin,
                    json: [
                        "name": "5 USD off", "kind": "fixed_discount", "points_cost": 100, "value_minor": 500,
                        "currency": "USD",
                    ], idempotencyKey: "e2e-reward")
                try #require(reward.status == 201, "\(reward)")
                let rewardID = try #require(reward.string("reward_id"))
                let customerKey = try await suite.createKey(role: "customer", customerID: customerID)
                let redeemed = try await http.post(
                    "/v1/customers/\(customerID)/loyalty/redemptions", key: customerKey, json: ["reward_id": rewardID],
                    idempotencyKey: "e2e-redeem")
                try #require(redeemed.status == 201, "\(redeemed)")
                #expect(redeemed.string("code")?.hasPrefix("LOY-") == true)
                #expect(try await account()["available"] as? Int == 298)
                let someoneElse = try await http.post(
                    "/v1/customers/\(UUID().uuidString)/loyalty/redemptions", key: customerKey,
                    json: ["reward_id": rewardID], idempotencyKey: "e2e-redeem-other")
                #expect(someoneElse.status == 403, "\(someoneElse)")

                // 4. The platform refunds one of the two units: that line's 199 points are reversed.
                let refund = try await StorePlatform.deliver(
                    http, topic: "refunds/create",
                    body: try Self.body("refunds_create") { refund in
                        let lines = refund["refund_line_items"] as? [[String: Any]] ?? []
                        refund["refund_line_items"] = Array(lines.prefix(1))
                    })
                try #require(refund.status == 200, "\(refund)")
                try await suite.waitUntil("the reversal", timeout: .seconds(60)) {
                    try await account()["available"] as? Int == 99
                }
                #expect(try await account()["lifetime"] as? Int == 199)

                // 5. A ticket, solved; the customer rates it 1: the retention rule grants 50 points, once.
                let rule = try await http.request(
                    "PUT", "/v1/loyalty/retention-rules/low_csat", key: admin,
                    json: ["enabled": true, "points": 50, "open_task": true, "max_rating": 2],
                    headers: ["Idempotency-Key": "e2e-rule"])
                try #require(rule.status == 200, "\(rule)")
                let ticketID = try await suite.openTicket(customerID: customerID)
                let agent = try await http.post(
                    "/v1/agents", key: admin, json: ["name": "Bo", "email": "bo@shop.example"])
                try #require(agent.status == 201, "\(agent)")
                let assigned = try await http.request(
                    "PATCH", "/v1/tickets/\(ticketID)", key: admin, json: ["assignee_id": agent.string("id") ?? ""])
                try #require(assigned.status == 200, "\(assigned)")
                let answer = try await http.post(
                    "/v1/tickets/\(ticketID)/messages", key: admin, json: ["body": "It is on its way."])
                try #require(answer.status == 201, "\(answer)")
                let solved = try await http.post("/v1/tickets/\(ticketID)/solve", key: admin, json: [String: Any]())
                try #require(solved.status == 200, "\(solved)")
                var token: String?
                try await suite.waitUntil("the CSAT request", timeout: .seconds(60)) {
                    token = try await TestDatabase.scalarText(
                        url: suite.databaseURL,
                        "SELECT payload->>'token' FROM events.log WHERE type = 'feedback.csat_requested'")
                    return token != nil
                }
                let link = "/feedback/csat/\(try #require(token))"
                let rated = try await http.post(link, key: nil, json: ["rating": 1, "comment": "Too slow"])
                try #require(rated.status == 200, "\(rated)")
                try await suite.waitUntil("the goodwill", timeout: .seconds(60)) {
                    try await account()["available"] as? Int == 149
                }
                // The customer changes the answer: the same case, nothing more.
                let changed = try await http.post(link, key: nil, json: ["rating": 2])
                try #require(changed.status == 200, "\(changed)")
                try await suite.waitUntil("both answers applied by loyalty", timeout: .seconds(60)) {
                    try await TestDatabase.scalar(
                        url: suite.databaseURL,
                        """
                        SELECT count(*) FROM loyalty.applied_events a JOIN events.log e ON e.id = a.event_id
                        WHERE a.consumer = 'loyalty.program' AND e.type = 'feedback.csat_received'
                        """) == 2
                }
                #expect(try await account()["available"] as? Int == 149)
                #expect(
                    try await TestDatabase.scalar(
                        url: suite.databaseURL, "SELECT count(*) FROM loyalty.entries WHERE kind = 'goodwill'") == 1)
                let tasks = try await http.get("/v1/loyalty/tasks", key: admin)
                #expect((tasks.object?["items"] as? [Any])?.count == 1, "\(tasks)")

                // The ledger explains every balance, and the customer's history shows it.
                let entries = try await http.get("/v1/customers/\(customerID)/loyalty/entries", key: customerKey)
                let kinds = (entries.object?["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
                #expect(kinds == ["goodwill", "reverse", "redeem", "release", "earn"], "\(entries)")
                let verified = try await http.post("/v1/loyalty/ledger/verify", key: admin, json: [String: Any]())
                #expect((verified.object?["mismatched"] as? [Any])?.isEmpty == true, "\(verified)")
                try await suite.waitUntil("loyalty on the timeline", timeout: .seconds(60)) {
                    let timeline = try await http.get("/v1/customers/\(customerID)/timeline?limit=100", key: admin)
                    let summaries = (timeline.object?["items"] as? [[String: Any]] ?? []).compactMap {
                        $0["summary"] as? String
                    }
                    return summaries.contains("398 points from order #9999 are now available")
                        && summaries.contains("Earned 398 points (pending) on order #9999")
                }
            }
        }
    }
}

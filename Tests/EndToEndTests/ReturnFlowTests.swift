import Foundation
import StorePlatforms
import TestSupport
import Testing

extension EndToEnd {
    /// The returns story through the real executables and HTTP: a Shopify order earns pending points, the customer
    /// starts a return by order number and email with their own key, the default policy approves it, a label is
    /// issued and printed, receipt and inspection are recorded, the refund is issued, the return's ticket shows
    /// each step, the returned line's points are reversed (and not again when the platform's own refund webhook
    /// echoes the refund), the refund is confirmed by that webhook, and the analytics count it.
    @Suite struct ReturnFlow {
        @Test func selfServiceReturnToRefundReversesPointsAndShowsOnTheTicket() async throws {
            try await SuiteProcesses.run { suite in
                let http = suite.http
                let admin = suite.adminKey
                let customerID = try await suite.payShopifyOrder9999()
                func account() async throws -> [String: Any] {
                    try #require(try await http.get("/v1/customers/\(customerID)/loyalty", key: admin).object)
                }
                try await suite.waitUntil("pending points", timeout: .seconds(60)) {
                    try await account()["pending"] as? Int == 398
                }
                // Shipped today: the 30-day window of the default policy is open.
                let now = ISO8601DateFormatter().string(from: Date())
                let shipped = try await StorePlatform.deliver(
                    http, topic: "fulfillments/create",
                    body: try LoyaltyFlow.body("fulfillments_create") { fulfillment in
                        fulfillment["created_at"] = now
                        fulfillment["updated_at"] = now
                        fulfillment["status"] = "success"
                    })
                try #require(shipped.status == 200, "\(shipped)")
                let orderID = try await waitForOrder(suite, number: "#9999")
                try await suite.waitUntil("the window has started", timeout: .seconds(60)) {
                    let window = try await http.get("/v1/orders/\(orderID)/return-window", key: admin)
                    return window.status == 200 && window.string("closes_at") != nil
                }

                // 2. The customer asks, with their own key, by order number and email: approved by the policy.
                let customerKey = try await suite.createKey(role: "customer", customerID: customerID)
                let requested = try await http.post(
                    "/v1/returns", key: customerKey,
                    json: [
                        "order_number": "#9999", "email": "jon@example.com", "reason": "Too small",
                        "lines": [
                            ["platform_line_id": 866_550_311_766_439_020, "quantity": 1, "reason": "size.too_small"]
                        ],
                    ], idempotencyKey: "e2e-return")
                try #require(requested.status == 201, "\(requested)")
                #expect(requested.string("status") == "approved", "\(requested)")
                let returnID = try #require(requested.string("id"))
                let ticketID = try #require(requested.string("ticket_id"))

                // 3. Label, transit, receipt, inspection, refund: each by staff over HTTP.
                func act(_ step: String, _ body: [String: Any] = [:]) async throws -> HTTPResponse {
                    let reply = try await http.post(
                        "/v1/returns/\(returnID)/\(step)", key: admin, json: body,
                        idempotencyKey: "e2e-return-\(step)")
                    #expect(reply.status == 200, "\(step): \(reply)")
                    return reply
                }
                #expect(try await act("label").string("status") == "label_issued")
                let label = try await http.get("/v1/returns/\(returnID)/label", key: customerKey)
                #expect(label.status == 200)
                #expect(label.headers["content-type"] == "image/svg+xml")
                #expect(try await act("in-transit").string("status") == "in_transit")
                #expect(try await act("receive").string("status") == "received")
                #expect(
                    try await act("inspect", ["lines": [["line_no": 1, "condition": "restock"]]]).string("status")
                        == "inspected")
                let resolved = try await act("resolve", ["resolution": "refund"])
                #expect(resolved.string("status") == "resolved")
                let refund = try #require(resolved.object?["refund"] as? [String: Any])
                #expect((refund["amount"] as? [String: Any])?["amount_minor"] as? Int == 19_900, "\(refund)")

                // 4. The returned line's 199 points are reversed; the other line's stay pending.
                try await suite.waitUntil("the reversal", timeout: .seconds(60)) {
                    try await account()["pending"] as? Int == 199
                }

                // 5. The platform's own refund webhook for that line confirms the refund and reverses nothing more.
                let echo = try await StorePlatform.deliver(
                    http, topic: "refunds/create",
                    body: try LoyaltyFlow.body("refunds_create") { body in
                        let lines = body["refund_line_items"] as? [[String: Any]] ?? []
                        body["refund_line_items"] = Array(lines.prefix(1))
                        // The money the platform moved for it: the 199.00 the return's refund asked for.
                        var transactions = body["transactions"] as? [[String: Any]] ?? []
                        transactions = Array(transactions.prefix(1))
                        if !transactions.isEmpty { transactions[0]["amount"] = "199.00" }
                        body["transactions"] = transactions
                    })
                try #require(echo.status == 200, "\(echo)")
                try await suite.waitUntil("the refund confirmed", timeout: .seconds(60)) {
                    let read = try await http.get("/v1/returns/\(returnID)", key: admin)
                    return (read.object?["refund"] as? [String: Any])?["status"] as? String == "confirmed"
                }
                try await suite.waitUntil("loyalty applied the platform refund", timeout: .seconds(60)) {
                    try await TestDatabase.scalar(
                        url: suite.databaseURL,
                        """
                        SELECT count(*) FROM loyalty.applied_events a JOIN events.log e ON e.id = a.event_id
                        WHERE a.consumer = 'loyalty.program' AND e.type = 'order.refunded'
                        """) == 1
                }
                #expect(try await account()["pending"] as? Int == 199)

                // 6. The ticket tells the story, step by step (internal notes for staff).
                try await suite.waitUntil("every step on the ticket", timeout: .seconds(60)) {
                    let ticket = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                    let bodies = (ticket.object?["messages"] as? [[String: Any]] ?? []).compactMap {
                        $0["body"] as? String
                    }
                    return bodies.filter { $0.contains("[return-event") }.count >= 6
                }

                // 7. The analytics count it.
                let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
                let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
                let analytics = try await http.get("/v1/returns/analytics?from=\(from)&to=\(to)", key: admin)
                #expect(analytics.status == 200, "\(analytics)")
                let overall = try #require(analytics.object?["overall"] as? [String: Any], "\(analytics)")
                #expect(overall["returns"] as? Int == 1, "\(overall)")
            }
        }

        /// The Concierge id of the mirrored order `number`.
        private func waitForOrder(_ suite: SuiteProcesses, number: String) async throws -> String {
            var id = ""
            try await suite.waitUntil("the mirrored order") {
                let text = try await TestDatabase.scalarText(
                    url: suite.databaseURL, "SELECT id::text FROM customers.orders WHERE number = '\(number)'")
                id = text ?? ""
                return text != nil
            }
            return id
        }
    }
}

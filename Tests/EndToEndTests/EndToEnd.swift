import Foundation
import StorePlatforms
import TestSupport
import Testing

/// End-to-end tests: the real executables from `CONCIERGE_BIN_DIR` (default `.build/debug`) over a fresh database on
/// the server named by `CONCIERGE_TEST_DATABASE_URL`, spoken to over HTTP.
///
/// Serialized: each test starts six or more processes, and running them side by side would only make them slower.
@Suite(.serialized, .enabled(if: TestDatabase.isConfigured, "CONCIERGE_TEST_DATABASE_URL is not set"))
enum EndToEnd {}

extension SuiteProcesses {
    /// Creates a customer as the admin and returns its id.
    func createCustomer(email: String = "e2e-\(UUID().uuidString.prefix(8).lowercased())@example.com") async throws
        -> String
    {
        let response = try await http.post("/v1/customers", key: adminKey, json: ["email": email, "name": "E2E"])
        try #require(response.status == 201, "create customer: \(response)")
        return try #require(response.string("id"))
    }

    /// Opens a ticket as the admin and returns its id.
    func openTicket(customerID: String, subject: String = "Where is my order?") async throws -> String {
        let response = try await http.post(
            "/v1/tickets", key: adminKey,
            json: ["customer_id": customerID, "subject": subject, "message": "It has not arrived.", "channel": "email"])
        try #require(response.status == 201, "open ticket: \(response)")
        return try #require(response.string("id"))
    }

    /// Creates an API key as the admin and returns its secret.
    func createKey(role: String, customerID: String? = nil) async throws -> String {
        var body: [String: Any] = ["name": "e2e \(role)", "role": role]
        if let customerID { body["customer_id"] = customerID }
        let response = try await http.post("/v1/api-keys", key: adminKey, json: body)
        try #require(response.status == 201, "create key: \(response)")
        return try #require(response.string("secret"))
    }

    /// Connects the e2e Shopify store and delivers the shared `orders/paid` sample (made paid and not cancelled:
    /// order #9999, two 199.00 USD lines, jon@example.com); returns the id of the customer it made.
    func payShopifyOrder9999() async throws -> String {
        let store = try await http.post(
            "/v1/stores", key: adminKey,
            json: [
                "platform": "shopify", "shop_domain": EndToEnd.StorePlatform.shop, "name": "E2E shop",
                "webhook_secret": EndToEnd.StorePlatform.secret,
            ], idempotencyKey: "e2e-store")
        try #require(store.status == 201, "\(store)")
        let paid = try await EndToEnd.StorePlatform.deliver(
            http, topic: "orders/paid",
            body: try EndToEnd.LoyaltyFlow.body("orders_paid") { order in
                order["financial_status"] = "paid"
                order["cancelled_at"] = NSNull()  // the fixture is a cancelled order
                order["cancel_reason"] = NSNull()
            })
        try #require(paid.status == 200, "\(paid)")
        var customerID = ""
        try await waitUntil("the order's customer") {
            let found = try await http.get("/v1/customers?q=%239999", key: adminKey)
            guard let id = (found.object?["items"] as? [[String: Any]])?.first?["id"] as? String else { return false }
            customerID = id
            return true
        }
        return customerID
    }

    /// `SELECT count(*) FROM table` in this suite's database.
    func count(_ table: String) async throws -> Int {
        try await TestDatabase.scalar(url: databaseURL, "SELECT count(*) FROM \(table)")
    }

    /// Waits until the loyalty consumer has opened an account for every customer (a guard, at most 60 s).
    func waitForAccounts() async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while try await count("loyalty.accounts") < count("customers.customers") {
            guard ContinuousClock.now < giveUp else {
                throw TestSetupError("the loyalty consumer did not open every account within 60 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Row counts of every table a request could write, once the loyalty consumer has caught up (accounts are
    /// opened by `customer.created` events, so a count taken earlier could change by itself).
    func rowCounts() async throws -> [String: Int] {
        try await waitForAccounts()
        var counts: [String: Int] = [:]
        for table in [
            "customers.customers", "tickets.tickets", "tickets.messages", "returns.returns", "returns.return_lines",
            "gateway.api_keys", "loyalty.accounts",
        ] {
            counts[table] = try await count(table)
        }
        return counts
    }
}

import Contracts
import CustomersService
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// Shopify's privacy webhooks applied by `PrivacyCompliance` on a migrated database.
@Suite("Privacy compliance webhooks", .enabled(if: TestDatabase.isConfigured))
struct PrivacyComplianceTests {
    static let shop = UUID()
    static let otherShop = UUID()

    private func apply(_ update: StoreUpdate, delivery: UUID, url: String, store: UUID = shop) async throws -> String {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.transaction { connection in
                try await PrivacyCompliance.apply(
                    update, storeID: store, deliveryID: delivery, on: connection, logger: Fixture.logger)
            }
        }
    }

    private func exec(_ url: String, _ sql: String) async throws {
        try await TestDatabase.withClient(url: url) { client, logger in
            for statement in sql.components(separatedBy: ";\n") {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    private func order(_ id: Int64, customer: UUID?, store: UUID = shop) -> String {
        """
        INSERT INTO customers.orders (id, store_id, platform, platform_order_id, number, customer_id, email, phone,
            state, currency, total_minor, billing_address, placed_at)
        VALUES ('\(UUID())', '\(store)', 'shopify', \(id), '#\(id)', \(customer.map { "'\($0)'" } ?? "NULL"),
            'someone@example.com', '+4930123456', 'open', 'EUR', 999, '{"line1":"x"}', now())
        """
    }

    @Test func dataRequestIsRecordedOnceWithTheCustomerFoundByPlatformIDThenEmail() async throws {
        try await Fixture.withRouters { routers in
            let ada = try await routers.customers.createCustomer(email: "ada@example.com")
            let bob = try await routers.customers.createCustomer(email: "bob@example.com")
            try await exec(
                routers.url,
                "INSERT INTO customers.identities (kind, scope, value, customer_id) VALUES ('shopify', '\(Self.shop)', '42', '\(bob.id)')"
            )
            let first = UUID()
            let byID = StoreUpdate.customerDataRequest(
                platformCustomerID: 42, email: "ada@example.com", phone: nil, platformOrderIDs: [])
            #expect(try await apply(byID, delivery: first, url: routers.url) == "applied")
            #expect(try await apply(byID, delivery: first, url: routers.url) == "applied")
            let byEmail = StoreUpdate.customerDataRequest(
                platformCustomerID: 7, email: " ADA@example.com ", phone: nil, platformOrderIDs: [])
            _ = try await apply(byEmail, delivery: UUID(), url: routers.url)
            let unknown = StoreUpdate.customerDataRequest(
                platformCustomerID: nil, email: "nobody@example.com", phone: nil, platformOrderIDs: [])
            _ = try await apply(unknown, delivery: UUID(), url: routers.url)

            let reply = try await routers.customers.call(Operation.Customers.listDataRequests, ListDataRequests())
            let page = try reply.decoded(Page<DataRequest>.self)
            #expect(page.items.count == 3)
            #expect(Set(page.items.map(\.customerID)) == [bob.id, ada.id, nil])
            #expect(page.items.allSatisfy { $0.status == .open && $0.storeID == Self.shop })
            let limited = try await routers.customers.call(
                Operation.Customers.listDataRequests, ListDataRequests(limit: 2))
            let firstPage = try limited.decoded(Page<DataRequest>.self)
            #expect(firstPage.items.count == 2)
            let cursor = try #require(firstPage.nextCursor)
            let rest = try await routers.customers.call(
                Operation.Customers.listDataRequests, ListDataRequests(limit: 2, cursor: cursor))
            #expect(try rest.decoded(Page<DataRequest>.self).items.count == 1)
            let agent = try await routers.customers.call(
                Operation.Customers.listDataRequests, ListDataRequests(), principal: .agent)
            #expect(agent.status == 403)
        }
    }

    @Test func customerRedactErasesTheCustomerOnceAndUnknownCustomersAreRecorded() async throws {
        try await Fixture.withRouters { routers in
            let ada = try await routers.customers.createCustomer(email: "ada@example.com")
            try await exec(routers.url, order(1001, customer: ada.id) + ";\n" + order(1002, customer: nil))
            let redact = StoreUpdate.customerRedact(
                platformCustomerID: nil, email: "ada@example.com", phone: nil, platformOrderIDs: [1001, 1002])
            let delivery = UUID()
            #expect(try await apply(redact, delivery: delivery, url: routers.url) == "applied")
            #expect(try await apply(redact, delivery: delivery, url: routers.url) == "applied")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.erasures WHERE reason = 'shopify.customers_redact' AND customer_id = '\(ada.id)'"
                ) == 1)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.customers WHERE email IS NULL AND erased_at IS NOT NULL")
                    == 1)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.orders WHERE email IS NULL AND phone IS NULL AND billing_address IS NULL AND total_minor = 999"
                ) == 2)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM events.log WHERE type = 'customer.erased'") == 1)

            let nobody = StoreUpdate.customerRedact(
                platformCustomerID: 5, email: "nobody@example.com", phone: nil, platformOrderIDs: [])
            #expect(try await apply(nobody, delivery: UUID(), url: routers.url) == "applied")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.redactions WHERE kind = 'customer_redact' AND cardinality(erased_customer_ids) = 0"
                ) == 1)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM events.log WHERE type = 'customer.erased'") == 1)

            let status = try await routers.customers.call(
                Operation.Customers.erasureStatus, GetErasureStatus(customerID: ada.id))
            let decoded = try status.decoded(ErasureStatus.self)
            #expect(decoded.reason == "shopify.customers_redact")
            #expect(decoded.services.customers != nil)
            #expect(decoded.services.tickets == nil)
            #expect(!decoded.complete)
            #expect(status.bodyText.contains("\"tickets\":null"))
        }
    }

    @Test func shopRedactErasesOnlyCustomersOfThatShopAndRedactsItsOrders() async throws {
        try await Fixture.withRouters { routers in
            let only = try await routers.customers.createCustomer(email: "only@example.com")
            let both = try await routers.customers.createCustomer(email: "both@example.com")
            let elsewhere = try await routers.customers.createCustomer(email: "elsewhere@example.com")
            try await exec(
                routers.url,
                """
                INSERT INTO customers.identities (kind, scope, value, customer_id)
                VALUES ('shopify', '\(Self.shop)', '1', '\(only.id)'), ('shopify', '\(Self.shop)', '2', '\(both.id)');
                \(order(2001, customer: only.id));
                \(order(2002, customer: both.id, store: Self.otherShop));
                \(order(2003, customer: elsewhere.id, store: Self.otherShop))
                """)
            #expect(
                try await apply(.shopRedact(shopDomain: "x.myshopify.com"), delivery: UUID(), url: routers.url)
                    == "applied")
            let erased = try await TestDatabase.withClient(url: routers.url) { client, logger in
                var ids: Set<UUID> = []
                let rows = try await client.query(
                    "SELECT customer_id FROM customers.erasures WHERE reason = 'shopify.shop_redact'", logger: logger)
                for try await id in rows.decode(UUID.self) { ids.insert(id) }
                return ids
            }
            #expect(erased == [only.id])
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.orders WHERE email IS NOT NULL") == 2)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.orders WHERE store_id = '\(Self.shop)' AND email IS NULL") == 1)
        }
    }

    @Test func otherUpdatesAreRefused() async throws {
        _ = try await Fixture.withRouters { routers in
            await #expect(throws: Problem.self) {
                _ = try await apply(.ping, delivery: UUID(), url: routers.url)
            }
        }
    }
}

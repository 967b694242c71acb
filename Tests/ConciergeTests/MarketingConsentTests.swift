import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// Marketing consent from the store platform, and marketing audiences that respect consent.
@Suite("Marketing consent: platform decisions and consented audiences", .enabled(if: TestDatabase.isConfigured))
struct MarketingConsentTests {
    /// A Shopify `customers/*` body with `email_marketing_consent`.
    private func shopifyCustomer(state: String, consentAt: String, updatedAt: String) -> String {
        #"""
        {"id":8801,"email":"cleo@example.com","first_name":"Cleo","last_name":"Ng","updated_at":"\#(updatedAt)",
         "tags":"","addresses":[],
         "email_marketing_consent":{"state":"\#(state)","opt_in_level":"single_opt_in",
                                    "consent_updated_at":"\#(consentAt)"},
         "sms_marketing_consent":null}
        """#
    }

    private func consentRows(_ url: String, _ customer: UUID) async throws -> Int {
        try await TestDatabase.scalar(
            url: url, "SELECT count(*) FROM customers.consents WHERE customer_id = '\(customer)'")
    }

    @Test func platformDecisionsAreRecordedWhenTheyChangeAndNeverOverrideANewerOne() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/create",
                body: shopifyCustomer(
                    state: "subscribed", consentAt: "2025-03-01T10:00:00Z", updatedAt: "2025-03-01T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            let found = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "cleo@example.com"))
            var customer = try found.decoded(Customer.self)
            #expect(MarketingPermission.allows(customer, on: .email))
            #expect(customer.consents.first?.source == "shopify")
            #expect(customer.consents.first?.legalBasis == .consent)
            #expect(customer.consents.first?.recordedAt == ISO8601DateFormatter().date(from: "2025-03-01T10:00:00Z"))
            #expect(!MarketingPermission.allows(customer, on: .sms))

            // The same decision again (a later profile update): no new history row.
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/update",
                body: shopifyCustomer(
                    state: "subscribed", consentAt: "2025-03-01T10:00:00Z", updatedAt: "2025-03-02T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await consentRows(routers.url, customer.id) == 1)

            // Unsubscribed on the platform later: withdrawn here too.
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/update",
                body: shopifyCustomer(
                    state: "unsubscribed", consentAt: "2025-03-03T10:00:00Z", updatedAt: "2025-03-03T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            customer = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
                .decoded(Customer.self)
            #expect(!MarketingPermission.allows(customer, on: .email))
            #expect(try await consentRows(routers.url, customer.id) == 2)

            // The customer grants it again in Concierge (now); a platform decision older than that is not applied.
            _ = try await routers.customers.call(
                Operation.Customers.setConsent,
                SetConsent(customerID: customer.id, channel: .email, granted: true, legalBasis: .consent))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/update",
                body: shopifyCustomer(
                    state: "not_subscribed", consentAt: "2025-03-04T10:00:00Z", updatedAt: "2025-03-04T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            customer = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
                .decoded(Customer.self)
            #expect(MarketingPermission.allows(customer, on: .email))
            #expect(try await consentRows(routers.url, customer.id) == 3)
        }
    }

    @Test func aNeverAskedCustomerGetsNoRecordAndAnOrderBuyerCarriesTheirConsent() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/create",
                body: shopifyCustomer(
                    state: "not_subscribed", consentAt: "2025-03-01T10:00:00Z", updatedAt: "2025-03-01T10:00:00Z"))
            // An order whose buyer (Shopify's `customer` object) opted in to SMS at checkout.
            let order = ShopifyBody.order(id: 6_100_000_000_000_001, email: "dev@example.com", customerID: 8802)
                .replacingOccurrences(
                    of: #""phone":null,"updated_at":"2025-03-01T10:00:00Z"}"#,
                    with: #"""
                        "phone":"+14155550111","updated_at":"2025-03-01T10:00:00Z",
                        "sms_marketing_consent":{"state":"subscribed","consent_updated_at":"2025-03-01T09:59:00Z"}}
                        """#)
            #expect(order.contains("sms_marketing_consent"))
            try await StoreSyncFixture.deliver(routers, store: store, topic: "orders/create", body: order)
            try await StoreSyncFixture.sync(routers.url)

            let cleo = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "cleo@example.com")
            ).decoded(Customer.self)
            #expect(cleo.consents.isEmpty)
            let buyer = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "dev@example.com")
            ).decoded(Customer.self)
            #expect(MarketingPermission.channels(for: buyer) == [.sms])
        }
    }

    @Test func aConsentedAudienceHoldsOnlyMembersWhoseCurrentConsentIsAGrant() async throws {
        try await Fixture.withRouters { routers in
            let granted = try await routers.customers.createCustomer()
            let withdrawn = try await routers.customers.createCustomer()
            let neverAsked = try await routers.customers.createCustomer()
            for (customer, decisions) in [(granted, [true]), (withdrawn, [true, false])] {
                for (index, decision) in decisions.enumerated() {
                    let reply = try await routers.customers.call(
                        Operation.Customers.setConsent,
                        SetConsent(customerID: customer.id, channel: .email, granted: decision, legalBasis: .consent),
                        key: "consent-\(customer.id)-\(index)")
                    #expect(reply.status == 200)
                }
            }
            _ = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "everyone", rule: SegmentRule()))

            func members(_ channel: ConsentChannel?) async throws -> Set<UUID> {
                let page = try await routers.customers.call(
                    Operation.Customers.segmentMembers, SegmentMembers(name: "everyone", consented: channel)
                ).decoded(Page<Customer>.self)
                return Set(page.items.map(\.id))
            }
            #expect(try await members(nil) == [granted.id, withdrawn.id, neverAsked.id])
            #expect(try await members(.email) == [granted.id])
            #expect(try await members(.sms) == [])

            let bad = try await routers.customers.call(
                Operation.Customers.segmentMembers, json: #"{"name":"everyone","consented":"fax"}"#)
            #expect(bad.status == 422)
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Segment rules: strict validation")
struct SegmentRuleValidationTests {
    func decode(_ json: String) throws -> DefineSegment {
        try PayloadDecoder.decode(DefineSegment.self, from: Array(json.utf8))
    }

    @Test func unknownKeysAreRefusedAtEveryLevel() {
        for json in [
            #"{"name":"a","rule":{"min_order":1}}"#,
            #"{"name":"a","rule":{"rfm_min":{"recent":3}}}"#,
            #"{"name":"a","rule":{"min_lifetime_value":{"amount_minor":1,"currency":"EUR","x":1}}}"#,
            #"{"name":"a","rule":{},"colour":"red"}"#,
        ] {
            #expect(throws: Problem.self, "\(json)") { try decode(json) }
        }
    }

    @Test func badValuesAreRefused() {
        for json in [
            #"{"name":"Bad Name","rule":{}}"#,
            #"{"name":"a","rule":{"min_orders":-1}}"#,
            #"{"name":"a","rule":{"min_orders":5,"max_orders":2}}"#,
            #"{"name":"a","rule":{"rfm_min":{"recency":6}}}"#,
            #"{"name":"a","rule":{"min_lifetime_value":{"amount_minor":1,"currency":"euro"}}}"#,
            #"{"name":"a","rule":{"tags_any":[""]}}"#,
            #"{"name":"a","rule":{"vip":"yes"}}"#,
        ] {
            #expect(throws: Problem.self, "\(json)") { try decode(json) }
        }
    }

    @Test func aFullRuleDecodesAndRoundTrips() throws {
        let json = #"""
            {"name":"big-spenders","description":"d","rule":{"min_orders":1,"max_orders":9,
             "min_lifetime_value":{"amount_minor":100,"currency":"EUR"},"max_days_since_last_order":30,
             "min_days_since_last_order":0,"rfm_min":{"monetary":4},"tags_any":["a"],"tags_all":["b"],"vip":true}}
            """#
        let input = try decode(json)
        #expect(input.rule.rfmMin == SegmentRule.RFMMinimum(monetary: 4))
        let again = try WireJSON.decoder.decode(SegmentRule.self, from: WireJSON.encoder.encode(input.rule))
        #expect(again == input.rule)
    }
}

@Suite("Customer stats, RFM and segments", .enabled(if: TestDatabase.isConfigured))
struct SegmentTests {
    @Test func statsComeFromNonCancelledOrders() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            try await ProfileFixture.order(
                routers.url, customer: customer.id, number: "1", totalMinor: 1000, daysAgo: 10)
            try await ProfileFixture.order(
                routers.url, customer: customer.id, number: "2", totalMinor: 3000, refundedMinor: 500, daysAgo: 2)
            try await ProfileFixture.order(
                routers.url, customer: customer.id, number: "3", totalMinor: 9999, state: "cancelled", daysAgo: 1)
            try await ProfileFixture.order(
                routers.url, customer: customer.id, number: "4", totalMinor: 700, currency: "USD", daysAgo: 5)
            try await ProfileFixture.score(routers.url)
            let got = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
            let stats = try #require(try got.decoded(Customer.self).stats)
            #expect(stats.orderCount == 3)
            #expect(
                stats.lifetimeValue == [
                    Money(amountMinor: 3500, currency: "EUR"), Money(amountMinor: 700, currency: "USD"),
                ])
            let first = try #require(stats.firstOrderAt)
            let last = try #require(stats.lastOrderAt)
            #expect(abs(first.timeIntervalSinceNow + 10 * 86_400) < 60)
            #expect(abs(last.timeIntervalSinceNow + 2 * 86_400) < 60)
            #expect(stats.rfm == RFMScores(recency: 1, frequency: 1, monetary: 1))
            #expect(!stats.vip)
        }
    }

    /// The per-customer totals follow every change of the customer's orders at once; only the quintiles wait for
    /// the scoring pass.
    @Test func totalsFollowOrderChangesAndScoresWaitForThePass() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            func stats() async throws -> CustomerStats? {
                try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
                    .decoded(Customer.self).stats
            }
            try await ProfileFixture.order(routers.url, customer: customer.id, number: "1", totalMinor: 1000)
            try await ProfileFixture.order(routers.url, customer: customer.id, number: "2", totalMinor: 2000)
            let before = try #require(try await stats())
            #expect(before.orderCount == 2)
            #expect(before.lifetimeValue == [Money(amountMinor: 3000, currency: "EUR")])
            #expect(before.rfm == nil)
            try await ProfileFixture.score(routers.url)
            #expect(try await stats()?.rfm == RFMScores(recency: 1, frequency: 1, monetary: 1))
            try await ProfileFixture.execute(
                routers.url, "UPDATE customers.orders SET state = 'cancelled' WHERE number = '2'")
            #expect(try await stats()?.orderCount == 1)
            try await ProfileFixture.execute(
                routers.url, "UPDATE customers.orders SET refunded_minor = 400 WHERE number = '1'")
            #expect(try await stats()?.lifetimeValue == [Money(amountMinor: 600, currency: "EUR")])
            try await ProfileFixture.execute(routers.url, "DELETE FROM customers.orders WHERE number = '1'")
            #expect(try await stats() == nil)
            let rows = try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.order_totals")
            #expect(rows == 0)
        }
    }

    /// Five customers with 1..5 orders of growing value, the most frequent also the most recent: quintiles 1..5.
    @Test func rfmIsByQuintileAndVIPFollowsTheFormula() async throws {
        try await Fixture.withRouters { routers in
            var customers: [Customer] = []
            for index in 1...5 {
                let customer = try await routers.customers.createCustomer()
                customers.append(customer)
                for order in 0..<index {
                    try await ProfileFixture.order(
                        routers.url, customer: customer.id, number: "\(index)-\(order)",
                        totalMinor: Int64(index) * 1000,
                        daysAgo: 60 - index * 10 + order)
                }
            }
            let tagged = try await routers.customers.createCustomer()
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: tagged.id, tags: ["VIP"]))
            try await ProfileFixture.score(routers.url)
            for (index, customer) in customers.enumerated() {
                let got = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
                let stats = try #require(try got.decoded(Customer.self).stats)
                #expect(stats.rfm == RFMScores(recency: index + 1, frequency: index + 1, monetary: index + 1))
                #expect(stats.vip == (index == 4))
            }
            // vip by tag, without orders: no stats, but the vip segment holds it.
            _ = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "vips", rule: SegmentRule(vip: true)))
            let members = try await routers.customers.call(
                Operation.Customers.segmentMembers, SegmentMembers(name: "vips"))
            #expect(
                Set(try members.decoded(Page<Customer>.self).items.map(\.id)) == [customers[4].id, tagged.id])
        }
    }

    @Test func eachRuleFieldSelectsItsMembers() async throws {
        try await Fixture.withRouters { routers in
            let none = try await routers.customers.createCustomer()
            let recent = try await routers.customers.createCustomer()
            let lapsed = try await routers.customers.createCustomer()
            let big = try await routers.customers.createCustomer()
            try await ProfileFixture.order(routers.url, customer: recent.id, number: "r", totalMinor: 500, daysAgo: 3)
            try await ProfileFixture.order(routers.url, customer: lapsed.id, number: "l", totalMinor: 500, daysAgo: 200)
            for order in 0..<3 {
                try await ProfileFixture.order(
                    routers.url, customer: big.id, number: "b\(order)", totalMinor: 50_000, daysAgo: 20 + order)
            }
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: none.id, tags: ["Newsletter", "wholesale"]))
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: recent.id, tags: ["newsletter"]))
            try await ProfileFixture.score(routers.url)

            let cases: [(String, SegmentRule, Set<UUID>)] = [
                ("everyone", SegmentRule(), [none.id, recent.id, lapsed.id, big.id]),
                ("repeat", SegmentRule(minOrders: 2), [big.id]),
                ("one-timers", SegmentRule(minOrders: 1, maxOrders: 1), [recent.id, lapsed.id]),
                ("never", SegmentRule(maxOrders: 0), [none.id]),
                ("ltv", SegmentRule(minLifetimeValue: .init(amountMinor: 100_000, currency: "EUR")), [big.id]),
                ("ltv-usd", SegmentRule(minLifetimeValue: .init(amountMinor: 1, currency: "USD")), []),
                ("active", SegmentRule(maxDaysSinceLastOrder: 30), [recent.id, big.id]),
                ("lapsed", SegmentRule(minDaysSinceLastOrder: 90), [lapsed.id]),
                ("top-monetary", SegmentRule(rfmMin: .init(monetary: 3)), [big.id]),
                ("any-tag", SegmentRule(tagsAny: ["NEWSLETTER"]), [none.id, recent.id]),
                ("all-tags", SegmentRule(tagsAll: ["newsletter", "wholesale"]), [none.id]),
                ("not-vip", SegmentRule(vip: false), [none.id, recent.id, lapsed.id, big.id]),
                ("combined", SegmentRule(minOrders: 1, tagsAny: ["newsletter"]), [recent.id]),
            ]
            for (name, rule, expected) in cases {
                let defined = try await routers.customers.call(
                    Operation.Customers.defineSegment, DefineSegment(name: name, rule: rule))
                #expect(defined.status == 200, "\(name): \(defined.bodyText)")
                let reply = try await routers.customers.call(
                    Operation.Customers.segmentMembers, SegmentMembers(name: name, limit: 100))
                let members = Set(try reply.decoded(Page<Customer>.self).items.map(\.id))
                #expect(members == expected, "\(name)")
            }
            // The record lists the segments it is in, evaluated by the same SQL.
            let got = try await routers.customers.call(Operation.Customers.get, ByID(id: recent.id))
            #expect(
                try got.decoded(Customer.self).segments
                    == ["active", "any-tag", "combined", "everyone", "not-vip", "one-timers"])
            let list = try await routers.customers.call(Operation.Customers.listSegments, ListSegments())
            #expect(try list.decoded([Segment].self).count == cases.count)
        }
    }

    @Test func definingAgainReplacesMembersPageAndRolesAreChecked() async throws {
        try await Fixture.withRouters { routers in
            var ids: [UUID] = []
            for _ in 0..<3 { ids.append(try await routers.customers.createCustomer().id) }
            _ = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "seg", rule: SegmentRule(minOrders: 1)))
            let replaced = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "seg", description: "all", rule: SegmentRule()))
            #expect(try replaced.decoded(Segment.self).description == "all")
            let first = try await routers.customers.call(
                Operation.Customers.segmentMembers, SegmentMembers(name: "seg", limit: 2)
            ).decoded(Page<Customer>.self)
            #expect(first.items.count == 2)
            let second = try await routers.customers.call(
                Operation.Customers.segmentMembers, SegmentMembers(name: "seg", limit: 2, cursor: first.nextCursor)
            ).decoded(Page<Customer>.self)
            #expect(Set(first.items.map(\.id) + second.items.map(\.id)) == Set(ids))
            #expect(second.nextCursor == nil)

            let agent = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "x", rule: SegmentRule()), principal: .agent)
            #expect(agent.status == 403)
            let customer = try await routers.customers.call(
                Operation.Customers.listSegments, ListSegments(), principal: .customer(ids[0]))
            #expect(customer.status == 403)
            let unknown = try await routers.customers.call(
                Operation.Customers.segmentMembers, SegmentMembers(name: "nope"))
            #expect(unknown.status == 404)
        }
    }
}

@Suite("Customer consent", .enabled(if: TestDatabase.isConfigured))
struct ConsentTests {
    @Test func historyIsKeptAndTheLatestDecisionIsCurrent() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let grant = SetConsent(
                customerID: customer.id, channel: .email, granted: true, legalBasis: .consent, source: "checkout")
            let first = try await routers.customers.call(Operation.Customers.setConsent, grant, key: "consent-1")
            #expect(first.status == 200, "\(first.bodyText)")
            let granted = try first.decoded(Customer.self)
            #expect(MarketingPermission.allows(granted, on: .email))
            #expect(!MarketingPermission.allows(granted, on: .sms))
            #expect(granted.version == 2)

            // A retry with the same key changes nothing.
            let retry = try await routers.customers.call(Operation.Customers.setConsent, grant, key: "consent-1")
            #expect(retry.body == first.body)

            let withdraw = SetConsent(
                customerID: customer.id, channel: .email, granted: false, legalBasis: .consent, source: "unsubscribe")
            let sms = SetConsent(customerID: customer.id, channel: .sms, granted: true, legalBasis: .contract)
            _ = try await routers.customers.call(
                Operation.Customers.setConsent, withdraw, principal: .customer(customer.id))
            let last = try await routers.customers.call(Operation.Customers.setConsent, sms).decoded(Customer.self)
            #expect(last.consents.map(\.channel) == [.email, .sms])
            #expect(last.consents.first?.granted == false)
            #expect(last.consents.first?.source == "unsubscribe")
            #expect(MarketingPermission.channels(for: last) == [.sms])
            let rows = try await TestDatabase.scalar(
                url: routers.url, "SELECT count(*) FROM customers.consents WHERE customer_id = '\(customer.id)'")
            #expect(rows == 3)
        }
    }

    @Test func badInputAndOtherCustomersAreRefused() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            let other = try await routers.customers.createCustomer()
            for json in [
                #"{"customer_id":"\#(customer.id)","channel":"fax","granted":true,"legal_basis":"consent"}"#,
                #"{"customer_id":"\#(customer.id)","channel":"sms","granted":true,"legal_basis":"whim"}"#,
                #"{"customer_id":"\#(customer.id)","channel":"sms","legal_basis":"consent"}"#,
            ] {
                #expect(await routers.customers.call(Operation.Customers.setConsent, json: json).status == 422)
            }
            let foreign = try await routers.customers.call(
                Operation.Customers.setConsent,
                SetConsent(customerID: other.id, channel: .sms, granted: true, legalBasis: .consent),
                principal: .customer(customer.id))
            #expect(foreign.status == 403)
            let unknown = try await routers.customers.call(
                Operation.Customers.setConsent,
                SetConsent(customerID: UUID(), channel: .sms, granted: true, legalBasis: .consent))
            #expect(unknown.status == 404)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.consents") == 0)
        }
    }
}

import Contracts
import Foundation
import LoyaltyService
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Loyalty ledger: earning, release, reversal", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyEarningTests {
    @Test func orderPaidEarnsPendingThenTheClosedWindowReleasesIt() async throws {
        try await Fixture.withRouters { routers in
            let rules = try await routers.publish(LoyaltyRules(pointsPerUnit: 1, unitMinor: 100))
            let customer = UUID()
            let order = testOrder(
                customerID: customer,
                lines: [
                    OrderEventLine(platformLineID: 1, sku: "TEE-1", quantity: 2, amountMinor: 2000),
                    OrderEventLine(platformLineID: 2, sku: "CAP-1", quantity: 1, amountMinor: 550),
                ])
            let delivery = UUID()
            try await routers.deliver(EventType.orderPaid, order, id: delivery)
            try await routers.deliver(EventType.orderPaid, order, id: delivery)  // redelivered
            try await routers.deliver(EventType.orderPaid, order)  // replayed under another envelope
            var account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 25)
            #expect(account.available == 0)
            #expect(account.lifetime == 25)
            #expect(
                try await routers.scalar(
                    "SELECT count(*) FROM loyalty.entries WHERE kind = 'earn' AND rule_version = \(rules.version)") == 1
            )

            // The window has not started (not delivered yet): still pending, asked again later.
            #expect(try await routers.releasePending(closesAt: nil).isEmpty)
            // It closes tomorrow: still pending.
            #expect(try await routers.releasePending(closesAt: Date().addingTimeInterval(86400)).isEmpty)
            account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 25)
            // It closed: available.
            let released = try await routers.releasePending(
                closesAt: Date().addingTimeInterval(-60), now: Date().addingTimeInterval(86400 + 60))
            #expect(released == [order.orderID])
            #expect(
                try await routers.releasePending(closesAt: Date(), now: Date().addingTimeInterval(90000)).isEmpty)
            account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 0)
            #expect(account.available == 25)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyEntryRecorded, customerID: customer) == [
                    "Earned 25 points (pending) on order #1001"
                ])
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyPointsAvailable, customerID: customer) == [
                    "25 points from order #1001 are now available"
                ])
            let check = try await routers.verifyLedger()
            #expect(check.mismatched.isEmpty)
            #expect(check.balanced)
        }
    }

    @Test func multipliersCampaignsTiersAndShippingBasis() async throws {
        try await Fixture.withRouters { routers in
            let now = Date()
            _ = try await routers.publish(
                LoyaltyRules(
                    pointsPerUnit: 2, unitMinor: 100, includeShippingAndTax: true,
                    multipliers: [EarnMultiplier(name: "shoes", skuPrefixes: ["SHOE-"], percent: 300)],
                    campaigns: [
                        EarnCampaign(
                            name: "spring", startsAt: now.addingTimeInterval(-3600),
                            endsAt: now.addingTimeInterval(3600), percent: 200)
                    ],
                    tiers: [
                        LoyaltyTier(name: "Bronze", threshold: 0, earnPercent: 100),
                        LoyaltyTier(name: "Gold", threshold: 100, earnPercent: 150, benefits: ["free_returns"]),
                    ]))
            let customer = UUID()
            // 10.00 of shoes (x3) + 5.00 of socks + 2.50 shipping and tax in the total, during the campaign (x2):
            // shoes 10 * 2 * 3 * 2 = 120, socks 5 * 2 * 2 = 20, extra 2.50 * 2 = 5 * 2 = 10: 150.
            let first = testOrder(
                customerID: customer,
                lines: [
                    OrderEventLine(platformLineID: 1, sku: "SHOE-9", quantity: 1, amountMinor: 1000),
                    OrderEventLine(platformLineID: 2, sku: "SOCK-1", quantity: 1, amountMinor: 500),
                ], total: 1750)
            try await routers.deliver(EventType.orderPaid, first, occurredAt: now)
            var account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 150)
            #expect(account.tier == "Gold")
            // Outside the campaign, as Gold (x1.5): socks 10.00 * 2 = 20 * 1.5 = 30.
            let second = testOrder(
                customerID: customer, number: "#1002",
                lines: [OrderEventLine(platformLineID: 3, sku: "SOCK-1", quantity: 1, amountMinor: 1000)])
            try await routers.deliver(EventType.orderPaid, second, occurredAt: now.addingTimeInterval(7200))
            account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 180)
            #expect(
                try await routers.scalar(
                    "SELECT tier_percent FROM loyalty.order_earnings WHERE order_id = '\(second.orderID)'") == 150)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyTierChanged, customerID: customer) == [
                    "Reached the Gold tier"
                ])
        }
    }

    @Test func productTagAndCategoryMultipliersEarnPerLineAndTheirReversalKeepsTheEarnedShare() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(
                    pointsPerUnit: 1, unitMinor: 100,
                    multipliers: [
                        EarnMultiplier(name: "new season", productTags: ["new-season"], percent: 200),
                        EarnMultiplier(name: "outdoor", categories: ["Outdoor"], percent: 300),
                        EarnMultiplier(name: "boots by sku", skuPrefixes: ["BOOT-"], percent: 150),
                    ]))
            let customer = UUID()
            // 10.00 each: tag x2 = 20, category x3 (matched case-insensitively) = 30, tag and category: the
            // highest (x3) = 30, SKU x1.5 = 15, nothing = 10. 105 points.
            let order = testOrder(
                customerID: customer,
                lines: [
                    OrderEventLine(
                        platformLineID: 1, sku: "TEE-1", quantity: 1, amountMinor: 1000, productID: 11,
                        tags: ["New-Season"]),
                    OrderEventLine(
                        platformLineID: 2, sku: "TENT-1", quantity: 1, amountMinor: 1000, productID: 12,
                        categories: ["outdoor"]),
                    OrderEventLine(
                        platformLineID: 3, sku: "JACKET-1", quantity: 1, amountMinor: 1000, productID: 13,
                        tags: ["new-season"], categories: ["Outdoor"]),
                    OrderEventLine(platformLineID: 4, sku: "BOOT-1", quantity: 1, amountMinor: 1000),
                    OrderEventLine(platformLineID: 5, sku: "MUG-1", quantity: 1, amountMinor: 1000, tags: ["kitchen"]),
                ], total: 5000)
            try await routers.deliver(EventType.orderPaid, order)
            #expect(try await routers.loyaltyAccount(customer).pending == 105)
            #expect(
                try await routers.scalar(
                    "SELECT points FROM loyalty.order_lines WHERE order_id = '\(order.orderID)' AND platform_line_id = 2"
                ) == 30)
            // Rules without the multipliers, then a refund of the tent: it gives back what the tent earned (30).
            _ = try await routers.publish(LoyaltyRules(pointsPerUnit: 1, unitMinor: 100))
            let refund = testOrder(
                customerID: customer, orderID: order.orderID,
                lines: [OrderEventLine(platformLineID: 2, sku: "TENT-1", quantity: 1, amountMinor: 1000)],
                refundID: 900)
            try await routers.deliver(EventType.orderRefunded, refund)
            #expect(try await routers.loyaltyAccount(customer).pending == 75)
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func refundsReverseProRataOncePerLineWhicheverSourceReportsThem() async throws {
        try await Fixture.withRouters { routers in
            let v1 = try await routers.publish(LoyaltyRules(pointsPerUnit: 1))
            let customer = UUID()
            let order = testOrder(
                customerID: customer,
                lines: [
                    OrderEventLine(platformLineID: 11, sku: "A", quantity: 3, amountMinor: 1000),  // 10 points
                    OrderEventLine(platformLineID: 12, sku: "B", quantity: 1, amountMinor: 2000),  // 20 points
                ])
            try await routers.deliver(EventType.orderPaid, order)
            // A newer rule version must not change what the order's reversal takes back.
            _ = try await routers.publish(LoyaltyRules(pointsPerUnit: 5))
            // The returns service refunds one unit of line 11: floor(10 * 1 / 3) = 3.
            let refund = ReturnEvent(
                returnID: UUID(), customerID: customer, orderID: order.orderID, orderReference: "#1001",
                ticketID: nil, status: "resolved", summary: "Refunded",
                lines: [ReturnEventLine(platformLineID: 11, sku: "A", quantity: 1, refundMinor: 333)],
                refund: Money(amountMinor: 333, currency: "EUR"), resolution: "refund", refundID: UUID())
            try await routers.deliver(EventType.returnRefunded, refund)
            try await routers.deliver(EventType.returnRefunded, refund)  // replay
            #expect(try await routers.loyaltyAccount(customer).pending == 27)
            // The same refund comes back from the platform: nothing more.
            let platform = testOrder(
                customerID: customer, orderID: order.orderID,
                lines: [OrderEventLine(platformLineID: 11, sku: "A", quantity: 1, amountMinor: 333)], refundID: 501)
            try await routers.deliver(EventType.orderRefunded, platform)
            try await routers.deliver(EventType.orderRefunded, platform)
            #expect(try await routers.loyaltyAccount(customer).pending == 27)
            // The platform refunds the other two units and line 12 directly: floor(10 * 3 / 3) - 3 = 7, and 20.
            let rest = testOrder(
                customerID: customer, orderID: order.orderID,
                lines: [
                    OrderEventLine(platformLineID: 11, sku: "A", quantity: 2, amountMinor: 667),
                    OrderEventLine(platformLineID: 12, sku: "B", quantity: 1, amountMinor: 2000),
                ], refundID: 502)
            try await routers.deliver(EventType.orderRefunded, rest)
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 0)
            #expect(account.lifetime == 0)
            #expect(
                try await routers.scalar(
                    "SELECT count(*) FROM loyalty.entries WHERE kind = 'reverse' AND rule_version = \(v1.version)") == 2
            )
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyEntryRecorded, customerID: customer).last
                    == "Reversed 27 points on order #1001: 3 unit(s) refunded")
            #expect(try await routers.releasePending(closesAt: Date().addingTimeInterval(-1)) == [order.orderID])
            #expect(try await routers.loyaltyAccount(customer).available == 0)
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func aCancelledOrderReversesWhatIsLeftOnceAndALaterRefundNothingMore() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let order = testOrder(
                customerID: customer,
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 2, amountMinor: 5000)])
            try await routers.deliver(EventType.orderPaid, order)
            try await routers.deliver(
                EventType.orderRefunded,
                testOrder(
                    customerID: customer, orderID: order.orderID,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 2500)], refundID: 7))
            #expect(try await routers.loyaltyAccount(customer).pending == 25)
            try await routers.deliver(EventType.orderCancelled, order)
            try await routers.deliver(EventType.orderCancelled, order)
            // The platform also reports the cancellation's refund of the last unit: nothing is left to reverse.
            try await routers.deliver(
                EventType.orderRefunded,
                testOrder(
                    customerID: customer, orderID: order.orderID,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 2500)], refundID: 8))
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.pending == 0)
            #expect(account.lifetime == 0)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyEntryRecorded, customerID: customer).last
                    == "Reversed 25 points on order #1001: order cancelled")
            #expect(try await routers.scalar("SELECT count(*) FROM loyalty.entries WHERE kind = 'reverse'") == 2)
        }
    }

    @Test func aRefundAfterThePointsWereSpentLeavesOwedPointsThatLaterEarningsRepay() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(LoyaltyRules(pointsPerUnit: 1))
            let customer = UUID()
            let order = testOrder(
                customerID: customer,
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 2, amountMinor: 10000)])
            try await routers.deliver(EventType.orderPaid, order)
            _ = try await routers.releasePending(closesAt: Date().addingTimeInterval(-1))
            let reward = try await routers.defineReward(points: 100)
            let redeemed = try await routers.loyalty.call(
                Operation.Loyalty.redeem, RedeemReward(customerID: customer, rewardID: reward.rewardID),
                key: UUID().uuidString)
            #expect(redeemed.status == 201, "\(redeemed.bodyText)")
            // Both units come back after the points were spent: 100 points reversed from available.
            let refund = testOrder(
                customerID: customer, orderID: order.orderID,
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 2, amountMinor: 10000)], refundID: 9)
            try await routers.deliver(EventType.orderRefunded, refund)
            var account = try await routers.loyaltyAccount(customer)
            #expect(account.available == -100)
            #expect(account.owed == 100)
            // Redemption is refused while owing.
            let refused = try await routers.loyalty.call(
                Operation.Loyalty.redeem, RedeemReward(customerID: customer, rewardID: reward.rewardID),
                key: UUID().uuidString)
            #expect(refused.status == 422)
            #expect(refused.problem?.code == "insufficient_points")
            // The next order's points pay the debt back first.
            let next = testOrder(
                customerID: customer, number: "#1002",
                lines: [OrderEventLine(platformLineID: 2, sku: "A", quantity: 1, amountMinor: 15000)])
            try await routers.deliver(EventType.orderPaid, next)
            _ = try await routers.releasePending(closesAt: Date().addingTimeInterval(-1))
            account = try await routers.loyaltyAccount(customer)
            #expect(account.available == 50)
            #expect(account.owed == 0)
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func oneOffBonusesAreGrantedOncePerReference() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(
                    signupBonus: 50, birthdayBonus: 100, reviewBonus: 20, referrerBonus: 300, refereeBonus: 200))
            let (referrer, friend) = (UUID(), UUID())
            try await routers.deliver(
                EventType.customerCreated, CustomerCreated(customerID: referrer, email: nil, name: nil))
            try await routers.deliver(
                EventType.customerCreated, CustomerCreated(customerID: referrer, email: nil, name: nil))
            #expect(try await routers.loyaltyAccount(referrer).available == 50)
            for input in [
                AwardLoyaltyBonus(customerID: referrer, kind: "birthday"),
                AwardLoyaltyBonus(customerID: referrer, kind: "review", reference: "review-1"),
                AwardLoyaltyBonus(customerID: referrer, kind: "referral", referredCustomerID: friend),
            ] {
                let first = try await routers.loyalty.call(
                    Operation.Loyalty.awardBonus, input, principal: .agent, key: UUID().uuidString)
                #expect(first.status == 201, "\(first.bodyText)")
                let again = try await routers.loyalty.call(
                    Operation.Loyalty.awardBonus, input, principal: .agent, key: UUID().uuidString)
                #expect(again.problem?.code == "bonus_already_awarded")
            }
            #expect(try await routers.loyaltyAccount(referrer).available == 50 + 100 + 20 + 300)
            #expect(try await routers.loyaltyAccount(friend).available == 200)
            let bad = try await routers.loyalty.call(
                Operation.Loyalty.awardBonus, AwardLoyaltyBonus(customerID: referrer, kind: "anniversary"),
                key: UUID().uuidString)
            #expect(bad.status == 422)
        }
    }

    @Test func withoutASignUpRuleOpeningAnAccountPublishesNothing() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            try await routers.deliver(
                EventType.customerCreated, CustomerCreated(customerID: customer, email: nil, name: nil))
            #expect(try await routers.scalar("SELECT count(*) FROM loyalty.accounts") == 1)
            #expect(try await routers.scalar("SELECT count(*) FROM events.log WHERE type LIKE 'loyalty.%'") == 0)
        }
    }
}

@Suite("Loyalty ledger: redemption, integrity", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyRedemptionTests {
    /// Gives `customer` `points` available points through a released order.
    static func fund(_ routers: Fixture.Routers, _ customer: UUID, points: Int64) async throws {
        _ = try await routers.publish(LoyaltyRules(pointsPerUnit: 1))
        let order = testOrder(
            customerID: customer,
            lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: points * 100)])
        try await routers.deliver(EventType.orderPaid, order)
        _ = try await routers.releasePending(closesAt: Date().addingTimeInterval(-1))
    }

    @Test func fiftyRacingRedemptionsNeverOverdrawTheBalance() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            try await Self.fund(routers, customer, points: 1000)
            let reward = try await routers.defineReward(points: 100)
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let reply = try await routers.loyalty.call(
                            Operation.Loyalty.redeem, RedeemReward(customerID: customer, rewardID: reward.rewardID),
                            principal: .customer(customer), key: UUID().uuidString)
                        return (reply.status, reply.problem?.code)
                    }
                }
                var all: [(Int, String?)] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 10)
            #expect(statuses.filter { $0.0 == 422 && $0.1 == "insufficient_points" }.count == 40)
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.available == 0)
            #expect(account.redeemed == 1000)
            #expect(try await routers.scalar("SELECT count(DISTINCT code) FROM loyalty.redemptions") == 10)
            #expect(try await routers.scalar("SELECT min(available) FROM loyalty.accounts") == 0)
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func aRetriedRedemptionIssuesOneCodeAndCancellingRefundsOnce() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            try await Self.fund(routers, customer, points: 300)
            let reward = try await routers.defineReward(points: 200)
            let key = UUID().uuidString
            let first = try await routers.loyalty.call(
                Operation.Loyalty.redeem, RedeemReward(customerID: customer, rewardID: reward.rewardID), key: key)
            let retry = try await routers.loyalty.call(
                Operation.Loyalty.redeem, RedeemReward(customerID: customer, rewardID: reward.rewardID), key: key)
            #expect(first.status == 201)
            #expect(retry.bodyText == first.bodyText)
            let redemption = try first.decoded(LoyaltyRedemption.self)
            #expect(redemption.code.hasPrefix("LOY-"))
            #expect(redemption.pushStatus == "not_pushed")
            #expect(redemption.expiresAt > Date().addingTimeInterval(80 * 86400))
            #expect(try await routers.loyaltyAccount(customer).available == 100)
            // Someone else's redemption is not theirs to cancel.
            let foreign = try await routers.loyalty.call(
                Operation.Loyalty.cancelRedemption,
                CancelRedemption(customerID: UUID(), redemptionID: redemption.redemptionID), key: UUID().uuidString)
            #expect(foreign.status == 404)
            let cancel = CancelRedemption(customerID: customer, redemptionID: redemption.redemptionID)
            let cancelled = try await routers.loyalty.call(
                Operation.Loyalty.cancelRedemption, cancel, key: UUID().uuidString)
            #expect(cancelled.status == 200, "\(cancelled.bodyText)")
            let twice = try await routers.loyalty.call(
                Operation.Loyalty.cancelRedemption, cancel, key: UUID().uuidString)
            #expect(twice.problem?.code == "redemption_not_cancellable")
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.available == 300)
            #expect(account.redeemed == 0)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyRewardCancelled, customerID: customer) == [
                    "Cancelled the reward “€5 off”: 200 points refunded"
                ])
        }
    }

    @Test func entriesAreAppendOnlyAndRebuildRestoresTheDerivedBalances() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            try await Self.fund(routers, customer, points: 120)
            await #expect(throws: (any Error).self) {
                try await routers.execute("UPDATE loyalty.entries SET amount = 1;\n")
            }
            await #expect(throws: (any Error).self) {
                try await routers.execute("DELETE FROM loyalty.entries;\n")
            }
            // A duplicate idempotency key is refused by the unique index itself.
            await #expect(throws: (any Error).self) {
                try await routers.execute(
                    """
                    INSERT INTO loyalty.entries (entry_id, customer_id, kind, source, from_account, to_account, amount,
                                                 idempotency_key)
                    SELECT gen_random_uuid(), customer_id, kind, source, from_account, to_account, amount,
                           idempotency_key FROM loyalty.entries LIMIT 1;\n
                    """)
            }
            try await routers.execute(
                "UPDATE loyalty.accounts SET available = 999, lifetime = 5 WHERE customer_id = '\(customer)';\n")
            let broken = try await routers.verifyLedger()
            #expect(broken.mismatched == [customer])
            let rebuilt = try await routers.loyalty.call(
                Operation.Loyalty.rebuildBalances, LoyaltyNoInput(), key: UUID().uuidString)
            #expect(rebuilt.status == 200)
            #expect(try rebuilt.decoded(LedgerCheck.self).mismatched == [customer])
            let after = try await routers.verifyLedger()
            #expect(after.mismatched.isEmpty)
            #expect(after.balanced)
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.available == 120)
            #expect(account.lifetime == 120)
            let forbidden = try await routers.loyalty.call(
                Operation.Loyalty.verifyLedger, LoyaltyNoInput(), principal: .agent)
            #expect(forbidden.status == 403)
        }
    }

    @Test func ledgerPagesAreKeysetPaginatedNewestFirst() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            try await Self.fund(routers, customer, points: 10)
            let first = try await routers.loyalty.call(
                Operation.Loyalty.listEntries, ListLoyaltyEntries(customerID: customer, limit: 1))
            let page = try first.decoded(Page<LoyaltyEntry>.self)
            #expect(page.items.map(\.kind) == ["release"])
            let cursor = try #require(page.nextCursor)
            let second = try await routers.loyalty.call(
                Operation.Loyalty.listEntries, ListLoyaltyEntries(customerID: customer, limit: 1, cursor: cursor))
            let rest = try second.decoded(Page<LoyaltyEntry>.self)
            #expect(rest.items.map(\.kind) == ["earn"])
            #expect(rest.nextCursor == nil)
            let other = try await routers.loyalty.call(
                Operation.Loyalty.listEntries, ListLoyaltyEntries(customerID: customer),
                principal: .customer(UUID()))
            #expect(other.status == 403)
        }
    }
}

@Suite("Loyalty tiers and expiry", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyTierExpiryTests {
    @Test func tiersGoUpAtOnceAndDownAfterTheGracePeriod() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(
                    pointsPerUnit: 1,
                    tiers: [
                        LoyaltyTier(name: "Silver", threshold: 100, earnPercent: 100),
                        LoyaltyTier(name: "Gold", threshold: 500, earnPercent: 125),
                    ], tierDowngrade: "grace", tierGraceDays: 10))
            let customer = UUID()
            let order = testOrder(
                customerID: customer,
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 5, amountMinor: 60000)])
            try await routers.deliver(EventType.orderPaid, order)
            #expect(try await routers.loyaltyAccount(customer).tier == "Gold")
            // Four of five units refunded: 480 points reversed, 120 left: below Gold, within the grace period.
            try await routers.deliver(
                EventType.orderRefunded,
                testOrder(
                    customerID: customer, orderID: order.orderID,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 4, amountMinor: 48000)], refundID: 1))
            #expect(try await routers.loyaltyAccount(customer).tier == "Gold")
            _ = try await routers.runExpiry(now: Date().addingTimeInterval(5 * 86400))
            #expect(try await routers.loyaltyAccount(customer).tier == "Gold")
            _ = try await routers.runExpiry(now: Date().addingTimeInterval(11 * 86400))
            #expect(try await routers.loyaltyAccount(customer).tier == "Silver")
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyTierChanged, customerID: customer) == [
                    "Reached the Gold tier", "Moved from the Gold tier to the Silver tier",
                ])
        }
    }

    @Test func periodEndDowngradesWaitForTheYearAndNeverKeepsTheTier() async throws {
        try await Fixture.withRouters { routers in
            for (mode, expected) in [("period_end", "Silver"), ("never", "Gold")] {
                _ = try await routers.publish(
                    LoyaltyRules(
                        pointsPerUnit: 1,
                        tiers: [
                            LoyaltyTier(name: "Silver", threshold: 0, earnPercent: 100),
                            LoyaltyTier(name: "Gold", threshold: 100, earnPercent: 100),
                        ], tierPeriod: "rolling_12_months", tierDowngrade: mode))
                let customer = UUID()
                let order = testOrder(
                    customerID: customer,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 20000)])
                try await routers.deliver(EventType.orderPaid, order)
                #expect(try await routers.loyaltyAccount(customer).tier == "Gold")
                _ = try await routers.runExpiry(now: Date().addingTimeInterval(200 * 86400))
                #expect(try await routers.loyaltyAccount(customer).tier == "Gold")
                // 13 months later the order no longer counts.
                _ = try await routers.runExpiry(now: Date().addingTimeInterval(400 * 86400))
                #expect(try await routers.loyaltyAccount(customer).tier == expected, "\(mode)")
            }
        }
    }

    @Test func pointsExpireByAgeAfterOneWarning() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(pointsPerUnit: 1, expiryMode: "age", expiryDays: 100, expiryWarningDays: 10))
            let customer = UUID()
            try await routers.deliver(
                EventType.orderPaid,
                testOrder(
                    customerID: customer,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 7000)]))
            _ = try await routers.releasePending(closesAt: Date().addingTimeInterval(-1))
            let day: TimeInterval = 86400
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(50 * day)).isEmpty)
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(92 * day)).isEmpty)
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(93 * day)).isEmpty)
            #expect(try await routers.loyaltySummaries(EventType.loyaltyExpiryWarning, customerID: customer).count == 1)
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(101 * day)) == [customer])
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(101 * day)).isEmpty)
            let account = try await routers.loyaltyAccount(customer)
            #expect(account.available == 0)
            #expect(account.expired == 70)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyEntryRecorded, customerID: customer).last
                    == "70 points expired")
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func inactivityExpiresEverythingUnlessTheCustomerIsActive() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(pointsPerUnit: 1, expiryMode: "inactivity", expiryDays: 30, expiryWarningDays: 5))
            let customer = UUID()
            try await routers.deliver(
                EventType.orderPaid,
                testOrder(
                    customerID: customer,
                    lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 4000)]))
            _ = try await routers.releasePending(closesAt: Date().addingTimeInterval(-1))
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(20 * 86400)).isEmpty)
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(26 * 86400)).isEmpty)
            #expect(try await routers.loyaltySummaries(EventType.loyaltyExpiryWarning, customerID: customer).count == 1)
            #expect(try await routers.runExpiry(now: Date().addingTimeInterval(31 * 86400)) == [customer])
            #expect(try await routers.loyaltyAccount(customer).expired == 40)
        }
    }
}

@Suite("Loyalty retention", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyRetentionTests {
    @Test func goodwillRespectsTheCapsAndKeepsAnAuditTrail() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.publish(
                LoyaltyRules(goodwillAgentDailyCap: 500, goodwillCustomerMonthlyCap: 300))
            let (customer, other) = (UUID(), UUID())
            func grant(_ customerID: UUID, _ points: Int64) async throws -> ReplyEnvelope {
                try await routers.loyalty.call(
                    Operation.Loyalty.grantGoodwill,
                    GrantGoodwill(ticketID: UUID(), customerID: customerID, points: points, reason: "late parcel"),
                    principal: .agent, key: UUID().uuidString)
            }
            #expect(try await grant(customer, 200).status == 201)
            let overCustomer = try await grant(customer, 150)
            #expect(overCustomer.problem?.code == "goodwill_cap_exceeded")
            #expect(try await grant(other, 300).status == 201)
            let overAgent = try await grant(UUID(), 1)
            #expect(overAgent.problem?.code == "goodwill_cap_exceeded")
            #expect(try await routers.loyaltyAccount(customer).available == 200)
            #expect(
                try await routers.scalar("SELECT count(*) FROM loyalty.goodwill_grants WHERE agent = 'agent-key'") == 2)
            let byCustomer = try await routers.loyalty.call(
                Operation.Loyalty.grantGoodwill,
                GrantGoodwill(ticketID: UUID(), customerID: customer, points: 1, reason: "me"),
                principal: .customer(customer), key: UUID().uuidString)
            #expect(byCustomer.status == 403)
            let bad = try await routers.loyalty.call(
                Operation.Loyalty.grantGoodwill, json: #"{"ticket_id":"x","customer_id":"y","points":0}"#,
                principal: .agent, key: UUID().uuidString)
            #expect(bad.status == 422)
        }
    }

    @Test func retentionRulesActOncePerCase() async throws {
        try await Fixture.withRouters { routers in
            let reward = try await routers.defineReward(points: 1000, name: "Free shipping")
            for rule in [
                RetentionRule(trigger: "low_csat", points: 250, maxRating: 2),
                RetentionRule(trigger: "sla_breached", points: 100, openTask: false),
                RetentionRule(trigger: "return_declined", points: 0, rewardID: reward.rewardID),
                RetentionRule(trigger: "late_delivery", points: 75, lateAfterHours: 48),
            ] {
                let reply = try await routers.loyalty.call(
                    Operation.Loyalty.defineRetentionRule, rule, key: UUID().uuidString)
                #expect(reply.status == 200, "\(reply.bodyText)")
            }
            let customer = UUID()
            let ticket = UUID()
            let poor = CSATReceived(
                surveyID: UUID(), ticketID: ticket, ticketNumber: 42, customerID: customer, assigneeID: nil,
                group: nil, channel: .email, rating: 1, comment: "slow", previousRating: nil)
            try await routers.deliver(EventType.csatReceived, poor)
            try await routers.deliver(EventType.csatReceived, poor)  // replay
            var changed = poor
            changed.rating = 2
            changed.previousRating = 1
            try await routers.deliver(EventType.csatReceived, changed)  // a changed answer: same case
            var happy = poor
            happy.ticketID = UUID()
            happy.rating = 5
            try await routers.deliver(EventType.csatReceived, happy)  // not low
            #expect(try await routers.loyaltyAccount(customer).available == 250)
            #expect(
                try await routers.loyaltySummaries(EventType.loyaltyEntryRecorded, customerID: customer) == [
                    "Goodwill: 250 points after a CSAT rating of 1 on ticket #42"
                ])

            let breach = SLAEvent(
                ticketID: ticket, number: 42, customerID: customer, priority: "normal", assigneeID: nil, group: nil,
                metric: "first_reply", policy: "default", dueAt: Date())
            try await routers.deliver(EventType.ticketSLABreached, breach)
            var other = breach
            other.metric = "resolution"
            try await routers.deliver(EventType.ticketSLABreached, other)  // same ticket: same case
            #expect(try await routers.loyaltyAccount(customer).available == 350)

            let declined = ReturnEvent(
                returnID: UUID(), customerID: customer, orderID: nil, orderReference: "#1001", ticketID: ticket,
                status: "declined", summary: "Declined", lines: [], reason: "outside the window")
            try await routers.deliver(EventType.returnDeclined, declined)
            try await routers.deliver(EventType.returnDeclined, declined)
            #expect(try await routers.scalar("SELECT count(*) FROM loyalty.redemptions WHERE points = 0") == 1)

            let order = testOrder(
                customerID: customer,
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 100)])
            try await routers.deliver(EventType.orderPaid, order, occurredAt: Date().addingTimeInterval(-72 * 3600))
            try await routers.deliver(EventType.orderFulfilled, order)
            try await routers.deliver(EventType.orderFulfilled, order)
            let onTime = testOrder(
                customerID: customer, number: "#1002",
                lines: [OrderEventLine(platformLineID: 2, sku: "A", quantity: 1, amountMinor: 100)])
            try await routers.deliver(EventType.orderPaid, onTime, occurredAt: Date().addingTimeInterval(-3600))
            try await routers.deliver(EventType.orderFulfilled, onTime)
            #expect(try await routers.loyaltyAccount(customer).available == 425)

            // Tasks: low CSAT, declined return and late delivery open one each; the SLA rule opens none.
            let tasks = try await routers.loyalty.call(Operation.Loyalty.listTasks, ListLoyaltyTasks())
            let page = try tasks.decoded(Page<LoyaltyTask>.self)
            #expect(page.items.map(\.trigger).sorted() == ["late_delivery", "low_csat", "return_declined"])
            let firstPage = try await routers.loyalty.call(Operation.Loyalty.listTasks, ListLoyaltyTasks(limit: 2))
            let cursor = try #require(try firstPage.decoded(Page<LoyaltyTask>.self).nextCursor)
            let secondPage = try await routers.loyalty.call(
                Operation.Loyalty.listTasks, ListLoyaltyTasks(limit: 2, cursor: cursor))
            #expect(try secondPage.decoded(Page<LoyaltyTask>.self).items.count == 1)
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func badRulesAndRewardsAreRefused() async throws {
        try await Fixture.withRouters { routers in
            let bad = try await routers.loyalty.call(
                Operation.Loyalty.publishRules, json: #"{"rules":{"points_per_unit":-1,"tiers_typo":[]}}"#,
                key: "k1")
            #expect(bad.status == 422)
            let invalid = try await routers.loyalty.call(
                Operation.Loyalty.publishRules,
                PublishLoyaltyRules(rules: LoyaltyRules(pointsPerUnit: -1, tierDowngrade: "sometimes")), key: "k2")
            #expect(invalid.status == 422)
            #expect(invalid.problem?.errors?.map(\.field).contains("rules.tier_downgrade") == true)
            // A multiplier must say which lines it covers, with no empty names.
            let vague = try await routers.loyalty.call(
                Operation.Loyalty.publishRules,
                PublishLoyaltyRules(
                    rules: LoyaltyRules(
                        multipliers: [
                            EarnMultiplier(name: "all", productTags: [], percent: 200),
                            EarnMultiplier(name: "blank", categories: [""], percent: 200),
                        ])), key: "k6")
            #expect(vague.status == 422)
            #expect(
                Set(vague.problem?.errors?.map(\.field) ?? [])
                    == ["rules.multipliers[0]", "rules.multipliers[1].categories"])
            let reward = try await routers.loyalty.call(
                Operation.Loyalty.defineReward,
                DefineLoyaltyReward(name: "x", kind: "fixed_discount", pointsCost: 10, valueMinor: 0), key: "k3")
            #expect(reward.status == 422)
            let byAgent = try await routers.loyalty.call(
                Operation.Loyalty.publishRules, PublishLoyaltyRules(rules: LoyaltyRules()), principal: .agent,
                key: "k4")
            #expect(byAgent.status == 403)
            let retention = try await routers.loyalty.call(
                Operation.Loyalty.defineRetentionRule, RetentionRule(trigger: "rainy_day", points: 1), key: "k5")
            #expect(retention.status == 422)
            #expect(try await routers.scalar("SELECT count(*) FROM loyalty.rule_versions") == 0)
        }
    }
}

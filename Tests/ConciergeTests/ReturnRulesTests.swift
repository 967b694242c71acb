import Contracts
import Foundation
import ReturnsService
import Testing
import Wire

/// The pure rules of returns: the state machine, eligibility, refund arithmetic, labels, reasons.
@Suite("Return rules")
struct ReturnRulesTests {
    typealias F = ReturnsFixture

    @Test func everyTransitionIsAllowedOrRefusedWithItsRule() throws {
        let allowed: Set<String> = [
            "requested>approved", "requested>declined", "requested>cancelled", "approved>label_issued",
            "approved>in_transit", "approved>received", "approved>cancelled", "label_issued>in_transit",
            "label_issued>received",
            "label_issued>cancelled", "in_transit>received", "in_transit>cancelled", "received>inspected",
            "inspected>resolved", "resolved>closed",
        ]
        for from in ReturnStatus.allCases {
            for to in ReturnStatus.allCases {
                let key = "\(from.rawValue)>\(to.rawValue)"
                #expect(ReturnLifecycle.canMove(from: from, to: to) == allowed.contains(key), "\(key)")
                if allowed.contains(key) {
                    try ReturnLifecycle.check(from: from, to: to)
                } else {
                    do {
                        try ReturnLifecycle.check(from: from, to: to)
                        Issue.record("\(key) was allowed")
                    } catch let problem as Problem {
                        #expect(problem.status == 409)
                        #expect(problem.code == "illegal_transition")
                        #expect(problem.detail?.contains(ReturnLifecycle.rules[to] ?? "cannot be reached") == true)
                    }
                }
            }
        }
    }

    // MARK: - Eligibility

    static let store = UUID()
    static let berlin = ReturnPolicy(
        id: UUID(), name: "Berlin 30", storeID: store, timeZone: "Europe/Berlin", windowDays: 30,
        exchangeOnlyDays: 10, finalSaleSKUPrefixes: ["SALE-"])

    func eligibility(_ order: Order, now: String, returned: [Int64: Int] = [:], policies: [ReturnPolicy]? = nil)
        -> Eligibility
    {
        Eligibility(
            order: order, resolver: PolicyResolver(policies: policies ?? [Self.berlin]), customerTags: [],
            alreadyReturned: returned, now: F.date(now))
    }

    @Test func theLastDayEndsAtLocalMidnightInTheStoresTimeZone() throws {
        let mug = F.line(1, sku: "MUG", quantity: 1, unitMinor: 1_000)
        // Delivered 1 March 23:30 UTC = 2 March 00:30 in Berlin: the last day is 1 April (CEST), ending 21:59:59 UTC.
        let order = F.order(
            store: Self.store, lines: [mug],
            fulfillments: [
                F.shipment(
                    1, lines: [mug], createdAt: F.date("2025-02-28T10:00:00Z"),
                    deliveredAt: F.date("2025-03-01T23:30:00Z"))
            ])
        let lastMinute = eligibility(order, now: "2025-04-01T21:59:59Z").evaluate(mug)
        #expect(lastMinute.rule == "eligible")
        #expect(lastMinute.returnable == 1)
        #expect(
            lastMinute.explanation
                == "Returnable until 1 April 2025: within the 30-day window since delivery on 2 March 2025.")
        let nextDay = eligibility(order, now: "2025-04-01T22:00:00Z").evaluate(mug)
        #expect(nextDay.rule == "exchange_only")
        #expect(nextDay.outcomes == [.exchange])
        #expect(nextDay.explanation.hasPrefix("Exchange only until 11 April 2025"))
        let late = eligibility(order, now: "2025-04-11T22:00:00Z").evaluate(mug)
        #expect(late.rule == "window_closed")
        #expect(!late.eligible)
        #expect(
            late.explanation
                == "Outside the 30-day window since delivery on 2 March 2025 (the last day was 1 April 2025).")
        // The same instant in UTC: delivered 1 March, last day 31 March.
        let utc = ReturnPolicy(id: UUID(), name: "UTC 30", windowDays: 30)
        #expect(eligibility(order, now: "2025-03-31T23:59:59Z", policies: [utc]).evaluate(mug).rule == "eligible")
        #expect(eligibility(order, now: "2025-04-01T00:00:00Z", policies: [utc]).evaluate(mug).rule == "window_closed")
    }

    @Test func partialShipmentsFinalSaleRefundsAndOpenReturnsLimitWhatCanComeBack() throws {
        let mug = F.line(1, sku: "MUG", quantity: 3, unitMinor: 1_000)
        let sale = F.line(2, sku: "SALE-TEE", quantity: 1, unitMinor: 500)
        let hat = F.line(3, sku: "HAT", quantity: 1, unitMinor: 700)
        var shipment = F.shipment(
            1, lines: [mug, sale], createdAt: F.date("2025-03-01T10:00:00Z"),
            deliveredAt: F.date("2025-03-02T10:00:00Z"))
        shipment.lines = [LineQuantity(platformLineID: 1, quantity: 2), LineQuantity(platformLineID: 2, quantity: 1)]
        let refund = OrderRefund(
            platformRefundID: 9, amount: F.money(1_000), reason: nil, refundedAt: nil,
            lines: [LineQuantity(platformLineID: 1, quantity: 1, amountMinor: 1_000)])
        let order = F.order(store: Self.store, lines: [mug, sale, hat], fulfillments: [shipment], refunds: [refund])
        let check = eligibility(order, now: "2025-03-05T10:00:00Z")
        // 2 of 3 mugs shipped, 1 refunded by the platform: 1 left.
        let mugs = check.evaluate(mug)
        #expect(mugs.rule == "eligible" && mugs.returnable == 1)
        #expect(mugs.explanation.contains("(2 of 3 units shipped so far)"))
        // ... and none once an open return holds it.
        let held = eligibility(order, now: "2025-03-05T10:00:00Z", returned: [1: 1]).evaluate(mug)
        #expect(held.rule == "already_returned" && held.returnable == 0)
        #expect(held.explanation.contains("1 refunded and 1 in open returns"))
        #expect(held.explanation.contains("the 1 unit not shipped yet can be returned once delivered"))
        let final = check.evaluate(sale)
        #expect(final.rule == "final_sale" && !final.eligible)
        #expect(final.explanation.contains("SKU SALE-TEE starts with SALE-"))
        let unshipped = check.evaluate(hat)
        #expect(unshipped.rule == "not_shipped")
        var taggedProduct = hat
        taggedProduct.tags = ["clearance", "Final-Sale"]
        let byProduct = eligibility(F.order(store: Self.store, lines: [taggedProduct]), now: "2025-03-05T10:00:00Z")
            .evaluate(taggedProduct)
        #expect(byProduct.rule == "final_sale")
        #expect(
            byProduct.explanation == "Item HAT is a final-sale item (product tagged Final-Sale): it cannot be returned."
        )
        let noProductExclusion = ReturnPolicy(
            id: UUID(), name: "no tag exclusion", storeID: Self.store, finalSaleProductTags: [])
        #expect(
            eligibility(
                F.order(store: Self.store, lines: [taggedProduct]), now: "2025-03-05T10:00:00Z",
                policies: [noProductExclusion]
            ).evaluate(taggedProduct).rule == "not_shipped")
        var tagged = order
        tagged.tags = ["Final-Sale"]
        #expect(eligibility(tagged, now: "2025-03-05T10:00:00Z").evaluate(mug).rule == "final_sale")
        var cancelled = order
        cancelled.state = .cancelled
        #expect(eligibility(cancelled, now: "2025-03-05T10:00:00Z").evaluate(mug).rule == "order_cancelled")
    }

    // MARK: - Refund arithmetic

    @Test func unitsShareTheirLinesTotalExactly() {
        // 3 units for 10.00 after a 0.01 discount: 3.33 + 3.33 + 3.33 = 9.99.
        let line = F.line(1, sku: "A", quantity: 3, unitMinor: 334, discountMinor: 3)
        let shares = (0..<3).map { RefundArithmetic.paid(for: line, units: 1, before: $0) }
        #expect(shares == [333, 333, 333])
        #expect(shares.reduce(0, +) == 999)
        let odd = F.line(2, sku: "B", quantity: 3, unitMinor: 1_000, discountMinor: 1)
        #expect((0..<3).map { RefundArithmetic.paid(for: odd, units: 1, before: $0) } == [999, 1_000, 1_000])
        #expect(RefundArithmetic.paid(for: odd, units: 3, before: 0) == 2_999)
        #expect(RefundArithmetic.paid(for: odd, units: 2, before: 2) == 1_000)
    }

    @Test func feesAreDeductedPerPolicyInMinorUnits() throws {
        var policy = ReturnPolicy(id: UUID(), name: "fees")
        policy.restockingFeeBasisPoints = 1_250  // 12.5 %
        policy.restockingFeeFixedMinor = 100
        policy.returnShippingPayer = .customer
        policy.returnShippingFeeMinor = 495
        policy.requiredCondition = .unused
        let lines = [
            RefundArithmetic.LineInput(lineNo: 1, paidMinor: 1_999, condition: .restock),
            RefundArithmetic.LineInput(lineNo: 2, paidMinor: 999, condition: .notRestocked),
            RefundArithmetic.LineInput(lineNo: 3, paidMinor: 5_000, condition: .damaged),
            RefundArithmetic.LineInput(lineNo: 4, paidMinor: 800, condition: .missing),
        ]
        let breakdown = try RefundArithmetic.breakdown(lines, policy: policy, resolution: .refund)
        // Percent per line, rounded down: 249 (of 249.875) and 124 (of 124.875); damaged and missing are worth 0.
        #expect(breakdown.gross == 2_998)
        #expect(breakdown.restockingFee == 249 + 124 + 100)
        #expect(breakdown.shippingFee == 495)
        // 1750 + 875 = 2625 left; 595 shared 2:1 -> 396 + 198 = 594, the remaining unit from line 1.
        #expect(breakdown.refunds == [1: 1_750 - 397, 2: 875 - 198, 3: 0, 4: 0])
        #expect(breakdown.total == 2_998 - 473 - 495)
        #expect(breakdown.total == breakdown.refunds.values.reduce(0, +))

        // A partial refund set by an agent is final for its line; more than the line is worth is refused.
        let partial = try RefundArithmetic.breakdown(
            [RefundArithmetic.LineInput(lineNo: 1, paidMinor: 1_999, condition: .restock, overrideMinor: 1_000)],
            policy: policy, resolution: .refund)
        #expect(partial.total == 1_000 && partial.restockingFee == 0 && partial.shippingFee == 0)
        #expect(throws: RefundArithmetic.ArithmeticError.overrideAboveValue(lineNo: 1, value: 1_999)) {
            try RefundArithmetic.breakdown(
                [RefundArithmetic.LineInput(lineNo: 1, paidMinor: 1_999, condition: .restock, overrideMinor: 2_000)],
                policy: policy, resolution: .refund)
        }
        // Fees never take more than there is.
        policy.restockingFeeFixedMinor = 10_000
        let small = try RefundArithmetic.breakdown(
            [RefundArithmetic.LineInput(lineNo: 1, paidMinor: 300, condition: .restock)], policy: policy,
            resolution: .storeCredit)
        #expect(small.total == 0 && small.restockingFee == 37 + 263 && small.shippingFee == 0)
        // Exchanges and replacements give no money.
        let exchange = try RefundArithmetic.breakdown(lines, policy: policy, resolution: .exchange)
        #expect(exchange.total == 0 && exchange.gross == 0)
    }

    // MARK: - Labels and reasons

    @Test func localLabelsCarryACheckedTrackingNumberAndTheAddresses() async throws {
        #expect(LocalLabelProvider.checkDigit("47312482") == 9)  // the UPU S10 worked example (RR473124829GB)
        let tracking = LocalLabelProvider.trackingNumber(serial: 47_312_482)
        #expect(tracking == "CR473124829XX")
        #expect(LocalLabelProvider.isValid(tracking))
        #expect(!LocalLabelProvider.isValid("CR473124828XX"))
        let id = UUID()
        let label = try await LocalLabelProvider().label(
            for: LabelRequest(
                returnID: id, orderNumber: "#1001",
                from: PostalAddress(name: "Ann <Lee>", line1: "1 Main St", city: "Springfield", countryCode: "US"),
                to: ["Shop returns", "1 Dock Road"], serial: 7))
        #expect(label.contentType == "image/svg+xml")
        #expect(label.document.hasPrefix("<?xml"))
        #expect(label.document.contains("Ann &lt;Lee&gt;"))
        #expect(label.document.contains("1 Dock Road"))
        #expect(label.document.contains(id.uuidString))
        #expect(label.document.contains(label.trackingNumber))
        #expect(label.document.hasSuffix("</svg>"))
    }

    @Test func everyReasonMapsOntoAShopifyReturnReason() {
        let shopify: Set<String> = [
            "COLOR", "DEFECTIVE", "NOT_AS_DESCRIBED", "OTHER", "SIZE_TOO_LARGE", "SIZE_TOO_SMALL", "STYLE", "UNWANTED",
            "WRONG_ITEM", "UNKNOWN",
        ]
        #expect(Set(ReturnReasons.all.map(\.shopify)) == shopify)
        #expect(Set(ReturnReasons.all.map(\.code)).count == ReturnReasons.all.count)
        #expect(ReturnReasons.reason("size.too_small")?.shopify == "SIZE_TOO_SMALL")
        #expect(ReturnReasons.reason("size.tiny") == nil)
    }
}

import Contracts
import Foundation
import LoyaltyService
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// Answers a chosen window after a pause, or fails, counting the questions per order.
actor CountingWindow: ReturnWindowLookup {
    let closesAt: Date?
    let pause: Duration
    let fails: Bool
    private(set) var asked: [UUID: Int] = [:]

    init(closesAt: Date?, pause: Duration = .zero, fails: Bool = false) {
        self.closesAt = closesAt
        self.pause = pause
        self.fails = fails
    }

    func window(orderID: UUID) async throws -> ReturnWindow {
        asked[orderID, default: 0] += 1
        try await Task.sleep(for: pause)
        if fails { throw Problem.timeout("returns did not answer") }
        return ReturnWindow(orderID: orderID, windowDays: 30, startsFrom: "delivery", closesAt: closesAt)
    }
}

@Suite("Loyalty release rounds", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyReleaseTests {
    static func paidOrders(_ routers: Fixture.Routers, count: Int) async throws -> [OrderEvent] {
        _ = try await routers.publish(LoyaltyRules(pointsPerUnit: 1))
        var orders: [OrderEvent] = []
        for index in 0..<count {
            let order = testOrder(
                customerID: UUID(), number: "#\(2000 + index)",
                lines: [OrderEventLine(platformLineID: 1, sku: "A", quantity: 1, amountMinor: 1000)])
            try await routers.deliver(EventType.orderPaid, order)
            orders.append(order)
        }
        return orders
    }

    static func round(_ routers: Fixture.Routers, _ release: PendingRelease, at now: Date) async throws -> [UUID] {
        try await TestDatabase.withDatabase(url: routers.url) { database in
            try await release.run(now: now, database: database, logger: Fixture.logger)
        }
    }

    @Test func replicasRunningTheSameRoundTakeDifferentOrdersAndAskAboutEachOnce() async throws {
        try await Fixture.withRouters { routers in
            let orders = try await Self.paidOrders(routers, count: 6)
            let lookup = CountingWindow(closesAt: Date().addingTimeInterval(-60), pause: .milliseconds(100))
            let release = PendingRelease(lookup: lookup, recheckAfter: 0, batch: 3)
            let now = Date()
            let released = try await TestDatabase.withDatabase(url: routers.url) { database in
                try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for _ in 0..<2 {
                        group.addTask { try await release.run(now: now, database: database, logger: Fixture.logger) }
                    }
                    var all: [UUID] = []
                    for try await ids in group { all += ids }
                    return all
                }
            }
            #expect(released.count == 6)
            #expect(Set(released) == Set(orders.map(\.orderID)))
            let asked = await lookup.asked
            #expect(asked.count == 6 && asked.values.allSatisfy { $0 == 1 }, "\(asked)")
            for order in orders {
                let account = try await routers.loyaltyAccount(try #require(order.customerID))
                #expect(account.available == 10 && account.pending == 0)
            }
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }

    @Test func aSilentReturnsServiceEndsTheRoundAndItsClaimedOrdersComeBackLater() async throws {
        try await Fixture.withRouters { routers in
            let orders = try await Self.paidOrders(routers, count: 3)
            let silent = CountingWindow(closesAt: nil, fails: true)
            let release = PendingRelease(lookup: silent, recheckAfter: 3600, batch: 10, claimFor: 300)
            let now = Date()
            // The first question goes unanswered: the round stops there, releasing nothing.
            #expect(try await Self.round(routers, release, at: now).isEmpty)
            let askedFirst = await silent.asked
            #expect(askedFirst.values.reduce(0, +) == 1)
            // At once again: every order is claimed or rescheduled, so nothing is asked.
            #expect(try await Self.round(routers, release, at: now.addingTimeInterval(1)).isEmpty)
            let askedAgain = await silent.asked
            #expect(askedAgain == askedFirst)

            // Once the claim runs out, the two never asked are asked (and released); the one that went unanswered
            // waits for its recheck.
            var answering = release
            answering.lookup = CountingWindow(closesAt: now)
            let afterClaim = try await Self.round(routers, answering, at: now.addingTimeInterval(301))
            let unanswered = try #require(askedFirst.keys.first)
            #expect(Set(afterClaim) == Set(orders.map(\.orderID)).subtracting([unanswered]))
            #expect(try await Self.round(routers, answering, at: now.addingTimeInterval(3601)) == [unanswered])
            #expect(try await routers.verifyLedger().mismatched.isEmpty)
        }
    }
}

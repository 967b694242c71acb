import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Loyalty service through its router", .enabled(if: TestDatabase.isConfigured))
struct LoyaltyServiceTests {
    @Test func getAccountOpensAZeroAccountOnce() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let first = try await routers.loyalty.call(
                Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: customer))
            #expect(first.status == 200, "\(first.bodyText)")
            let account = try first.decoded(LoyaltyAccount.self)
            #expect(account.customerID == customer)
            #expect(account.available == 0)
            #expect(account.pending == 0)
            #expect(account.lifetime == 0)

            let second = try await routers.loyalty.call(
                Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: customer))
            #expect(second.status == 200)
            #expect(try second.decoded(LoyaltyAccount.self) == account)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM loyalty.accounts") == 1)
        }
    }

    @Test func concurrentFirstReadsOpenOneAccount() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await routers.loyalty.call(
                            Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: customer)
                        )
                        .status
                    }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM loyalty.accounts") == 1)
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Orders read model", .enabled(if: TestDatabase.isConfigured))
struct OrdersTests {
    /// Mirrors three orders of one Shopify customer (placed on three days) and one of another customer.
    private func mirror(_ routers: Fixture.Routers, store: UUID) async throws -> (UUID, UUID) {
        for n in 1...3 {
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: ShopifyBody.order(
                    id: Int64(n), number: "#100\(n)", email: "Ann@Example.com", customerID: 7001,
                    createdAt: "2025-03-0\(n)T09:00:00Z"))
        }
        try await StoreSyncFixture.deliver(
            routers, store: store, topic: "orders/create",
            body: ShopifyBody.order(id: 9, number: "#1009", email: "bob@example.com", customerID: 7002))
        try await StoreSyncFixture.sync(routers.url)
        let ann = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1)
        let bob = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 9)
        return (try #require(ann.customerID), try #require(bob.customerID))
    }

    @Test func getOrderServesStaffAndTheOwnerOnly() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let (ann, bob) = try await mirror(routers, store: store)
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1)
            let own = try await routers.customers.call(
                Operation.Customers.getOrder, ByID(id: order.id), principal: .customer(ann))
            #expect(own.status == 200)
            #expect(try own.decoded(Order.self) == order)
            let staff = try await routers.customers.call(
                Operation.Customers.getOrder, ByID(id: order.id), principal: .agent)
            #expect(staff.status == 200)
            let other = try await routers.customers.call(
                Operation.Customers.getOrder, ByID(id: order.id), principal: .customer(bob))
            #expect(other.status == 403)
            #expect(other.problem?.code == "forbidden")
            let missing = try await routers.customers.call(Operation.Customers.getOrder, ByID(id: UUID()))
            #expect(missing.status == 404)
            #expect(missing.problem?.code == "not_found")
        }
    }

    @Test func findOrderMatchesTheNumberWithOrWithoutHashAndTheEmailInAnyCase() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let (ann, bob) = try await mirror(routers, store: store)
            for number in ["#1002", "1002", " #1002 "] {
                for email in ["ann@example.com", "ANN@EXAMPLE.COM"] {
                    let reply = try await routers.customers.call(
                        Operation.Customers.findOrder, FindOrder(number: number, email: email))
                    #expect(reply.status == 200, "\(number) \(email)")
                    #expect(try reply.decoded(Order.self).platformOrderID == 2)
                }
            }
            let own = try await routers.customers.call(
                Operation.Customers.findOrder, FindOrder(number: "1002", email: "ann@example.com"),
                principal: .customer(ann))
            #expect(own.status == 200)
            let wrongEmail = try await routers.customers.call(
                Operation.Customers.findOrder, FindOrder(number: "#1002", email: "bob@example.com"))
            #expect(wrongEmail.status == 404)
            let wrongNumber = try await routers.customers.call(
                Operation.Customers.findOrder, FindOrder(number: "#9999", email: "ann@example.com"))
            #expect(wrongNumber.status == 404)
            let othersKey = try await routers.customers.call(
                Operation.Customers.findOrder, FindOrder(number: "#1002", email: "ann@example.com"),
                principal: .customer(bob))
            #expect(othersKey.status == 403)
            let invalid = try await routers.customers.call(
                Operation.Customers.findOrder, FindOrder(number: "", email: "nope"))
            #expect(invalid.status == 422)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["number", "email"])
        }
    }

    @Test func listOrdersPagesNewestFirst() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let (ann, bob) = try await mirror(routers, store: store)
            let first = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: ann, limit: 2), principal: .customer(ann))
            #expect(first.status == 200)
            let page1 = try first.decoded(Page<Order>.self)
            #expect(page1.items.map(\.number) == ["#1003", "#1002"])
            let cursor = try #require(page1.nextCursor)
            let second = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: ann, limit: 2, cursor: cursor))
            let page2 = try second.decoded(Page<Order>.self)
            #expect(page2.items.map(\.number) == ["#1001"])
            #expect(page2.nextCursor == nil)
            let othersKey = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: ann), principal: .customer(bob))
            #expect(othersKey.status == 403)
            let badCursor = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: ann, cursor: "zz"))
            #expect(badCursor.status == 422)
            let badLimit = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: ann, limit: 0))
            #expect(badLimit.status == 422)
            let nobody = try await routers.customers.call(
                Operation.Customers.listOrders, ListOrders(customerID: UUID()))
            #expect(try nobody.decoded(Page<Order>.self).items.isEmpty)
        }
    }
}

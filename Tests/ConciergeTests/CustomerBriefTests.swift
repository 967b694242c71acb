import Contracts
import Foundation
import TestSupport
import Testing
import Wire

/// `customers.get_brief`: existence, contact and segments in one read, for services that open work for a customer.
@Suite("Customers: the brief record", .enabled(if: TestDatabase.isConfigured))
struct CustomerBriefTests {
    @Test func briefCarriesSegmentsAndAnUnknownIdIs404() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer(email: "brief@example.com")
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: customer.id, tags: ["VIP"]))
            _ = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "vips", rule: SegmentRule(vip: true)))
            _ = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "repeat", rule: SegmentRule(minOrders: 2)))
            let reply = try await routers.customers.call(Operation.Customers.getBrief, ByID(id: customer.id))
            #expect(reply.status == 200)
            let brief = try reply.decoded(CustomerBrief.self)
            #expect(brief.id == customer.id)
            #expect(brief.email == "brief@example.com")
            #expect(brief.segments == ["vips"])
            // The brief's segments are the full record's.
            let full = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
            #expect(try full.decoded(Customer.self).segments == brief.segments)
            let unknown = try await routers.customers.call(Operation.Customers.getBrief, ByID(id: UUID()))
            #expect(unknown.status == 404)
            let other = try await routers.customers.call(
                Operation.Customers.getBrief, ByID(id: customer.id), principal: .customer(UUID()))
            #expect(other.status == 403)
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Customers service through its router", .enabled(if: TestDatabase.isConfigured))
struct CustomersServiceTests {
    @Test func createThenGetReturnsTheSameCustomer() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "Ann@Example.com", name: "Ann", phone: "+14155550123")
            )
            #expect(reply.status == 201)
            let created = try reply.decoded(Customer.self)
            #expect(created.email == "Ann@Example.com")
            #expect(created.name == "Ann")
            #expect(created.phone == "+14155550123")

            let got = try await routers.customers.call(Operation.Customers.get, ByID(id: created.id))
            #expect(got.status == 200)
            #expect(try got.decoded(Customer.self) == created)
        }
    }

    @Test func findByEmailIgnoresCase() async throws {
        try await Fixture.withRouters { routers in
            let created = try await routers.customers.createCustomer(email: "Mixed.Case@Example.com")
            for email in ["mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM", "Mixed.Case@Example.com"] {
                let reply = try await routers.customers.call(
                    Operation.Customers.findByEmail, FindCustomerByEmail(email: email))
                #expect(reply.status == 200, "\(email)")
                #expect(try reply.decoded(Customer.self).id == created.id)
            }
            let missing = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "nobody@example.com"))
            #expect(missing.status == 404)
            #expect(missing.problem?.code == "not_found")
        }
    }

    @Test func duplicateEmailInAnyCaseIsEmailTaken() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.customers.createCustomer(email: "dup@example.com")
            let reply = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "DUP@example.com"))
            #expect(reply.status == 409)
            #expect(reply.problem?.code == "email_taken")
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers") == 1)
        }
    }

    @Test func unknownIDIs404() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.customers.call(Operation.Customers.get, ByID(id: UUID()))
            #expect(reply.status == 404)
            #expect(reply.problem?.code == "not_found")
        }
    }

    @Test func invalidInputIs422AndWritesNothing() async throws {
        try await Fixture.withRouters { routers in
            let reply = await routers.customers.call(Operation.Customers.create, json: #"{"email":"nope"}"#)
            #expect(reply.status == 422)
            #expect(reply.problem?.errors?.map(\.field) == ["email"])
            let rows = try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers")
            #expect(rows == 0)
        }
    }
}

import Contracts
import CustomersService
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Customer identity normaliser")
struct CustomerIdentityNormalizerTests {
    @Test func emailsAreTrimmedAndLowerCased() {
        #expect(IdentityNormalizer.email("  Ann@Example.COM \n") == "ann@example.com")
        #expect(IdentityNormalizer.email("   ") == nil)
    }

    @Test(arguments: [
        ("+44 20 7946-0000", "+442079460000"),
        ("0044 (20) 7946 0000", "+442079460000"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("415.555.0123", "4155550123"),
        ("+49/30/1234567", "+49301234567"),
    ])
    func phonesBecomeE164WhenPossible(input: String, expected: String) {
        #expect(IdentityNormalizer.phone(input) == expected)
    }

    @Test func junkPhonesAreRefused() {
        #expect(IdentityNormalizer.phone("call me") == nil)
        #expect(IdentityNormalizer.phone("+") == nil)
        #expect(IdentityNormalizer.phone("+1234567890123456789") == nil)
        #expect(IdentityNormalizer.isE164("+442079460000"))
        #expect(!IdentityNormalizer.isE164("4155550123"))
    }

    @Test func handlesLoseTheirAtAndCase() {
        #expect(IdentityNormalizer.handle(" @Ada_Lovelace ") == "ada_lovelace")
        #expect(IdentityNormalizer.handle("@") == nil)
        #expect(IdentityNormalizer.handle("two words") == nil)
    }

    @Test func platformIDsNeedAStore() {
        #expect(IdentityNormalizer.normalize(CustomerIdentity(kind: .shopify, value: "42")) == nil)
        let store = UUID()
        let identity = IdentityNormalizer.normalize(CustomerIdentity(kind: .shopify, value: " 42 ", storeID: store))
        #expect(identity == CustomerIdentity(kind: .shopify, value: "42", storeID: store))
        #expect(
            IdentityNormalizer.scope(of: CustomerIdentity(kind: .shopify, value: "42", storeID: store))
                == store.uuidString.lowercased())
        #expect(IdentityNormalizer.scope(of: CustomerIdentity(kind: .email, value: "a@b.co")) == "")
    }
}

@Suite("Customer identity resolver", .enabled(if: TestDatabase.isConfigured))
struct CustomerIdentityResolverTests {
    let resolver = IdentityResolver()

    func resolve(_ database: Database, _ identities: [CustomerIdentity], profile: NewCustomerProfile = .init())
        async throws -> ResolvedCustomer
    {
        try await database.transaction { connection in
            try await resolver.resolve(identities, profile: profile, on: connection, logger: Fixture.logger)
        }
    }

    @Test func newEmailCreatesACustomerWithItsIdentitiesAndProfile() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                let resolved = try await resolve(
                    database, [CustomerIdentity(kind: .email, value: " Ada@Example.com ")],
                    profile: NewCustomerProfile(
                        firstName: "Ada", lastName: "Lovelace", phone: "+44 20 7946 0000", locale: "en-GB",
                        tags: ["vip", "VIP", " "]))
                #expect(resolved.created)
                let customer = try #require(
                    try await routers.customers.call(Operation.Customers.get, ByID(id: resolved.id))
                        .decoded(Customer.self))
                #expect(customer.email == "Ada@Example.com")
                #expect(customer.name == "Ada Lovelace")
                #expect(customer.phone == "+442079460000")
                #expect(customer.locale == "en-GB")
                #expect(customer.tags == ["vip"])
                #expect(
                    Set(customer.identities)
                        == [
                            CustomerIdentity(kind: .email, value: "ada@example.com"),
                            CustomerIdentity(kind: .phone, value: "+442079460000"),
                        ])
            }
        }
    }

    @Test func eachKnownIdentityKindFindsTheSameCustomer() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                let store = UUID()
                let first = try await resolve(
                    database,
                    [
                        CustomerIdentity(kind: .email, value: "bo@example.com"),
                        CustomerIdentity(kind: .phone, value: "+14155550123"),
                        CustomerIdentity(kind: .instagram, value: "@BoShop"),
                        CustomerIdentity(kind: .shopify, value: "777", storeID: store),
                    ])
                #expect(first.created)
                let probes: [CustomerIdentity] = [
                    CustomerIdentity(kind: .email, value: "BO@example.com"),
                    CustomerIdentity(kind: .phone, value: "+1 (415) 555-0123"),
                    CustomerIdentity(kind: .instagram, value: "boshop"),
                    CustomerIdentity(kind: .shopify, value: "777", storeID: store),
                ]
                for probe in probes {
                    let again = try await resolve(database, [probe])
                    #expect(again == ResolvedCustomer(id: first.id, created: false), "\(probe.kind)")
                }
                // The same platform id in another store is someone else.
                let other = try await resolve(
                    database, [CustomerIdentity(kind: .shopify, value: "777", storeID: UUID())])
                #expect(other.created)
                #expect(other.id != first.id)
                let count = try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers")
                #expect(count == 2)
            }
        }
    }

    @Test func newIdentitiesAreAttachedToTheMatchedCustomer() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                let first = try await resolve(database, [CustomerIdentity(kind: .email, value: "cy@example.com")])
                let second = try await resolve(
                    database,
                    [
                        CustomerIdentity(kind: .facebook, value: "cy.fb"),
                        CustomerIdentity(kind: .email, value: "cy@example.com"),
                    ])
                #expect(second == ResolvedCustomer(id: first.id, created: false))
                let byHandle = try await resolve(database, [CustomerIdentity(kind: .facebook, value: "@CY.FB")])
                #expect(byHandle.id == first.id)
            }
        }
    }

    @Test func mergedRecordsResolveToTheirSurvivor() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                let source = try await resolve(database, [CustomerIdentity(kind: .x, value: "dee")])
                let target = try await resolve(database, [CustomerIdentity(kind: .email, value: "dee@example.com")])
                try await database.withConnection { connection in
                    try await connection.query(
                        "UPDATE customers.customers SET merged_into = \(target.id) WHERE id = \(source.id)",
                        logger: Fixture.logger)
                }
                let again = try await resolve(database, [CustomerIdentity(kind: .x, value: "@dee")])
                #expect(again == ResolvedCustomer(id: target.id, created: false))
            }
        }
    }

    @Test func noUsableIdentityIs422() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                await #expect(throws: Problem.self) {
                    try await resolve(
                        database,
                        [CustomerIdentity(kind: .email, value: "  "), CustomerIdentity(kind: .shopify, value: "1")])
                }
                let count = try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers")
                #expect(count == 0)
            }
        }
    }

    @Test func concurrentResolvesOfOneNewEmailEndWithOneCustomer() async throws {
        try await Fixture.withRouters { routers in
            try await TestDatabase.withDatabase(url: routers.url) { database in
                for round in 0..<5 {
                    let email = "race\(round)@example.com"
                    let results = try await withThrowingTaskGroup(of: ResolvedCustomer.self) { group in
                        for _ in 0..<2 {
                            group.addTask {
                                try await resolve(database, [CustomerIdentity(kind: .email, value: email)])
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(Set(results.map(\.id)).count == 1)
                    #expect(results.filter(\.created).count == 1)
                }
                for round in 0..<5 {
                    let phone = "+4930123456\(round)"
                    let results = try await withThrowingTaskGroup(of: ResolvedCustomer.self) { group in
                        for _ in 0..<2 {
                            group.addTask {
                                try await resolve(database, [CustomerIdentity(kind: .phone, value: phone)])
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(Set(results.map(\.id)).count == 1)
                    #expect(results.filter(\.created).count == 1)
                }
                let count = try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers")
                #expect(count == 10)
            }
        }
    }
}

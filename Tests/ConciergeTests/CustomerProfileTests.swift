import Contracts
import CustomersService
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// Inserts rows the store-sync helper would write, straight into the database.
enum ProfileFixture {
    static func order(
        _ url: String, customer: UUID?, number: String, totalMinor: Int64, refundedMinor: Int64 = 0,
        currency: String = "EUR", state: String = "open", daysAgo: Int = 1
    ) async throws {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.withConnection { connection in
                let placed = Date().addingTimeInterval(-Double(daysAgo) * 86_400)
                try await connection.query(
                    """
                    INSERT INTO customers.orders (id, store_id, platform, platform_order_id, number, customer_id,
                        state, currency, total_minor, refunded_minor, placed_at)
                    VALUES (\(UUID()), \(UUID()), 'shopify', \(Int64.random(in: 1...Int64.max)), \(number),
                        \(customer), \(state), \(currency), \(totalMinor), \(refundedMinor), \(placed))
                    """, logger: Fixture.logger)
            }
        }
    }

    /// Runs the RFM scoring pass (the `customers.rfm` job's round) now.
    static func score(_ url: String) async throws {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.withConnection { connection in
                _ = try await CustomersService.scoreCustomers(on: connection, logger: Fixture.logger)
            }
        }
    }

    static func execute(_ url: String, _ sql: String) async throws {
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Fixture.logger)
            }
        }
    }
}

@Suite("Customer profiles: create, resolve, update", .enabled(if: TestDatabase.isConfigured))
struct CustomerProfileTests {
    @Test func createAddsEmailAndPhoneIdentitiesAndGetReturnsThem() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "Eve@Example.com", phone: "+14155550100"))
            let customer = try reply.decoded(Customer.self)
            #expect(customer.version == 1)
            #expect(
                Set(customer.identities)
                    == [
                        CustomerIdentity(kind: .email, value: "eve@example.com"),
                        CustomerIdentity(kind: .phone, value: "+14155550100"),
                    ])
            #expect(customer.stats == nil)
            #expect(customer.segments.isEmpty)
            #expect(customer.consents.isEmpty)
        }
    }

    @Test func resolveContactCreatesOnceAndRecordsOneEvent() async throws {
        try await Fixture.withRouters { routers in
            let first = try await routers.customers.call(
                Operation.Customers.resolveContact,
                ResolveContact(phone: "+44 20 7946 0001", social: SocialHandle(network: .instagram, handle: "@Fay")),
                principal: .agent)
            #expect(first.status == 200)
            let created = try first.decoded(ResolvedContact.self)
            #expect(created.created)
            #expect(created.customer.phone == "+442079460001")
            let again = try await routers.customers.call(
                Operation.Customers.resolveContact,
                ResolveContact(social: SocialHandle(network: .instagram, handle: "fay")), principal: .agent)
            let found = try again.decoded(ResolvedContact.self)
            #expect(!found.created)
            #expect(found.customer.id == created.customer.id)
            let events = try await TestDatabase.scalar(
                url: routers.url, "SELECT count(*) FROM events.log WHERE type = 'customer.created'")
            #expect(events == 1)
        }
    }

    @Test func resolveContactRefusesEmptyAndCustomerKeys() async throws {
        try await Fixture.withRouters { routers in
            let empty = await routers.customers.call(Operation.Customers.resolveContact, json: #"{"name":"X"}"#)
            #expect(empty.status == 422)
            let badNetwork = await routers.customers.call(
                Operation.Customers.resolveContact, json: #"{"social":{"network":"myspace","handle":"x"}}"#)
            #expect(badNetwork.status == 422)
            let extra = await routers.customers.call(
                Operation.Customers.resolveContact, json: #"{"social":{"network":"x","handle":"x","id":1}}"#)
            #expect(extra.status == 422)
            let customer = try await routers.customers.call(
                Operation.Customers.resolveContact, ResolveContact(email: "g@example.com"),
                principal: .customer(UUID()))
            #expect(customer.status == 403)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers") == 0)
        }
    }

    @Test func updateChangesFieldsAndBumpsTheVersion() async throws {
        try await Fixture.withRouters { routers in
            let created = try await routers.customers.createCustomer(email: "hal@example.com")
            let reply = try await routers.customers.call(
                Operation.Customers.update,
                UpdateCustomer(
                    id: created.id, expectedVersion: 1, firstName: "Hal", lastName: "Jordan", phone: "+14155550111",
                    locale: "en-US", timeZone: "America/New_York", tags: ["vip", "VIP", "wholesale"],
                    note: "prefers email",
                    attributes: ["size": "L"],
                    addresses: [PostalAddress(line1: "1 Main St", city: "NYC", countryCode: "US")],
                    addIdentities: [CustomerIdentity(kind: .x, value: "@HalJ")]))
            #expect(reply.status == 200, "\(reply.bodyText)")
            let updated = try reply.decoded(Customer.self)
            #expect(updated.version == 2)
            #expect(updated.firstName == "Hal")
            #expect(updated.lastName == "Jordan")
            #expect(updated.phone == "+14155550111")
            #expect(updated.locale == "en-US")
            #expect(updated.timeZone == "America/New_York")
            #expect(updated.tags == ["vip", "wholesale"])
            #expect(updated.note == "prefers email")
            #expect(updated.attributes == ["size": "L"])
            #expect(updated.addresses.first?.city == "NYC")
            #expect(updated.identities.contains(CustomerIdentity(kind: .x, value: "halj")))
            #expect(updated.identities.contains(CustomerIdentity(kind: .phone, value: "+14155550111")))
            #expect(updated.name == "Test")

            let cleared = try await routers.customers.call(
                Operation.Customers.update,
                UpdateCustomer(id: created.id, note: "", removeIdentities: [CustomerIdentity(kind: .x, value: "HalJ")]))
            let after = try cleared.decoded(Customer.self)
            #expect(after.note == nil)
            #expect(after.version == 3)
            #expect(!after.identities.contains { $0.kind == .x })
        }
    }

    @Test func badTimeZoneLocaleAndUnknownFieldsAre422AndChangeNothing() async throws {
        try await Fixture.withRouters { routers in
            let created = try await routers.customers.createCustomer()
            let cases = [
                #"{"id":"\#(created.id)","time_zone":"Mars/Olympus"}"#,
                #"{"id":"\#(created.id)","locale":"english please"}"#,
                #"{"id":"\#(created.id)","phone":"555"}"#,
                #"{"id":"\#(created.id)","nickname":"x"}"#,
                #"{"id":"\#(created.id)","addresses":[{"street":"x"}]}"#,
                #"{"id":"\#(created.id)","add_identities":[{"kind":"shopify","value":"1"}]}"#,
            ]
            for json in cases {
                let reply = await routers.customers.call(Operation.Customers.update, json: json)
                #expect(reply.status == 422, "\(json): \(reply.bodyText)")
            }
            let got = try await routers.customers.call(Operation.Customers.get, ByID(id: created.id))
            #expect(try got.decoded(Customer.self).version == 1)
        }
    }

    @Test func staleVersionIs412WithTheCurrentRecord() async throws {
        try await Fixture.withRouters { routers in
            let created = try await routers.customers.createCustomer()
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: created.id, expectedVersion: 1, name: "First agent"))
            let second = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: created.id, expectedVersion: 1, name: "Second agent"))
            #expect(second.status == 412)
            let problem = try #require(second.problem)
            #expect(problem.code == "version_mismatch")
            let current = try #require(try problem.current?.decode(Customer.self))
            #expect(current.version == 2)
            #expect(current.name == "First agent")
        }
    }

    @Test func customerKeysUpdateOnlyTheirOwnNamesLocaleZoneAndAddresses() async throws {
        try await Fixture.withRouters { routers in
            let me = try await routers.customers.createCustomer()
            let other = try await routers.customers.createCustomer()
            let own = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: me.id, firstName: "Me", timeZone: "Europe/Berlin"),
                principal: .customer(me.id))
            #expect(own.status == 200)
            let tags = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: me.id, tags: ["vip"]), principal: .customer(me.id))
            #expect(tags.status == 403)
            let foreign = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: other.id, firstName: "X"), principal: .customer(me.id))
            #expect(foreign.status == 403)
        }
    }

    @Test func identityOfAnotherCustomerIsTaken() async throws {
        try await Fixture.withRouters { routers in
            let first = try await routers.customers.createCustomer(email: "one@example.com")
            let second = try await routers.customers.createCustomer()
            let reply = try await routers.customers.call(
                Operation.Customers.update,
                UpdateCustomer(id: second.id, addIdentities: [CustomerIdentity(kind: .email, value: "ONE@example.com")])
            )
            #expect(reply.status == 409)
            #expect(reply.problem?.code == "identity_taken")
            #expect(reply.problem?.detail?.contains(first.id.uuidString) == true)
        }
    }
}

@Suite("Customer search", .enabled(if: TestDatabase.isConfigured))
struct CustomerSearchTests {
    @Test func findsByEachKeyAndPages() async throws {
        try await Fixture.withRouters { routers in
            let ann = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "ann.smith@example.com", name: "Ann Smith")
            )
            .decoded(Customer.self)
            let bob = try await routers.customers.call(
                Operation.Customers.create,
                CreateCustomer(email: "bob@shop.test", name: "Bob Smithers", phone: "+14155550199")
            ).decoded(Customer.self)
            _ = try await routers.customers.createCustomer(email: "carol@example.org")
            try await ProfileFixture.order(routers.url, customer: bob.id, number: "#1042", totalMinor: 100)

            func search(_ q: String, limit: Int? = nil, cursor: String? = nil) async throws -> Page<Customer> {
                let reply = try await routers.customers.call(
                    Operation.Customers.search, SearchCustomers(q: q, limit: limit, cursor: cursor))
                #expect(reply.status == 200, "\(reply.bodyText)")
                return try reply.decoded(Page<Customer>.self)
            }
            #expect(try await search("ANN.SMITH@example.com").items.map(\.id) == [ann.id])
            #expect(try await search("bob@").items.map(\.id) == [bob.id])
            #expect(try await search("+1 (415) 555-0199").items.map(\.id) == [bob.id])
            #expect(try await search("1042").items.map(\.id) == [bob.id])
            #expect(try await search("#1042").items.map(\.id) == [bob.id])
            #expect(try await search("smith").items.map(\.id) == [ann.id, bob.id])
            #expect(try await search("nobody").items.isEmpty)
            #expect(try await search("%").items.isEmpty)

            let first = try await search("smith", limit: 1)
            #expect(first.items.map(\.id) == [ann.id])
            let cursor = try #require(first.nextCursor)
            let second = try await search("smith", limit: 1, cursor: cursor)
            #expect(second.items.map(\.id) == [bob.id])
            #expect(second.nextCursor == nil)
        }
    }

    @Test func badInputIs422AndCustomerKeysAreRefused() async throws {
        try await Fixture.withRouters { routers in
            #expect(await routers.customers.call(Operation.Customers.search, json: #"{"q":" "}"#).status == 422)
            #expect(
                await routers.customers.call(Operation.Customers.search, json: #"{"q":"a","cursor":"zz"}"#).status
                    == 422)
            #expect(
                await routers.customers.call(Operation.Customers.search, json: #"{"q":"a","limit":0}"#).status == 422)
            let reply = try await routers.customers.call(
                Operation.Customers.search, SearchCustomers(q: "a"), principal: .customer(UUID()))
            #expect(reply.status == 403)
        }
    }
}

@Suite("Customer merge", .enabled(if: TestDatabase.isConfigured))
struct CustomerMergeTests {
    @Test func mergeMovesEverythingOnceAndRepeatsAsANoOp() async throws {
        try await Fixture.withRouters { routers in
            let source = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "dup@example.com", name: "Dup", phone: "+14155550177")
            ).decoded(Customer.self)
            let target = try await routers.customers.createCustomer(email: "main@example.com")
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: source.id, tags: ["vip", "b"]))
            _ = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: target.id, tags: ["B", "c"]))
            try await ProfileFixture.order(routers.url, customer: source.id, number: "#9", totalMinor: 500)
            try await ProfileFixture.execute(
                routers.url,
                """
                INSERT INTO customers.timeline (event_id, customer_id, type, source, occurred_at, subject_type,
                    subject_id, summary)
                VALUES (gen_random_uuid(), '\(source.id)', 'ticket.created', 'tickets', now(), 'ticket', 'x', 'hi')
                """)

            let merge = MergeCustomers(sourceID: source.id, targetID: target.id)
            let reply = try await routers.customers.call(Operation.Customers.merge, merge, principal: .agent)
            #expect(reply.status == 200, "\(reply.bodyText)")
            let merged = try reply.decoded(Customer.self)
            #expect(merged.tags == ["B", "c", "vip"])
            #expect(merged.identities.contains(CustomerIdentity(kind: .email, value: "dup@example.com")))
            #expect(merged.identities.contains(CustomerIdentity(kind: .phone, value: "+14155550177")))
            #expect(merged.phone == "+14155550177")
            #expect(merged.name == "Test")
            #expect(merged.stats?.orderCount == 1)

            let old = try await routers.customers.call(Operation.Customers.get, ByID(id: source.id))
                .decoded(Customer.self)
            #expect(old.mergedInto == target.id)
            #expect(old.identities.isEmpty)
            let timeline = try await TestDatabase.scalar(
                url: routers.url, "SELECT count(*) FROM customers.timeline WHERE customer_id = '\(target.id)'")
            #expect(timeline == 1)

            // The source's email now finds the target; a new record may not take it over silently.
            let byEmail = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "DUP@example.com"))
            #expect(try byEmail.decoded(Customer.self).id == target.id)

            let again = try await routers.customers.call(Operation.Customers.merge, merge, principal: .agent)
            #expect(again.status == 200)
            #expect(try again.decoded(Customer.self).id == target.id)
            let events = try await TestDatabase.scalar(
                url: routers.url, "SELECT count(*) FROM events.log WHERE type = 'customer.merged'")
            #expect(events == 1)
        }
    }

    @Test func refusals() async throws {
        try await Fixture.withRouters { routers in
            let a = try await routers.customers.createCustomer()
            let b = try await routers.customers.createCustomer()
            let c = try await routers.customers.createCustomer()
            let same = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: a.id, targetID: a.id), principal: .agent)
            #expect(same.status == 422)
            let customerKey = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: a.id, targetID: b.id), principal: .customer(a.id))
            #expect(customerKey.status == 403)
            let unknown = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: UUID(), targetID: b.id), principal: .agent)
            #expect(unknown.status == 404)
            _ = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: a.id, targetID: b.id), principal: .agent)
            let intoMerged = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: c.id, targetID: a.id), principal: .agent)
            #expect(intoMerged.status == 409)
            #expect(intoMerged.problem?.code == "target_merged")
            let mergedElsewhere = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: a.id, targetID: c.id), principal: .agent)
            #expect(mergedElsewhere.problem?.code == "source_merged")
            try await ProfileFixture.execute(
                routers.url, "UPDATE customers.customers SET erased_at = now() WHERE id = '\(c.id)'")
            let intoErased = try await routers.customers.call(
                Operation.Customers.merge, MergeCustomers(sourceID: b.id, targetID: c.id), principal: .agent)
            #expect(intoErased.problem?.code == "target_erased")
            let update = try await routers.customers.call(
                Operation.Customers.update, UpdateCustomer(id: a.id, name: "x"))
            #expect(update.problem?.code == "customer_merged")
        }
    }
}

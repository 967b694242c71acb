import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Idempotency keys on commands", .enabled(if: TestDatabase.isConfigured))
struct IdempotencyTests {
    private func count(_ url: String, _ sql: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, sql)
    }

    @Test func sameKeyAndPayloadReplaysTheReplyAndCreatesOneRow() async throws {
        try await Fixture.withRouters { routers in
            let input = CreateCustomer(email: "once@example.com", name: "Once")
            let first = try await routers.customers.call(Operation.Customers.create, input, key: "k-1")
            let second = try await routers.customers.call(Operation.Customers.create, input, key: "k-1")
            #expect(first.status == 201)
            #expect(second.status == 201)
            #expect(second.body == first.body)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.customers") == 1)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.idempotency_keys") == 1)
        }
    }

    @Test func sameKeyWithADifferentPayloadIsAConflictAndWritesNothing() async throws {
        try await Fixture.withRouters { routers in
            let first = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "a@example.com"), key: "k-2")
            #expect(first.status == 201)
            let second = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "b@example.com"), key: "k-2")
            #expect(second.status == 422)
            #expect(second.problem?.code == "idempotency_conflict")
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.customers") == 1)
            let replayed = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "a@example.com"), key: "k-2")
            #expect(replayed.body == first.body)
        }
    }

    @Test func tenConcurrentRequestsWithOneKeyCreateOneRowAndAgree() async throws {
        try await Fixture.withRouters { routers in
            let input = CreateCustomer(email: "race@example.com")
            let replies = try await withThrowingTaskGroup(of: ReplyEnvelope.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await routers.customers.call(Operation.Customers.create, input, key: "race") }
                }
                var all: [ReplyEnvelope] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            #expect(replies.count == 10)
            // The key's primary key serialises the duplicates: each waits for the first commit and replays it.
            let statuses = replies.map(\.status)
            #expect(statuses.allSatisfy { $0 == 201 }, "statuses: \(statuses), bodies: \(replies.map(\.bodyText))")
            #expect(Set(replies.map(\.body)).count == 1)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.customers") == 1)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.idempotency_keys") == 1)
        }
    }

    @Test func aFailingCommandWritesNothingNotEvenTheKey() async throws {
        try await Fixture.withRouters { routers in
            _ = try await routers.customers.createCustomer(email: "taken@example.com")
            let clash = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "TAKEN@example.com"), key: "retry-me")
            #expect(clash.status == 409)
            #expect(clash.problem?.code == "email_taken")
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.idempotency_keys") == 0)

            let corrected = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "free@example.com"), key: "retry-me")
            #expect(corrected.status == 201)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.customers") == 2)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.idempotency_keys") == 1)
        }
    }

    @Test func aForbiddenCommandRollsBackItsKey() async throws {
        try await Fixture.withRouters { routers in
            let refused = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "x@example.com"), principal: .customer(UUID()),
                key: "k-forbidden")
            #expect(refused.status == 403)
            #expect(try await count(routers.url, "SELECT count(*) FROM customers.idempotency_keys") == 0)
            let allowed = try await routers.customers.call(
                Operation.Customers.create, CreateCustomer(email: "x@example.com"), key: "k-forbidden")
            #expect(allowed.status == 201)
        }
    }

    @Test func repliesCarryTheirOwnRequestIDEvenWhenReplayed() async throws {
        try await Fixture.withRouters { routers in
            let payload = try Fixture.payload(CreateCustomer(email: "rid@example.com"))
            let metadata = RequestMetadata(requestID: "first", idempotencyKey: "rid")
            let first = await routers.customers.handle(
                RequestEnvelope(operation: Operation.Customers.create, payload: payload, metadata: metadata),
                services: nil, logger: Fixture.logger)
            var again = metadata
            again.requestID = "second"
            let second = await routers.customers.handle(
                RequestEnvelope(operation: Operation.Customers.create, payload: payload, metadata: again),
                services: nil, logger: Fixture.logger)
            #expect(first.requestID == "first")
            #expect(second.requestID == "second")
            #expect(second.body == first.body)
        }
    }
}

import Contracts
import Foundation
import Logging
import Majordomo
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// The in-process suite with a client on its broker and SQL helpers, for the privacy tests (no tests here).
struct PrivacySuite: Sendable {
    let services: ServiceClient
    let url: String

    static func run(_ body: @Sendable (PrivacySuite) async throws -> Void) async throws {
        let url = try await TestDatabase.create(prefix: "privacy")
        try await InProcessSuite.run(databaseURL: url) { suite in
            let client = MajordomoClient(
                brokerEndpoint: suite.brokerEndpoint, configuration: suite.configuration.majordomo,
                logger: Fixture.logger, correlate: ServiceClient.correlate)
            let services = ServiceClient(
                client: client, attemptTimeout: .seconds(5), deadline: .seconds(10), logger: Fixture.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                try await body(PrivacySuite(services: services, url: url))
            }
        }
    }

    func send(
        _ service: String, _ operation: String, _ input: some Encodable, principal: Principal? = nil,
        key: String? = nil
    ) async throws -> ReplyEnvelope {
        await services.send(
            service: service, operation: operation, payload: try Fixture.payload(input),
            metadata: RequestMetadata(requestID: UUID().uuidString, idempotencyKey: key, principal: principal))
    }

    func createCustomer(email: String) async throws -> Customer {
        let reply = try await send("customers", Operation.Customers.create, CreateCustomer(email: email, name: "N"))
        guard reply.status == 201 else { throw TestSetupError("customers.create: \(reply.bodyText)") }
        return try reply.decoded(Customer.self)
    }

    func createTicket(_ customer: Customer, subject: String) async throws -> Ticket {
        let reply = try await send(
            "tickets", Operation.Tickets.create,
            CreateTicket(customerID: customer.id, subject: subject, message: "first message", channel: .email))
        guard reply.status == 201 else { throw TestSetupError("tickets.create: \(reply.bodyText)") }
        return try reply.decoded(Ticket.self)
    }

    func addMessage(_ ticket: Ticket, body: String) async throws -> ReplyEnvelope {
        let reply = try await send(
            "tickets", Operation.Tickets.addMessage,
            AddTicketMessage(ticketID: ticket.id, body: body, authorType: .customer))
        guard reply.status == 201 else { throw TestSetupError("tickets.add_message: \(reply.bodyText)") }
        return reply
    }

    func createReturn(_ customer: Customer, reason: String) async throws -> ReturnRequest {
        let reply = try await send(
            "returns", Operation.Returns.create,
            CreateReturn(
                customerID: customer.id, orderReference: "#1001", reason: reason,
                lines: [ReturnLine(sku: "SKU-1", quantity: 2)]))
        guard reply.status == 201 else { throw TestSetupError("returns.create: \(reply.bodyText)") }
        return try reply.decoded(ReturnRequest.self)
    }

    func exec(_ sql: String) async throws {
        try await TestDatabase.withClient(url: url) { client, logger in
            try await client.withConnection { connection in
                for statement in sql.components(separatedBy: ";\n") {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
        }
    }

    func int(_ sql: String) async throws -> Int { try await TestDatabase.scalar(url: url, sql) }

    func text(_ sql: String) async throws -> String? {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await value in rows.decode(String?.self) { return value }
            return nil
        }
    }

    /// Polls `condition` for up to 15 s.
    func waitFor(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        let giveUp = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < giveUp {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("timed out waiting for \(what)")
    }

    func waitForCompleteErasure(_ customerID: UUID) async throws -> ErasureStatus {
        let giveUp = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < giveUp {
            let reply = try await send(
                "customers", Operation.Customers.erasureStatus, GetErasureStatus(customerID: customerID),
                principal: PrivacyTests.admin)
            if reply.status == 200, let status = try? reply.decoded(ErasureStatus.self), status.complete {
                return status
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("erasure of \(customerID) never completed")
    }

    /// Appends an event as the customers service would (the profiles helper's merge emits customer.merged).
    func appendEvent(_ type: String, aggregateID: UUID, payload: some Encodable & Sendable) async throws {
        let event = try NewEvent(
            type: type, aggregateType: "customer", aggregateID: aggregateID.uuidString, payload: payload)
        try await TestDatabase.withDatabase(url: url) { database in
            try await database.transaction { connection in
                _ = try await EventStore(source: "customers").append(
                    event, traceparent: nil, on: connection, logger: Fixture.logger)
            }
        }
    }

    /// Runs every consumer's handler for every stored event of `type` again, as an operator's replay would.
    func replay(type: String) async throws {
        let definitions = try Fixture.definitions()
        try await TestDatabase.withDatabase(url: url) { database in
            let events = try await database.withConnection {
                try await EventStore(source: "").read(
                    after: .start, types: [type], limit: 100, on: $0, logger: Fixture.logger)
            }
            guard !events.isEmpty else { throw TestSetupError("no \(type) event to replay") }
            for definition in definitions {
                for (_, handlers) in definition.consumers(database) {
                    guard let handler = handlers.handlers[type] else { continue }
                    for event in events {
                        try await database.transaction { try await handler(event, $0, Fixture.logger) }
                    }
                }
            }
        }
    }
}

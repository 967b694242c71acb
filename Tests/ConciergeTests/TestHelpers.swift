import Contracts
import CustomersService
import Foundation
import Logging
import LoyaltyService
import ReturnsService
import ServiceRuntime
import TestSupport
import TicketsService
import Wire

/// Shared helpers of the ConciergeTests suites (no tests here).
enum Fixture {
    static let logger: Logger = {
        var logger = Logger(label: "concierge.tests")
        logger.logLevel = .critical
        return logger
    }()

    static func definitions() throws -> [ServiceDefinition] {
        [
            try CustomersService.definition(), try TicketsService.definition(), try ReturnsService.definition(),
            try LoyaltyService.definition(),
        ]
    }

    /// The four services' routers over one fresh, migrated database.
    struct Routers: Sendable {
        var customers: OperationRouter
        var tickets: OperationRouter
        var returns: OperationRouter
        var loyalty: OperationRouter
        var url: String
    }

    static func withRouters<T: Sendable>(_ body: @Sendable (Routers) async throws -> T) async throws -> T {
        let url = try await TestDatabase.create()
        let definitions = try definitions()
        return try await TestDatabase.withDatabase(url: url) { database in
            for definition in definitions {
                try await definition.migrate(client: database.client, logger: database.logger)
            }
            func router(_ name: String) throws -> OperationRouter {
                guard let definition = definitions.first(where: { $0.name == name }) else {
                    throw TestSetupError("no service \(name)")
                }
                return definition.router(database: database)
            }
            let routers = Routers(
                customers: try router("customers"), tickets: try router("tickets"), returns: try router("returns"),
                loyalty: try router("loyalty"), url: url)
            return try await body(routers)
        }
    }

    static func payload(_ value: some Encodable) throws -> [UInt8] {
        Array(try WireJSON.encoder.encode(value))
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension OperationRouter {
    /// Calls `operation` directly (no broker, no other services).
    func call(
        _ operation: String, _ payload: [UInt8], principal: Principal? = nil, key: String? = nil,
        deadline: Int64? = nil
    ) async -> ReplyEnvelope {
        let metadata = RequestMetadata(
            requestID: UUID().uuidString, idempotencyKey: key, principal: principal, deadlineMillis: deadline)
        return await handle(
            RequestEnvelope(operation: operation, payload: payload, metadata: metadata), services: nil,
            logger: Fixture.logger)
    }

    func call(
        _ operation: String, json: String, principal: Principal? = nil, key: String? = nil
    ) async -> ReplyEnvelope {
        await call(operation, Array(json.utf8), principal: principal, key: key, deadline: nil)
    }

    func call(
        _ operation: String, _ input: some Encodable, principal: Principal? = nil, key: String? = nil
    ) async throws -> ReplyEnvelope {
        await call(operation, try Fixture.payload(input), principal: principal, key: key, deadline: nil)
    }

    /// Creates a customer as staff and returns it.
    func createCustomer(email: String = "c-\(UUID().uuidString.prefix(8))@example.com") async throws -> Customer {
        let reply = try await call(Operation.Customers.create, CreateCustomer(email: email, name: "Test"))
        guard reply.status == 201 else { throw TestSetupError("customers.create answered \(reply.status)") }
        return try reply.decoded(Customer.self)
    }
}

extension ReplyEnvelope {
    func decoded<T: Decodable>(_ type: T.Type) throws -> T {
        try WireJSON.decoder.decode(T.self, from: Data(body))
    }

    /// The problem in the body (nil when the body is not one).
    var problem: Problem? { try? decoded(Problem.self) }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

extension Principal {
    static func customer(_ id: UUID) -> Principal { Principal(role: .customer, keyID: "k", customerID: id) }
    static let agent = Principal(role: .agent, keyID: "agent-key")
}

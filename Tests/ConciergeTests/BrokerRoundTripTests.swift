import Contracts
import Foundation
import Majordomo
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Services over the in-process MDP broker", .enabled(if: TestDatabase.isConfigured))
struct BrokerRoundTripTests {
    /// Runs the in-process suite on a fresh database and hands `body` a client and a ServiceClient on its broker.
    private func withSuite(
        _ body: @Sendable (MajordomoClient, ServiceClient) async throws -> Void
    ) async throws {
        let url = try await TestDatabase.create()
        try await InProcessSuite.run(databaseURL: url) { suite in
            let client = MajordomoClient(
                brokerEndpoint: suite.brokerEndpoint, configuration: suite.configuration.majordomo,
                logger: Fixture.logger, correlate: ServiceClient.correlate)
            let services = ServiceClient(
                client: client, attemptTimeout: .seconds(5), deadline: .seconds(10), logger: Fixture.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                try await body(client, services)
            }
        }
    }

    private func send(
        _ services: ServiceClient, _ service: String, _ operation: String, _ input: some Encodable,
        deadline: Int64? = nil
    ) async throws -> ReplyEnvelope {
        await services.send(
            service: service, operation: operation, payload: try Fixture.payload(input),
            metadata: RequestMetadata(requestID: UUID().uuidString, deadlineMillis: deadline))
    }

    @Test func ticketForAnUnknownCustomerIs422NamingCustomerID() async throws {
        try await withSuite { _, services in
            let reply = try await send(
                services, Operation.Tickets.service, Operation.Tickets.create,
                CreateTicket(customerID: UUID(), subject: "s", message: "m", channel: .webForm))
            #expect(reply.status == 422, "\(reply.bodyText)")
            #expect(reply.problem?.code == "validation_failed")
            #expect(reply.problem?.errors?.map(\.field) == ["customer_id"])
        }
    }

    @Test func ticketForARealCustomerIs201() async throws {
        try await withSuite { _, services in
            let created = try await send(
                services, Operation.Customers.service, Operation.Customers.create,
                CreateCustomer(email: "broker@example.com"))
            #expect(created.status == 201, "\(created.bodyText)")
            let customer = try created.decoded(Customer.self)
            let reply = try await send(
                services, Operation.Tickets.service, Operation.Tickets.create,
                CreateTicket(customerID: customer.id, subject: "Late parcel", message: "Where is it?", channel: .email))
            #expect(reply.status == 201, "\(reply.bodyText)")
            let ticket = try reply.decoded(Ticket.self)
            #expect(ticket.customerID == customer.id)
            #expect(ticket.status == .new)

            let rma = try await send(
                services, Operation.Returns.service, Operation.Returns.create,
                CreateReturn(
                    customerID: customer.id, orderReference: "O-1", reason: "r",
                    lines: [ReturnLine(sku: "A", quantity: 1)]))
            #expect(rma.status == 201, "\(rma.bodyText)")
            let account = try await send(
                services, Operation.Loyalty.service, Operation.Loyalty.getAccount,
                GetLoyaltyAccount(customerID: customer.id))
            #expect(account.status == 200, "\(account.bodyText)")
        }
    }

    @Test func loyaltyForAnUnknownCustomerIs404() async throws {
        try await withSuite { _, services in
            let reply = try await send(
                services, Operation.Loyalty.service, Operation.Loyalty.getAccount, GetLoyaltyAccount(customerID: UUID())
            )
            #expect(reply.status == 404, "\(reply.bodyText)")
        }
    }

    @Test func unknownOperationIs404UnknownOperation() async throws {
        try await withSuite { _, services in
            let reply = try await send(services, Operation.Tickets.service, "tickets.explode", ByID(id: UUID()))
            #expect(reply.status == 404)
            #expect(reply.problem?.code == "unknown_operation")
        }
    }

    @Test func pastDeadlineIs504Timeout() async throws {
        try await withSuite { client, services in
            let past = Fixture.nowMillis() - 1_000
            let viaServiceClient = try await send(
                services, Operation.Customers.service, Operation.Customers.get, ByID(id: UUID()), deadline: past)
            #expect(viaServiceClient.status == 504)
            #expect(viaServiceClient.problem?.code == "timeout")

            // Straight to the worker, bypassing the client's own check: the worker refuses expired work too.
            let requestID = UUID().uuidString
            let frames = try RequestEnvelope(
                operation: Operation.Customers.get, payload: try Fixture.payload(ByID(id: UUID())),
                metadata: RequestMetadata(requestID: requestID, deadlineMillis: past)
            ).frames()
            let replyFrames = try await client.request(
                service: Operation.Customers.service, body: frames, correlationID: requestID, timeout: .seconds(5))
            let reply = try ReplyEnvelope(frames: replyFrames)
            #expect(reply.status == 504)
            #expect(reply.requestID == requestID)
            #expect(reply.problem?.code == "timeout")
        }
    }

    @Test func malformedRequestFramesAre400() async throws {
        try await withSuite { client, _ in
            let requestID = UUID().uuidString
            let meta = Array(#"{"request_id":"\#(requestID)"}"#.utf8)
            let replyFrames = try await client.request(
                service: Operation.Customers.service, body: [[], Array("{}".utf8), meta], correlationID: requestID,
                timeout: .seconds(5))
            let reply = try ReplyEnvelope(frames: replyFrames)
            #expect(reply.status == 400)
            #expect(reply.problem?.code == "malformed_request")
        }
    }
}

import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Returns service through its router", .enabled(if: TestDatabase.isConfigured))
struct ReturnsServiceTests {
    @Test func createThenGetReturnsTheRequestWithItsLines() async throws {
        try await Fixture.withRouters { routers in
            let customer = UUID()
            let lines = [ReturnLine(sku: "SHOE-42", quantity: 1), ReturnLine(sku: "BELT-M", quantity: 2)]
            let reply = try await routers.returns.call(
                Operation.Returns.create,
                CreateReturn(customerID: customer, orderReference: "ORD-1001", reason: "wrong size", lines: lines))
            #expect(reply.status == 201, "\(reply.bodyText)")
            let created = try reply.decoded(ReturnRequest.self)
            #expect(created.status == .requested)
            #expect(created.customerID == customer)
            #expect(created.lines.map { "\($0.sku ?? "")×\($0.quantity)" } == ["SHOE-42×1", "BELT-M×2"])
            #expect(created.lines.map(\.lineNo) == [1, 2])

            let got = try await routers.returns.call(Operation.Returns.get, ByID(id: created.id))
            #expect(got.status == 200)
            let fetched = try got.decoded(ReturnRequest.self)
            #expect(fetched.id == created.id)
            #expect(fetched.orderReference == "ORD-1001")
            #expect(fetched.reason == "wrong size")
            #expect(Set(fetched.lines.map(\.sku)) == ["SHOE-42", "BELT-M"])
            #expect(fetched.lines.first { $0.sku == "BELT-M" }?.quantity == 2)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM returns.return_lines") == 2)
        }
    }

    @Test func invalidLinesAre422AndWriteNothing() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.returns.call(
                Operation.Returns.create,
                CreateReturn(
                    customerID: UUID(), orderReference: "ORD-1", reason: "r",
                    lines: [ReturnLine(sku: "A", quantity: 1), ReturnLine(sku: "A", quantity: 1)]))
            #expect(reply.status == 422)
            #expect(reply.problem?.errors?.map(\.field) == ["lines"])
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM returns.returns") == 0)
        }
    }

    @Test func unknownReturnIs404() async throws {
        try await Fixture.withRouters { routers in
            let reply = try await routers.returns.call(Operation.Returns.get, ByID(id: UUID()))
            #expect(reply.status == 404)
        }
    }
}

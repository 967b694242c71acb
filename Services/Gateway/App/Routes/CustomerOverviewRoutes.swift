import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// `GET /v1/customers/{id}/overview`: what an agent sees beside a ticket, in one call. The gateway asks the
/// services concurrently (customer record, recent orders with their tracking, recent tickets, loyalty account) and
/// puts their answers side by side; each part is exactly what its own endpoint returns.
struct CustomerOverviewRoutes {
    let forwarder: ServiceForwarder
    /// How many recent orders and tickets the overview carries.
    static let recentCount = 5

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("customers/:id/overview") { request, context in
            let principal = try context.requirePrincipal()
            let id = try context.parameters.uuid("id")
            let requestID = context.requestID
            let recent: [String: Any] = ["customer_id": id.uuidString, "limit": Self.recentCount]
            let parts: [(key: String, service: String, operation: String, payload: [UInt8])] = [
                ("customer", Operation.Customers.service, Operation.Customers.get, try forwarder.payload(ByID(id: id))),
                ("orders", Operation.Customers.service, Operation.Customers.listOrders, try Self.json(recent)),
                ("tickets", Operation.Tickets.service, Operation.Tickets.listByCustomer, try Self.json(recent)),
                (
                    "loyalty", Operation.Loyalty.service, Operation.Loyalty.getAccount,
                    try forwarder.payload(GetLoyaltyAccount(customerID: id))
                ),
            ]
            let replies = await withTaskGroup(of: (Int, ReplyEnvelope).self) { group in
                for (index, part) in parts.enumerated() {
                    group.addTask {
                        let partMetadata = RequestMetadata(requestID: "\(requestID)/\(part.key)", principal: principal)
                        let reply = await forwarder.services.send(
                            service: part.service, operation: part.operation, payload: part.payload,
                            metadata: partMetadata)
                        return (index, reply)
                    }
                }
                var replies = [ReplyEnvelope?](repeating: nil, count: parts.count)
                for await (index, reply) in group { replies[index] = reply }
                return replies.compactMap { $0 }
            }
            // The customer decides the answer: unknown, forbidden or failing means the whole overview is.
            if let failed = replies.first(where: { !$0.isSuccess }) {
                return Self.problemResponse(failed)
            }
            var body: [UInt8] = Array("{".utf8)
            for (index, part) in parts.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body += Array("\"\(part.key)\":".utf8)
                body += replies[index].body
            }
            body.append(UInt8(ascii: "}"))
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func problemResponse(_ reply: ReplyEnvelope) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if reply.status == 503 { headers[.retryAfter] = "1" }
        return Response(
            status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

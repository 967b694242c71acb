import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// Privacy: the customer export bundle, erasure and its status, and the store platforms' data requests (admin).
struct PrivacyRoutes {
    let forwarder: ServiceForwarder

    /// The services whose `*.export_customer` answers make up the bundle, in bundle order.
    static let exportParts: [(service: String, operation: String)] = [
        (Operation.Customers.service, Operation.Customers.exportCustomer),
        (Operation.Tickets.service, Operation.Tickets.exportCustomer),
        (Operation.Returns.service, Operation.Returns.exportCustomer),
        (Operation.Loyalty.service, Operation.Loyalty.exportCustomer),
    ]

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("customers/:id/export") { request, context in
            let principal = try context.require([.admin])
            let id = try context.parameters.uuid("id")
            return try await export(customerID: id, dataRequestID: nil, principal: principal, context: context)
        }

        group.post("customers/:id/erase") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            var object = try await Self.optionalObject(request, forwarder: forwarder)
            object["customer_id"] = id.uuidString
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.erase,
                payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request,
                context: context, idempotent: true)
        }

        group.get("customers/:id/erasure") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.erasureStatus,
                payload: try forwarder.payload(GetErasureStatus(customerID: id)), request: request, context: context)
        }

        group.get("data-requests") { request, context in
            try context.require([.admin])
            let query = request.uri.queryParameters
            var status: DataRequestStatus?
            if let text = query.get("status") {
                guard let value = DataRequestStatus(rawValue: text) else {
                    throw Problem.validation([.init(field: "status", message: "must be open or completed")])
                }
                status = value
            }
            let input = ListDataRequests(
                status: status, limit: try CustomerRoutes.limit(query), cursor: query.get("cursor"))
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.listDataRequests,
                payload: try forwarder.payload(input), request: request, context: context)
        }

        group.get("data-requests/:id/export") { request, context in
            let principal = try context.require([.admin])
            let id = try context.parameters.uuid("id")
            let reply = await forwarder.services.send(
                service: Operation.Customers.service, operation: Operation.Customers.getDataRequest,
                payload: try forwarder.payload(GetDataRequest(id: id)),
                metadata: RequestMetadata(requestID: context.requestID, principal: principal))
            guard reply.isSuccess else { return forwarder.response(for: reply) }
            let dataRequest = try WireJSON.decoder.decode(DataRequest.self, from: Data(reply.body))
            guard let customerID = dataRequest.customerID else {
                // Concierge knows no customer for this request: the answer is that it holds nothing about them.
                return Self.bundle(dataRequestID: id, customerID: nil, parts: [])
            }
            return try await export(customerID: customerID, dataRequestID: id, principal: principal, context: context)
        }

        group.post("data-requests/:id/complete") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.completeDataRequest,
                payload: try forwarder.payload(CompleteDataRequest(id: id)), request: request, context: context,
                idempotent: true)
        }
    }

    /// Asks the four services concurrently and answers one bundle, or the failure: an unknown customer is 404, any
    /// other failing service makes the export 503 (never a partial bundle).
    private func export(
        customerID: UUID, dataRequestID: UUID?, principal: Principal, context: GatewayRequestContext
    ) async throws -> Response {
        let payload = try forwarder.payload(ExportCustomer(customerID: customerID))
        let parts = Self.exportParts
        let requestID = context.requestID
        let services = forwarder.services
        let replies = await withTaskGroup(of: (Int, ReplyEnvelope).self) { group in
            for (index, part) in parts.enumerated() {
                group.addTask {
                    let metadata = RequestMetadata(
                        requestID: "\(requestID)/\(part.service)", principal: principal)
                    let reply = await services.send(
                        service: part.service, operation: part.operation, payload: payload, metadata: metadata)
                    return (index, reply)
                }
            }
            var replies = [ReplyEnvelope?](repeating: nil, count: parts.count)
            for await (index, reply) in group { replies[index] = reply }
            return replies
        }
        if let customers = replies[0], customers.status == 404 {
            return Response(
                status: .notFound, headers: [.contentType: "application/problem+json"],
                body: .init(byteBuffer: ByteBuffer(bytes: customers.body)))
        }
        for (index, reply) in replies.enumerated() where reply?.isSuccess != true {
            let service = parts[index].service
            context.logger.warning(
                "export incomplete", metadata: ["service": "\(service)", "status": "\(reply?.status ?? 0)"])
            throw Problem.serviceUnavailable(
                "the \(service) service could not export; try again", code: "export_incomplete")
        }
        let bodies = parts.enumerated().map { index, part in
            (part.service, replies[index]?.body ?? Array("null".utf8))
        }
        return Self.bundle(dataRequestID: dataRequestID, customerID: customerID, parts: bodies)
    }

    /// The bundle document: `format`, `generated_at`, `customer_id` (null when no customer is known),
    /// `data_request_id` when it answers a store's data request, and `services` with each service's export.
    static func bundle(dataRequestID: UUID?, customerID: UUID?, parts: [(service: String, body: [UInt8])])
        -> Response
    {
        func quoted(_ id: UUID?) -> String { id.map { "\"\($0.uuidString)\"" } ?? "null" }
        let generatedAt = ISO8601DateFormatter().string(from: Date())
        var body = Array(
            "{\"format\":\"\(PrivacyServices.exportFormat)\",\"generated_at\":\"\(generatedAt)\",\"customer_id\":\(quoted(customerID)),"
                .utf8)
        if let dataRequestID { body += Array("\"data_request_id\":\(quoted(dataRequestID)),".utf8) }
        body += Array("\"services\":{".utf8)
        for (index, part) in parts.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += Array("\"\(part.service)\":".utf8)
            body += part.body
        }
        body += Array("}}".utf8)
        let name =
            dataRequestID.map { "data-request-\($0.uuidString.lowercased())" }
            ?? "customer-\(customerID?.uuidString.lowercased() ?? "none")"
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json", .contentDisposition: "attachment; filename=\"\(name).json\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The body as a JSON object; an empty body is an empty object.
    static func optionalObject(_ request: Request, forwarder: ServiceForwarder) async throws -> [String: Any] {
        let bytes = try await forwarder.body(of: request)
        if bytes.isEmpty { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) else {
            throw Problem.badRequest("the body is not valid JSON", code: "malformed_json")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem.badRequest("the body must be a JSON object", code: "malformed_json")
        }
        return dictionary
    }
}

import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// `/v1/customers`: the customer record and what hangs off it.
struct CustomerRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("customers") { request, context in
            try context.require(.staff)
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.create, payload: body, request: request,
                context: context, idempotent: true)
        }

        group.get("customers") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            if let q = query.get("q") {
                let input = SearchCustomers(q: q, limit: try Self.limit(query), cursor: query.get("cursor"))
                return try await forwarder.forward(
                    Operation.Customers.service, Operation.Customers.search, payload: try forwarder.payload(input),
                    request: request, context: context)
            }
            guard let email = query.get("email") else {
                throw Problem.badRequest("give ?q= to search or ?email= to find a customer", code: "missing_query")
            }
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.findByEmail,
                payload: try forwarder.payload(FindCustomerByEmail(email: email)), request: request, context: context)
        }

        group.get("customers/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forwardVersioned(
                Operation.Customers.get, payload: try forwarder.payload(ByID(id: id)), request: request,
                context: context)
        }

        registerProfileRoutes(on: group)

        group.get("customers/:id/tickets") { request, context in
            let id = try context.parameters.uuid("id")
            let query = request.uri.queryParameters
            var limit: Int?
            if let text = query.get("limit") {
                guard let value = Int(text) else {
                    throw Problem.validation([.init(field: "limit", message: "must be a whole number")])
                }
                limit = value
            }
            let input = ListTicketsByCustomer(customerID: id, limit: limit, cursor: query.get("cursor"))
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listByCustomer, payload: try forwarder.payload(input),
                request: request, context: context)
        }

        group.get("customers/:id/timeline") { request, context in
            let id = try context.parameters.uuid("id")
            let query = request.uri.queryParameters
            let input = ListTimeline(customerID: id, limit: try Self.limit(query), cursor: query.get("cursor"))
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.timeline, payload: try forwarder.payload(input),
                request: request, context: context)
        }

        group.get("customers/:id/loyalty") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Loyalty.service, Operation.Loyalty.getAccount,
                payload: try forwarder.payload(GetLoyaltyAccount(customerID: id)), request: request, context: context)
        }
    }

    /// Resolve, update (If-Match), merge and consent.
    func registerProfileRoutes(on group: RouterGroup<GatewayRequestContext>) {
        group.post("customers/resolve") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.resolveContact,
                payload: try await forwarder.body(of: request), request: request, context: context, idempotent: true)
        }

        group.patch("customers/:id") { request, context in
            let id = try context.parameters.uuid("id")
            var object = try await forwarder.jsonObject(of: request)
            object["id"] = id.uuidString
            if let ifMatch = request.headers[.ifMatch] {
                object["expected_version"] = try Self.version(ifMatch: ifMatch)
            }
            return try await forwarder.forwardVersioned(
                Operation.Customers.update, payload: Array(try JSONSerialization.data(withJSONObject: object)),
                request: request, context: context, idempotent: true)
        }

        group.post("customers/:id/merge") { request, context in
            try context.require([.admin, .agent])
            let id = try context.parameters.uuid("id")
            let object = try await forwarder.jsonObject(of: request)
            let unknown = Set(object.keys).subtracting(["source_customer_id"]).sorted()
            if !unknown.isEmpty {
                throw Problem.validation(unknown.map { .init(field: $0, message: "is not a known field") })
            }
            guard let text = object["source_customer_id"] as? String, let source = UUID(uuidString: text) else {
                throw Problem.validation([.init(field: "source_customer_id", message: "must be a customer id")])
            }
            return try await forwarder.forwardVersioned(
                Operation.Customers.merge,
                payload: try forwarder.payload(MergeCustomers(sourceID: source, targetID: id)),
                request: request, context: context, idempotent: true)
        }

        group.put("customers/:id/consents/:channel") { request, context in
            let id = try context.parameters.uuid("id")
            var object = try await forwarder.jsonObject(of: request)
            for field in ["customer_id", "channel"] where object[field] != nil {
                throw Problem.validation([.init(field: field, message: "is given by the path")])
            }
            object["customer_id"] = id.uuidString
            object["channel"] = context.parameters.get("channel") ?? ""
            return try await forwarder.forwardVersioned(
                Operation.Customers.setConsent, payload: Array(try JSONSerialization.data(withJSONObject: object)),
                request: request, context: context, idempotent: true)
        }
    }

    /// The version an `If-Match` header names: `"3"` (or `W/"3"`, or a bare `3`); 400 `invalid_if_match` otherwise.
    static func version(ifMatch: String) throws -> Int {
        var text = ifMatch.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard let version = Int(text), version >= 1 else {
            throw Problem.badRequest(
                "If-Match must be the record's ETag, such as \"3\"", code: "invalid_if_match")
        }
        return version
    }

    /// The `limit` query parameter, when given, as a number (its range is the service's to check).
    static func limit(_ query: Parameters) throws -> Int? {
        guard let text = query.get("limit") else { return nil }
        guard let value = Int(text) else {
            throw Problem.validation([.init(field: "limit", message: "must be a whole number")])
        }
        return value
    }
}

extension ServiceForwarder {
    /// Forwards an operation whose reply is a versioned record (a customer, a ticket) and sets `ETag: "<version>"`
    /// from it (or, on a 412 `version_mismatch`, from the current record the problem carries).
    func forwardVersioned(
        _ operation: String, service: String = Operation.Customers.service, payload: [UInt8], request: Request,
        context: GatewayRequestContext, idempotent: Bool = false
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let metadata = RequestMetadata(
            requestID: context.requestID,
            idempotencyKey: idempotent ? try idempotencyKey(for: request, context: context) : nil,
            principal: principal, traceparent: request.headers[.traceparent])
        let reply = await services.send(service: service, operation: operation, payload: payload, metadata: metadata)
        var headers: HTTPFields = [
            .contentType: reply.status >= 400 ? "application/problem+json" : "application/json"
        ]
        if reply.status == 503 { headers[.retryAfter] = "1" }
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
        let record = reply.status == 412 ? object?["current"] as? [String: Any] : object
        if reply.status < 300 || reply.status == 412, let version = record?["version"] as? Int {
            headers[.eTag] = "\"\(version)\""
        }
        return Response(
            status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// `/v1/returns`, `/v1/return-policies` and `/v1/orders/{id}/return-window`: returns from request to refund
/// (docs/returns.md). Customers (a `customer` key) start returns by order number and email, see their own returns
/// and may cancel them before receipt; staff run the rest of the lifecycle.
struct ReturnRoutes {
    let forwarder: ServiceForwarder

    /// The lifecycle moves: path segment, operation, who may.
    static let actions: [(String, String, Set<Principal.Role>)] = [
        ("approve", Operation.Returns.approve, .staff),
        ("decline", Operation.Returns.decline, .staff),
        ("cancel", Operation.Returns.cancel, .everyone),
        ("label", Operation.Returns.issueLabel, .staff),
        ("in-transit", Operation.Returns.markInTransit, .staff),
        ("receive", Operation.Returns.receive, .staff),
        ("inspect", Operation.Returns.inspect, .staff),
        ("resolve", Operation.Returns.resolve, .staff),
        ("close", Operation.Returns.close, .staff),
    ]

    func register(on group: RouterGroup<GatewayRequestContext>) {
        let service = Operation.Returns.service
        group.post("returns") { request, context in
            try context.require(.everyone)
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                service, Operation.Returns.create, payload: body, request: request, context: context, idempotent: true)
        }

        group.get("returns") { request, context in
            try context.require(.everyone)
            let query = request.uri.queryParameters
            var input: [String: Any] = [:]
            for name in ["customer_id", "status", "order_id", "cursor"] {
                if let value = query.get(name) { input[name] = value }
            }
            if let limit = try CustomerRoutes.limit(query) { input["limit"] = limit }
            return try await forwarder.forward(
                service, Operation.Returns.list, payload: try CustomerOverviewRoutes.json(input), request: request,
                context: context)
        }

        group.get("returns/review-queue") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            var input: [String: Any] = [:]
            if let cursor = query.get("cursor") { input["cursor"] = cursor }
            if let limit = try CustomerRoutes.limit(query) { input["limit"] = limit }
            return try await forwarder.forward(
                service, Operation.Returns.reviewQueue, payload: try CustomerOverviewRoutes.json(input),
                request: request, context: context)
        }

        group.get("returns/reasons") { request, context in
            try context.require(.everyone)
            return try await forwarder.forward(
                service, Operation.Returns.reasons, payload: Array("{}".utf8), request: request, context: context)
        }

        group.get("returns/eligibility") { request, context in
            try context.require(.everyone)
            let query = request.uri.queryParameters
            var input: [String: Any] = [:]
            if let order = query.get("order_id") {
                input["order_id"] = order
            } else if let number = query.get("number"), let email = query.get("email") {
                input["order_number"] = number
                input["email"] = email
            } else {
                throw Problem.badRequest("give ?order_id= or ?number= and ?email=", code: "missing_query")
            }
            return try await forwarder.forward(
                service, Operation.Returns.eligibility, payload: try CustomerOverviewRoutes.json(input),
                request: request, context: context)
        }

        group.get("returns/analytics") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            guard let from = query.get("from"), let to = query.get("to") else {
                throw Problem.badRequest("give ?from= and ?to= (RFC 3339 times)", code: "missing_query")
            }
            var input: [String: Any] = ["from": from, "to": to]
            if let groupBy = query.get("group_by") { input["group_by"] = groupBy }
            if let store = query.get("store_id") { input["store_id"] = store }
            return try await forwarder.forward(
                service, Operation.Returns.analytics, payload: try CustomerOverviewRoutes.json(input),
                request: request, context: context)
        }

        group.get("returns/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                service, Operation.Returns.get, payload: try forwarder.payload(ByID(id: id)), request: request,
                context: context)
        }

        group.get("returns/:id/label") { request, context in
            try context.require(.everyone)
            let id = try context.parameters.uuid("id")
            let reply = await forwarder.services.send(
                service: service, operation: Operation.Returns.getLabel, payload: try forwarder.payload(ByID(id: id)),
                metadata: RequestMetadata(
                    requestID: context.requestID, idempotencyKey: nil, principal: try context.requirePrincipal(),
                    traceparent: request.headers[.traceparent]))
            // The document itself, printable as it is; a problem as it came.
            guard reply.status == 200,
                let label = try? WireJSON.decoder.decode(ReturnLabel.self, from: Data(reply.body))
            else { return forwarder.response(for: reply) }
            return Response(
                status: .ok, headers: [.contentType: label.contentType],
                body: .init(byteBuffer: ByteBuffer(string: label.document)))
        }

        for (segment, operation, roles) in Self.actions {
            group.post(RouterPath("returns/:id/\(segment)")) { request, context in
                try context.require(roles)
                let id = try context.parameters.uuid("id")
                return try await forwarder.forward(
                    service, operation,
                    payload: try await forwarder.object(
                        of: request, setting: ["id": id.uuidString], emptyBodyAllowed: true),
                    request: request, context: context, idempotent: true)
            }
        }

        group.get("return-policies") { request, context in
            try context.require(.staff)
            var input: [String: Any] = [:]
            if let store = request.uri.queryParameters.get("store_id") { input["store_id"] = store }
            return try await forwarder.forward(
                service, Operation.Returns.listPolicies, payload: try CustomerOverviewRoutes.json(input),
                request: request, context: context)
        }

        group.put("return-policies/:id") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                service, Operation.Returns.putPolicy,
                payload: try await forwarder.object(of: request, setting: ["id": id.uuidString]), request: request,
                context: context, idempotent: true)
        }

        group.get("orders/:id/return-window") { request, context in
            try context.require(.everyone)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                service, Operation.Returns.returnWindow, payload: try forwarder.payload(GetReturnWindow(orderID: id)),
                request: request, context: context)
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/orders` and `/v1/customers/{id}/orders`: the orders mirrored from the connected stores (read only: the
/// store platform is the truth, and its webhooks keep the mirror current).
struct OrderRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("orders/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.getOrder, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }

        group.get("orders") { request, context in
            let query = request.uri.queryParameters
            guard let number = query.get("number"), let email = query.get("email") else {
                throw Problem.badRequest("give ?number= and ?email= to find an order", code: "missing_query")
            }
            let payload = try CustomerOverviewRoutes.json(["number": number, "email": email])
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.findOrder, payload: payload, request: request,
                context: context)
        }

        group.get("customers/:id/orders") { request, context in
            let id = try context.parameters.uuid("id")
            let query = request.uri.queryParameters
            var input: [String: Any] = ["customer_id": id.uuidString]
            if let limit = try CustomerRoutes.limit(query) { input["limit"] = limit }
            if let cursor = query.get("cursor") { input["cursor"] = cursor }
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.listOrders,
                payload: try CustomerOverviewRoutes.json(input), request: request, context: context)
        }
    }
}

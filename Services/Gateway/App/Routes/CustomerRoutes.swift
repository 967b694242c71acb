import Contracts
import Foundation
import Hummingbird
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
            guard let email = request.uri.queryParameters.get("email") else {
                throw Problem.badRequest("give ?email= to find a customer", code: "missing_query")
            }
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.findByEmail,
                payload: try forwarder.payload(FindCustomerByEmail(email: email)), request: request, context: context)
        }

        group.get("customers/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.get, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }

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

    /// The `limit` query parameter, when given, as a number (its range is the service's to check).
    static func limit(_ query: Parameters) throws -> Int? {
        guard let text = query.get("limit") else { return nil }
        guard let value = Int(text) else {
            throw Problem.validation([.init(field: "limit", message: "must be a whole number")])
        }
        return value
    }
}

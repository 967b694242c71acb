import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/tickets`: support tickets and their conversations.
struct TicketRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("tickets") { request, context in
            try context.require(.everyone)
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.create, payload: body, request: request, context: context,
                idempotent: true)
        }

        group.get("tickets/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.get, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }

        group.post("tickets/:id/solve") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.solve,
                payload: try forwarder.payload(SolveTicket(ticketID: id)),
                request: request, context: context, idempotent: true)
        }

        group.post("tickets/:id/messages") { request, context in
            let principal = try context.require(.everyone)
            let id = try context.parameters.uuid("id")
            var object = try await forwarder.jsonObject(of: request)
            if object["ticket_id"] != nil {
                throw Problem.validation([.init(field: "ticket_id", message: "is taken from the path; leave it out")])
            }
            object["ticket_id"] = id.uuidString
            if object["author_type"] == nil {
                object["author_type"] = principal.role == .customer ? "customer" : "agent"
            }
            let payload = try JSONSerialization.data(withJSONObject: object)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.addMessage, payload: Array(payload), request: request,
                context: context, idempotent: true)
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/tickets`: support tickets, their conversations and lifecycle (edits with `If-Match`, merge, split).
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
            return try await forwarder.forwardVersioned(
                Operation.Tickets.get, service: Operation.Tickets.service, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }

        group.patch("tickets/:id") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            var object = try await forwarder.jsonObject(of: request)
            for field in ["ticket_id", "expected_version"] where object[field] != nil {
                throw Problem.validation([.init(field: field, message: "is not a field of this request")])
            }
            object["ticket_id"] = id.uuidString
            if let ifMatch = request.headers[.ifMatch] {
                object["expected_version"] = try CustomerRoutes.version(ifMatch: ifMatch)
            }
            return try await forwarder.forwardVersioned(
                Operation.Tickets.update, service: Operation.Tickets.service,
                payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request, context: context,
                idempotent: true)
        }

        group.post("tickets/:id/merge") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            let object = try await forwarder.jsonObject(of: request)
            let unknown = Set(object.keys).subtracting(["source_ticket_id"]).sorted()
            if !unknown.isEmpty {
                throw Problem.validation(unknown.map { .init(field: $0, message: "is not a known field") })
            }
            guard let text = object["source_ticket_id"] as? String, let source = UUID(uuidString: text) else {
                throw Problem.validation([.init(field: "source_ticket_id", message: "must be a ticket id")])
            }
            return try await forwarder.forwardVersioned(
                Operation.Tickets.merge, service: Operation.Tickets.service,
                payload: try forwarder.payload(MergeTickets(sourceTicketID: source, targetTicketID: id)),
                request: request, context: context, idempotent: true)
        }

        group.post("tickets/:id/split") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.split,
                payload: try await forwarder.object(of: request, setting: ["ticket_id": id.uuidString]),
                request: request, context: context, idempotent: true)
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

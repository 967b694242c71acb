import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/sla` (the SLA policies and business calendar) and `GET /v1/tickets/{id}/sla` (one ticket's clock).
struct ServiceLevelRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.put("sla") { request, context in
            try context.require([.admin])
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.defineSLA, payload: body, request: request,
                context: context, idempotent: true)
        }

        group.get("sla") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.getSLA, payload: try forwarder.payload(ListAgents()),
                request: request, context: context)
        }

        group.get("tickets/:id/sla") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.ticketSLA, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }

        group.put("groups/:name") { request, context in
            try context.require([.admin])
            let name = context.parameters.get("name") ?? ""
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.defineGroup,
                payload: try await forwarder.object(of: request, setting: ["name": name]), request: request,
                context: context, idempotent: true)
        }

        group.get("groups") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listGroups, payload: try forwarder.payload(ListGroups()),
                request: request, context: context)
        }
    }
}

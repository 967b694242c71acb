import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/agents`: the support team's agents (admins manage them; staff list them).
struct AgentRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("agents") { request, context in
            try context.require([.admin])
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.createAgent, payload: body, request: request,
                context: context, idempotent: true)
        }

        group.get("agents") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listAgents, payload: try forwarder.payload(ListAgents()),
                request: request, context: context)
        }

        group.patch("agents/:id") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.updateAgent,
                payload: try await forwarder.object(of: request, setting: ["agent_id": id.uuidString]),
                request: request, context: context, idempotent: true)
        }
    }
}

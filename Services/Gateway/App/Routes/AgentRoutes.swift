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
            var object = try await forwarder.jsonObject(of: request)
            if object["agent_id"] != nil {
                throw Problem.validation([.init(field: "agent_id", message: "is taken from the path; leave it out")])
            }
            object["agent_id"] = id.uuidString
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.updateAgent,
                payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request, context: context,
                idempotent: true)
        }
    }
}

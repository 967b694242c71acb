import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/macros` (canned responses) and `POST /v1/tickets/{id}/macros/{macro_id}` (apply one to a ticket).
struct MacroRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        DefineRoutes(
            forwarder: forwarder, path: "macros", operation: Operation.Tickets.defineMacro, roles: [.admin, .agent]
        ).register(on: group)

        group.get("macros") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listMacros, payload: try forwarder.payload(ListMacros()),
                request: request, context: context)
        }

        group.post("tickets/:id/macros/:macro") { request, context in
            try context.require(.staff)
            let ticket = try context.parameters.uuid("id")
            let macro = try context.parameters.uuid("macro")
            let object = try await PrivacyRoutes.optionalObject(request, forwarder: forwarder)
            let unknown = Set(object.keys).subtracting(["agent_id"]).sorted()
            if !unknown.isEmpty {
                throw Problem.validation(unknown.map { .init(field: $0, message: "is not a known field") })
            }
            var agent: UUID?
            if let value = object["agent_id"] {
                guard let text = value as? String, let id = UUID(uuidString: text) else {
                    throw Problem.validation([.init(field: "agent_id", message: "must be an agent id")])
                }
                agent = id
            }
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.applyMacro,
                payload: try forwarder.payload(ApplyMacro(ticketID: ticket, macroID: macro, agentID: agent)),
                request: request, context: context, idempotent: true)
        }
    }
}

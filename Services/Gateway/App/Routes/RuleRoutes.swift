import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/triggers`, `/v1/automations` (admin) and `GET /v1/rules` (staff): the helpdesk's business rules.
struct RuleRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        for (path, operation) in [
            ("triggers", Operation.Tickets.defineTrigger), ("automations", Operation.Tickets.defineAutomation),
        ] {
            DefineRoutes(forwarder: forwarder, path: path, operation: operation, roles: [.admin]).register(on: group)
        }

        group.get("rules") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listRules, payload: try forwarder.payload(ListRules()),
                request: request, context: context)
        }
    }
}

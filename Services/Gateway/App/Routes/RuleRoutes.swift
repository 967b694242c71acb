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
            group.post(RouterPath(path)) { request, context in
                try context.require([.admin])
                let object = try await forwarder.jsonObject(of: request)
                if object["id"] != nil {
                    throw Problem.validation([.init(field: "id", message: "is chosen by the server; PUT replaces")])
                }
                return try await forwarder.forward(
                    Operation.Tickets.service, operation,
                    payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request,
                    context: context, idempotent: true)
            }
            group.put(RouterPath("\(path)/:id")) { request, context in
                try context.require([.admin])
                let id = try context.parameters.uuid("id")
                var object = try await forwarder.jsonObject(of: request)
                if object["id"] != nil {
                    throw Problem.validation([.init(field: "id", message: "is given by the path")])
                }
                object["id"] = id.uuidString
                return try await forwarder.forward(
                    Operation.Tickets.service, operation,
                    payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request,
                    context: context, idempotent: true)
            }
        }

        group.get("rules") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.listRules, payload: try forwarder.payload(ListRules()),
                request: request, context: context)
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// The create and replace routes of a record a `define_*` operation stores (macros, triggers, automations):
/// `POST /v1/<path>` creates one (the server chooses its `id`), `PUT /v1/<path>/{id}` replaces it. Both are
/// idempotent under `Idempotency-Key`.
struct DefineRoutes {
    let forwarder: ServiceForwarder
    let path: String
    let operation: String
    let roles: Set<Principal.Role>

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post(RouterPath(path)) { request, context in
            try context.require(roles)
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
            try context.require(roles)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Tickets.service, operation,
                payload: try await forwarder.object(of: request, setting: ["id": id.uuidString]), request: request,
                context: context, idempotent: true)
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/returns`: return requests.
struct ReturnRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("returns") { request, context in
            try context.require(.everyone)
            let body = try await forwarder.body(of: request)
            return try await forwarder.forward(
                Operation.Returns.service, Operation.Returns.create, payload: body, request: request, context: context,
                idempotent: true)
        }

        group.get("returns/:id") { request, context in
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                Operation.Returns.service, Operation.Returns.get, payload: try forwarder.payload(ByID(id: id)),
                request: request, context: context)
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `GET /v1/classifier` (staff) and `POST /v1/classifier/train` (admin): the ticket-category classifier.
struct ClassifierRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("classifier") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.classifierStatus,
                payload: try forwarder.payload(NoInput()),
                request: request, context: context)
        }

        // Training again from the same tickets gives the same model, so a retry needs no idempotency key.
        group.post("classifier/train") { request, context in
            try context.require([.admin])
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.trainClassifier, payload: try forwarder.payload(NoInput()),
                request: request, context: context)
        }
    }
}

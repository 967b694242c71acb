import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// The staff side of feedback and KPIs: `GET /v1/kpis` (the helpdesk KPIs over a period; definitions in
/// docs/kpis.md) and `POST /v1/customers/{id}/nps` (send the customer an NPS survey, honouring the cooldown).
struct KPIRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("customers/:id/nps") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            let object = try await forwarder.jsonObject(of: request)
            if !object.isEmpty {
                throw Problem.validation(
                    object.keys.sorted().map { .init(field: $0, message: "is not a known field") })
            }
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.requestNPS,
                payload: try forwarder.payload(RequestNPS(customerID: id)), request: request, context: context,
                idempotent: true)
        }

        group.get("kpis") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            var object: [String: Any] = [:]
            var issues: [Problem.FieldError] = []
            for name in ["from", "to"] {
                guard let value = query.get(name), !value.isEmpty else {
                    issues.append(
                        .init(field: name, message: "is required (RFC 3339, for example 2026-03-01T00:00:00Z)"))
                    continue
                }
                object[name] = value
            }
            for name in ["group_by", "time_zone"] {
                if let value = query.get(name), !value.isEmpty { object[name] = value }
            }
            if let text = query.get("calendar"), !text.isEmpty {
                guard let calendar = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw Problem.validation([
                        .init(field: "calendar", message: "must be a JSON business calendar (docs/sla.md)")
                    ])
                }
                object["calendar"] = calendar
            }
            if !issues.isEmpty { throw Problem.validation(issues) }
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.kpis,
                payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request, context: context)
        }
    }
}

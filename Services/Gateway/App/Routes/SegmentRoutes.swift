import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/segments`: named customer segments (admins define them; staff list them and their members).
struct SegmentRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("segments") { request, context in
            try context.require(.staff)
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.listSegments,
                payload: try forwarder.payload(ListSegments()), request: request, context: context)
        }

        group.put("segments/:name") { request, context in
            try context.require([.admin])
            var object = try await forwarder.jsonObject(of: request)
            if object["name"] != nil {
                throw Problem.validation([.init(field: "name", message: "is given by the path")])
            }
            object["name"] = context.parameters.get("name") ?? ""
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.defineSegment,
                payload: Array(try JSONSerialization.data(withJSONObject: object)), request: request,
                context: context, idempotent: true)
        }

        group.get("segments/:name/customers") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            var consented: ConsentChannel?
            if let text = query.get("consented") {
                guard let channel = ConsentChannel(rawValue: text) else {
                    let names = ConsentChannel.allCases.map(\.rawValue).joined(separator: ", ")
                    throw Problem.validation([.init(field: "consented", message: "must be one of \(names)")])
                }
                consented = channel
            }
            let input = SegmentMembers(
                name: context.parameters.get("name") ?? "", limit: try CustomerRoutes.limit(query),
                cursor: query.get("cursor"), consented: consented)
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.segmentMembers,
                payload: try forwarder.payload(input), request: request, context: context)
        }
    }
}

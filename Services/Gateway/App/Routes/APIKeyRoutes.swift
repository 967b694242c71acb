import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `POST /v1/api-keys`: admins create keys. The secret is in this one response and nowhere else.
struct APIKeyRoutes {
    let forwarder: ServiceForwarder
    let store: APIKeyStore

    struct CreateKey: OperationInput {
        static let fields: Set<String> = ["name", "role", "customer_id"]
        var name: String
        var role: Principal.Role
        var customerID: UUID?

        func validate() -> [FieldIssue] {
            var issues = Validate.text(name, field: "name", max: 100)
            if role == .service { issues.append(FieldIssue("role", "must be admin, agent, integration or customer")) }
            if role == .customer, customerID == nil { issues.append(FieldIssue("customer_id", "is required for customer keys")) }
            if role != .customer, customerID != nil { issues.append(FieldIssue("customer_id", "is only for customer keys")) }
            return issues
        }

        enum CodingKeys: String, CodingKey {
            case name, role
            case customerID = "customer_id"
        }
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("api-keys") { request, context in
            try context.require([.admin])
            let input = try PayloadDecoder.decode(CreateKey.self, from: try await forwarder.body(of: request))
            if let customerID = input.customerID {
                let operationContext = OperationContext(
                    operation: "gateway.create_api_key",
                    metadata: RequestMetadata(requestID: UUID().uuidString), logger: context.logger,
                    services: forwarder.services)
                try await CustomerDirectory.requireCustomer(customerID, context: operationContext)
            }
            let created = try await store.create(name: input.name, role: input.role, customerID: input.customerID)
            let body = try WireJSON.encoder.encode(created)
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}

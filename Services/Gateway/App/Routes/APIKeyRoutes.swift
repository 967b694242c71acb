import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `POST /v1/api-keys`: admins create keys. The secret is in the creating response and nowhere else; a replay with
/// the same `Idempotency-Key` returns the key's details without it.
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
            if role == .customer, customerID == nil {
                issues.append(FieldIssue("customer_id", "is required for customer keys"))
            }
            if role != .customer, customerID != nil {
                issues.append(FieldIssue("customer_id", "is only for customer keys"))
            }
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
            let body = try await forwarder.body(of: request)
            let input = try PayloadDecoder.decode(CreateKey.self, from: body)
            if let customerID = input.customerID {
                let operationContext = OperationContext(
                    operation: "gateway.create_api_key",
                    metadata: RequestMetadata(requestID: UUID().uuidString), logger: context.logger,
                    services: forwarder.services)
                try await CustomerDirectory.requireCustomer(customerID, context: operationContext)
            }
            let reply = try await store.create(
                name: input.name, role: input.role, customerID: input.customerID,
                idempotencyKey: try forwarder.idempotencyKey(for: request, context: context),
                requestHash: IdempotencyStore.requestHash(operation: "gateway.create_api_key", payload: body))
            return Response(
                status: .init(code: reply.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/stores`: admins connect stores (each gets an `integration` key), rotate their webhook secrets, and see and
/// retry the webhook deliveries the customers service stored for them. Webhook secrets go in and never come out.
struct StoreRoutes {
    let forwarder: ServiceForwarder
    let repository: StoreRepository
    let cache: StoreCache

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("stores") { request, context in
            try context.require([.admin])
            let body = try await forwarder.body(of: request)
            let input = try PayloadDecoder.decode(CreateStore.self, from: body)
            let reply = try await repository.create(
                input, idempotencyKey: try forwarder.idempotencyKey(for: request, context: context),
                requestHash: IdempotencyStore.requestHash(operation: StoreRepository.createOperation, payload: body))
            if let platform = input.storePlatform, let domain = ShopDomain.normalise(input.shopDomain) {
                await cache.invalidate(platform: platform, domain: domain)
            }
            return Response(
                status: .init(code: reply.status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }

        group.get("stores") { request, context in
            try context.require([.admin])
            let query = request.uri.queryParameters
            var limit = 20
            if let text = query.get("limit") {
                guard let value = Int(text), (1...100).contains(value) else {
                    throw Problem.validation([.init(field: "limit", message: "must be a whole number from 1 to 100")])
                }
                limit = value
            }
            var cursor: UUID?
            if let text = query.get("cursor") {
                guard let id = UUID(uuidString: text) else {
                    throw Problem.validation([.init(field: "cursor", message: "is not a cursor this API made")])
                }
                cursor = id
            }
            return try Self.json(try await repository.list(limit: limit, after: cursor))
        }

        group.get("stores/:id") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            guard let store = try await repository.store(id: id) else {
                throw Problem.notFound("no store with id \(id)")
            }
            return try Self.json(store.view)
        }

        group.get("stores/:id/deliveries") { request, context in
            try context.require([.admin])
            let id = try await knownStore(context)
            let query = request.uri.queryParameters
            var input: [String: Any] = ["store_id": id.uuidString]
            if let limit = try CustomerRoutes.limit(query) { input["limit"] = limit }
            for name in ["outcome", "cursor"] {
                if let value = query.get(name) { input[name] = value }
            }
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.listDeliveries,
                payload: try CustomerOverviewRoutes.json(input), request: request, context: context)
        }

        group.post("stores/:id/deliveries/:delivery/retry") { request, context in
            try context.require([.admin])
            let id = try await knownStore(context)
            let delivery = try context.parameters.uuid("delivery")
            return try await forwarder.forward(
                Operation.Customers.service, Operation.Customers.retryDelivery,
                payload: try forwarder.payload(RetryStoreDelivery(storeID: id, deliveryID: delivery)), request: request,
                context: context, idempotent: true)
        }

        group.post("stores/:id/webhook-secret") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            let input = try PayloadDecoder.decode(RotateWebhookSecret.self, from: try await forwarder.body(of: request))
            let store = try await repository.rotate(id: id, to: input.webhookSecret)
            await cache.invalidate(platform: store.platform, domain: store.shopDomain)
            return try Self.json(store.view)
        }

        group.delete("stores/:id/previous-webhook-secret") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("id")
            let store = try await repository.endRotation(id: id)
            await cache.invalidate(platform: store.platform, domain: store.shopDomain)
            return try Self.json(store.view)
        }
    }

    /// The path's store id; 404 when no such store is connected.
    private func knownStore(_ context: GatewayRequestContext) async throws -> UUID {
        let id = try context.parameters.uuid("id")
        guard try await repository.store(id: id) != nil else { throw Problem.notFound("no store with id \(id)") }
        return id
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try PayloadDecoder.encode(value))))
    }
}

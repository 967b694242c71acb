import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/v1/stores`: admins connect stores (each gets an `integration` key) and rotate their webhook secrets. Webhook
/// secrets go in and never come out.
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

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try PayloadDecoder.encode(value))))
    }
}

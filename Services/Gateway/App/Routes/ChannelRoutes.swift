import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// `/v1/channels`: queries arriving on email (the mail provider's inbound webhook, integration and admin keys) and
/// on phone, social networks, web forms and chat (staff keys). The tickets service decides what each becomes; the
/// HTTP status follows its `outcome`: 201 for `created` and `follow_up`, 200 for `appended` and `duplicate`, 202 for
/// `ignored`.
struct ChannelRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("channels/email") { request, context in
            try context.require([.admin, .integration])
            return try await forward(Operation.Tickets.receiveEmail, request: request, context: context)
        }

        group.post("channels/contact") { request, context in
            try context.require(.staff)
            return try await forward(Operation.Tickets.receiveContact, request: request, context: context)
        }
    }

    private func forward(_ operation: String, request: Request, context: GatewayRequestContext) async throws
        -> Response
    {
        let principal = try context.requirePrincipal()
        let payload = try await forwarder.body(of: request)
        let metadata = RequestMetadata(
            requestID: context.requestID,
            idempotencyKey: try forwarder.idempotencyKey(for: request, context: context), principal: principal,
            traceparent: request.headers[.traceparent])
        var reply = await forwarder.services.send(
            service: Operation.Tickets.service, operation: operation, payload: payload, metadata: metadata)
        if reply.status == 200 { reply.status = Self.status(of: reply.body) }
        return forwarder.response(for: reply)
    }

    /// The HTTP status of a receipt, by its outcome.
    static func status(of body: [UInt8]) -> Int {
        let receipt = try? WireJSON.decoder.decode(ChannelReceipt.self, from: Data(body))
        switch receipt?.outcome {
        case .created, .followUp: return 201
        case .ignored: return 202
        case .appended, .duplicate, nil: return 200
        }
    }
}

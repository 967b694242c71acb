import Contracts
import Crypto
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/feedback/csat/{token}` and `/feedback/nps/{token}`: the survey links customers open from an email. They carry
/// no API key (so they live outside `/v1`); the token in the path is the only authority, and it reaches exactly the
/// four survey operations.
///
/// The services see a dedicated least-privileged principal: role `customer` with no customer id, so any other
/// operation refuses it (`requireStaff` and `authorize(customerID:)` both fail). Its key id is derived from the
/// token's hash, which scopes `Idempotency-Key` to the link.
struct FeedbackRoutes {
    let forwarder: ServiceForwarder

    private typealias Tickets = Contracts.Operation.Tickets

    func register(on router: Router<GatewayRequestContext>) {
        router.get("feedback/csat/:token") { request, context in
            try await get(Tickets.getCSAT, request: request, context: context)
        }
        router.post("feedback/csat/:token") { request, context in
            try await answer(Tickets.answerCSAT, request: request, context: context)
        }
        router.get("feedback/nps/:token") { request, context in
            try await get(Tickets.getNPS, request: request, context: context)
        }
        router.post("feedback/nps/:token") { request, context in
            try await answer(Tickets.answerNPS, request: request, context: context)
        }
    }

    /// The link's caller (see the type's documentation).
    static func principal(token: String) -> Principal {
        let digest = SHA256.hash(data: Array(token.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return Principal(role: .customer, keyID: "feedback-link:\(digest)")
    }

    private func get(_ operation: String, request: Request, context: GatewayRequestContext) async throws -> Response {
        var context = context
        let token = context.parameters.get("token") ?? ""
        context.principal = Self.principal(token: token)
        return try await forwarder.forward(
            Tickets.service, operation, payload: try forwarder.payload(FeedbackLink(token: token)), request: request,
            context: context)
    }

    private func answer(_ operation: String, request: Request, context: GatewayRequestContext) async throws
        -> Response
    {
        var context = context
        let token = context.parameters.get("token") ?? ""
        context.principal = Self.principal(token: token)
        var object = try await forwarder.jsonObject(of: request)
        if object["token"] != nil {
            throw Problem.validation([.init(field: "token", message: "is taken from the path; leave it out")])
        }
        object["token"] = token
        return try await forwarder.forward(
            Tickets.service, operation, payload: Array(try JSONSerialization.data(withJSONObject: object)),
            request: request, context: context, idempotent: true)
    }
}

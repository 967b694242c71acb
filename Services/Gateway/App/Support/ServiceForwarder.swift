import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// Sends an HTTP request on to the service that owns it and turns the reply into the HTTP response.
///
/// The gateway checks who is calling and that the body is JSON within the size limit; the owning service decodes,
/// validates and decides, so each rule lives in one place.
struct ServiceForwarder: Sendable {
    let services: ServiceClient
    let maxBodyBytes: Int

    /// Reads the body (at most `maxBodyBytes`; 413 beyond), insisting on JSON.
    func body(of request: Request) async throws -> [UInt8] {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem(
                status: 415, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "send the body as application/json")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        return Array(buffer.readableBytesView)
    }

    /// The body as a JSON object, for routes that add path parameters to it.
    func jsonObject(of request: Request) async throws -> [String: Any] {
        let bytes = try await body(of: request)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) else {
            throw Problem.badRequest("the body is not valid JSON", code: "malformed_json")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem.badRequest("the body must be a JSON object", code: "malformed_json")
        }
        return dictionary
    }

    /// Forwards `payload` to `operation` and answers with the service's reply.
    /// Creating requests (`idempotent: true`) carry an idempotency key (see `idempotencyKey(for:context:)`).
    func forward(
        _ service: String, _ operation: String, payload: [UInt8], request: Request, context: GatewayRequestContext,
        idempotent: Bool = false
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let idempotencyKey = idempotent ? try self.idempotencyKey(for: request, context: context) : nil
        let requestID = context.requestID
        let metadata = RequestMetadata(
            requestID: requestID, idempotencyKey: idempotencyKey, principal: principal,
            traceparent: request.headers[.traceparent])
        let reply = await services.send(service: service, operation: operation, payload: payload, metadata: metadata)
        return response(for: reply)
    }

    /// A service's reply as it is answered over HTTP: its status and body (a problem from 400 on).
    func response(for reply: ReplyEnvelope) -> Response {
        var headers: HTTPFields = [
            .contentType: reply.status >= 400 ? "application/problem+json" : "application/json"
        ]
        if reply.status == 503 { headers[.retryAfter] = "1" }
        return Response(
            status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// The idempotency key of a creating request: the `Idempotency-Key` header scoped to the caller's API key, so two
    /// callers never collide; without the header a fresh one, which still makes the gateway's own retries safe.
    func idempotencyKey(for request: Request, context: GatewayRequestContext) throws -> String {
        let principal = try context.requirePrincipal()
        let given = request.headers[.idempotencyKey]
        if let given, given.isEmpty || given.count > 255 || !given.allSatisfy({ $0.isASCII && !$0.isNewline }) {
            throw Problem.badRequest(
                "Idempotency-Key must be 1 to 255 printable ASCII characters", code: "invalid_idempotency_key")
        }
        return "\(principal.keyID ?? "anonymous"):\(given ?? UUID().uuidString)"
    }

    /// The request's JSON object with `fields` set from the path (or, for `id` on a create, by the server): a body
    /// that names one of them itself is a 422 on that field, so a client never silently overrides the path.
    func object(of request: Request, setting fields: [String: String], emptyBodyAllowed: Bool = false)
        async throws -> [UInt8]
    {
        var object =
            emptyBodyAllowed
            ? try await PrivacyRoutes.optionalObject(request, forwarder: self) : try await jsonObject(of: request)
        for field in fields.keys.sorted() where object[field] != nil {
            throw Problem.validation([.init(field: field, message: "is given by the path; leave it out")])
        }
        for (field, value) in fields { object[field] = value }
        // Sorted keys: a retried request must hash the same for its Idempotency-Key (dictionary order varies).
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// Encodes a gateway-built payload (for GETs whose input comes from the path and query).
    func payload(_ value: some Encodable) throws -> [UInt8] {
        Array(try WireJSON.encoder.encode(value))
    }
}

extension HTTPField.Name {
    // The literals are valid header names, so these initialisers cannot fail.
    // swift-format-ignore: NeverForceUnwrap
    /// `Idempotency-Key`: makes a creating POST safe to retry.
    public static let idempotencyKey = Self("Idempotency-Key")!
    // swift-format-ignore: NeverForceUnwrap
    /// `X-Request-Id`: the request's id, echoed on every response.
    public static let requestID = Self("X-Request-Id")!
    // swift-format-ignore: NeverForceUnwrap
    /// W3C trace context.
    public static let traceparent = Self("traceparent")!
}

extension Parameters {
    /// A UUID path parameter; 400 `invalid_id` when it is not one.
    func uuid(_ name: String) throws -> UUID {
        let text = self.get(name) ?? ""
        guard let id = UUID(uuidString: text) else { throw GatewayProblem.invalidID(text) }
        return id
    }
}

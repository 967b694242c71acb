import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime
import Wire

/// `/v1/kb`: the knowledge base. Admin and agent keys write articles; every key reads and searches published ones,
/// gets suggestions for a ticket being written and records deflections. The tickets service decides the rest.
struct KnowledgeBaseRoutes {
    let forwarder: ServiceForwarder

    private typealias KB = Contracts.Operation.KnowledgeBase

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("kb/articles") { request, context in
            try context.require([.admin, .agent])
            return try await forwardArticle(
                KB.createArticle, payload: try await forwarder.body(of: request), request: request,
                context: context, idempotent: true)
        }

        group.get("kb/articles") { request, context in
            try context.require(.everyone)
            let query = request.uri.queryParameters
            func text(_ name: String) -> String? {
                guard let value = query.get(name), !value.isEmpty else { return nil }
                return value
            }
            var status: KBArticleStatus?
            if let value = text("status") {
                guard let parsed = KBArticleStatus(rawValue: value) else {
                    throw Problem.validation([.init(field: "status", message: "must be one of draft, published")])
                }
                status = parsed
            }
            let input = KBSearch(
                q: text("q"), category: text("category"), tag: text("tag"), locale: text("locale"), status: status,
                limit: try CustomerRoutes.limit(query), cursor: text("cursor"))
            return try await forwarder.forward(
                KB.service, KB.search, payload: try forwarder.payload(input), request: request, context: context)
        }

        group.get("kb/articles/:id") { request, context in
            try context.require(.everyone)
            let ref = context.parameters.get("id") ?? ""
            let input = UUID(uuidString: ref).map { KBGetArticle(id: $0) } ?? KBGetArticle(slug: ref)
            return try await forwardArticle(
                KB.getArticle, payload: try forwarder.payload(input), request: request, context: context)
        }

        group.patch("kb/articles/:id") { request, context in
            try context.require([.admin, .agent])
            let id = try context.parameters.uuid("id")
            var object = try await forwarder.jsonObject(of: request)
            for field in ["id", "expected_version"] where object[field] != nil {
                throw Problem.validation([
                    .init(field: field, message: "is given by the path and If-Match; leave it out")
                ])
            }
            object["id"] = id.uuidString
            if let ifMatch = request.headers[.ifMatch] {
                object["expected_version"] = try Self.version(ifMatch: ifMatch)
            }
            return try await forwardArticle(
                KB.updateArticle, payload: Array(try JSONSerialization.data(withJSONObject: object)),
                request: request, context: context, idempotent: true)
        }

        group.get("kb/articles/:id/stats") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            return try await forwarder.forward(
                KB.service, KB.articleStats, payload: try forwarder.payload(KBGetArticleStats(id: id)),
                request: request, context: context)
        }

        group.post("kb/suggestions") { request, context in
            try context.require(.everyone)
            return try await forwarder.forward(
                KB.service, KB.suggest, payload: try await forwarder.body(of: request), request: request,
                context: context)
        }

        group.post("kb/deflections") { request, context in
            try context.require(.everyone)
            return try await forwarder.forward(
                KB.service, KB.recordDeflection, payload: try await forwarder.body(of: request), request: request,
                context: context, idempotent: true)
        }
    }

    /// The version an `If-Match` header names: `"3"` (or `W/"3"`, or a bare `3`); 400 `invalid_if_match` otherwise.
    static func version(ifMatch: String) throws -> Int {
        var text = ifMatch.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard let version = Int(text), version >= 1 else {
            throw Problem.badRequest("If-Match must be the article's ETag, such as \"3\"", code: "invalid_if_match")
        }
        return version
    }

    /// Forwards an operation whose reply is an article and sets `ETag: "<version>"` from it (or, on a 412
    /// `version_mismatch`, from the current article the problem carries).
    private func forwardArticle(
        _ operation: String, payload: [UInt8], request: Request, context: GatewayRequestContext,
        idempotent: Bool = false
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let metadata = RequestMetadata(
            requestID: context.requestID,
            idempotencyKey: idempotent ? try forwarder.idempotencyKey(for: request, context: context) : nil,
            principal: principal, traceparent: request.headers[.traceparent])
        let reply = await forwarder.services.send(
            service: KB.service, operation: operation, payload: payload, metadata: metadata)
        var response = forwarder.response(for: reply)
        if reply.status < 300 || reply.status == 412 {
            let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
            let record = reply.status == 412 ? object?["current"] as? [String: Any] : object
            if let version = record?["version"] as? Int { response.headers[.eTag] = "\"\(version)\"" }
        }
        return response
    }
}

import Hummingbird
import Wire

/// Resolves `Authorization: Bearer <key>` to a principal; 401 for a missing, malformed, unknown or revoked key.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let keys: APIKeyCache

    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw GatewayProblem.unauthorized("send an API key as 'Authorization: Bearer <key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].count <= 256 else {
            throw GatewayProblem.unauthorized("the Authorization header must be 'Bearer <key>'")
        }
        guard let principal = try await keys.principal(forSecret: String(parts[1])) else {
            throw GatewayProblem.unauthorized("unknown or revoked API key")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}

import HTTPTypes
import Hummingbird

/// Gives every request an id (the caller's `X-Request-Id` when it is 1 to 128 printable ASCII characters) and returns
/// it on every response, errors included, so a caller can quote it and an operator can find it in the logs.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let given = request.headers[.requestID], (1...128).contains(given.count),
            given.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        {
            context.requestID = given
        }
        context.logger[metadataKey: "request_id"] = "\(context.requestID)"
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import ServiceRuntime
import Wire

/// Live chat over WebSocket (`GET /v1/chat`, docs/architecture.md section 19): the hub of open chats, the feed
/// that brings in messages written elsewhere, and the HTTP server that upgrades `/v1/chat`.
struct ChatGateway: Sendable {
    let hub: ChatHub
    let feed: ChatEventFeed
    let keys: APIKeyCache
    let session: ChatSession

    init(services: ServiceClient, database: Database, keys: APIKeyCache, logger: Logger) {
        let hub = ChatHub()
        self.hub = hub
        self.keys = keys
        self.feed = ChatEventFeed(hub: hub, services: services, database: database, logger: logger)
        self.session = ChatSession(services: services, hub: hub, logger: logger)
    }

    /// HTTP/1.1 with the WebSocket upgrade of an authenticated `GET /v1/chat`. A request that does not upgrade
    /// (no upgrade headers, or no valid key) goes on to the ordinary router, where `ChatRoutes` answers it.
    func server() -> HTTPServerBuilder {
        let router = Router(context: ChatRequestContext.self)
        router.add(middleware: ChatAuthenticationMiddleware(keys: keys))
        let session = self.session
        router.ws("v1/chat") { _, context in
            context.principal == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let principal = context.requestContext.principal else { return }
            await session.run(inbound: inbound, outbound: outbound, principal: principal)
        }
        return .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(
                ws: .init(
                    maxFrameSize: ChatSession.maxFrameBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                    closeTimeout: .seconds(5))))
    }
}

/// The context of the upgrade request: Hummingbird's storage, the WebSocket handler slot and the caller.
struct ChatRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<ChatRequestContext>
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.principal = nil
    }
}

/// Who is calling `/v1/chat`: `Authorization: Bearer <key>` like the rest of `/v1`, or `?access_token=<key>` for
/// browsers, whose WebSocket API cannot set headers (the key then appears in URLs, so in proxies' access logs).
enum ChatCredentials {
    static func principal(of request: Request, keys: APIKeyCache) async throws -> Principal {
        let secret: Substring
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw GatewayProblem.unauthorized("the Authorization header must be 'Bearer <key>'")
            }
            secret = parts[1]
        } else if let token = request.uri.queryParameters["access_token"] {
            secret = token
        } else {
            throw GatewayProblem.unauthorized(
                "send an API key as 'Authorization: Bearer <key>' or, from a browser, as ?access_token=<key>")
        }
        guard !secret.isEmpty, secret.count <= 256 else {
            throw GatewayProblem.unauthorized("the API key must be 1 to 256 characters")
        }
        guard let principal = try await keys.principal(forSecret: String(secret)) else {
            throw GatewayProblem.unauthorized("unknown or revoked API key")
        }
        return principal
    }
}

/// Sets the caller on upgrade requests; a request without a valid key is not upgraded.
struct ChatAuthenticationMiddleware: RouterMiddleware {
    typealias Context = ChatRequestContext
    let keys: APIKeyCache

    func handle(
        _ request: Request, context: ChatRequestContext, next: (Request, ChatRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.principal = try? await ChatCredentials.principal(of: request, keys: keys)
        return try await next(request, context)
    }
}

/// `GET /v1/chat` without a WebSocket upgrade: 401 without a valid key, else 426 `websocket_required`.
struct ChatRoutes {
    let keys: APIKeyCache

    func register(on router: Router<GatewayRequestContext>) {
        router.get("v1/chat") { request, _ -> Response in
            _ = try await ChatCredentials.principal(of: request, keys: keys)
            return Problem(
                status: 426, code: "websocket_required", title: "Upgrade required",
                detail: "GET /v1/chat is a WebSocket endpoint: open it with a WebSocket client"
            ).response(headers: [.upgrade: "websocket"])
        }
    }
}

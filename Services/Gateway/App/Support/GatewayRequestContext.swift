import Foundation
import Hummingbird
import Wire

/// The request context of every gateway route: Hummingbird's core storage plus the authenticated caller.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` on `/v1` routes.
    public var principal: Principal?
    /// This request's id: the caller's `X-Request-Id` when it sent a usable one, otherwise a new UUID. It is sent to
    /// the services as the request id and returned on every response.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.requestID = UUID().uuidString
    }

    /// The caller, or 401 when the route was reached without authentication.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw GatewayProblem.unauthorized("missing credentials") }
        return principal
    }

    /// Refuses callers whose role is not among `roles` (403).
    @discardableResult
    public func require(_ roles: Set<Principal.Role>) throws -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else {
            throw Problem.forbidden("this key's role (\(principal.role.rawValue)) may not do this")
        }
        return principal
    }
}

extension Set where Element == Principal.Role {
    /// Store staff and store systems: everyone but customers.
    static let staff: Set<Principal.Role> = [.admin, .agent, .integration]
    static let everyone: Set<Principal.Role> = [.admin, .agent, .integration, .customer]
}

import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `GET /v1/tickets`: the queues agents work from (`view`) with filters and cursor pagination (staff).
struct QueueRoutes {
    let forwarder: ServiceForwarder

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("tickets") { request, context in
            try context.require(.staff)
            let input = try Self.input(request.uri.queryParameters)
            return try await forwarder.forward(
                Operation.Tickets.service, Operation.Tickets.queue, payload: try forwarder.payload(input),
                request: request, context: context)
        }
    }

    /// The query as `TicketQueue`; an unknown parameter or a value of the wrong kind is a 422 naming it.
    static func input(_ query: Parameters) throws -> TicketQueue {
        var issues: [Problem.FieldError] = []
        let known: Set<String> = TicketQueue.fields
        for (name, _) in query where !known.contains(String(name)) {
            issues.append(.init(field: String(name), message: "is not a known query parameter"))
        }
        func value<T: RawRepresentable>(_ name: String, _ type: T.Type) -> T? where T.RawValue == String {
            guard let text = query.get(name) else { return nil }
            guard let parsed = T(rawValue: text) else {
                issues.append(.init(field: name, message: "'\(text.prefix(50))' is not a known value"))
                return nil
            }
            return parsed
        }
        func uuid(_ name: String) -> UUID? {
            guard let text = query.get(name) else { return nil }
            guard let id = UUID(uuidString: text) else {
                issues.append(.init(field: name, message: "must be a UUID"))
                return nil
            }
            return id
        }
        func int(_ name: String) -> Int? {
            guard let text = query.get(name) else { return nil }
            guard let number = Int(text) else {
                issues.append(.init(field: name, message: "must be a whole number"))
                return nil
            }
            return number
        }
        let input = TicketQueue(
            view: value("view", TicketView.self) ?? .all, agentID: uuid("agent_id"), group: query.get("group"),
            status: value("status", TicketStatus.self), priority: value("priority", TicketPriority.self),
            category: query.get("category"), channel: value("channel", ContactChannel.self), tag: query.get("tag"),
            customerID: uuid("customer_id"), orderReference: query.get("order_reference"), q: query.get("q"),
            withinMinutes: int("within_minutes"), limit: int("limit"), cursor: query.get("cursor"))
        issues += input.validate().map { .init(field: $0.field, message: $0.message) }
        if !issues.isEmpty { throw Problem.validation(issues) }
        return input
    }
}

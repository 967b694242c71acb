import Contracts
import Foundation

/// Fills a macro's placeholders (see `Macro`) from what is known about the ticket.
struct MacroRenderer: Sendable {
    var ticket: Ticket
    var customer: Customer?
    var order: Order?
    var agentName: String?

    /// The placeholder values known here (an unknown value is an empty string).
    var values: [String: String] {
        let fulfillment = order?.fulfillments.last { $0.trackingNumber != nil || $0.trackingURL != nil }
        let firstName = customer?.firstName ?? customer?.name?.split(separator: " ").first.map(String.init)
        return [
            "customer.name": customer?.name ?? firstName ?? "",
            "customer.first_name": firstName ?? "",
            "customer.email": customer?.email ?? "",
            "ticket.number": String(ticket.number),
            "ticket.subject": ticket.subject,
            "order.number": order?.number ?? ticket.orderReference ?? "",
            "order.tracking_number": fulfillment?.trackingNumber ?? "",
            "order.tracking_url": fulfillment?.trackingURL ?? "",
            "order.carrier": fulfillment?.carrier ?? "",
            "agent.name": agentName ?? "",
        ]
    }

    /// The macro's order placeholders that have no value here (applying it would send an empty link).
    func missingOrderValues(in body: String) -> [String] {
        let values = self.values
        return Macro.placeholders(in: body).filter { $0.hasPrefix("order.") && (values[$0] ?? "").isEmpty }
    }

    /// `body` with every `{{name}}` replaced by its value.
    func render(_ body: String) -> String {
        let values = self.values
        var result = ""
        var rest = Substring(body)
        while let open = rest.range(of: "{{") {
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { break }
            result += rest[rest.startIndex..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            result += values[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

import Contracts
import Foundation
import ServiceRuntime
import Wire

/// What a new ticket is opened with beyond its input, asked of the customers service before the transaction opens:
/// the customer (its segments choose the SLA policy) and the mirrored order the ticket is about (it links the
/// ticket, informs the category and gives macros their order values).
struct TicketFacts: Sendable {
    var customer: Customer?
    var order: Order?

    /// Nothing known (no broker, as in one service's unit tests).
    static let none = TicketFacts(customer: nil, order: nil)

    /// The customer's segment names, sorted (empty when unknown).
    var segments: [String] { (customer?.segments ?? []).sorted() }

    /// Asks for the customer (an unknown one is a 422 on `field`) and, when `orderReference` is given and the
    /// customer has an email, for the order with that number and email. An order that is not mirrored (or a
    /// customers service that cannot answer the order query) leaves `order` nil: the reference stays free text.
    static func fetch(
        customerID: UUID, orderReference: String?, context: OperationContext, field: String = "customer_id"
    ) async throws -> TicketFacts {
        let customer = try await CustomerDirectory.requireCustomer(customerID, context: context, field: field)
        return TicketFacts(
            customer: customer,
            order: await order(reference: orderReference, customer: customer, context: context))
    }

    /// The facts of an existing ticket, for rendering macros: its customer and its order (the linked one, else the
    /// one its reference and the customer's email name). What the customers service cannot answer stays nil.
    static func of(_ ticket: Ticket, context: OperationContext) async -> TicketFacts {
        guard let services = context.services else { return .none }
        let customer: Customer? = try? await services.call(
            Operation.Customers.service, Operation.Customers.get, ByID(id: ticket.customerID),
            metadata: context.downstreamMetadata())
        if let orderID = ticket.orderID {
            let order: Order? = try? await services.call(
                Operation.Customers.service, Operation.Customers.getOrder, ByID(id: orderID),
                metadata: context.downstreamMetadata())
            return TicketFacts(customer: customer, order: order)
        }
        return TicketFacts(
            customer: customer,
            order: await order(reference: ticket.orderReference, customer: customer, context: context))
    }

    /// The order `reference` names for `customer` (nil when unknown).
    static func order(reference: String?, customer: Customer?, context: OperationContext) async -> Order? {
        guard let services = context.services, let reference, !reference.isEmpty, let email = customer?.email else {
            return nil
        }
        return try? await services.call(
            Operation.Customers.service, Operation.Customers.findOrder, FindOrder(number: reference, email: email),
            metadata: context.downstreamMetadata())
    }
}

import Contracts
import Foundation
import ServiceRuntime
import Wire

/// What a new ticket is opened with beyond its input, asked of the customers service before the transaction opens:
/// the customer (its segments choose the SLA policy) and the mirrored order the ticket is about (it links the
/// ticket, informs the category and gives macros their order values).
struct TicketFacts: Sendable {
    /// The customer's segment names, sorted (empty when unknown).
    var segments: [String]
    /// The whole customer record, when it was read (macros fill placeholders from it).
    var customer: Customer?
    var order: Order?

    init(segments: [String] = [], customer: Customer?, order: Order?) {
        self.segments = (customer?.segments ?? segments).sorted()
        self.customer = customer
        self.order = order
    }

    /// Nothing known (no broker, as in one service's unit tests).
    static let none = TicketFacts(customer: nil, order: nil)

    /// Asks for the customer's brief record (an unknown customer is a 422 on `field`) and, when `orderReference` is
    /// given and the customer has an email, for the order with that number and email. An order that is not mirrored
    /// (or a customers service that cannot answer the order query) leaves `order` nil: the reference stays free text.
    static func fetch(
        customerID: UUID, orderReference: String?, context: OperationContext, field: String = "customer_id"
    ) async throws -> TicketFacts {
        let brief = try await CustomerDirectory.requireBrief(customerID, context: context, field: field)
        return TicketFacts(
            segments: brief?.segments ?? [], customer: nil,
            order: await findOrder(reference: orderReference, email: brief?.email, context: context))
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
            order: await findOrder(reference: ticket.orderReference, email: customer?.email, context: context))
    }

    /// The order `reference` names for the customer with `email` (nil when unknown).
    static func findOrder(reference: String?, email: String?, context: OperationContext) async -> Order? {
        guard let services = context.services, let reference, !reference.isEmpty, let email else {
            return nil
        }
        return try? await services.call(
            Operation.Customers.service, Operation.Customers.findOrder, FindOrder(number: reference, email: email),
            metadata: context.downstreamMetadata())
    }
}

import Contracts
import Foundation
import Wire

/// Asks the customers service about a customer: services never read another service's tables.
public enum CustomerDirectory {
    /// The customer with `id`; an unknown id becomes a 422 on `field` (the caller named a customer that does not
    /// exist). Without a broker client (unit tests of one service) the check is skipped and nil returned.
    @discardableResult
    public static func requireCustomer(
        _ id: UUID, context: OperationContext, field: String = "customer_id"
    ) async throws -> Customer? {
        try await require(Operation.Customers.get, id, context: context, field: field)
    }

    /// The brief record of the customer with `id` (existence, contact, segments: `customers.get_brief`), with the
    /// same errors as `requireCustomer`; nil without a broker client.
    @discardableResult
    public static func requireBrief(
        _ id: UUID, context: OperationContext, field: String = "customer_id"
    ) async throws -> CustomerBrief? {
        try await require(Operation.Customers.getBrief, id, context: context, field: field)
    }

    private static func require<Record: Decodable>(
        _ operation: String, _ id: UUID, context: OperationContext, field: String
    ) async throws -> Record? {
        guard let services = context.services else { return nil }
        do {
            return try await services.call(
                Operation.Customers.service, operation, ByID(id: id), metadata: context.downstreamMetadata())
        } catch let problem as Problem where problem.status == 404 {
            throw Problem.validation([.init(field: field, message: "no customer with id \(id)")])
        }
    }
}

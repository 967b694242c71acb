import Contracts
import Foundation
import ServiceRuntime
import Wire

/// Where the returns service reads mirrored orders and customers: the customers service (it owns them).
///
/// Calls go over the broker and must be made outside any transaction (`check` of a command, or a query).
public protocol ReturnOrderSource: Sendable {
    /// The mirrored order `id`; 404 when there is none (or the caller may not see it).
    func order(id: UUID, context: OperationContext) async throws -> Order
    /// The order with this number whose email matches; 404 when none does.
    func order(number: String, email: String, context: OperationContext) async throws -> Order
    /// The tags of the customer record (its segments as policies see them).
    func customerTags(of customerID: UUID, context: OperationContext) async throws -> [String]
}

/// ``ReturnOrderSource`` over the broker: `customers.get_order`, `customers.find_order`, `customers.get`.
public struct BrokerOrderSource: ReturnOrderSource {
    public init() {}

    public func order(id: UUID, context: OperationContext) async throws -> Order {
        try await client(context).call(
            Operation.Customers.service, Operation.Customers.getOrder, ByID(id: id),
            metadata: Self.asService(context))
    }

    public func order(number: String, email: String, context: OperationContext) async throws -> Order {
        try await client(context).call(
            Operation.Customers.service, Operation.Customers.findOrder, FindOrder(number: number, email: email),
            metadata: Self.asService(context))
    }

    public func customerTags(of customerID: UUID, context: OperationContext) async throws -> [String] {
        let customer: Customer = try await client(context).call(
            Operation.Customers.service, Operation.Customers.get, ByID(id: customerID),
            metadata: Self.asService(context))
        return customer.returnPolicyTags
    }

    private func client(_ context: OperationContext) throws -> ServiceClient {
        guard let services = context.services else {
            throw Problem.serviceUnavailable("the returns service has no broker connection to read orders")
        }
        return services
    }

    /// The returns service reads orders on its own authority: it checks the caller's right to the order itself
    /// (a customer key may only use its own orders; `find_order` needs the order's number and email).
    static func asService(_ context: OperationContext) -> RequestMetadata {
        var metadata = context.downstreamMetadata()
        metadata.principal = nil
        return metadata
    }
}

extension Customer {
    /// What a return policy's `customer_tag` matches: the customer's segments in the customers service (by name),
    /// then the tags of the record.
    public var returnPolicyTags: [String] { segments + tags }
}

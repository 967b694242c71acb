import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `customers.set_consent`: records a consent decision and answers the customer with its current consents.
enum ConsentOperations {
    /// Registers the operation on `router`.
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresCustomerRepository()
        router.command(
            Operation.Customers.setConsent, SetConsent.self, status: 200,
            check: { input, context in try context.authorize(customerID: input.customerID) }
        ) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            try await ConsentStore.record(input, on: connection, logger: context.logger)
            return try await repository.require(id: input.customerID, on: connection, logger: context.logger)
        }
    }
}

import Contracts
import Foundation
import PostgresNIO
import ServiceRuntime
import Wire

/// The customer record's operations: create, get, find by email, resolve a contact, update, search, merge.
enum ProfileOperations {
    /// Registers the operations on `router`.
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresCustomerRepository()

        router.command(Operation.Customers.create, CreateCustomer.self) { input, context, connection in
            try context.requireStaff()
            let customer = try await repository.create(input, on: connection, logger: context.logger)
            try await recordCreated(customer, context: context, on: connection)
            return customer
        }

        router.query(Operation.Customers.get, ByID.self) { input, context in
            try context.authorize(customerID: input.id)
            let customer = try await database.withConnection {
                try await repository.find(id: input.id, on: $0, logger: context.logger)
            }
            guard let customer else { throw Problem.notFound("no customer with id \(input.id)") }
            return customer
        }

        router.query(Operation.Customers.getBrief, ByID.self) { input, context in
            try context.authorize(customerID: input.id)
            let brief = try await database.withConnection {
                try await CustomerLoader.brief(input.id, on: $0, logger: context.logger)
            }
            guard let brief else { throw Problem.notFound("no customer with id \(input.id)") }
            return brief
        }

        router.query(Operation.Customers.findByEmail, FindCustomerByEmail.self) { input, context in
            try context.requireStaff()
            let customer = try await database.withConnection {
                try await repository.find(email: input.email, on: $0, logger: context.logger)
            }
            guard let customer else { throw Problem.notFound("no customer with that email") }
            return customer
        }

        router.command(Operation.Customers.resolveContact, ResolveContact.self, status: 200) {
            input, context, connection in
            try context.requireStaff()
            let resolved = try await resolve(input, context: context, on: connection)
            let customer = try await repository.require(id: resolved.id, on: connection, logger: context.logger)
            if resolved.created { try await recordCreated(customer, context: context, on: connection) }
            return ResolvedContact(customer: customer, created: resolved.created)
        }

        let updater = CustomerUpdater()
        router.command(
            Operation.Customers.update, UpdateCustomer.self, status: 200,
            check: { input, context in try CustomerUpdater.authorize(input, context: context) }
        ) { input, context, connection in
            try CustomerUpdater.authorize(input, context: context)
            return try await updater.update(input, on: connection, logger: context.logger)
        }

        router.query(Operation.Customers.search, SearchCustomers.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await CustomerSearch.page(input, on: $0, logger: context.logger)
            }
        }

        let merger = CustomerMerger()
        router.command(Operation.Customers.merge, MergeCustomers.self, status: 200) { input, context, connection in
            try CustomerMerger.authorize(context)
            return try await merger.merge(input, context: context, on: connection)
        }
    }

    /// Finds or creates the customer of a contact arriving by email, phone or social handle.
    static func resolve(_ input: ResolveContact, context: OperationContext, on connection: PostgresConnection)
        async throws -> ResolvedCustomer
    {
        var identities: [CustomerIdentity] = []
        if let email = input.email { identities.append(CustomerIdentity(kind: .email, value: email)) }
        if let phone = input.phone {
            guard let normalized = IdentityNormalizer.phone(phone) else {
                throw Problem.validation([.init(field: "phone", message: "must be a phone number")])
            }
            identities.append(CustomerIdentity(kind: .phone, value: normalized))
        }
        if let social = input.social {
            let kind: IdentityKind =
                switch social.network {
                case .facebook: .facebook
                case .instagram: .instagram
                case .x: .x
                }
            identities.append(CustomerIdentity(kind: kind, value: social.handle))
        }
        return try await IdentityResolver().resolve(
            identities, profile: NewCustomerProfile(email: input.email, name: input.name, phone: input.phone),
            on: connection, logger: context.logger)
    }

    /// Records `customer.created` in the open transaction.
    static func recordCreated(_ customer: Customer, context: OperationContext, on connection: PostgresConnection)
        async throws
    {
        try await context.record(
            NewEvent(
                type: EventType.customerCreated, aggregateType: "customer", aggregateID: customer.id.uuidString,
                payload: CustomerCreated(customerID: customer.id, email: customer.email, name: customer.name)),
            on: connection)
    }
}

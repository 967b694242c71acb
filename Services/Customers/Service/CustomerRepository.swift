import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and writes customers in the `customers` schema. Every method runs on the caller's connection so that it can
/// take part in the caller's transaction.
public struct PostgresCustomerRepository: Sendable {
    public init() {}

    /// Inserts a new customer with its email and phone identities; a taken email is a 409 `email_taken`.
    public func create(_ input: CreateCustomer, on connection: PostgresConnection, logger: Logger) async throws
        -> Customer
    {
        let id = UUID()
        let normalized = Self.normalize(input.email)
        let rows = try await connection.query(
            """
            INSERT INTO customers.customers (id, email, email_normalized, name, phone)
            VALUES (\(id), \(input.email), \(normalized), \(input.name), \(input.phone))
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING id
            """, logger: logger)
        var inserted = false
        for try await _ in rows.decode(UUID.self) { inserted = true }
        guard inserted else { throw Problem.conflict("a customer with this email already exists", code: "email_taken") }
        let owner = try await IdentityLinks.claim(
            CustomerIdentity(kind: .email, value: normalized), for: id, on: connection, logger: logger)
        guard owner == id else {
            throw Problem.conflict("a customer with this email already exists", code: "email_taken")
        }
        if let phone = input.phone {
            _ = try await IdentityLinks.claim(
                CustomerIdentity(kind: .phone, value: phone), for: id, on: connection, logger: logger)
        }
        return try await require(id: id, on: connection, logger: logger)
    }

    /// The full record (identities, stats, segments, consents); nil when no such id.
    public func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Customer? {
        try await CustomerLoader.load([id], on: connection, logger: logger).first
    }

    /// The full record; 404 when no such id.
    public func require(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Customer {
        guard let customer = try await find(id: id, on: connection, logger: logger) else {
            throw Problem.notFound("no customer with id \(id)")
        }
        return customer
    }

    /// The surviving customer known by this email (primary or secondary), or nil.
    public func find(email: String, on connection: PostgresConnection, logger: Logger) async throws -> Customer? {
        guard let normalized = IdentityNormalizer.email(email),
            let owner = try await IdentityResolver().owner(
                of: CustomerIdentity(kind: .email, value: normalized), on: connection, logger: logger)
        else { return nil }
        return try await find(id: owner, on: connection, logger: logger)
    }

    /// Emails compare case-insensitively and without surrounding space.
    static func normalize(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// Writes to `customers.identities`.
enum IdentityLinks {
    /// Links `identity` (normalised) to `customer` unless someone owns it; answers the owner afterwards.
    static func claim(
        _ identity: CustomerIdentity, for customer: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let scope = IdentityNormalizer.scope(of: identity)
        try await connection.query(
            """
            INSERT INTO customers.identities (kind, scope, value, customer_id)
            VALUES (\(identity.kind.rawValue), \(scope), \(identity.value), \(customer))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        let rows = try await connection.query(
            """
            SELECT customer_id FROM customers.identities
            WHERE kind = \(identity.kind.rawValue) AND scope = \(scope) AND value = \(identity.value)
            """, logger: logger)
        for try await owner in rows.decode(UUID.self) { return owner }
        return customer
    }
}

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

    /// Inserts a new customer; a taken email is a 409 `email_taken`.
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
            RETURNING id, email, name, phone, created_at, updated_at
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String?, String?, Date, Date).self) {
            return Customer(id: row.0, email: row.1, name: row.2, phone: row.3, createdAt: row.4, updatedAt: row.5)
        }
        throw Problem.conflict("a customer with this email already exists", code: "email_taken")
    }

    public func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Customer? {
        let rows = try await connection.query(
            "SELECT id, email, name, phone, created_at, updated_at FROM customers.customers WHERE id = \(id)",
            logger: logger)
        return try await Self.first(rows)
    }

    public func find(email: String, on connection: PostgresConnection, logger: Logger) async throws -> Customer? {
        let normalized = Self.normalize(email)
        let rows = try await connection.query(
            """
            SELECT id, email, name, phone, created_at, updated_at FROM customers.customers
            WHERE email_normalized = \(normalized)
            """, logger: logger)
        return try await Self.first(rows)
    }

    /// Emails compare case-insensitively and without surrounding space.
    static func normalize(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> Customer? {
        for try await row in rows.decode((UUID, String, String?, String?, Date, Date).self) {
            return Customer(id: row.0, email: row.1, name: row.2, phone: row.3, createdAt: row.4, updatedAt: row.5)
        }
        return nil
    }
}

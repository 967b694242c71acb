import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `customers.update`: changes the given profile fields and identities under optimistic concurrency.
struct CustomerUpdater: Sendable {
    let repository = PostgresCustomerRepository()

    /// Refuses callers who may not make this update: customer keys only on their own record, and only names, locale,
    /// time zone and addresses.
    static func authorize(_ input: UpdateCustomer, context: OperationContext) throws {
        try context.authorize(customerID: input.id)
        guard context.principal.role == .customer else { return }
        let refused = input.givenFields.subtracting(UpdateCustomer.selfServiceFields).sorted()
        if !refused.isEmpty {
            throw Problem.forbidden("a customer key may not change \(refused.joined(separator: ", "))")
        }
    }

    /// Applies `input` and answers the record as it is afterwards (its version bumped when anything was given).
    func update(_ input: UpdateCustomer, on connection: PostgresConnection, logger: Logger) async throws -> Customer {
        let version = try await ProfileGuard.lockLive(input.id, on: connection, logger: logger)
        if let expected = input.expectedVersion, expected != version {
            var problem = Problem(
                status: 412, code: "version_mismatch", title: "Precondition failed",
                detail: "the customer is at version \(version), not \(expected); merge with `current` and retry")
            problem.current = try JSONDocument(
                encoding: try await repository.require(id: input.id, on: connection, logger: logger))
            throw problem
        }
        guard input.givenFields.subtracting(["id", "expected_version"]).isEmpty == false else {
            return try await repository.require(id: input.id, on: connection, logger: logger)
        }
        try await identities(input, on: connection, logger: logger)
        let encoder = JSONEncoder()
        let attributes = try input.attributes.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let addresses = try input.addresses.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let tags = input.tags.map(IdentityResolver.uniqueTags)
        try await connection.query(
            """
            UPDATE customers.customers SET
                name = CASE WHEN \(input.name)::text IS NULL THEN name ELSE nullif(btrim(\(input.name)), '') END,
                first_name = CASE WHEN \(input.firstName)::text IS NULL THEN first_name
                                  ELSE nullif(btrim(\(input.firstName)), '') END,
                last_name = CASE WHEN \(input.lastName)::text IS NULL THEN last_name
                                 ELSE nullif(btrim(\(input.lastName)), '') END,
                phone = CASE WHEN \(input.phone)::text IS NULL THEN phone ELSE nullif(\(input.phone), '') END,
                locale = CASE WHEN \(input.locale)::text IS NULL THEN locale ELSE nullif(\(input.locale), '') END,
                time_zone = CASE WHEN \(input.timeZone)::text IS NULL THEN time_zone
                                 ELSE nullif(\(input.timeZone), '') END,
                note = CASE WHEN \(input.note)::text IS NULL THEN note ELSE nullif(\(input.note), '') END,
                tags = coalesce(\(tags)::text[], tags),
                attributes = coalesce(\(attributes)::jsonb, attributes),
                addresses = coalesce(\(addresses)::jsonb, addresses),
                version = version + 1,
                updated_at = now()
            WHERE id = \(input.id)
            """, logger: logger)
        logger.info(
            "customer updated",
            metadata: [
                "customer_id": "\(input.id)", "version": "\(version + 1)",
                "fields": "\(input.givenFields.subtracting(["id", "expected_version"]).sorted())",
            ])
        return try await repository.require(id: input.id, on: connection, logger: logger)
    }

    /// Adds and removes identities (a new phone becomes one too). An identity another customer owns is a 409
    /// `identity_taken` (merge the two instead); the primary email cannot be removed.
    private func identities(_ input: UpdateCustomer, on connection: PostgresConnection, logger: Logger) async throws {
        var adding = (input.addIdentities ?? []).compactMap(IdentityNormalizer.normalize)
        if let phone = input.phone, !phone.isEmpty { adding.append(CustomerIdentity(kind: .phone, value: phone)) }
        for (index, identity) in (input.removeIdentities ?? []).enumerated() {
            guard let identity = IdentityNormalizer.normalize(identity) else { continue }
            if identity.kind == .email, try await isPrimaryEmail(identity.value, of: input.id, on: connection, logger) {
                throw Problem.validation([
                    .init(field: "remove_identities[\(index)]", message: "the primary email cannot be removed")
                ])
            }
            try await connection.query(
                """
                DELETE FROM customers.identities
                WHERE kind = \(identity.kind.rawValue) AND scope = \(IdentityNormalizer.scope(of: identity))
                  AND value = \(identity.value) AND customer_id = \(input.id)
                """, logger: logger)
        }
        for identity in adding {
            let owner = try await IdentityLinks.claim(identity, for: input.id, on: connection, logger: logger)
            if owner != input.id {
                throw Problem.conflict(
                    "the \(identity.kind.rawValue) \(identity.value) belongs to customer \(owner); merge the two records",
                    code: "identity_taken")
            }
        }
    }

    private func isPrimaryEmail(_ email: String, of id: UUID, on connection: PostgresConnection, _ logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            "SELECT 1 FROM customers.customers WHERE id = \(id) AND email_normalized = \(email)", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }
}

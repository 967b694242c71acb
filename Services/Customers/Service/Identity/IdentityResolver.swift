import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// What a resolver creates a customer from when none of the identities is known yet.
public struct NewCustomerProfile: Sendable {
    public var email: String?
    public var name: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var locale: String?
    public var tags: [String]
    public var addresses: [PostalAddress]

    /// A profile; every field is optional.
    public init(
        email: String? = nil, name: String? = nil, firstName: String? = nil, lastName: String? = nil,
        phone: String? = nil, locale: String? = nil, tags: [String] = [], addresses: [PostalAddress] = []
    ) {
        self.email = email
        self.name = name
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.locale = locale
        self.tags = tags
        self.addresses = addresses
    }
}

/// The customer a resolve ended with, and whether the resolve created it.
public struct ResolvedCustomer: Sendable, Equatable {
    public var id: UUID
    public var created: Bool
    /// A resolved customer.
    public init(id: UUID, created: Bool) {
        self.id = id
        self.created = created
    }
}

/// Matches a contact to one customer by its identities (email, phone, social handle, platform customer id), creating
/// the customer when none is known. Runs on the caller's connection, inside the caller's transaction.
///
/// Concurrency: two resolves of the same new identity race on the primary key of `customers.identities` (and on the
/// unique `email_normalized`); the loser's insert waits for the winner's commit, finds the row taken, drops the
/// customer it had just inserted in its own transaction and attaches to the winner's customer instead.
public struct IdentityResolver: Sendable {
    /// A resolver.
    public init() {}

    /// Finds the customer known by any of `identities` (in the given order; merged records followed to their
    /// survivor) or creates one from `profile`; attaches the identities not yet known to that customer.
    ///
    /// The profile's email and phone count as identities too (after the given ones). Unusable identities (blank
    /// values, platform ids without a store) are ignored; when none is left this throws a 422 problem.
    public func resolve(
        _ identities: [CustomerIdentity], profile: NewCustomerProfile, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> ResolvedCustomer {
        let keys = Self.keys(identities, profile: profile)
        guard !keys.isEmpty else {
            throw Problem.validation([.init(field: "identities", message: "at least one usable identity is required")])
        }
        for key in keys {
            if let owner = try await owner(of: key, on: connection, logger: logger) {
                try await attach(keys, to: owner, on: connection, logger: logger)
                logger.debug(
                    "contact resolved to an existing customer",
                    metadata: ["customer_id": "\(owner)", "matched_kind": "\(key.kind.rawValue)"])
                return ResolvedCustomer(id: owner, created: false)
            }
        }
        // The primary email keeps the spelling it was given (its identity is normalised).
        var profile = profile
        if profile.email.flatMap(Self.trimmed) == nil {
            profile.email = identities.first { $0.kind == .email && IdentityNormalizer.email($0.value) != nil }?
                .value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return try await create(keys, profile: profile, on: connection, logger: logger)
    }

    /// The normalised, de-duplicated identities to look up: the given ones first, then the profile's email and phone.
    static func keys(_ identities: [CustomerIdentity], profile: NewCustomerProfile) -> [CustomerIdentity] {
        var all = identities.compactMap(IdentityNormalizer.normalize)
        if let email = profile.email.flatMap(IdentityNormalizer.email) {
            all.append(CustomerIdentity(kind: .email, value: email))
        }
        if let phone = profile.phone.flatMap(IdentityNormalizer.phone) {
            all.append(CustomerIdentity(kind: .phone, value: phone))
        }
        var seen = Set<CustomerIdentity>()
        return all.filter { seen.insert($0).inserted }
    }

    /// The surviving customer that owns `identity`, or nil. A legacy email only on `customers.email_normalized`
    /// counts too.
    func owner(of identity: CustomerIdentity, on connection: PostgresConnection, logger: Logger) async throws
        -> UUID?
    {
        let scope = IdentityNormalizer.scope(of: identity)
        let rows = try await connection.query(
            """
            SELECT customer_id FROM customers.identities
            WHERE kind = \(identity.kind.rawValue) AND scope = \(scope) AND value = \(identity.value)
            """, logger: logger)
        var found: UUID?
        for try await (id) in rows.decode(UUID.self) { found = id }
        if found == nil, identity.kind == .email {
            let rows = try await connection.query(
                "SELECT id FROM customers.customers WHERE email_normalized = \(identity.value)", logger: logger)
            for try await (id) in rows.decode(UUID.self) { found = id }
        }
        guard let found else { return nil }
        return try await Self.survivor(of: found, on: connection, logger: logger)
    }

    /// Follows `merged_into` from `id` to the record that was not merged (at most 32 hops, a cycle guard).
    static func survivor(of id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> UUID {
        var current = id
        for _ in 0..<32 {
            let rows = try await connection.query(
                "SELECT merged_into FROM customers.customers WHERE id = \(current)", logger: logger)
            var next: UUID?
            for try await (merged) in rows.decode(UUID?.self) { next = merged }
            guard let next else { return current }
            current = next
        }
        return current
    }

    /// Attaches the identities nobody owns yet to `customer`; identities owned by someone else stay theirs.
    func attach(_ identities: [CustomerIdentity], to customer: UUID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        for identity in identities {
            let scope = IdentityNormalizer.scope(of: identity)
            try await connection.query(
                """
                INSERT INTO customers.identities (kind, scope, value, customer_id)
                VALUES (\(identity.kind.rawValue), \(scope), \(identity.value), \(customer))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    private func create(
        _ keys: [CustomerIdentity], profile: NewCustomerProfile, on connection: PostgresConnection, logger: Logger
    ) async throws -> ResolvedCustomer {
        let id = UUID()
        let email = profile.email.flatMap(Self.trimmed) ?? keys.first(where: { $0.kind == .email })?.value
        let normalizedEmail = email.flatMap(IdentityNormalizer.email)
        let phone = (profile.phone.flatMap(IdentityNormalizer.phone) ?? keys.first(where: { $0.kind == .phone })?.value)
            .flatMap { IdentityNormalizer.isE164($0) ? $0 : nil }
        let firstName = profile.firstName.flatMap(Self.trimmed)
        let lastName = profile.lastName.flatMap(Self.trimmed)
        let name =
            profile.name.flatMap(Self.trimmed)
            ?? Self.trimmed([firstName, lastName].compactMap { $0 }.joined(separator: " "))
        let tags = Self.uniqueTags(profile.tags)
        let addresses = String(decoding: try JSONEncoder().encode(profile.addresses), as: UTF8.self)
        let inserted = try await connection.query(
            """
            INSERT INTO customers.customers
                (id, email, email_normalized, name, first_name, last_name, phone, locale, tags, addresses)
            VALUES (\(id), \(email), \(normalizedEmail), \(name), \(firstName), \(lastName), \(phone),
                    \(profile.locale.flatMap(Self.trimmed)), \(tags), \(addresses)::jsonb)
            ON CONFLICT (email_normalized) DO NOTHING
            RETURNING id
            """, logger: logger)
        var created = false
        for try await _ in inserted.decode(UUID.self) { created = true }
        guard created else {
            // The primary email is taken (by a concurrent resolve that just committed, or a record whose email is
            // not among its identities): that customer is the one.
            guard let normalizedEmail,
                let owner = try await owner(
                    of: CustomerIdentity(kind: .email, value: normalizedEmail), on: connection, logger: logger)
            else { throw Problem.conflict("the customer's email is taken", code: "email_taken") }
            try await attach(keys, to: owner, on: connection, logger: logger)
            return ResolvedCustomer(id: owner, created: false)
        }
        // A fixed order, so that two resolves inserting the same identities cannot deadlock.
        let ordered = keys.sorted { ($0.kind.rawValue, $0.value) < ($1.kind.rawValue, $1.value) }
        for key in ordered {
            let scope = IdentityNormalizer.scope(of: key)
            let rows = try await connection.query(
                """
                INSERT INTO customers.identities (kind, scope, value, customer_id)
                VALUES (\(key.kind.rawValue), \(scope), \(key.value), \(id))
                ON CONFLICT DO NOTHING
                RETURNING customer_id
                """, logger: logger)
            var attached = false
            for try await _ in rows.decode(UUID.self) { attached = true }
            if !attached, let owner = try await owner(of: key, on: connection, logger: logger), owner != id {
                // A concurrent resolve created the customer with this identity first: undo ours and join theirs.
                try await connection.query(
                    "DELETE FROM customers.identities WHERE customer_id = \(id)", logger: logger)
                try await connection.query("DELETE FROM customers.customers WHERE id = \(id)", logger: logger)
                try await attach(keys, to: owner, on: connection, logger: logger)
                logger.debug(
                    "concurrent resolve won; attached to its customer",
                    metadata: ["customer_id": "\(owner)", "matched_kind": "\(key.kind.rawValue)"])
                return ResolvedCustomer(id: owner, created: false)
            }
        }
        logger.info("customer created from contact", metadata: ["customer_id": "\(id)"])
        return ResolvedCustomer(id: id, created: true)
    }

    private static func trimmed(_ value: String) -> String? {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Tags trimmed, without blanks or duplicates (case-insensitive), in their first order.
    static func uniqueTags(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.compactMap(trimmed).filter { seen.insert($0.lowercased()).inserted }
    }
}

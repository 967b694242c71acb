import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// Turns store-platform customers into Concierge customers: resolves them by platform id, email and phone (creating
/// the customer, with `customer.created`, when none is known), and keeps their profile in step with the platform.
struct StoreCustomerSync: Sendable {
    let resolver = IdentityResolver()
    let events = EventStore(source: "customers")

    /// The customer an order belongs to: its buyer, else whoever its email or phone names; nil for a guest with no
    /// contact details.
    func resolveBuyer(
        of order: StoreOrder, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID? {
        var buyer = order.customer ?? StoreCustomer(platformCustomerID: nil)
        if Self.blank(buyer.email) { buyer.email = order.email }
        if Self.blank(buyer.phone) { buyer.phone = order.phone }
        if buyer.addresses.isEmpty, let address = order.shippingAddress ?? order.billingAddress {
            buyer.addresses = [address]
        }
        guard let resolved = try await resolve(buyer, delivery: delivery, on: connection, logger: logger) else {
            return nil
        }
        try await syncConsent(
            buyer, customerID: resolved.id, decidedAt: order.updatedAt ?? delivery.triggeredAt, delivery: delivery,
            on: connection, logger: logger)
        return resolved.id
    }

    /// Records the marketing consents `customer` carries (see `ConsentStore.recordFromPlatform`); a decision
    /// without its own time counts as made at `decidedAt` (the body's `updated_at`), else now.
    func syncConsent(
        _ customer: StoreCustomer, customerID: UUID, decidedAt: Date?, delivery: StoredDelivery,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let decisions: [(ConsentChannel, Bool?, Date?)] = [
            (.email, customer.acceptsEmailMarketing, customer.emailConsentUpdatedAt),
            (.sms, customer.acceptsSMSMarketing, customer.smsConsentUpdatedAt),
        ]
        for case let (channel, granted?, time) in decisions {
            try await ConsentStore.recordFromPlatform(
                customerID: customerID, channel: channel, granted: granted, decidedAt: time ?? decidedAt ?? Date(),
                source: delivery.platform.rawValue, on: connection, logger: logger)
        }
    }

    /// Resolves `customer` (platform id, then email, then phone); nil when it carries none of them.
    func resolve(
        _ customer: StoreCustomer, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger
    ) async throws -> ResolvedCustomer? {
        var identities: [CustomerIdentity] = []
        if let platformID = customer.platformCustomerID {
            identities.append(
                CustomerIdentity(
                    kind: Self.kind(delivery.platform), value: String(platformID), storeID: delivery.storeID))
        }
        if let email = customer.email { identities.append(CustomerIdentity(kind: .email, value: email)) }
        if let phone = customer.phone { identities.append(CustomerIdentity(kind: .phone, value: phone)) }
        guard identities.contains(where: { IdentityNormalizer.normalize($0) != nil }) else { return nil }
        let profile = NewCustomerProfile(
            email: customer.email, firstName: customer.firstName, lastName: customer.lastName,
            phone: customer.phone, locale: customer.locale, tags: customer.tags, addresses: customer.addresses)
        let resolved = try await resolver.resolve(identities, profile: profile, on: connection, logger: logger)
        if resolved.created {
            let name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ")
            _ = try await events.append(
                NewEvent(
                    type: EventType.customerCreated, aggregateType: "customer", aggregateID: resolved.id.uuidString,
                    payload: CustomerCreated(
                        customerID: resolved.id, email: customer.email, name: name.isEmpty ? nil : name)),
                traceparent: nil, on: connection, logger: logger)
        }
        return resolved
    }

    /// Applies a platform's customer: resolves it and, unless the stored platform state is newer, updates the
    /// profile from it. Returns the outcome and the customer.
    func apply(
        _ customer: StoreCustomer, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger
    ) async throws -> (StoreSyncOutcome, UUID?) {
        let incoming = customer.updatedAt ?? delivery.triggeredAt
        if let platformID = customer.platformCustomerID,
            let stored = try await storedUpdatedAt(
                platformID, storeID: delivery.storeID, on: connection, logger: logger),
            OrderMirror.isStale(stored: stored.1, incoming: incoming)
        {
            return (.stale, stored.0)
        }
        guard let resolved = try await resolve(customer, delivery: delivery, on: connection, logger: logger) else {
            return (.ignored, nil)
        }
        if !resolved.created {
            try await updateProfile(resolved.id, from: customer, on: connection, logger: logger)
        }
        try await syncConsent(
            customer, customerID: resolved.id, decidedAt: incoming, delivery: delivery, on: connection, logger: logger)
        if let platformID = customer.platformCustomerID {
            try await connection.query(
                """
                INSERT INTO customers.store_customer_sync (store_id, platform_customer_id, customer_id, platform_updated_at)
                VALUES (\(delivery.storeID), \(platformID), \(resolved.id), \(incoming))
                ON CONFLICT (store_id, platform_customer_id) DO UPDATE
                SET customer_id = EXCLUDED.customer_id,
                    platform_updated_at = greatest(EXCLUDED.platform_updated_at,
                                                   customers.store_customer_sync.platform_updated_at)
                """, logger: logger)
        }
        return (.applied, resolved.id)
    }

    /// Forgets the platform customer id (the Concierge customer and its history stay). Returns its customer.
    func delete(
        platformCustomerID: Int64, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID? {
        let scope = delivery.storeID.uuidString.lowercased()
        let rows = try await connection.query(
            """
            DELETE FROM customers.identities
            WHERE kind = \(Self.kind(delivery.platform).rawValue) AND scope = \(scope)
              AND value = \(String(platformCustomerID))
            RETURNING customer_id
            """, logger: logger)
        var customerID: UUID?
        for try await id in rows.decode(UUID.self) { customerID = id }
        try await connection.query(
            """
            DELETE FROM customers.store_customer_sync
            WHERE store_id = \(delivery.storeID) AND platform_customer_id = \(platformCustomerID)
            """, logger: logger)
        return customerID
    }

    private func storedUpdatedAt(
        _ platformID: Int64, storeID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> (UUID, Date?)? {
        let rows = try await connection.query(
            """
            SELECT customer_id, platform_updated_at FROM customers.store_customer_sync
            WHERE store_id = \(storeID) AND platform_customer_id = \(platformID)
            FOR UPDATE
            """, logger: logger)
        for try await row in rows.decode((UUID, Date?).self) { return row }
        return nil
    }

    /// Takes the platform's names, locale, tags and (when the record has none) addresses; erased and merged records
    /// are left alone.
    private func updateProfile(
        _ customerID: UUID, from customer: StoreCustomer, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let firstName = customer.firstName.flatMap(Self.trimmed)
        let lastName = customer.lastName.flatMap(Self.trimmed)
        let name = Self.trimmed([firstName, lastName].compactMap { $0 }.joined(separator: " "))
        let addresses = String(decoding: try JSONEncoder().encode(customer.addresses), as: UTF8.self)
        let tags = customer.tags.compactMap(Self.trimmed)
        try await connection.query(
            """
            UPDATE customers.customers
            SET first_name = coalesce(\(firstName), first_name),
                last_name = coalesce(\(lastName), last_name),
                name = coalesce(\(name), name),
                locale = coalesce(\(customer.locale.flatMap(Self.trimmed)), locale),
                tags = ARRAY(SELECT DISTINCT unnest(tags || \(tags)::text[])),
                addresses = CASE WHEN addresses = '[]'::jsonb THEN \(addresses)::jsonb ELSE addresses END,
                version = version + 1,
                updated_at = now()
            WHERE id = \(customerID) AND erased_at IS NULL AND merged_into IS NULL
            """, logger: logger)
    }

    static func kind(_ platform: StorePlatform) -> IdentityKind {
        switch platform {
        case .shopify: return .shopify
        case .woocommerce: return .woocommerce
        }
    }

    private static func blank(_ value: String?) -> Bool {
        value.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? true
    }

    private static func trimmed(_ value: String) -> String? {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

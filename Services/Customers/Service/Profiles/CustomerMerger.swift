import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `customers.merge`: folds a duplicate record (source) into the one that survives (target).
///
/// Moves identities, orders, timeline entries and consent history to the target; unions tags, addresses and
/// attributes (the target's values win); fills the target's empty profile fields from the source; marks the source
/// `merged_into` the target and frees its email; bumps both versions and records `customer.merged` (aggregate: the
/// target) so the other services repoint their references. Merging again answers the target and changes nothing.
struct CustomerMerger: Sendable {
    let repository = PostgresCustomerRepository()

    /// Only staff (admin, agent) and services may merge.
    static func authorize(_ context: OperationContext) throws {
        guard [.admin, .agent, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only staff may merge customers")
        }
    }

    func merge(_ input: MergeCustomers, context: OperationContext, on connection: PostgresConnection) async throws
        -> Customer
    {
        let logger = context.logger
        let (source, target) = (input.sourceID, input.targetID)
        // Lock both rows in id order so that two opposite merges cannot deadlock.
        let rows = try await connection.query(
            """
            SELECT id, merged_into, erased_at FROM customers.customers
            WHERE id IN (\(source), \(target)) ORDER BY id FOR UPDATE
            """, logger: logger)
        var states: [UUID: (mergedInto: UUID?, erasedAt: Date?)] = [:]
        for try await (id, mergedInto, erasedAt) in rows.decode((UUID, UUID?, Date?).self) {
            states[id] = (mergedInto, erasedAt)
        }
        guard let sourceState = states[source] else { throw Problem.notFound("no customer with id \(source)") }
        guard let targetState = states[target] else { throw Problem.notFound("no customer with id \(target)") }
        if sourceState.mergedInto == target {
            logger.debug(
                "merge repeated; nothing to do", metadata: ["source_id": "\(source)", "target_id": "\(target)"])
            return try await repository.require(id: target, on: connection, logger: logger)
        }
        if let other = sourceState.mergedInto {
            throw Problem.conflict("customer \(source) was already merged into \(other)", code: "source_merged")
        }
        if let other = targetState.mergedInto {
            throw Problem.conflict(
                "customer \(target) was merged into \(other); merge into that one", code: "target_merged")
        }
        if sourceState.erasedAt != nil {
            throw Problem.conflict("customer \(source) was erased", code: "source_erased")
        }
        if targetState.erasedAt != nil {
            throw Problem.conflict("customer \(target) was erased", code: "target_erased")
        }

        try await move(from: source, to: target, on: connection, logger: logger)
        try await context.record(
            NewEvent(
                type: EventType.customerMerged, aggregateType: "customer", aggregateID: target.uuidString,
                payload: CustomerMerged(sourceCustomerID: source, targetCustomerID: target)),
            on: connection)
        logger.info("customers merged", metadata: ["source_id": "\(source)", "target_id": "\(target)"])
        return try await repository.require(id: target, on: connection, logger: logger)
    }

    private func move(from source: UUID, to target: UUID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        // The source's email stops being unique first, so the target may take it over when it has none.
        try await connection.query(
            """
            UPDATE customers.customers SET email_normalized = NULL, merged_into = \(target),
                   version = version + 1, updated_at = now()
            WHERE id = \(source)
            """, logger: logger)
        try await connection.query(
            """
            UPDATE customers.customers t SET
                email = coalesce(t.email, s.email),
                email_normalized = coalesce(t.email_normalized, CASE WHEN t.email IS NULL THEN lower(btrim(s.email)) END),
                name = coalesce(t.name, s.name),
                first_name = coalesce(t.first_name, s.first_name),
                last_name = coalesce(t.last_name, s.last_name),
                phone = coalesce(t.phone, s.phone),
                locale = coalesce(t.locale, s.locale),
                time_zone = coalesce(t.time_zone, s.time_zone),
                note = coalesce(t.note, s.note),
                tags = t.tags || ARRAY(SELECT tag FROM unnest(s.tags) tag
                                       WHERE lower(tag) <> ALL (ARRAY(SELECT lower(x) FROM unnest(t.tags) x))),
                attributes = s.attributes || t.attributes,
                addresses = t.addresses || coalesce((SELECT jsonb_agg(a) FROM jsonb_array_elements(s.addresses) a
                                                     WHERE NOT t.addresses @> jsonb_build_array(a)), '[]'::jsonb),
                version = t.version + 1,
                updated_at = now()
            FROM customers.customers s
            WHERE t.id = \(target) AND s.id = \(source)
            """, logger: logger)
        try await connection.query(
            "UPDATE customers.identities SET customer_id = \(target) WHERE customer_id = \(source)", logger: logger)
        try await connection.query(
            "UPDATE customers.orders SET customer_id = \(target) WHERE customer_id = \(source)", logger: logger)
        try await connection.query(
            "UPDATE customers.timeline SET customer_id = \(target) WHERE customer_id = \(source)", logger: logger)
        try await connection.query(
            "UPDATE customers.consents SET customer_id = \(target) WHERE customer_id = \(source)", logger: logger)
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// The consent history (`customers.consents`): every decision is a new row; the current consent per channel is the
/// latest one.
enum ConsentStore {
    /// Appends a decision for a surviving customer and bumps the record's version.
    static func record(_ input: SetConsent, on connection: PostgresConnection, logger: Logger) async throws {
        try await ProfileGuard.lockLive(input.customerID, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO customers.consents (customer_id, channel, granted, legal_basis, source)
            VALUES (\(input.customerID), \(input.channel.rawValue), \(input.granted), \(input.legalBasis.rawValue),
                    \(input.source))
            """, logger: logger)
        try await connection.query(
            """
            UPDATE customers.customers SET version = version + 1, updated_at = now() WHERE id = \(input.customerID)
            """, logger: logger)
        logger.info(
            "consent recorded",
            metadata: [
                "customer_id": "\(input.customerID)", "channel": "\(input.channel.rawValue)",
                "granted": "\(input.granted)", "legal_basis": "\(input.legalBasis.rawValue)",
            ])
    }

    /// Records a store platform's marketing consent for `channel` (Shopify's `email_marketing_consent` and
    /// `sms_marketing_consent`) when it changes what is known: a grant when the customer has no current consent on
    /// the channel, or a different decision than the current one that is newer than it (a decision made since, in
    /// Concierge or on the platform, is never overwritten by an older one). Erased and merged records are left alone.
    /// - Returns: true when a decision was recorded.
    @discardableResult
    static func recordFromPlatform(
        customerID: UUID, channel: ConsentChannel, granted: Bool, decidedAt: Date, source: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let name = channel.rawValue
        let rows = try await connection.query(
            """
            WITH live AS (
                SELECT id FROM customers.customers
                WHERE id = \(customerID) AND erased_at IS NULL AND merged_into IS NULL
                FOR UPDATE),
            current AS (
                SELECT granted, recorded_at FROM customers.consents
                WHERE customer_id = \(customerID) AND channel = \(name)
                ORDER BY recorded_at DESC, id DESC LIMIT 1)
            INSERT INTO customers.consents (customer_id, channel, granted, legal_basis, source, recorded_at)
            SELECT live.id, \(name), \(granted), 'consent', \(source), \(decidedAt) FROM live
            WHERE CASE WHEN EXISTS (SELECT 1 FROM current)
                       THEN EXISTS (SELECT 1 FROM current WHERE granted <> \(granted) AND recorded_at < \(decidedAt))
                       ELSE \(granted) END
            RETURNING id
            """, logger: logger)
        var recorded = false
        for try await _ in rows.decode(Int64.self) { recorded = true }
        guard recorded else { return false }
        try await connection.query(
            """
            UPDATE customers.customers SET version = version + 1, updated_at = now() WHERE id = \(customerID)
            """, logger: logger)
        logger.info(
            "platform consent recorded",
            metadata: ["customer_id": "\(customerID)", "channel": "\(name)", "granted": "\(granted)"])
        return true
    }

    /// The current consents of each of `ids`, by channel name.
    static func current(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws
        -> [UUID: [ConsentState]]
    {
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (customer_id, channel) customer_id, channel, granted, legal_basis, recorded_at, source
            FROM customers.consents WHERE customer_id = ANY(\(ids))
            ORDER BY customer_id, channel, recorded_at DESC, id DESC
            """, logger: logger)
        var result: [UUID: [ConsentState]] = [:]
        for try await row in rows.decode((UUID, String, Bool, String, Date, String?).self) {
            guard let channel = ConsentChannel(rawValue: row.1), let basis = LegalBasis(rawValue: row.3) else {
                continue
            }
            result[row.0, default: []].append(
                ConsentState(channel: channel, granted: row.2, legalBasis: basis, recordedAt: row.4, source: row.5))
        }
        return result
    }

    /// Every decision of `customerID`, oldest first (the history).
    static func history(_ customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> [ConsentState]
    {
        let rows = try await connection.query(
            """
            SELECT channel, granted, legal_basis, recorded_at, source FROM customers.consents
            WHERE customer_id = \(customerID) ORDER BY recorded_at, id
            """, logger: logger)
        var result: [ConsentState] = []
        for try await row in rows.decode((String, Bool, String, Date, String?).self) {
            guard let channel = ConsentChannel(rawValue: row.0), let basis = LegalBasis(rawValue: row.2) else {
                continue
            }
            result.append(
                ConsentState(channel: channel, granted: row.1, legalBasis: basis, recordedAt: row.3, source: row.4))
        }
        return result
    }
}

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

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The versioned program rules: every publication is a new row; the newest applies to new effects, and each earn
/// entry keeps the version it used (its reversal uses the same one). Version 0 is the built-in default.
public struct RuleStore: Sendable {
    public init() {}

    /// The rules in force.
    public func current(on connection: PostgresConnection, logger: Logger) async throws -> LoyaltyRuleVersion {
        let rows = try await connection.query(
            """
            SELECT version, rules::text, published_by, created_at FROM loyalty.rule_versions
            ORDER BY version DESC LIMIT 1
            """, logger: logger)
        for try await row in rows.decode((Int, String, String?, Date).self) {
            return try Self.version(row)
        }
        return LoyaltyRuleVersion(
            version: 0, rules: LoyaltyRules(), publishedBy: nil, createdAt: Date(timeIntervalSince1970: 0))
    }

    /// Every published version, newest first.
    public func all(on connection: PostgresConnection, logger: Logger) async throws -> [LoyaltyRuleVersion] {
        let rows = try await connection.query(
            "SELECT version, rules::text, published_by, created_at FROM loyalty.rule_versions ORDER BY version DESC",
            logger: logger)
        var versions: [LoyaltyRuleVersion] = []
        for try await row in rows.decode((Int, String, String?, Date).self) { versions.append(try Self.version(row)) }
        return versions
    }

    /// Publishes `rules` as the next version (serialised by a transaction lock so two publications get two numbers).
    public func publish(_ rules: LoyaltyRules, by: String?, on connection: PostgresConnection, logger: Logger)
        async throws -> LoyaltyRuleVersion
    {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('loyalty.rules'))", logger: logger)
        let text = String(decoding: try WireJSON.encoder.encode(rules), as: UTF8.self)
        let rows = try await connection.query(
            """
            INSERT INTO loyalty.rule_versions (version, rules, published_by)
            SELECT coalesce(max(version), 0) + 1, \(text)::jsonb, \(by) FROM loyalty.rule_versions
            RETURNING version, rules::text, published_by, created_at
            """, logger: logger)
        for try await row in rows.decode((Int, String, String?, Date).self) { return try Self.version(row) }
        throw Problem.internal("rule publication returned nothing")
    }

    static func version(_ row: (Int, String, String?, Date)) throws -> LoyaltyRuleVersion {
        LoyaltyRuleVersion(
            version: row.0, rules: try WireJSON.decoder.decode(LoyaltyRules.self, from: Data(row.1.utf8)),
            publishedBy: row.2, createdAt: row.3)
    }
}

/// How many points an order's lines earn under one rule version.
public struct EarnCalculator: Sendable {
    public var rules: LoyaltyRules

    public init(rules: LoyaltyRules) { self.rules = rules }

    /// The multiplier of a line, in percent: the highest matching multiplier (product tag, category or SKU
    /// prefix), else 100.
    public func linePercent(_ line: OrderEventLine) -> Int {
        linePercent(sku: line.sku, tags: line.tags, categories: line.categories)
    }

    /// The multiplier of a line of `sku` whose product has `tags` and `categories`, in percent.
    public func linePercent(sku: String?, tags: [String] = [], categories: [String] = []) -> Int {
        let matching = rules.multipliers.filter { $0.matches(sku: sku, tags: tags, categories: categories) }
        return matching.map(\.percent).max() ?? 100
    }

    /// The campaign multiplier at `instant`, in percent: the highest running campaign, else 100.
    public func campaignPercent(at instant: Date) -> Int {
        rules.campaigns.filter { $0.startsAt <= instant && instant < $0.endsAt }.map(\.percent).max() ?? 100
    }

    /// The points of `amountMinor` spent at these multipliers, rounded down (a customer never gets a fraction).
    public func points(amountMinor: Int64, linePercent: Int, tierPercent: Int, campaignPercent: Int) -> Int64 {
        guard amountMinor > 0 else { return 0 }
        let numerator =
            amountMinor.multipliedReportingOverflow(by: Int64(rules.pointsPerUnit) * Int64(linePercent)).partialValue
        let scaled = numerator / Int64(rules.unitMinor) / 100
        return scaled * Int64(tierPercent) / 100 * Int64(campaignPercent) / 100
    }
}

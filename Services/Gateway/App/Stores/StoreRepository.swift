import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Connected stores in the `gateway` schema, and the integration key made with each.
struct StoreRepository: Sendable {
    let database: Database
    let keys: APIKeyStore

    static let createOperation = "gateway.create_store"

    /// Connects a store once per `idempotencyKey`, with an `integration` key bound to it, in one transaction. The
    /// first reply carries the key's secret; a replay answers the same store and key id without it. A store already
    /// connected for this platform and domain is a 409 `store_exists`.
    func create(_ input: CreateStore, idempotencyKey: String, requestHash: [UInt8]) async throws -> ReplyEnvelope {
        guard let platform = input.storePlatform, let domain = ShopDomain.normalise(input.shopDomain) else {
            throw Problem.validation(input.validate().map { .init(field: $0.field, message: $0.message) })
        }
        let idempotency = IdempotencyStore(schema: GatewaySchema.name)
        let logger = database.logger
        return try await database.transaction { connection in
            if let stored = try await idempotency.claim(
                key: idempotencyKey, operation: Self.createOperation, requestHash: requestHash, on: connection,
                logger: logger)
            {
                return stored
            }
            let id = UUID()
            let platformName = platform.rawValue
            let rows = try await connection.query(
                """
                INSERT INTO gateway.stores (id, platform, shop_domain, name, webhook_secret)
                VALUES (\(id), \(platformName), \(domain), \(input.name), \(input.webhookSecret))
                ON CONFLICT (platform, shop_domain) DO NOTHING
                RETURNING created_at
                """, logger: logger)
            var createdAt: Date?
            for try await (created) in rows.decode(Date.self) { createdAt = created }
            guard let createdAt else {
                throw Problem.conflict(
                    "a \(platformName) store with the domain \(domain) is already connected", code: "store_exists")
            }
            let key = try await keys.insert(
                name: "store \(platformName) \(domain)", role: .integration, customerID: nil, storeID: id, secret: nil,
                on: connection)
            var view = ConnectedStore(
                id: id, platform: platform, shopDomain: domain, name: input.name, webhookSecret: input.webhookSecret,
                previousWebhookSecret: nil, createdAt: createdAt
            ).view
            view.integrationKey = .init(id: key.id, secret: key.secret)
            let withSecret = ReplyEnvelope(status: 201, body: try PayloadDecoder.encode(view), requestID: nil)
            view.integrationKey?.secret = nil
            let withoutSecret = ReplyEnvelope(status: 201, body: try PayloadDecoder.encode(view), requestID: nil)
            try await idempotency.record(key: idempotencyKey, reply: withoutSecret, on: connection, logger: logger)
            logger.info(
                "store connected",
                metadata: ["store_id": "\(id)", "platform": "\(platformName)", "shop_domain": "\(domain)"])
            return withSecret
        }
    }

    /// Stores in order of connection, `limit` at a time, after the store whose id is `cursor`.
    func list(limit: Int, after cursor: UUID?) async throws -> StorePage {
        let fetch = limit + 1
        let stores = try await database.withConnection { connection in
            try await Self.decode(
                connection.query(
                    """
                    SELECT id, platform, shop_domain, name, webhook_secret, previous_webhook_secret, created_at
                    FROM gateway.stores
                    WHERE \(cursor)::uuid IS NULL
                       OR (created_at, id) > (SELECT created_at, id FROM gateway.stores WHERE id = \(cursor))
                    ORDER BY created_at, id
                    LIMIT \(fetch)
                    """, logger: database.logger))
        }
        let page = Array(stores.prefix(limit))
        let next = stores.count > limit ? page.last?.id.uuidString.lowercased() : nil
        return StorePage(items: page.map(\.view), nextCursor: next)
    }

    /// The store with this id, or nil.
    func store(id: UUID) async throws -> ConnectedStore? {
        try await database.withConnection { connection in
            try await Self.decode(
                connection.query(
                    """
                    SELECT id, platform, shop_domain, name, webhook_secret, previous_webhook_secret, created_at
                    FROM gateway.stores WHERE id = \(id)
                    """, logger: database.logger)
            ).first
        }
    }

    /// The store connected for `platform` at `domain` (already normalised), or nil.
    func store(platform: StorePlatform, domain: String) async throws -> ConnectedStore? {
        let platformName = platform.rawValue
        return try await database.withConnection { connection in
            try await Self.decode(
                connection.query(
                    """
                    SELECT id, platform, shop_domain, name, webhook_secret, previous_webhook_secret, created_at
                    FROM gateway.stores WHERE platform = \(platformName) AND shop_domain = \(domain)
                    """, logger: database.logger)
            ).first
        }
    }

    /// Starts a rotation: `secret` becomes current and the current one previous, so both verify. Sending the
    /// current secret again changes nothing (a retried rotation does not push the previous secret out).
    func rotate(id: UUID, to secret: String) async throws -> ConnectedStore {
        let updated = try await database.transaction { connection in
            try await Self.decode(
                connection.query(
                    """
                    UPDATE gateway.stores SET
                        previous_webhook_secret = CASE WHEN webhook_secret = \(secret)
                            THEN previous_webhook_secret ELSE webhook_secret END,
                        webhook_secret = \(secret)
                    WHERE id = \(id)
                    RETURNING id, platform, shop_domain, name, webhook_secret, previous_webhook_secret, created_at
                    """, logger: database.logger)
            ).first
        }
        guard let updated else { throw Problem.notFound("no store with id \(id)") }
        database.logger.info("webhook secret rotated", metadata: ["store_id": "\(id)"])
        return updated
    }

    /// Ends a rotation: only the current secret verifies from now on. Idempotent.
    func endRotation(id: UUID) async throws -> ConnectedStore {
        let updated = try await database.transaction { connection in
            try await Self.decode(
                connection.query(
                    """
                    UPDATE gateway.stores SET previous_webhook_secret = NULL WHERE id = \(id)
                    RETURNING id, platform, shop_domain, name, webhook_secret, previous_webhook_secret, created_at
                    """, logger: database.logger)
            ).first
        }
        guard let updated else { throw Problem.notFound("no store with id \(id)") }
        database.logger.info("webhook secret rotation ended", metadata: ["store_id": "\(id)"])
        return updated
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [ConnectedStore] {
        var stores: [ConnectedStore] = []
        for try await (id, platform, domain, name, secret, previous, createdAt) in rows.decode(
            (UUID, String, String, String, String, String?, Date).self)
        {
            guard let platform = StorePlatform(rawValue: platform) else { continue }
            stores.append(
                ConnectedStore(
                    id: id, platform: platform, shopDomain: domain, name: name, webhookSecret: secret,
                    previousWebhookSecret: previous, createdAt: createdAt))
        }
        return stores
    }
}

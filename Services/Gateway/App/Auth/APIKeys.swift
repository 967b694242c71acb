import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// A newly created key: the secret is returned once and never stored.
public struct CreatedAPIKey: Codable, Sendable {
    public var id: UUID
    public var name: String
    public var role: Principal.Role
    public var customerID: UUID?
    /// Present only in the response that created the key.
    public var secret: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, role, secret
        case customerID = "customer_id"
        case createdAt = "created_at"
    }
}

/// API keys in the `gateway` schema: created with a random secret, looked up by the secret's SHA-256.
public struct APIKeyStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// A fresh secret: `ck_` and 40 random base62 characters (about 238 bits).
    public static func generateSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "ck_" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    static func hash(_ secret: String) -> Data { Data(SHA256.hash(data: Array(secret.utf8))) }

    /// Stores a key with `secret` (generated when nil) and returns it with the secret.
    public func create(
        name: String, role: Principal.Role, customerID: UUID?, secret: String? = nil
    ) async throws -> CreatedAPIKey {
        try await database.transaction { connection in
            try await insert(name: name, role: role, customerID: customerID, secret: secret, on: connection)
        }
    }

    /// Creates a key once per `idempotencyKey`: the first call answers with the secret; a replay answers with the
    /// same key's details but no secret, because secrets are never stored.
    public func create(
        name: String, role: Principal.Role, customerID: UUID?, idempotencyKey: String, requestHash: [UInt8]
    ) async throws -> ReplyEnvelope {
        let idempotency = IdempotencyStore(schema: GatewaySchema.name)
        let operation = "gateway.create_api_key"
        return try await database.transaction { connection in
            if let stored = try await idempotency.claim(
                key: idempotencyKey, operation: operation, requestHash: requestHash, on: connection,
                logger: database.logger)
            {
                return stored
            }
            var created = try await insert(name: name, role: role, customerID: customerID, secret: nil, on: connection)
            let withSecret = ReplyEnvelope(
                status: 201, body: Array(try WireJSON.encoder.encode(created)), requestID: nil)
            created.secret = nil
            let withoutSecret = ReplyEnvelope(
                status: 201, body: Array(try WireJSON.encoder.encode(created)), requestID: nil)
            try await idempotency.record(
                key: idempotencyKey, reply: withoutSecret, on: connection, logger: database.logger)
            return withSecret
        }
    }

    /// Inserts a key inside an open transaction; `storeID` binds an integration key to a connected store.
    func insert(
        name: String, role: Principal.Role, customerID: UUID?, storeID: UUID? = nil, secret: String?,
        on connection: PostgresConnection
    ) async throws -> CreatedAPIKey {
        let secret = secret ?? Self.generateSecret()
        let hash = Self.hash(secret)
        let roleName = role.rawValue
        let id = UUID()
        let rows = try await connection.query(
            """
            INSERT INTO gateway.api_keys (id, name, role, customer_id, store_id, secret_hash)
            VALUES (\(id), \(name), \(roleName), \(customerID), \(storeID), \(hash))
            ON CONFLICT (secret_hash) DO UPDATE SET revoked_at = NULL
            RETURNING id, created_at
            """, logger: database.logger)
        for try await (storedID, createdAt) in rows.decode((UUID, Date).self) {
            return CreatedAPIKey(
                id: storedID, name: name, role: role, customerID: customerID, secret: secret, createdAt: createdAt)
        }
        throw Problem.internal("key insert returned nothing")
    }

    /// The principal of a live key with this secret, or nil.
    public func principal(forSecret secret: String) async throws -> Principal? {
        let hash = Self.hash(secret)
        return try await database.withConnection { connection -> Principal? in
            let rows = try await connection.query(
                """
                SELECT id, role, customer_id, store_id FROM gateway.api_keys
                WHERE secret_hash = \(hash) AND revoked_at IS NULL
                """,
                logger: database.logger)
            for try await (id, role, customerID, storeID) in rows.decode((UUID, String, UUID?, UUID?).self) {
                guard let role = Principal.Role(rawValue: role) else { return nil }
                return Principal(role: role, keyID: id.uuidString, customerID: customerID, storeID: storeID)
            }
            return nil
        }
    }
}

/// Remembers recently verified keys for a short time so that most requests need no database round trip.
/// A revoked key stops working within `ttl`.
public actor APIKeyCache {
    private var entries: [String: (principal: Principal?, expires: ContinuousClock.Instant)] = [:]
    private let ttl: Duration
    private let store: APIKeyStore

    public init(store: APIKeyStore, ttl: Duration = .seconds(30)) {
        self.store = store
        self.ttl = ttl
    }

    public func principal(forSecret secret: String) async throws -> Principal? {
        let now = ContinuousClock.now
        if let entry = entries[secret], entry.expires > now { return entry.principal }
        let principal = try await store.principal(forSecret: secret)
        if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
        // Unknown keys are remembered too, briefly, so that a flood of bad keys does not become a flood of queries.
        entries[secret] = (principal, now + (principal == nil ? .seconds(2) : ttl))
        return principal
    }
}

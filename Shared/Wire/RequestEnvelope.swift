import Foundation

/// The body frames Concierge puts inside an MDP request, after the service name:
/// `[operation, payload, metadata]` (see docs/protocol.md).
public struct RequestEnvelope: Sendable, Equatable {
    /// Dotted operation name, for example `tickets.create`.
    public var operation: String
    /// The operation's input as JSON (an empty object when it takes none).
    public var payload: [UInt8]
    /// Request id, idempotency key, caller, deadline and trace context.
    public var metadata: RequestMetadata

    public init(operation: String, payload: [UInt8], metadata: RequestMetadata) {
        self.operation = operation
        self.payload = payload
        self.metadata = metadata
    }

    /// The three body frames, in wire order.
    public func frames() throws -> [[UInt8]] {
        [Array(operation.utf8), payload, Array(try WireJSON.encoder.encode(metadata))]
    }

    /// Parses the body frames of an MDP request. Throws `WireError` on anything malformed.
    public init(frames: [[UInt8]]) throws {
        guard frames.count == 3 else {
            throw WireError.malformed("expected 3 body frames (operation, payload, metadata), got \(frames.count)")
        }
        guard let operation = String(validating: frames[0], as: UTF8.self), !operation.isEmpty,
            operation.count <= 128
        else {
            throw WireError.malformed("operation frame must be a non-empty UTF-8 name of at most 128 characters")
        }
        let metadata: RequestMetadata
        do {
            metadata = try WireJSON.decoder.decode(RequestMetadata.self, from: Data(frames[2]))
        } catch {
            throw WireError.malformed("metadata frame is not a valid metadata object")
        }
        self.init(operation: operation, payload: frames[1], metadata: metadata)
    }
}

/// Metadata carried with every request.
public struct RequestMetadata: Codable, Sendable, Equatable {
    /// Unique per attempt; the reply echoes it so that a client can match replies to requests.
    public var requestID: String
    /// Stable across retries of the same logical request; state changes are applied once per key.
    public var idempotencyKey: String?
    /// Who is calling, as authenticated by the gateway.
    public var principal: Principal?
    /// Absolute deadline in milliseconds since the Unix epoch; work past it is pointless.
    public var deadlineMillis: Int64?
    /// W3C trace context `traceparent`, when the caller has one.
    public var traceparent: String?

    public init(
        requestID: String,
        idempotencyKey: String? = nil,
        principal: Principal? = nil,
        deadlineMillis: Int64? = nil,
        traceparent: String? = nil
    ) {
        self.requestID = requestID
        self.idempotencyKey = idempotencyKey
        self.principal = principal
        self.deadlineMillis = deadlineMillis
        self.traceparent = traceparent
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id"
        case idempotencyKey = "idempotency_key"
        case principal
        case deadlineMillis = "deadline_ms"
        case traceparent
    }
}

/// An authenticated caller: the role of its API key and, for `customer` keys, whose data it may see.
public struct Principal: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable {
        case admin, agent, integration, customer, service
    }

    public var role: Role
    /// The API key's id (never the secret).
    public var keyID: String?
    /// Set for `customer` keys: the only customer whose data this caller may read or change.
    public var customerID: UUID?
    /// Set for `integration` keys made for a connected store, and for verified webhook deliveries: the store.
    public var storeID: UUID?

    public init(role: Role, keyID: String? = nil, customerID: UUID? = nil, storeID: UUID? = nil) {
        self.role = role
        self.keyID = keyID
        self.customerID = customerID
        self.storeID = storeID
    }

    enum CodingKeys: String, CodingKey {
        case role
        case keyID = "key_id"
        case customerID = "customer_id"
        case storeID = "store_id"
    }
}

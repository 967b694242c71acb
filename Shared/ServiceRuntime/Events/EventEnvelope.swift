import Foundation
import Wire

/// One domain event as stored in the shared log and delivered to subscribers (see docs/events.md).
public struct EventEnvelope: Codable, Sendable, Equatable {
    /// Unique id of the event; consumers record the ids they applied.
    public var id: UUID
    /// Dotted type such as `ticket.solved`.
    public var type: String
    /// The service that wrote it.
    public var source: String
    public var aggregateType: String
    public var aggregateID: String
    /// 1 for an aggregate's first event, then 2, 3, ... with no gaps.
    public var aggregateVersion: Int64
    public var occurredAt: Date
    /// Version of the payload's shape for this type.
    public var schemaVersion: Int
    /// The event's data as JSON.
    public var payload: JSONText
    /// W3C trace context of the request that caused it.
    public var traceparent: String?
    /// Where the event sits in the log: commit order is `(transactionID, position)`.
    public var position: Int64
    /// The writing transaction's id (`pg_current_xact_id()`); see `LogCheckpoint`.
    public var transactionID: Int64

    public init(
        id: UUID, type: String, source: String, aggregateType: String, aggregateID: String, aggregateVersion: Int64,
        occurredAt: Date, schemaVersion: Int, payload: JSONText, traceparent: String?, position: Int64,
        transactionID: Int64
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.aggregateVersion = aggregateVersion
        self.occurredAt = occurredAt
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.traceparent = traceparent
        self.position = position
        self.transactionID = transactionID
    }

    /// The payload decoded as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try WireJSON.decoder.decode(T.self, from: Data(payload.text.utf8))
    }

    /// Where this event sits in commit order.
    public var checkpoint: LogCheckpoint { LogCheckpoint(transactionID: transactionID, position: position) }

    enum CodingKeys: String, CodingKey {
        case id, type, source, payload, traceparent, position
        case aggregateType = "aggregate_type"
        case aggregateID = "aggregate_id"
        case aggregateVersion = "aggregate_version"
        case occurredAt = "occurred_at"
        case schemaVersion = "schema_version"
        case transactionID = "transaction_id"
    }
}

/// JSON kept as its text, encoded inline (not as a string) so envelopes print as readable JSON.
public struct JSONText: Codable, Sendable, Equatable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public init(encoding value: some Encodable) throws {
        text = String(decoding: try WireJSON.encoder.encode(value), as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        let value = try JSONDocument(from: decoder)
        text = String(decoding: try WireJSON.encoder.encode(value), as: UTF8.self)
    }

    public func encode(to encoder: any Encoder) throws {
        let value = try WireJSON.decoder.decode(JSONDocument.self, from: Data(text.utf8))
        try value.encode(to: encoder)
    }
}

/// A consumer's place in the log.
///
/// Positions are allocated when a row is inserted, but transactions commit in any order, so a consumer that only
/// remembered "the last position" could skip an event whose transaction committed after a later position was read.
/// Readers therefore only see events of transactions older than every transaction still running (below the current
/// snapshot's `xmin`) and walk them in `(transactionID, position)` order: anything that becomes visible later has a
/// larger transaction id than everything already read, so nothing is ever skipped.
public struct LogCheckpoint: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var transactionID: Int64
    public var position: Int64

    public init(transactionID: Int64, position: Int64) {
        self.transactionID = transactionID
        self.position = position
    }

    /// Before the first event.
    public static let start = LogCheckpoint(transactionID: 0, position: 0)

    public static func < (lhs: LogCheckpoint, rhs: LogCheckpoint) -> Bool {
        (lhs.transactionID, lhs.position) < (rhs.transactionID, rhs.position)
    }

    public var description: String { "\(transactionID):\(position)" }
}

/// An event a handler wants to record with its state change.
public struct NewEvent: Sendable {
    public var type: String
    public var aggregateType: String
    public var aggregateID: String
    public var schemaVersion: Int
    public var payload: JSONText

    public init(
        type: String, aggregateType: String, aggregateID: String, schemaVersion: Int = 1, payload: some Encodable
    ) throws {
        self.type = type
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.schemaVersion = schemaVersion
        self.payload = try JSONText(encoding: payload)
    }
}

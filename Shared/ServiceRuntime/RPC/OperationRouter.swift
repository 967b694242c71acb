import Contracts
import Foundation
import Logging
import Metrics
import PostgresNIO
import Wire

/// The operations one service answers, by name. Handlers get decoded, checked and validated input; whatever they
/// throw becomes a problem reply, and nothing unexpected ever escapes as a crash.
public struct OperationRouter: Sendable {
    public typealias RawHandler =
        @Sendable (_ payload: [UInt8], _ context: OperationContext) async throws -> ReplyEnvelope

    private var handlers: [String: RawHandler] = [:]
    public let database: Database?
    public let idempotency: IdempotencyStore?
    public let publisher: EventPublisher?

    public init(database: Database?, schema: String?, publisher: EventPublisher? = nil) {
        self.database = database
        self.idempotency = schema.map(IdempotencyStore.init(schema:))
        self.publisher = publisher
    }

    /// The names this router answers.
    public var operations: [String] { handlers.keys.sorted() }

    /// Registers a read: decodes `Input`, runs `body`, replies 200 with its result.
    public mutating func query<Input: OperationInput, Output: Encodable & Sendable>(
        _ operation: String, _ input: Input.Type,
        _ body: @escaping @Sendable (Input, OperationContext) async throws -> Output
    ) {
        handlers[operation] = { payload, context in
            let value = try PayloadDecoder.decode(Input.self, from: payload)
            let output = try await body(value, context)
            return ReplyEnvelope(
                status: 200, body: try PayloadDecoder.encode(output), requestID: context.metadata.requestID)
        }
    }

    /// Registers a state change: runs `body` in one transaction together with the idempotency record, so that a
    /// retry with the same key replays the stored reply and changes nothing.
    ///
    /// `check` runs before the transaction opens: calls to other services belong there, so that no database
    /// connection is held across a network round trip. A request whose key already has a stored reply gets that
    /// reply without running `check` again.
    public mutating func command<Input: OperationInput, Output: Encodable & Sendable>(
        _ operation: String, _ input: Input.Type, status: Int = 201,
        check: (@Sendable (Input, OperationContext) async throws -> Void)? = nil,
        _ body: @escaping @Sendable (Input, OperationContext, PostgresConnection) async throws -> Output
    ) {
        let prepare: (@Sendable (Input, OperationContext) async throws -> Void)? = check
        command(operation, input, status: status, prepare: prepare) { input, _, context, connection in
            try await body(input, context, connection)
        }
    }

    /// Like `command(_:_:status:check:_:)`, with a `prepare` step whose result the body gets: what `prepare` learnt
    /// from other services (outside the transaction) is handed to the transaction instead of being asked for again.
    public mutating func command<Input: OperationInput, Prepared: Sendable, Output: Encodable & Sendable>(
        _ operation: String, _ input: Input.Type, status: Int = 201,
        prepare: (@Sendable (Input, OperationContext) async throws -> Prepared)?,
        _ body: @escaping @Sendable (Input, Prepared?, OperationContext, PostgresConnection) async throws -> Output
    ) {
        let database = self.database
        let idempotency = self.idempotency
        let publisher = self.publisher
        handlers[operation] = { payload, context in
            let value = try PayloadDecoder.decode(Input.self, from: payload)
            guard let database else { throw Problem.internal("no database configured for \(operation)") }
            var prepared: Prepared?
            if let prepare {
                if let key = context.metadata.idempotencyKey, let idempotency,
                    let stored = try await idempotency.storedReply(
                        key: key, operation: operation,
                        requestHash: IdempotencyStore.requestHash(operation: operation, payload: payload),
                        database: database, logger: context.logger)
                {
                    return ReplyEnvelope(
                        status: stored.status, body: stored.body, requestID: context.metadata.requestID)
                }
                prepared = try await prepare(value, context)
            }
            var context = context
            let recorder = publisher.map { EventRecorder(store: $0.store, traceparent: context.metadata.traceparent) }
            context.events = recorder
            let reply: ReplyEnvelope
            do {
                reply = try await database.transaction { connection -> ReplyEnvelope in
                    if let key = context.metadata.idempotencyKey, let idempotency {
                        let hash = IdempotencyStore.requestHash(operation: operation, payload: payload)
                        if let stored = try await idempotency.claim(
                            key: key, operation: operation, requestHash: hash, on: connection, logger: context.logger)
                        {
                            return stored
                        }
                        let output = try await body(value, prepared, context, connection)
                        let reply = ReplyEnvelope(
                            status: status, body: try PayloadDecoder.encode(output), requestID: nil)
                        try await idempotency.record(key: key, reply: reply, on: connection, logger: context.logger)
                        return reply
                    }
                    let output = try await body(value, prepared, context, connection)
                    return ReplyEnvelope(status: status, body: try PayloadDecoder.encode(output), requestID: nil)
                }
            } catch {
                recorder?.discard()
                throw error
            }
            // Committed: announce the events (the log already holds them, whatever happens to this message).
            if let recorder { publisher?.notifier?.publish(recorder.events) }
            return ReplyEnvelope(status: reply.status, body: reply.body, requestID: context.metadata.requestID)
        }
    }

    /// Answers one request envelope. Never throws: every failure is a problem reply.
    public func handle(_ request: RequestEnvelope, services: ServiceClient?, logger: Logger) async -> ReplyEnvelope {
        var logger = logger
        logger[metadataKey: "operation"] = "\(request.operation)"
        logger[metadataKey: "request_id"] = "\(request.metadata.requestID)"
        let started = ContinuousClock.now
        let reply = await dispatch(request, services: services, logger: logger)
        let elapsed = ContinuousClock.now - started
        let dimensions = [("operation", request.operation), ("status", String(reply.status))]
        Counter(label: "concierge_operations_total", dimensions: dimensions).increment()
        Timer(label: "concierge_operation_duration_seconds", dimensions: [("operation", request.operation)])
            .recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if reply.status >= 500 {
            logger.warning("operation failed", metadata: ["status": "\(reply.status)"])
        } else {
            logger.debug("operation served", metadata: ["status": "\(reply.status)"])
        }
        return reply
    }

    private func dispatch(_ request: RequestEnvelope, services: ServiceClient?, logger: Logger) async -> ReplyEnvelope {
        let requestID = request.metadata.requestID
        guard let handler = handlers[request.operation] else {
            return ReplyEnvelope(problem: .unknownOperation(request.operation), requestID: requestID)
        }
        if let deadline = request.metadata.deadlineMillis, deadline < Int64(Date().timeIntervalSince1970 * 1000) {
            return ReplyEnvelope(
                problem: .timeout("the request's deadline passed before it was served"), requestID: requestID)
        }
        let context = OperationContext(
            operation: request.operation, metadata: request.metadata, logger: logger, services: services)
        do {
            return try await handler(request.payload, context)
        } catch let problem as Problem {
            return ReplyEnvelope(problem: problem, requestID: requestID)
        } catch {
            logger.error("operation threw", metadata: ["error": "\(String(reflecting: error))"])
            return ReplyEnvelope(problem: .internal(), requestID: requestID)
        }
    }
}

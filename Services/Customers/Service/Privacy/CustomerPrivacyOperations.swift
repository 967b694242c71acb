import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The customers service's privacy operations (export, erasure, data requests) and its `customers.privacy`
/// consumer, which records every service's `privacy.erasure_applied`.
public enum CustomerPrivacy {
    /// Registers the privacy operations on `router`.
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        let eraser = CustomerEraser()
        let exporter = CustomerExporter()
        let requests = DataRequestStore()

        router.query(Operation.Customers.exportCustomer, ExportCustomer.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await exporter.export(customerID: input.customerID, on: $0, logger: context.logger)
            }
        }

        router.command(Operation.Customers.erase, EraseCustomer.self, status: 202) { input, context, connection in
            try requireAdmin(context)
            let principal = context.principal
            return try await eraser.erase(
                customerID: input.customerID, reason: input.reason ?? "api",
                requestedBy: principal.keyID ?? principal.role.rawValue, on: connection, logger: context.logger
            ) { event, connection in
                try await context.record(event, on: connection)
            }
        }

        router.query(Operation.Customers.erasureStatus, GetErasureStatus.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await status(customerID: input.customerID, on: $0, logger: context.logger)
            }
        }

        router.query(Operation.Customers.listDataRequests, ListDataRequests.self) { input, context in
            try requireAdmin(context)
            return try await database.withConnection {
                try await requests.page(
                    status: input.status, limit: input.limit ?? 50,
                    after: input.cursor.flatMap(KeysetCursor.init(encoded:)), on: $0, logger: context.logger)
            }
        }

        router.query(Operation.Customers.getDataRequest, GetDataRequest.self) { input, context in
            try requireAdmin(context)
            return try await database.withConnection {
                try await requests.find(id: input.id, on: $0, logger: context.logger)
            }
        }

        router.command(Operation.Customers.completeDataRequest, CompleteDataRequest.self, status: 200) {
            input, context, connection in
            try requireAdmin(context)
            let principal = context.principal
            return try await requests.complete(
                id: input.id, by: principal.keyID ?? principal.role.rawValue, on: connection, logger: context.logger)
        }
    }

    /// The `customers.privacy` consumer: one confirmation per erasure and service (a replay records nothing new).
    public static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.erasureApplied) { event, connection, logger in
            let payload = try event.decode(ErasureApplied.self)
            try await connection.query(
                """
                INSERT INTO customers.erasure_confirmations (erasure_id, service, applied_at)
                VALUES (\(payload.erasureID), \(payload.service), \(event.occurredAt))
                ON CONFLICT (erasure_id, service) DO NOTHING
                """, logger: logger)
        }
        return handlers
    }

    /// Erasing and the data requests are for admins (and the suite's own services).
    static func requireAdmin(_ context: OperationContext) throws {
        let role = context.principal.role
        guard role == .admin || role == .service else {
            throw Problem.forbidden("only admin keys may use \(context.operation)")
        }
    }

    static func status(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> ErasureStatus
    {
        guard let erasure = try await CustomerEraser().existing(customerID: customerID, on: connection, logger: logger)
        else {
            throw Problem.notFound("customer \(customerID) has not been erased")
        }
        var services = ErasureServices()
        let rows = try await connection.query(
            """
            SELECT service, applied_at FROM customers.erasure_confirmations WHERE erasure_id = \(erasure.erasureID)
            """, logger: logger)
        for try await (service, appliedAt) in rows.decode((String, Date).self) {
            services.set(service, appliedAt: appliedAt)
        }
        return ErasureStatus(
            erasureID: erasure.erasureID, customerID: customerID, reason: erasure.reason,
            requestedAt: erasure.requestedAt, services: services)
    }
}

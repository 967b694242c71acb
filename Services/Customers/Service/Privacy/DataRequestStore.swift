import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and completes the store platforms' data requests (`customers.data_requests`).
struct DataRequestStore: Sendable {
    static let columns = """
        id, store_id, delivery_id, customer_id, requested_at, status, completed_at, completed_by,
        (extract(epoch FROM requested_at) * 1000000)::bigint
        """
    typealias Row = (UUID, UUID, UUID, UUID?, Date, String, Date?, String?, Int64)

    /// A page of requests, newest first.
    func page(
        status: DataRequestStatus?, limit: Int, after cursor: KeysetCursor?, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Page<DataRequest> {
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let statusText = status?.rawValue
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM customers.data_requests
            WHERE (\(statusText)::text IS NULL OR status = \(statusText))
              AND ((extract(epoch FROM requested_at) * 1000000)::bigint, id) < (\(afterMicros), \(afterID))
            ORDER BY requested_at DESC, id DESC
            LIMIT \(limit + 1)
            """, logger: logger)
        var items: [(DataRequest, Int64)] = []
        for try await row in rows.decode(Row.self) { items.append((Self.request(row), row.8)) }
        var next: String?
        if items.count > limit {
            items.removeLast()
            if let last = items.last { next = KeysetCursor(createdAtMicros: last.1, id: last.0.id).encoded }
        }
        return Page(items: items.map(\.0), nextCursor: next)
    }

    /// One request; 404 for an unknown id.
    func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> DataRequest {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM customers.data_requests WHERE id = \(id)", logger: logger)
        for try await row in rows.decode(Row.self) { return Self.request(row) }
        throw Problem.notFound("no data request with id \(id)")
    }

    /// Marks the request completed (completing it again answers it unchanged); 404 for an unknown id.
    func complete(id: UUID, by principal: String, on connection: PostgresConnection, logger: Logger) async throws
        -> DataRequest
    {
        let rows = try await connection.query(
            """
            UPDATE customers.data_requests
            SET status = 'completed', completed_at = coalesce(completed_at, now()),
                completed_by = coalesce(completed_by, \(principal))
            WHERE id = \(id)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.request(row) }
        throw Problem.notFound("no data request with id \(id)")
    }

    static func request(_ row: Row) -> DataRequest {
        DataRequest(
            id: row.0, storeID: row.1, deliveryID: row.2, customerID: row.3, requestedAt: row.4,
            status: DataRequestStatus(rawValue: row.5) ?? .open, completedAt: row.6, completedBy: row.7)
    }
}

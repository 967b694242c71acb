import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Reads and writes return requests in the `returns` schema, on the caller's connection.
public struct PostgresReturnRepository: Sendable {
    public init() {}

    /// Records a new return request in `requested` with its lines.
    public func create(_ input: CreateReturn, on connection: PostgresConnection, logger: Logger) async throws
        -> ReturnRequest
    {
        let id = UUID()
        let rows = try await connection.query(
            """
            INSERT INTO returns.returns (id, customer_id, order_reference, reason, status)
            VALUES (\(id), \(input.customerID), \(input.orderReference), \(input.reason), 'requested')
            RETURNING created_at, updated_at
            """, logger: logger)
        var times: (Date, Date)?
        for try await row in rows.decode((Date, Date).self) { times = row }
        guard let times else { throw Problem.internal("return insert returned nothing") }
        let skus = input.lines.map(\.sku)
        let quantities = input.lines.map { Int32($0.quantity) }
        try await connection.query(
            """
            INSERT INTO returns.return_lines (return_id, sku, quantity)
            SELECT \(id), sku, quantity FROM unnest(\(skus)::text[], \(quantities)::integer[]) AS l(sku, quantity)
            """, logger: logger)
        return ReturnRequest(
            id: id, customerID: input.customerID, orderReference: input.orderReference, reason: input.reason,
            status: .requested, lines: input.lines, createdAt: times.0, updatedAt: times.1)
    }

    public func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ReturnRequest? {
        let rows = try await connection.query(
            """
            SELECT id, customer_id, order_reference, reason, status, created_at, updated_at
            FROM returns.returns WHERE id = \(id)
            """, logger: logger)
        var found: ReturnRequest?
        for try await row in rows.decode((UUID, UUID, String, String, String, Date, Date).self) {
            guard let status = ReturnStatus(rawValue: row.4) else {
                throw Problem.internal("return \(row.0) has an unknown status")
            }
            found = ReturnRequest(
                id: row.0, customerID: row.1, orderReference: row.2, reason: row.3, status: status, lines: [],
                createdAt: row.5, updatedAt: row.6)
        }
        guard var request = found else { return nil }
        let lines = try await connection.query(
            "SELECT sku, quantity FROM returns.return_lines WHERE return_id = \(id) ORDER BY sku", logger: logger)
        for try await (sku, quantity) in lines.decode((String, Int32).self) {
            request.lines.append(ReturnLine(sku: sku, quantity: Int(quantity)))
        }
        return request
    }
}

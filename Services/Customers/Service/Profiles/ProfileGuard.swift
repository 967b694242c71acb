import Foundation
import Logging
import PostgresNIO
import Wire

/// Locks a customer row for a change and refuses records that can no longer change.
enum ProfileGuard {
    /// The locked row's version; 404 when unknown, 409 `customer_merged` / `customer_erased` when it is a tombstone.
    @discardableResult
    static func lockLive(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT version, merged_into, erased_at FROM customers.customers WHERE id = \(id) FOR UPDATE",
            logger: logger)
        for try await (version, mergedInto, erasedAt) in rows.decode((Int, UUID?, Date?).self) {
            if let mergedInto {
                throw Problem.conflict(
                    "customer \(id) was merged into \(mergedInto); change that one", code: "customer_merged")
            }
            if erasedAt != nil { throw Problem.conflict("customer \(id) was erased", code: "customer_erased") }
            return version
        }
        throw Problem.notFound("no customer with id \(id)")
    }
}

import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `customers.define_segment` (admin), `customers.list_segments` and `customers.segment_members` (staff, services).
enum SegmentOperations {
    /// Registers the operations on `router`.
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(Operation.Customers.defineSegment, DefineSegment.self, status: 200) {
            input, context, connection in
            guard [.admin, .service].contains(context.principal.role) else {
                throw Problem.forbidden("only admins may define segments")
            }
            return try await SegmentStore.define(input, on: connection, logger: context.logger)
        }

        router.query(Operation.Customers.listSegments, ListSegments.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await SegmentStore.list(on: $0, logger: context.logger) }
        }

        router.query(Operation.Customers.segmentMembers, SegmentMembers.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await SegmentStore.members(input, on: $0, logger: context.logger)
            }
        }
    }
}

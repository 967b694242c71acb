import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// A new return as the create operation decided it.
struct NewReturn: Sendable {
    var id: UUID
    var customerID: UUID
    var orderID: UUID?
    var storeID: UUID?
    var currency: String?
    var orderReference: String
    var reason: String
    var reasonCode: String?
    var notes: String?
    var photos: [ReturnPhoto]
    var channel: String
    var ticketID: UUID?
    var policy: ReturnPolicy?
    var reviewReasons: [String]
    var lines: [ReturnLine]
}

/// Reads and writes returns (`returns.returns`, `return_lines`, `transitions`), on the caller's connection.
///
/// Rows are read as JSON built in SQL (`returnJSON`) and decoded into the `ReturnRequest` contract.
public struct PostgresReturnRepository: Sendable {
    public init() {}

    static let returnJSON = """
        jsonb_build_object(
            'id', r.id, 'customer_id', r.customer_id, 'order_reference', r.order_reference, 'reason', r.reason,
            'status', r.status, 'created_at', r.created_at, 'updated_at', r.updated_at, 'order_id', r.order_id,
            'store_id', r.store_id, 'currency', r.currency, 'ticket_id', r.ticket_id, 'reason_code', r.reason_code,
            'notes', r.notes, 'photos', r.photos, 'channel', r.channel, 'policy_name', r.policy_name,
            'review_reasons', to_jsonb(r.review_reasons), 'decline_reason', r.decline_reason,
            'cancel_reason', r.cancel_reason, 'tracking_number', r.tracking_number, 'approved_at', r.approved_at,
            'received_at', r.received_at, 'resolved_at', r.resolved_at, 'closed_at', r.closed_at,
            'lines', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                    'line_no', l.line_no, 'platform_line_id', l.platform_line_id, 'sku', l.sku, 'title', l.title,
                    'quantity', l.quantity, 'reason', l.reason_code, 'paid_minor', l.paid_minor,
                    'condition', l.condition, 'refund_minor', l.refund_minor) ORDER BY l.line_no)
                FROM returns.return_lines l WHERE l.return_id = r.id), '[]'::jsonb),
            'refund', (
                SELECT jsonb_build_object(
                    'id', f.id, 'resolution', f.resolution,
                    'gross', jsonb_build_object('amount_minor', f.gross_minor, 'currency', f.currency),
                    'restocking_fee', jsonb_build_object('amount_minor', f.restocking_fee_minor, 'currency', f.currency),
                    'shipping_fee', jsonb_build_object('amount_minor', f.shipping_fee_minor, 'currency', f.currency),
                    'amount', jsonb_build_object('amount_minor', f.amount_minor, 'currency', f.currency),
                    'status', f.status, 'platform_refund_id', f.platform_refund_id, 'exchange_for', f.exchange_for,
                    'created_at', f.created_at, 'confirmed_at', f.confirmed_at)
                FROM returns.refunds f WHERE f.return_id = r.id))
        """

    /// Records a legacy return (no mirrored order) in `requested`: the original `returns.create` shape.
    public func create(_ input: CreateReturn, on connection: PostgresConnection, logger: Logger) async throws
        -> ReturnRequest
    {
        let lines = input.lines.enumerated().map { index, line in
            ReturnLine(sku: line.sku, quantity: line.quantity, reason: line.reason, lineNo: index + 1)
        }
        return try await insert(
            NewReturn(
                id: UUID(), customerID: input.customerID ?? UUID(), orderID: nil, storeID: nil, currency: nil,
                orderReference: input.orderReference ?? "", reason: input.reason ?? "", reasonCode: input.reasonCode,
                notes: input.notes, photos: input.photos ?? [], channel: "agent", ticketID: input.ticketID,
                policy: nil, reviewReasons: ["the order is not mirrored: eligibility was not checked"], lines: lines),
            on: connection, logger: logger)
    }

    /// Inserts `new` in `requested` with its lines and first history entry.
    func insert(_ new: NewReturn, on connection: PostgresConnection, logger: Logger) async throws -> ReturnRequest {
        let photos = String(decoding: try WireJSON.encoder.encode(new.photos), as: UTF8.self)
        let policy = try new.policy.map { String(decoding: try WireJSON.encoder.encode($0), as: UTF8.self) }
        try await connection.query(
            """
            INSERT INTO returns.returns (
                id, customer_id, order_reference, reason, status, order_id, store_id, currency, ticket_id,
                reason_code, notes, photos, channel, policy_id, policy_name, policy, review_reasons)
            VALUES (
                \(new.id), \(new.customerID), \(new.orderReference), \(new.reason), 'requested', \(new.orderID),
                \(new.storeID), \(new.currency), \(new.ticketID), \(new.reasonCode), \(new.notes),
                \(photos)::jsonb, \(new.channel), \(new.policy?.id), \(new.policy?.name), \(policy)::jsonb,
                \(new.reviewReasons))
            """, logger: logger)
        for (index, line) in new.lines.enumerated() {
            try await connection.query(
                """
                INSERT INTO returns.return_lines (
                    return_id, line_no, platform_line_id, sku, title, quantity, reason_code, paid_minor)
                VALUES (
                    \(new.id), \(index + 1), \(line.platformLineID), \(line.sku), \(line.title), \(line.quantity),
                    \(line.reason), \(line.paidMinor))
                """, logger: logger)
        }
        try await history(
            new.id, from: nil, to: .requested, actor: new.channel, note: nil, on: connection, logger: logger)
        guard let request = try await find(id: new.id, on: connection, logger: logger) else {
            throw Problem.internal("return insert returned nothing")
        }
        return request
    }

    public func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ReturnRequest? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.returnJSON)::text FROM returns.returns r WHERE r.id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(text) }
        return nil
    }

    /// The return `id` locked for a change (FOR UPDATE) with the policy it was decided under.
    func lock(id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> (ReturnRequest, ReturnPolicy?)?
    {
        let rows = try await connection.query(
            "SELECT policy::text FROM returns.returns WHERE id = \(id) FOR UPDATE", logger: logger)
        var found = false
        var policyText: String?
        for try await text in rows.decode(String?.self) {
            found = true
            policyText = text
        }
        guard found, let request = try await find(id: id, on: connection, logger: logger) else { return nil }
        let policy = try policyText.map { try WireJSON.decoder.decode(ReturnPolicy.self, from: Data($0.utf8)) }
        return (request, policy)
    }

    /// Moves the return to `status`, stamping the matching time column, and records the history entry.
    func move(
        _ request: ReturnRequest, to status: ReturnStatus, actor: String, note: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let stamp: String? =
            switch status {
            case .approved: "approved_at"
            case .received: "received_at"
            case .inspected: "inspected_at"
            case .resolved: "resolved_at"
            case .closed, .declined, .cancelled: "closed_at"
            default: nil
            }
        let set = stamp.map { ", \($0) = now()" } ?? ""
        try await connection.query(
            """
            UPDATE returns.returns SET status = \(status.rawValue), updated_at = now()\(unescaped: set)
            WHERE id = \(request.id)
            """, logger: logger)
        try await history(
            request.id, from: request.status, to: status, actor: actor, note: note, on: connection, logger: logger)
    }

    func history(
        _ id: UUID, from: ReturnStatus?, to: ReturnStatus, actor: String, note: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO returns.transitions (return_id, from_status, to_status, actor, note)
            VALUES (\(id), \(from?.rawValue), \(to.rawValue), \(actor), \(note))
            """, logger: logger)
    }

    /// Units of each line of `orderID` in returns that are neither declined nor cancelled (except `excluding`).
    func returnedUnits(orderID: UUID, excluding: UUID? = nil, on connection: PostgresConnection, logger: Logger)
        async throws -> [Int64: Int]
    {
        let rows = try await connection.query(
            """
            SELECT l.platform_line_id, sum(l.quantity)::bigint FROM returns.return_lines l
            JOIN returns.returns r ON r.id = l.return_id
            WHERE r.order_id = \(orderID) AND r.status NOT IN ('declined', 'cancelled')
              AND l.platform_line_id IS NOT NULL AND r.id IS DISTINCT FROM \(excluding)
            GROUP BY l.platform_line_id
            """, logger: logger)
        var units: [Int64: Int] = [:]
        for try await (line, count) in rows.decode((Int64, Int64).self) { units[line] = Int(count) }
        return units
    }

    /// The customer's returns (not declined or cancelled) since `since`: how many and what they asked back.
    func customerActivity(_ customerID: UUID, since: Date, on connection: PostgresConnection, logger: Logger)
        async throws -> (Int, Int64)
    {
        let rows = try await connection.query(
            """
            SELECT count(DISTINCT r.id)::bigint, coalesce(sum(l.paid_minor), 0)::bigint FROM returns.returns r
            LEFT JOIN returns.return_lines l ON l.return_id = r.id
            WHERE r.customer_id = \(customerID) AND r.created_at >= \(since)
              AND r.status NOT IN ('declined', 'cancelled')
            """, logger: logger)
        for try await (count, value) in rows.decode((Int64, Int64).self) { return (Int(count), value) }
        return (0, 0)
    }

    /// A page of returns, newest first; `queue` lists the requested ones oldest first (the review queue). The
    /// cursor is the last return's id (keyset on created_at, id).
    func list(
        _ input: ListReturns, queue: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> ReturnPage {
        let limit = input.limit ?? 50
        var cursor: UUID?
        if let text = input.cursor {
            guard let id = UUID(uuidString: text) else {
                throw Problem.validation([.init(field: "cursor", message: "is not a cursor this list gave")])
            }
            cursor = id
        }
        let status = queue ? ReturnStatus.requested.rawValue : input.status?.rawValue
        let order = queue ? "r.created_at, r.id" : "r.created_at DESC, r.id DESC"
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.returnJSON)::text, r.id FROM returns.returns r
            LEFT JOIN returns.returns c ON c.id = \(cursor)
            WHERE (\(input.customerID)::uuid IS NULL OR r.customer_id = \(input.customerID))
              AND (\(status)::text IS NULL OR r.status = \(status))
              AND (\(input.orderID)::uuid IS NULL OR r.order_id = \(input.orderID))
              AND (\(cursor)::uuid IS NULL
                   OR (\(queue) AND (r.created_at, r.id) > (c.created_at, c.id))
                   OR (NOT \(queue) AND (r.created_at, r.id) < (c.created_at, c.id)))
            ORDER BY \(unescaped: order) LIMIT \(limit + 1)
            """, logger: logger)
        var items: [ReturnRequest] = []
        var more = false
        for try await (text, _) in rows.decode((String, UUID).self) {
            if items.count == limit {
                more = true
                continue
            }
            items.append(try Self.decode(text))
        }
        return ReturnPage(items: items, nextCursor: more ? items.last?.id.uuidString : nil)
    }

    static func decode(_ text: String) throws -> ReturnRequest {
        do {
            return try WireJSON.decoder.decode(ReturnRequest.self, from: Data(text.utf8))
        } catch {
            throw Problem.internal("a stored return is unreadable")
        }
    }
}

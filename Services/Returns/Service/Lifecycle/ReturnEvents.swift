import Contracts
import Foundation
import ServiceRuntime

/// The `return.*` events of a return, with their summary lines (shown on the customer timeline and as notes on
/// the return's ticket).
enum ReturnEvents {
    static func event(
        _ type: String, _ request: ReturnRequest, summary: String, lines: [ReturnEventLine]? = nil,
        refund: Money? = nil, resolution: String? = nil, refundID: UUID? = nil, reason: String? = nil
    ) throws -> NewEvent {
        let eventLines =
            lines
            ?? request.lines.map { line in
                ReturnEventLine(
                    platformLineID: line.platformLineID, sku: line.sku, quantity: line.quantity,
                    reason: line.reason ?? request.reasonCode, condition: line.condition?.rawValue)
            }
        return try NewEvent(
            type: type, aggregateType: "return", aggregateID: request.id.uuidString,
            payload: ReturnEvent(
                returnID: request.id, customerID: request.customerID, orderID: request.orderID,
                orderReference: request.orderReference, ticketID: request.ticketID, status: request.status.rawValue,
                summary: summary, lines: eventLines, refund: refund, resolution: resolution, refundID: refundID,
                reason: reason))
    }

    /// `order #1001` (the number as the customer knows it).
    static func order(_ request: ReturnRequest) -> String {
        let reference = request.orderReference
        return reference.hasPrefix("#") ? "order \(reference)" : "order \(reference)"
    }

    static func items(_ count: Int) -> String { "\(count) item\(count == 1 ? "" : "s")" }
}

import Contracts
import Foundation
import Wire

/// The return state machine: which status may follow which, and the rule a refused move breaks.
///
///     requested -> approved | declined | cancelled
///     approved -> label_issued | in_transit | received (dropped off in person) | cancelled
///     label_issued -> in_transit | received | cancelled
///     in_transit -> received | cancelled
///     received -> inspected
///     inspected -> resolved
///     resolved -> closed
///     declined, cancelled, closed: final
public enum ReturnLifecycle {
    /// The statuses each status may move to.
    public static let transitions: [ReturnStatus: Set<ReturnStatus>] = [
        .requested: [.approved, .declined, .cancelled],
        .approved: [.labelIssued, .inTransit, .received, .cancelled],
        .labelIssued: [.inTransit, .received, .cancelled],
        .inTransit: [.received, .cancelled],
        .received: [.inspected],
        .inspected: [.resolved],
        .resolved: [.closed],
        .declined: [], .cancelled: [], .closed: [],
    ]

    /// The rule that governs reaching each status, in the words a 409 gives.
    public static let rules: [ReturnStatus: String] = [
        .approved: "only a requested return can be approved",
        .declined: "only a requested return can be declined",
        .cancelled: "a return can be cancelled only before it is received",
        .labelIssued: "a label is issued only for an approved return (once)",
        .inTransit: "a return is in transit only after approval or its label",
        .received: "a return is received only after approval, and once",
        .inspected: "a return is inspected only once received",
        .resolved: "a return is resolved only once inspected, and only once",
        .closed: "only a resolved return can be closed",
    ]

    public static func canMove(from: ReturnStatus, to: ReturnStatus) -> Bool {
        transitions[from]?.contains(to) ?? false
    }

    /// Throws the 409 `illegal_transition` problem when `from -> to` is not allowed.
    public static func check(from: ReturnStatus, to: ReturnStatus) throws {
        guard canMove(from: from, to: to) else {
            let rule = rules[to] ?? "\(to.rawValue) cannot be reached"
            throw Problem.conflict(
                "the return is \(from.rawValue) and cannot become \(to.rawValue): \(rule)", code: "illegal_transition")
        }
    }
}
